"""Reads of the ledger: what is used and left, per member and per team.

Every figure is a sum of ledger entries (``UsageEntry``) over the quota's current
period; nothing is cached in a counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from studio.teams.models import Membership, Team

from .models import Period, Quota, UsageEntry, format_cu
from .periods import Window, calendar_window, describe_until, quota_window

ZERO = Decimal(0)
CENT = Decimal("0.01")


def cu_used(*, team: Team | int, user=None, since: datetime | None = None) -> Decimal:
    """CU spent or held by ``team`` (or one member of it) since ``since`` (None: ever).

    Reservations of running jobs count; released ones cancel out; charges and
    adjustments count. Entries are placed in time by ``period_at``.
    """
    entries = UsageEntry.objects.filter(team=team)
    if user is not None:
        entries = entries.filter(user=user)
    if since is not None:
        entries = entries.filter(period_at__gte=since)
    total = entries.aggregate(total=Sum("cu"))["total"] or ZERO
    return total.quantize(CENT)  # SQLite sums lose the column's scale


@dataclass(frozen=True)
class QuotaStatus:
    """One quota now: its limit, its current period, what is used and left in it."""

    quota: Quota
    window: Window
    used: Decimal

    @property
    def limit(self) -> Decimal:
        return self.quota.limit_cu

    @property
    def left(self) -> Decimal:
        """What may still be spent; never below zero (a lowered limit leaves nothing)."""
        return max(self.quota.limit_cu - self.used, ZERO)

    @property
    def resets_at(self) -> datetime | None:
        return self.window.end

    @property
    def percent_used(self) -> int:
        if self.quota.limit_cu <= 0:
            return 100
        return min(round(self.used / self.quota.limit_cu * 100), 100)

    def describe_reset(self) -> str:
        return describe_until(self.window.end)


def quota_status(quota: Quota, *, time_zone: str, now: datetime | None = None) -> QuotaStatus:
    """The state of ``quota`` now, its period taken in ``time_zone`` (the team's)."""
    window = quota_window(quota.period, time_zone=time_zone, reset_at=quota.reset_at, now=now)
    used = cu_used(
        team=quota.team_id,
        user=quota.user_id if quota.user_id else None,
        since=window.start,
    )
    return QuotaStatus(quota=quota, window=window, used=used)


@dataclass(frozen=True)
class Allowance:
    """What a member may still spend now: the smaller of their own and the team's room.

    ``None`` for a figure means there is no limit at that level.
    """

    member_quota: Quota | None
    team_quota: Quota | None
    member_left: Decimal | None
    team_left: Decimal | None
    left: Decimal | None
    resets_at: datetime | None
    member_status: QuotaStatus | None = None
    team_status: QuotaStatus | None = None

    @property
    def limited(self) -> bool:
        return self.left is not None

    def allows(self, cu: Decimal) -> bool:
        return self.left is None or cu <= self.left

    def describe(self) -> str:
        """“42 CU left · resets in 3 days”; “No CU limit” when neither level has a quota."""
        if self.left is None:
            return "No CU limit"
        text = f"{format_cu(self.left)} CU left"
        if self.resets_at is not None:
            text += f" · {describe_until(self.resets_at)}"
        return text


def _binding(statuses: list[QuotaStatus]) -> QuotaStatus | None:
    """The quota that limits most: least left; on a tie, the one that resets last."""
    if not statuses:
        return None
    far = datetime.max.replace(tzinfo=UTC)
    return min(statuses, key=lambda s: (s.left, -(s.resets_at or far).timestamp()))


def allowance_for(*, membership: Membership, now: datetime | None = None) -> Allowance:
    """What ``membership``'s user may still spend in its team, for the generate page and API."""
    team = membership.team
    quotas = Quota.objects.filter(team=team).filter(
        Q(user__isnull=True) | Q(user_id=membership.user_id)
    )
    member_status = team_status = None
    for quota in quotas:
        status = quota_status(quota, time_zone=team.time_zone, now=now)
        if quota.user_id is None:
            team_status = status
        else:
            member_status = status
    binding = _binding([s for s in (member_status, team_status) if s is not None])
    return Allowance(
        member_quota=member_status.quota if member_status else None,
        team_quota=team_status.quota if team_status else None,
        member_left=member_status.left if member_status else None,
        team_left=team_status.left if team_status else None,
        left=binding.left if binding else None,
        resets_at=binding.resets_at if binding else None,
        member_status=member_status,
        team_status=team_status,
    )


def team_quotas(team: Team) -> QuerySet[Quota]:
    return Quota.objects.filter(team=team).select_related("user")


@dataclass(frozen=True)
class TeamPeriodUsage:
    """The team's use in its current period: its quota's, else this calendar month."""

    used: Decimal
    window: Window
    status: QuotaStatus | None

    def describe(self) -> str:
        if self.status is None:
            return f"{format_cu(self.used)} CU this month (no team quota)"
        return (
            f"{format_cu(self.used)} of {format_cu(self.status.limit)} CU "
            f"({self.status.quota.get_period_display().lower()}, {self.status.describe_reset()})"
        )


def team_period_usage(team: Team, *, now: datetime | None = None) -> TeamPeriodUsage:
    quota = Quota.objects.filter(team=team, user__isnull=True).first()
    if quota is not None:
        status = quota_status(quota, time_zone=team.time_zone, now=now)
        return TeamPeriodUsage(used=status.used, window=status.window, status=status)
    window = calendar_window(Period.MONTH, time_zone=team.time_zone, now=now)
    return TeamPeriodUsage(used=cu_used(team=team, since=window.start), window=window, status=None)
