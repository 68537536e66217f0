"""Where webhooks may go: public HTTPS addresses only, checked when saved and when sent.

A URL is checked when an endpoint (or a job's ``callback_url``) is saved, and its host
resolved again at each send: a name that resolved to a public address yesterday may
point at the portal's own network today (DNS rebinding). The request then goes to the
address that was checked (``Target.address``), not to a second lookup.

``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` (development only) allows loopback and private
addresses, and plain http, so a receiver on the developer's machine can be tried.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Cloud metadata services that are not link-local (AWS's IPv6 one is a private ULA,
# refused anyway; listed so the message says what it is).
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


class TargetRefused(Exception):
    """A webhook URL the portal will not call; ``str()`` says why, for the form or the API."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the checked IP address the request connects to


def _allow_private() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses (a seam for tests: no DNS in the test run)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _refusal(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if _allow_private():
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private or not ip.is_global:
        return "a private or reserved address"
    return None


def check_url(url: str) -> Target:
    """The URL's checked target, or TargetRefused saying what is wrong with it."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if _allow_private() else ("https",)
    if parts.scheme not in allowed_schemes:
        raise TargetRefused("Use an https:// URL.")
    if parts.username or parts.password:
        raise TargetRefused("Leave user names and passwords out of the URL.")
    host = parts.hostname
    if not host:
        raise TargetRefused("The URL has no host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused("The URL's port is not a number from 1 to 65535.") from None
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise TargetRefused(f"{host} does not resolve to an address.") from None
    if not addresses:
        raise TargetRefused(f"{host} does not resolve to an address.")
    for address in addresses:
        refusal = _refusal(address)
        if refusal:
            raise TargetRefused(
                f"{host} points at {refusal} ({address}); webhooks go to public addresses only."
            )
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0])
