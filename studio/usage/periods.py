"""Quota periods: calendar days, weeks and months in the team's time zone."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import Period


@dataclass(frozen=True)
class Window:
    """The current period: from ``start`` (None = since the beginning) to ``end`` (None = never)."""

    start: datetime | None
    end: datetime | None


def _midnight(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def calendar_window(period: str, *, time_zone: str, now: datetime | None = None) -> Window:
    """The calendar period containing ``now``: midnight to midnight in ``time_zone``.

    Weeks start on Monday. ``Period.NONE`` never resets.
    """
    if period == Period.NONE:
        return Window(start=None, end=None)
    tz = zoneinfo.ZoneInfo(time_zone)
    today = (now or timezone.now()).astimezone(tz).date()
    if period == Period.DAY:
        first, following = today, today + timedelta(days=1)
    elif period == Period.WEEK:
        first = today - timedelta(days=today.weekday())
        following = first + timedelta(days=7)
    elif period == Period.MONTH:
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"Unknown quota period {period!r}.")
    return Window(start=_midnight(first, tz), end=_midnight(following, tz))


def quota_window(
    period: str, *, time_zone: str, reset_at: datetime | None, now: datetime | None = None
) -> Window:
    """The period a quota counts now: the calendar period, started later by a reset."""
    window = calendar_window(period, time_zone=time_zone, now=now)
    if reset_at is not None and (window.start is None or reset_at > window.start):
        return Window(start=reset_at, end=window.end)
    return window


def describe_until(moment: datetime | None, *, now: datetime | None = None) -> str:
    """“resets in 3 days”, “resets in 5 hours”, “resets in 10 minutes”, or “never resets”."""
    if moment is None:
        return "never resets"
    seconds = max((moment - (now or timezone.now())).total_seconds(), 0)
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size:
            count = round(seconds / size)
            return f"resets in {count} {unit}{'' if count == 1 else 's'}"
    minutes = max(round(seconds / 60), 1)
    return f"resets in {minutes} minute{'' if minutes == 1 else 's'}"
