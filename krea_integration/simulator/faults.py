"""Fault injection: what can go wrong with one request, and how to ask for it.

A request asks for faults with the ``X-Simulator-Fault`` header (or the control API
queues them for a token's next requests). The header holds comma-separated items:

``500`` (any status from 400 to 599)
    Answer that status with ``{"error": ...}`` and do nothing.
``slow=SECONDS``
    Wait that long (real time) before handling the request.
``timeout`` / ``timeout=SECONDS``
    Never answer: in-process the httpx call raises :class:`SimulatedTimeout` (an
    ``httpx.ReadTimeout``) at once; a server holds the connection for SECONDS
    (default 30) and then drops it. The request is not handled.
``fail-at=STATE``
    The job this request starts runs normally until it reaches STATE (``queued``,
    ``scheduled``, ``processing``, ``sampling`` or ``intermediate-complete``) and
    fails when it would have moved on.
``lost-response`` / ``lost-response=502`` / ``lost-response=drop``
    Handle the request (a job is created, and billed if it completes) but lose the
    answer: a 502, or a dropped connection (:class:`SimulatedDisconnect`
    in-process, an ``httpx.RemoteProtocolError``).
``webhook-duplicate=N``, ``webhook-delay=SECONDS``, ``webhook-drop``
    Webhook knobs for the job this request starts (see :class:`WebhookPolicy`).
``cancel-mode=cancel|finish-late|delete``
    For ``DELETE /jobs/{id}``: how this cancel plays out (see
    :data:`~.accounts.CANCEL_MODES`), whatever the account's mode.

For example ``X-Simulator-Fault: slow=0.5, fail-at=processing``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Any

import httpx

from .accounts import CANCEL_MODES, token_hash
from .webhooks import WebhookPolicy

__all__ = [
    "FAILABLE_STATES",
    "FAULT_HEADER",
    "FaultPlan",
    "FaultQueue",
    "InvalidFault",
    "QueuedFault",
    "SimulatedDisconnect",
    "SimulatedTimeout",
    "parse_faults",
]

FAULT_HEADER = "X-Simulator-Fault"
FAILABLE_STATES = ("queued", "scheduled", "processing", "sampling", "intermediate-complete")
DEFAULT_TIMEOUT_HOLD_SECONDS = 30.0


class InvalidFault(ValueError):
    """A fault description that cannot be understood."""


class SimulatedTimeout(httpx.ReadTimeout):
    """The simulator never answered (fault ``timeout``).

    Raised from the WSGI app so that an in-process httpx client sees a read timeout;
    the server mode catches it, holds the connection ``hold_seconds`` and drops it.
    """

    def __init__(self, hold_seconds: float = DEFAULT_TIMEOUT_HOLD_SECONDS) -> None:
        super().__init__("Simulated timeout: the Krea simulator did not answer")
        self.hold_seconds = hold_seconds


class SimulatedDisconnect(httpx.RemoteProtocolError):
    """The connection dropped before any answer (fault ``lost-response=drop``)."""

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


@dataclass(frozen=True)
class FaultPlan:
    """Everything that should go wrong with one request (nothing, by default)."""

    status: int | None = None
    slow_seconds: float = 0.0
    timeout_seconds: float | None = None
    fail_at: str | None = None
    lost_response: str | None = None  # "502" or "drop"
    webhook_duplicate: int | None = None
    webhook_delay: float | None = None
    webhook_drop: bool = False
    cancel_mode: str | None = None
    source: str = ""

    @property
    def is_empty(self) -> bool:
        """True when the plan changes nothing."""
        return self == FaultPlan(source=self.source)

    def webhook_policy(self, base: WebhookPolicy) -> WebhookPolicy:
        """``base`` with this plan's webhook knobs applied."""
        policy = base
        if self.webhook_duplicate is not None:
            policy = replace(policy, duplicate=self.webhook_duplicate)
        if self.webhook_delay is not None:
            policy = replace(policy, delay=self.webhook_delay)
        if self.webhook_drop:
            policy = replace(policy, drop=True)
        return policy


def _seconds(name: str, value: str | None, *, default: float | None = None) -> float:
    if value is None:
        if default is None:
            raise InvalidFault(f"{name} needs a number of seconds ({name}=2)")
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidFault(f"{name} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidFault(f"{name} must be a non-negative number of seconds")
    return seconds


def parse_faults(text: str) -> FaultPlan:
    """The :class:`FaultPlan` an ``X-Simulator-Fault`` value asks for.

    Raises:
        InvalidFault: an item is unknown or its value is not valid.
    """
    plan = FaultPlan(source=text.strip())
    for raw in text.replace(";", ",").replace("|", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        name, _, value_text = item.partition("=")
        name = name.strip().lower()
        value = value_text.strip() if "=" in item else None
        if name.isdigit():
            status = int(name)
            if not 400 <= status <= 599:
                raise InvalidFault(f"A fault status must be from 400 to 599, not {status}")
            plan = replace(plan, status=status)
        elif name == "slow":
            plan = replace(plan, slow_seconds=_seconds("slow", value))
        elif name == "timeout":
            hold = _seconds("timeout", value, default=DEFAULT_TIMEOUT_HOLD_SECONDS)
            plan = replace(plan, timeout_seconds=hold)
        elif name == "fail-at":
            if value not in FAILABLE_STATES:
                raise InvalidFault(f"fail-at must be one of {', '.join(FAILABLE_STATES)}")
            plan = replace(plan, fail_at=value)
        elif name == "lost-response":
            mode = (value or "502").lower()
            if mode not in ("502", "drop"):
                raise InvalidFault("lost-response is lost-response, lost-response=502 or =drop")
            plan = replace(plan, lost_response=mode)
        elif name == "webhook-duplicate":
            try:
                copies = int(value or "")
            except ValueError:
                raise InvalidFault("webhook-duplicate needs a number of copies") from None
            if not 1 <= copies <= 100:
                raise InvalidFault("webhook-duplicate must be from 1 to 100")
            plan = replace(plan, webhook_duplicate=copies)
        elif name == "webhook-delay":
            plan = replace(plan, webhook_delay=_seconds("webhook-delay", value))
        elif name == "webhook-drop":
            plan = replace(plan, webhook_drop=True)
        elif name == "cancel-mode":
            if value not in CANCEL_MODES:
                raise InvalidFault(f"cancel-mode must be one of {', '.join(CANCEL_MODES)}")
            plan = replace(plan, cancel_mode=value)
        else:
            raise InvalidFault(f"Unknown fault {name!r}")
    return plan


@dataclass
class QueuedFault:
    """A fault waiting for a token's next matching requests (set through the control API)."""

    id: int
    plan: FaultPlan
    remaining: int
    token: str | None = None
    method: str | None = None
    path_prefix: str | None = None

    def matches(self, token: str, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        return (
            self.remaining > 0
            and (self.token is None or self.token == token)
            and (self.method is None or self.method.upper() == method.upper())
            and (self.path_prefix is None or path.startswith(self.path_prefix))
        )

    def to_json(self) -> dict[str, Any]:
        """This fault as the control API shows it (the token only as its fingerprint)."""
        return {
            "id": self.id,
            "fault": self.plan.source,
            "remaining": self.remaining,
            "token_hash": token_hash(self.token) if self.token else None,
            "method": self.method,
            "path": self.path_prefix,
        }


class FaultQueue:
    """Faults queued for future requests, consumed first come, first served."""

    def __init__(self) -> None:
        self._items: list[QueuedFault] = []
        self._counter = 0
        self._lock = threading.Lock()

    def add(
        self,
        fault: str | FaultPlan,
        *,
        token: str | None = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> QueuedFault:
        """Make the next ``times`` matching requests (of ``token``, or anyone's) fail.

        ``fault`` uses the ``X-Simulator-Fault`` syntax; ``path`` is a path prefix.

        Raises:
            InvalidFault: ``fault`` cannot be understood.
        """
        plan = fault if isinstance(fault, FaultPlan) else parse_faults(fault)
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._counter += 1
            queued = QueuedFault(self._counter, plan, times, token, method, path)
            self._items.append(queued)
            return queued

    def take(self, token: str, method: str, path: str) -> FaultPlan | None:
        """Consume the first queued fault matching a request, if any."""
        with self._lock:
            for queued in self._items:
                if queued.matches(token, method, path):
                    queued.remaining -= 1
                    if queued.remaining == 0:
                        self._items.remove(queued)
                    return queued.plan
            return None

    def waiting(self) -> list[QueuedFault]:
        """Faults still waiting for a request."""
        with self._lock:
            return [f for f in self._items if f.remaining > 0]

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._items.clear()
