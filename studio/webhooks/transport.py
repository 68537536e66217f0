"""The one HTTP request of a webhook attempt: to the checked address, signed, no redirects.

The only module of the portal that makes HTTP requests to addresses that are not Krea's
(see the import contracts in pyproject.toml).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from django.conf import settings

from krea_integration.tls import tls_context

from .targets import Target

USER_AGENT = "KreaStudio-Webhooks/1.0"
# What the delivery log keeps of an answer.
EXCERPT_BYTES = 500


@dataclass(frozen=True)
class Answer:
    status: int | None
    latency_ms: int
    excerpt: str
    error: str = ""


def _pinned_url(target: Target) -> str:
    """The target's URL with its host replaced by the checked address."""
    return str(httpx.URL(target.url).copy_with(host=target.address, port=target.port))


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``target``'s checked address with its own Host and TLS name.

    Redirects are answers, not followed. Never raises for the network: a timeout or a
    refused connection is an Answer without a status.
    """
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    started = time.monotonic()
    request_headers = {
        **headers,
        "Host": httpx.URL(target.url).netloc.decode("ascii"),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
                trust_env=False,
                verify=tls_context(),
            ) as client,
            client.stream(
                "POST",
                _pinned_url(target),
                content=body,
                headers=request_headers,
                extensions={"sni_hostname": target.host},
            ) as response,
        ):
            head = b""
            for chunk in response.iter_bytes():
                head += chunk
                if len(head) >= EXCERPT_BYTES or time.monotonic() - started > timeout:
                    break
        latency = round((time.monotonic() - started) * 1000)
        return Answer(
            status=response.status_code,
            latency_ms=latency,
            excerpt=head[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
        )
    except httpx.TimeoutException:
        error = f"No answer within {timeout:g} seconds."
    except httpx.HTTPError as exc:
        error = f"Could not connect: {exc}"[:300]
    return Answer(
        status=None, latency_ms=round((time.monotonic() - started) * 1000), excerpt="", error=error
    )
