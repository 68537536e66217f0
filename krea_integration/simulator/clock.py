"""The simulator's sense of time: real time, or manual time that moves only when told.

Every time the simulator reports or acts on (``created_at``, a job's progress, when a
webhook is due) comes from one :class:`Clock`, so a test can hold time still and step
through a job's states with :meth:`Clock.advance`.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "isoformat", "parse_time"]


class Clock:
    """Wall-clock time as the simulator sees it.

    A real clock follows the system time (plus whatever it was advanced by, so the
    control API can fast-forward a running server). A manual clock stands still at
    ``start`` until :meth:`advance` moves it. Both are thread-safe.
    """

    def __init__(self, *, manual: bool = False, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("A clock's start time must be timezone-aware")
        self._manual = manual
        self._lock = threading.Lock()
        base = start or datetime.now(UTC)
        self._start = base.astimezone(UTC)
        self._started_monotonic = time.monotonic()
        self._offset = 0.0

    @classmethod
    def real(cls) -> Clock:
        """A clock that follows the system time."""
        return cls()

    @classmethod
    def manual(cls, start: datetime | None = None) -> Clock:
        """A clock that stands still at ``start`` (default: now) until advanced."""
        return cls(manual=True, start=start)

    @property
    def is_manual(self) -> bool:
        """True when time only moves through :meth:`advance`."""
        return self._manual

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        with self._lock:
            seconds = self._offset
            if not self._manual:
                seconds += time.monotonic() - self._started_monotonic
        return self._start + timedelta(seconds=seconds)

    def advance(self, seconds: float) -> datetime:
        """Move time forward by ``seconds`` (not backwards); returns the new time."""
        if seconds < 0:
            raise ValueError("A clock cannot go backwards")
        with self._lock:
            self._offset += seconds
        return self.now()


def isoformat(moment: datetime) -> str:
    """``moment`` as Krea writes times: UTC, milliseconds, ``Z`` (``2026-08-01T12:00:00.000Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def parse_time(text: str) -> datetime:
    """An ISO 8601 time as a timezone-aware datetime (naive times are taken as UTC).

    Raises:
        ValueError: ``text`` is not an ISO 8601 time.
    """
    moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
