"""Reads of the ledger: what is used and left, per member and per team.

Every figure is a sum of ledger entries (``UsageEntry``) over the quota's current
period; nothing is cached in a counter.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from krea_integration import catalogue
from studio.teams.models import Membership, Team

from .models import EntryKind, Period, Quota, UsageEntry, format_cu
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


def quota_statuses(
    quotas: list[Quota],
    *,
    time_zone: str,
    now: datetime | None = None,
    leaving_out: int | None = None,
) -> list[QuotaStatus]:
    """``quota_status`` of a team's quotas (its own and a member's) in one sum over the ledger.

    The submit path calls it with those quotas locked: one query, not one per quota,
    keeps the time they are held short. ``leaving_out``: the id of an entry not to
    count (the submit's own reservation, written before the lock).
    """
    if not quotas:
        return []
    windows = [
        quota_window(q.period, time_zone=time_zone, reset_at=q.reset_at, now=now) for q in quotas
    ]
    scopes = [(q.user_id, w.start) for q, w in zip(quotas, windows, strict=True)]
    used = _ledger_sums(quotas[0].team_id, scopes, leaving_out=leaving_out)
    return [
        QuotaStatus(quota=quota, window=window, used=total)
        for quota, window, total in zip(quotas, windows, used, strict=True)
    ]


def _ledger_sums(
    team_id: int, scopes: list[tuple[int | None, datetime | None]], *, leaving_out: int | None
) -> list[Decimal]:
    """The team's ledger summed once per (member or None for all, since or None for ever),
    without the entry ``leaving_out``.

    Written in SQL: a submit runs it while holding its quota locks, and building it
    through the ORM cost more CPU than PostgreSQL spends running it.
    """
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    cu, user, at = quote("cu"), quote("user_id"), quote("period_at")
    sums, params = [], []
    for user_id, since in scopes:
        conditions = []
        if user_id is not None:
            conditions.append(f"{user} = %s")
            params.append(user_id)
        if since is not None:
            conditions.append(f"{at} >= %s")
            params.append(adapt(since))
        where = " AND ".join(conditions)
        # CAST to text: exact on both backends (SQLite sums decimals as floats).
        summed = f"SUM(CASE WHEN {where} THEN {cu} END)" if where else f"SUM({cu})"
        sums.append(f"CAST(COALESCE({summed}, 0) AS TEXT)")
    table = quote(UsageEntry._meta.db_table)
    sql = f"SELECT {', '.join(sums)} FROM {table} WHERE {quote('team_id')} = %s"  # noqa: S608  (our names)
    params.append(team_id)
    if leaving_out is not None:
        sql += f" AND {quote('id')} <> %s"
        params.append(leaving_out)
    starts = [since for _, since in scopes]
    if None not in starts:
        sql += f" AND {at} >= %s"
        params.append(adapt(min(starts)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Decimal(total).quantize(CENT) for total in cursor.fetchone()]


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
    for status in quota_statuses(list(quotas), time_zone=team.time_zone, now=now):
        if status.quota.user_id is None:
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
            f"{format_cu(self.used)} of {self.status.quota.describe_limit()}, "
            f"{self.status.describe_reset()}"
        )


def team_period_usage(team: Team, *, now: datetime | None = None) -> TeamPeriodUsage:
    quota = Quota.objects.filter(team=team, user__isnull=True).first()
    if quota is not None:
        status = quota_status(quota, time_zone=team.time_zone, now=now)
        return TeamPeriodUsage(used=status.used, window=status.window, status=status)
    window = calendar_window(Period.MONTH, time_zone=team.time_zone, now=now)
    return TeamPeriodUsage(used=cu_used(team=team, since=window.start), window=window, status=None)


# Pages: a member's own usage, the team's usage over a range ----------------------------


def job_reservation(*, job_uuid) -> UsageEntry | None:
    """The reservation a job made at submit, which names its team and member."""
    return UsageEntry.objects.filter(job_uuid=job_uuid, kind=EntryKind.RESERVE).first()


def member_recent_entries(*, team: Team, user, limit: int = 50) -> QuerySet[UsageEntry]:
    """The member's charges and adjustments, newest first (each names its job)."""
    return UsageEntry.objects.filter(
        team=team, user=user, kind__in=[EntryKind.CHARGE, EntryKind.ADJUST]
    ).order_by("-created_at", "-id")[:limit]


def member_holds(*, team: Team, user) -> list[tuple[UsageEntry, Decimal]]:
    """The reservations of the member's jobs that still hold CU (running), with what each holds."""
    held = (
        UsageEntry.objects.filter(
            team=team, user=user, kind__in=[EntryKind.RESERVE, EntryKind.RELEASE]
        )
        .values("job_id")
        .annotate(held=Sum("cu"))
        .filter(held__gt=0)
    )
    amounts = {row["job_id"]: row["held"] for row in held}
    reservations = UsageEntry.objects.filter(
        team=team, job_id__in=amounts, kind=EntryKind.RESERVE
    ).order_by("-period_at", "-id")
    return [(entry, amounts[entry.job_id]) for entry in reservations]


def day_bounds(team: Team, first: date, last: date) -> tuple[datetime, datetime]:
    """From midnight of ``first`` to midnight after ``last``, in the team's time zone."""
    tz = zoneinfo.ZoneInfo(team.time_zone)
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _range_entries(team: Team, first: date, last: date) -> QuerySet[UsageEntry]:
    start, end = day_bounds(team, first, last)
    return UsageEntry.objects.filter(team=team, period_at__gte=start, period_at__lt=end)


def daily_usage(
    *, team: Team, first: date, last: date, by: str
) -> dict[tuple[date, object], Decimal]:
    """CU per (day, member id) or per (day, model id) between two days, in the team's zone.

    ``by`` is ``"user"`` or ``"model_id"``. Days are the team's calendar days.
    """
    tz = zoneinfo.ZoneInfo(team.time_zone)
    rows = (
        _range_entries(team, first, last)
        .annotate(day=TruncDate("period_at", tzinfo=tz))
        .values("day", by)
        .annotate(cu=Sum("cu"))
        .order_by()
    )
    return {(row["day"], row[by]): row["cu"] for row in rows}


@dataclass(frozen=True)
class Total:
    key: object
    label: str
    cu: Decimal
    share: int  # percent of the range's total


def usage_totals(*, team: Team, first: date, last: date, by: str) -> list[Total]:
    """Members (``by="user"``) or models (``by="model_id"``) by CU used, most first."""
    rows = list(
        _range_entries(team, first, last).values(by).annotate(cu=Sum("cu")).order_by("-cu", by)
    )
    labels = series_labels(team=team, keys=[row[by] for row in rows], by=by)
    grand = sum((row["cu"] for row in rows if row["cu"] > 0), ZERO)
    return [
        Total(
            key=row[by],
            label=labels[row[by]],
            cu=row["cu"],
            share=round(row["cu"] / grand * 100) if grand > 0 and row["cu"] > 0 else 0,
        )
        for row in rows
    ]


def series_labels(*, team: Team, keys, by: str) -> dict[object, str]:
    """What to call each member id or model id on a chart."""
    keys = set(keys)
    if by == "user":
        users = get_user_model().objects.filter(pk__in=[k for k in keys if k is not None])
        labels: dict[object, str] = {user.pk: user.display_name for user in users}
        labels[None] = "Former members"
        return {key: labels.get(key, "Former members") for key in keys}
    models = catalogue.load()
    result = {}
    for key in keys:
        if not key:
            result[key] = "Adjustments"
        elif key in models:
            result[key] = models.get(key).name
        else:
            result[key] = key
    return result


def ledger_for_export(*, team: Team, first: date, last: date) -> QuerySet[UsageEntry]:
    """Every entry of the team counted between two days, oldest first, for the CSV export."""
    return (
        _range_entries(team, first, last)
        .select_related("user", "created_by")
        .order_by("period_at", "id")
    )


def member_quota_statuses(*, team: Team) -> dict[int, QuotaStatus]:
    """Each member quota of the team now, by user id."""
    return {
        quota.user_id: quota_status(quota, time_zone=team.time_zone)
        for quota in Quota.objects.filter(team=team, user__isnull=False)
    }
