"""The request log: what the simulator was asked, for tests and the control API."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import isoformat

__all__ = ["RequestLog", "RequestRecord"]


@dataclass
class RequestRecord:
    """One request the simulator answered (or swallowed), for the request log."""

    at: datetime
    method: str
    path: str
    query: str
    token_hash: str | None
    body: Any
    status: int | None
    fault: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """This record as the control API shows it."""
        return {
            "at": isoformat(self.at),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "token_hash": self.token_hash,
            "body": self.body,
            "status": self.status,
            "fault": self.fault,
            "headers": self.headers,
        }


class RequestLog:
    """The last ``size`` requests, oldest first."""

    def __init__(self, size: int) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=size)
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        """Log one request."""
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        """The logged requests, oldest first."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget every request."""
        with self._lock:
            self._records.clear()
