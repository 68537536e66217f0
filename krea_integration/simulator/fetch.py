"""Fetching members' input URLs without letting them reach what Krea could not.

Krea downloads ``image_url`` and the like from the internet. The simulator, running
beside the portal (``make run``), could reach much more: the host's loopback, the
private network, a cloud's metadata address. :func:`fetch_public` fetches only
public addresses, plus URLs under prefixes the operator trusts (the portal's own
public output URLs), checks every redirect hop the same way, and connects to the
address it checked (so a second DNS answer cannot swap it). Every refusal and every
failure gives the same :class:`InputUnreadable`, so the answers cannot tell an open
port from a closed one.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

import httpx

from ..tls import tls_context

__all__ = [
    "FETCH_TIMEOUT_SECONDS",
    "MAX_REDIRECTS",
    "InputUnreadable",
    "fetch_public",
    "is_public_address",
    "under_prefix",
]

FETCH_TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], list[str]]


class InputUnreadable(Exception):
    """An input URL could not (or may not) be read; deliberately says nothing more."""


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public unicast IP (not loopback, private, link-local,
    shared, reserved, multicast or unspecified; IPv4-mapped IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port


def under_prefix(url: str, prefix: str) -> bool:
    """Whether ``url`` is at ``prefix``'s origin (scheme, host, port) and under its path."""
    origin = _origin(url)
    if origin is None or origin != _origin(prefix):
        return False
    path = urlsplit(url).path or "/"
    wanted = urlsplit(prefix).path or "/"
    return path.startswith(wanted if wanted.endswith("/") else wanted + "/") or path == wanted


def fetch_public(
    url: str,
    *,
    max_bytes: int,
    trusted_prefixes: Iterable[str] = (),
    timeout: float = FETCH_TIMEOUT_SECONDS,
    resolver: Resolver = _resolve,
) -> bytes:
    """GET ``url`` if it (and every redirect) is public or under a trusted prefix.

    Raises:
        InputUnreadable: refused, unreachable, an error status, too many redirects,
            or a body over ``max_bytes``.
    """
    trusted = tuple(trusted_prefixes)
    with httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False, verify=tls_context()
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            request = _pinned_request(client, url, trusted, resolver)
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError:
                raise InputUnreadable(url) from None
            try:
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    url = urljoin(url, location)
                    continue
                if response.status_code != 200:
                    raise InputUnreadable(url)
                return _read(response, max_bytes, url)
            finally:
                response.close()
    raise InputUnreadable(url)


def _pinned_request(
    client: httpx.Client, url: str, trusted: tuple[str, ...], resolver: Resolver
) -> httpx.Request:
    """A request for ``url`` sent to an address checked now (or a trusted URL as is)."""
    origin = _origin(url)
    if origin is None:
        raise InputUnreadable(url)
    if any(under_prefix(url, prefix) for prefix in trusted):
        return client.build_request("GET", url)
    _, host, port = origin
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        raise InputUnreadable(url) from None
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise InputUnreadable(url)
    target = httpx.URL(url)
    # Connect to the checked address; the Host header and TLS name stay the URL's.
    return client.build_request(
        "GET",
        target.copy_with(host=addresses[0].split("%", 1)[0]),
        headers={"Host": target.netloc.decode("ascii")},
        extensions={"sni_hostname": host},
    )


def _read(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise InputUnreadable(url)
            chunks.append(chunk)
    except httpx.HTTPError:
        raise InputUnreadable(url) from None
    return b"".join(chunks)
