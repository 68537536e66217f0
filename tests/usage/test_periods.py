from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studio.usage.models import Period
from studio.usage.periods import calendar_window, describe_until, quota_window

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 15 January 2025, 23:30 UTC = Thursday 16 January, 00:30 in Berlin.
NOW = datetime(2025, 1, 15, 23, 30, tzinfo=UTC)


def test_a_day_is_midnight_to_midnight_in_the_team_time_zone():
    window = calendar_window(Period.DAY, time_zone="Europe/Berlin", now=NOW)
    assert window.start == datetime(2025, 1, 16, tzinfo=BERLIN)
    assert window.end == datetime(2025, 1, 17, tzinfo=BERLIN)
    utc = calendar_window(Period.DAY, time_zone="UTC", now=NOW)
    assert utc.start == datetime(2025, 1, 15, tzinfo=UTC)


def test_a_week_starts_on_monday():
    window = calendar_window(Period.WEEK, time_zone="Europe/Berlin", now=NOW)
    assert window.start == datetime(2025, 1, 13, tzinfo=BERLIN)
    assert window.end == datetime(2025, 1, 20, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "now, start, end",
    [
        (NOW, datetime(2025, 1, 1), datetime(2025, 2, 1)),
        (datetime(2024, 2, 29, 12, tzinfo=UTC), datetime(2024, 2, 1), datetime(2024, 3, 1)),
        (datetime(2024, 12, 31, 22, 59, tzinfo=UTC), datetime(2024, 12, 1), datetime(2025, 1, 1)),
        (datetime(2024, 12, 31, 23, 0, tzinfo=UTC), datetime(2025, 1, 1), datetime(2025, 2, 1)),
    ],
)
def test_a_month_is_the_calendar_month(now, start, end):
    window = calendar_window(Period.MONTH, time_zone="Europe/Berlin", now=now)
    assert window.start == start.replace(tzinfo=BERLIN)
    assert window.end == end.replace(tzinfo=BERLIN)


def test_a_day_across_a_daylight_saving_change_is_23_hours():
    window = calendar_window(
        Period.DAY, time_zone="Europe/Berlin", now=datetime(2025, 3, 30, 12, tzinfo=UTC)
    )
    # Same-zone subtraction is wall-clock time in Python; compare the instants.
    assert window.end.astimezone(UTC) - window.start.astimezone(UTC) == timedelta(hours=23)


def test_no_reset_counts_everything():
    window = calendar_window(Period.NONE, time_zone="UTC", now=NOW)
    assert window.start is None and window.end is None


def test_a_reset_starts_the_period_later_but_not_earlier():
    reset = datetime(2025, 1, 10, tzinfo=UTC)
    assert quota_window(Period.MONTH, time_zone="UTC", reset_at=reset, now=NOW).start == reset
    assert quota_window(Period.DAY, time_zone="UTC", reset_at=reset, now=NOW).start == datetime(
        2025, 1, 15, tzinfo=UTC
    )
    never = quota_window(Period.NONE, time_zone="UTC", reset_at=reset, now=NOW)
    assert never.start == reset and never.end is None


@pytest.mark.parametrize(
    "delta, text",
    [
        (timedelta(days=2, hours=23), "resets in 3 days"),
        (timedelta(days=1, hours=2), "resets in 1 day"),
        (timedelta(hours=5, minutes=10), "resets in 5 hours"),
        (timedelta(minutes=12), "resets in 12 minutes"),
        (timedelta(seconds=5), "resets in 1 minute"),
    ],
)
def test_describe_until(delta, text):
    assert describe_until(NOW + delta, now=NOW) == text
    assert describe_until(None) == "never resets"
