"""Webhook deliveries: what Krea POSTs to a job's ``X-Webhook-URL`` once it is terminal.

Like Krea, the simulator sends the job JSON unsigned. A :class:`WebhookPolicy` bends
delivery the ways Krea's can go wrong in the wild: duplicates, delays, a batch
delivered out of order, or nothing at all. Deliveries go through a *sender*, a
callable ``(url, body, headers) -> status`` (default :func:`post_webhook`, real
HTTP), so in-process tests can route them to a Django test client instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from ..tls import tls_context
from .clock import isoformat

__all__ = [
    "WEBHOOK_TIMEOUT_SECONDS",
    "WebhookDelivery",
    "WebhookPolicy",
    "WebhookSender",
    "post_webhook",
]

WEBHOOK_TIMEOUT_SECONDS = 10.0
WEBHOOK_USER_AGENT = "krea-simulator-webhook/1"

WebhookSender = Callable[[str, bytes, Mapping[str, str]], int]
"""Sends one webhook: ``(url, body, headers)`` -> the HTTP status the receiver answered.

Raising an exception records the delivery as failed with the exception's text.
"""


@dataclass(frozen=True)
class WebhookPolicy:
    """How the webhooks of a job are delivered.

    Attributes:
        duplicate: Copies of each webhook to send (Krea may deliver more than once).
        delay: Seconds on the simulator's clock between the terminal state and delivery.
        reorder: Deliver each batch that falls due together in reverse order.
        drop: Record the delivery but never send it.
    """

    duplicate: int = 1
    delay: float = 0.0
    reorder: bool = False
    drop: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.duplicate <= 100:
            raise ValueError("duplicate must be from 1 to 100")
        if self.delay < 0:
            raise ValueError("delay cannot be negative")

    def to_json(self) -> dict[str, Any]:
        """This policy as the control API shows it."""
        return {
            "duplicate": self.duplicate,
            "delay": self.delay,
            "reorder": self.reorder,
            "drop": self.drop,
        }


@dataclass
class WebhookDelivery:
    """One webhook copy: scheduled, then sent (or dropped, or failed)."""

    id: int
    job_id: str
    url: str
    payload: dict[str, Any]
    copy: int
    due_at: datetime
    token_hash: str
    reorder: bool = False
    dropped: bool = False
    delivered_at: datetime | None = None
    status_code: int | None = None
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> bytes:
        """The exact bytes POSTed."""
        return json.dumps(self.payload, separators=(",", ":")).encode()

    @property
    def state(self) -> str:
        """``pending``, ``dropped``, ``delivered`` (2xx) or ``failed``."""
        if self.dropped:
            return "dropped"
        if self.delivered_at is None:
            return "pending"
        if self.status_code is not None and 200 <= self.status_code < 300:
            return "delivered"
        return "failed"

    def to_json(self) -> dict[str, Any]:
        """This delivery as the control API shows it."""
        return {
            "id": self.id,
            "job_id": self.job_id,
            "url": self.url,
            "copy": self.copy,
            "state": self.state,
            "due_at": isoformat(self.due_at),
            "delivered_at": isoformat(self.delivered_at) if self.delivered_at else None,
            "status_code": self.status_code,
            "error": self.error,
            "token_hash": self.token_hash,
            "payload": self.payload,
        }


def post_webhook(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    """POST a webhook over HTTP with a timeout; returns the receiver's status."""
    response = httpx.post(
        url,
        content=body,
        headers=dict(headers),
        timeout=WEBHOOK_TIMEOUT_SECONDS,
        verify=tls_context(),
    )
    return response.status_code


def webhook_headers() -> dict[str, str]:
    """The headers every webhook carries (no signature: Krea does not sign)."""
    return {"Content-Type": "application/json", "User-Agent": WEBHOOK_USER_AGENT}
