"""Writes to the CU ledger and to quotas.

The generation pipeline calls ``usage_reserve`` in its submit transaction and
``usage_charge`` / ``usage_release`` when a job ends; admins correct with
``usage_adjust``. These take what they need (team, member, job id, amounts) and
lock the ledger's own rows, so usage never reaches into the jobs' table. Quotas
are set, reset and removed by ``quota_set``, ``quota_reset`` and ``quota_remove``
(Django admin and the team's quota page), each of which writes the team's audit log.
Nothing else writes these tables.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from studio.audit.models import AuditEntry
from studio.audit.services import audit_record
from studio.teams.models import Membership, Team

from .events import QUOTA_THRESHOLDS, quota_reached
from .models import EntryKind, Period, Quota, UsageEntry, describe_limit, format_cu
from .periods import describe_until
from .selectors import CENT, QuotaStatus, job_reservation, quota_status, quota_statuses

Action = AuditEntry.Action


class QuotaExceeded(Exception):
    """A submit would take a member or the team past its quota.

    ``scope`` is ``"member"`` (the member's own quota) or ``"team"`` (the team's,
    which every member's use counts against). ``str()`` is the sentence to show
    in the form; ``as_dict()`` is the body for the API. ``field`` names the request
    field that asks for too much when one does (a batch's ``count``).
    """

    def __init__(
        self,
        *,
        needed: Decimal,
        left: Decimal,
        scope: str,
        resets_at: datetime | None = None,
        field: str | None = None,
    ) -> None:
        self.field = field
        self.needed = Decimal(needed).quantize(CENT)
        self.left = max(Decimal(left), Decimal(0)).quantize(CENT)
        self.scope = scope
        self.resets_at = resets_at
        whose = "your quota" if scope == "member" else "the team's quota"
        message = (
            f"This needs {format_cu(needed)} CU but {whose} has only "
            f"{format_cu(self.left)} CU left in this period"
        )
        message += f" ({describe_until(resets_at)})." if resets_at else "."
        super().__init__(message)

    def as_dict(self) -> dict:
        return {
            "error": "quota_exceeded",
            "detail": str(self),
            "needed_cu": str(self.needed),
            "left_cu": str(self.left),
            "scope": self.scope,
            "resets_at": self.resets_at.isoformat() if self.resets_at else None,
        }


class QuotaError(Exception):
    """A quota change that cannot be made; ``str()`` is shown to the person who asked."""


def _is_member(team: Team, user) -> bool:
    return Membership.objects.filter(team=team, user=user).exists()


# The ledger ----------------------------------------------------------------------------


def _job_values(reservation: UsageEntry) -> dict:
    """What every entry of a job repeats from its reservation (the ledger's copy of the job)."""
    return {
        "job_id": reservation.job_id,
        "job_uuid": reservation.job_uuid,
        "model_id": reservation.model_id,
        "model_name": reservation.model_name,
        "prompt": reservation.prompt,
        "price_published": reservation.price_published,
    }


def _job_entry(reservation: UsageEntry, *, kind: str, cu: Decimal, reason: str = "") -> UsageEntry:
    # Every entry of a job counts when the job was submitted, like its reservation
    # (see UsageEntry.period_at), and is the same member's and model's.
    return UsageEntry.objects.create(
        team_id=reservation.team_id,
        user_id=reservation.user_id,
        kind=kind,
        cu=cu,
        **_job_values(reservation),
        reason=reason,
        period_at=reservation.period_at,
    )


def _lock_quotas(*, team_id: int, user_id: int | None) -> tuple[list[Quota], str]:
    """Lock the quotas a submit by ``user_id`` must fit (the member's and the team's);
    returns them with the team's time zone, which their periods are taken in.

    Submits of a team without quotas do not take turns: each holds only a key-share
    lock on the team, which they share with each other and which ``quota_set`` (FOR
    UPDATE of the team) waits for, so a quota cannot appear under a submit in flight.
    Written in SQL: every submit runs these two statements, and building them through
    the ORM cost more CPU than PostgreSQL spends running them.
    """
    locking = connection.features.has_select_for_update  # SQLite: one writer at a time
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('time_zone')} FROM {quote(Team._meta.db_table)} "  # noqa: S608  (our names)
            f"WHERE {quote('id')} = %s" + (" FOR KEY SHARE" if locking else ""),
            [team_id],
        )
        (time_zone,) = cursor.fetchone()
    columns = ", ".join(quote(field.column) for field in Quota._meta.concrete_fields)
    quotas = Quota.objects.raw(
        f"SELECT {columns} FROM {quote(Quota._meta.db_table)} "  # noqa: S608  (our names)
        f"WHERE {quote('team_id')} = %s AND ({quote('user_id')} IS NULL"
        f" OR {quote('user_id')} = %s) ORDER BY {quote('id')}" + (" FOR UPDATE" if locking else ""),
        [team_id, user_id],
    )
    return list(quotas), time_zone


def usage_reserve(
    *,
    team_id: int,
    user_id: int | None,
    job_id: int,
    job_uuid: UUID,
    model_id: str,
    model_name: str,
    prompt: str,
    price_published: bool,
    cu: Decimal,
    submitted_at: datetime,
) -> UsageEntry:
    """Hold a job's estimate ``cu`` against its member's and team's quotas.

    Runs inside the submit transaction, after the job row is written, as its last
    step; the job's id, uuid, model, prompt (its start) and whether its price is
    published are kept on the entry as plain values for the pages and reports. The
    quota rows it locks are held until the commit, so concurrent submits take turns
    on them and cannot overspend. Raises QuotaExceeded when the estimate does not fit
    what is left of either quota: call it inside the submit's atomic block, which the
    refusal rolls back with the entry and the job (``generation.services.job_queue``).
    """
    # The entry is written before the quotas are locked, so the lock the team's other
    # submits wait for is held only for the sum and the commit; the sum leaves it out
    # (the transaction sees its own rows). No savepoint of its own: two statements more
    # on every submit, where the caller's block already undoes a refusal.
    with transaction.atomic(savepoint=False):
        entry = UsageEntry.objects.create(
            team_id=team_id,
            user_id=user_id,
            job_id=job_id,
            job_uuid=job_uuid,
            kind=EntryKind.RESERVE,
            cu=cu,
            model_id=model_id,
            model_name=model_name,
            prompt=prompt[:200],
            price_published=price_published,
            period_at=submitted_at,
        )
        quotas, time_zone = _lock_quotas(team_id=team_id, user_id=user_id)
        statuses = quota_statuses(quotas, time_zone=time_zone, leaving_out=entry.pk)
        refused = [status for status in statuses if cu > status.left]
        if refused:
            tightest: QuotaStatus = min(refused, key=lambda status: status.left)
            raise QuotaExceeded(
                needed=cu,
                left=tightest.left,
                scope="team" if tightest.quota.is_team_quota else "member",
                resets_at=tightest.resets_at,
            )
        for status in statuses:
            _announce_thresholds(status, cu)
    return entry


def _announce_thresholds(status: QuotaStatus, cu: Decimal) -> None:
    """After the commit, say which thresholds (80%, 100%) this reservation takes the quota to."""
    limit = status.quota.limit_cu
    if limit <= 0:
        return
    before, after = status.used, status.used + cu
    for threshold in QUOTA_THRESHOLDS:
        mark = limit * threshold / 100
        if before < mark <= after:
            details = {
                "quota_id": status.quota.pk,
                "threshold": threshold,
                "used": after,
                "limit": limit,
                "period_start": status.window.start,
            }
            transaction.on_commit(
                lambda details=details: quota_reached.send_robust(sender=Quota, **details)
            )


def _lock_reservation(job_id: int) -> UsageEntry | None:
    """The job's reservation, locked: charges and releases of one job take turns on it."""
    return (
        UsageEntry.objects.select_for_update()
        .filter(job_id=job_id, kind=EntryKind.RESERVE)
        .order_by("pk")
        .first()
    )


def _held(job_id: int) -> Decimal:
    """What the job still holds in reserve (reservations less releases)."""
    total = UsageEntry.objects.filter(
        job_id=job_id, kind__in=[EntryKind.RESERVE, EntryKind.RELEASE]
    ).aggregate(total=Sum("cu"))["total"]
    return total or Decimal(0)


def usage_charge(*, job_id: int, cu: Decimal) -> None:
    """Turn the job's reservation into a charge of ``cu`` (Krea bills completed jobs).

    Idempotent: the job's reservation row is locked, and a job already charged is
    left alone, so racing workers applying the same terminal state charge once.
    A job that reserved nothing (never submitted through ``usage_reserve``) is
    charged nothing.
    """
    with transaction.atomic():
        reservation = _lock_reservation(job_id)
        if reservation is None:
            return
        if UsageEntry.objects.filter(job_id=job_id, kind=EntryKind.CHARGE).exists():
            return
        held = _held(job_id)
        if held:
            _job_entry(
                reservation, kind=EntryKind.RELEASE, cu=-held, reason="Converted to a charge"
            )
        _job_entry(reservation, kind=EntryKind.CHARGE, cu=cu)


def usage_release(*, job_id: int, reason: str = "") -> None:
    """Give the job's reservation back (failed or cancelled jobs cost nothing).

    Idempotent: the job's reservation row is locked and only what it still holds
    is released.
    """
    with transaction.atomic():
        reservation = _lock_reservation(job_id)
        if reservation is None:
            return
        held = _held(job_id)
        if held:
            _job_entry(reservation, kind=EntryKind.RELEASE, cu=-held, reason=reason)


def usage_adjust(
    *,
    team: Team,
    cu: Decimal,
    reason: str,
    user=None,
    job_uuid: UUID | None = None,
    actor=None,
    period_at: datetime | None = None,
) -> UsageEntry:
    """Correct the ledger by ``cu`` (positive adds use, negative gives CU back), with a reason.

    ``job_uuid`` ties the correction to one of the team's jobs (known by its
    reservation); ``period_at`` places it in a past period (default: now).
    """
    reason = (reason or "").strip()
    if not reason:
        raise QuotaError("Say why: an adjustment needs a reason.")
    reservation = None
    if job_uuid is not None:
        reservation = job_reservation(job_uuid=job_uuid)
        if reservation is None or reservation.team_id != team.pk:
            raise QuotaError("That job is not one of this team's.")
    # A job's creator may have left the team since; their job can still be corrected.
    creator = reservation is not None and user is not None and reservation.user_id == user.pk
    if user is not None and not creator and not _is_member(team, user):
        raise QuotaError(f"{user} is not a member of {team}.")
    now = timezone.now()
    with transaction.atomic():
        entry = UsageEntry.objects.create(
            team=team,
            user=user,
            kind=EntryKind.ADJUST,
            cu=cu,
            **(_job_values(reservation) if reservation else {}),
            reason=reason[:500],
            created_by=actor,
            created_at=now,
            period_at=period_at or now,
        )
        audit_record(
            team=team,
            action=Action.USAGE_ADJUSTED,
            actor=actor,
            subject_email=getattr(user, "email", "") or "",
            summary=f"Usage of {user or 'the team'} adjusted by {format_cu(cu)} CU: {reason}",
            details={
                "cu": str(cu),
                "reason": reason[:200],
                "job": str(reservation.job_uuid) if reservation else None,
            },
        )
    return entry


# Quotas --------------------------------------------------------------------------------


def _describe(limit: Decimal, period: str) -> str:
    return describe_limit(limit, period)


def _whose(user) -> str:
    return f"{user}'s quota" if user is not None else "the team's quota"


def quota_set(*, team: Team, user=None, limit_cu: Decimal, period: str, actor=None) -> Quota:
    """Create or change the quota of ``team`` (``user`` None) or of one of its members.

    Applies at once: what is left is always the limit less the period's use.
    Writes the audit log when something changed.
    """
    if limit_cu is None or Decimal(limit_cu) < 0:
        raise QuotaError("A quota is zero or more compute units.")
    period = Period(period)
    if user is not None and not _is_member(team, user):
        raise QuotaError(f"{user} is not a member of {team.name}.")
    with transaction.atomic():
        # FOR UPDATE of the team waits for every submit in flight (each holds a key-share
        # lock on it, ``_lock_quotas``) and holds new ones back: a submit that found no
        # quota to lock commits before the new quota starts counting.
        Team.objects.select_for_update().filter(pk=team.pk).values_list("pk").first()
        quota = (
            Quota.objects.select_for_update().filter(team=team, user=user).order_by("pk").first()
        )
        if quota is None:
            quota = Quota.objects.create(team=team, user=user, limit_cu=limit_cu, period=period)
            action = Action.QUOTA_SET
            summary = f"Set {_whose(user)} to {_describe(limit_cu, period)}."
            previous = None
        elif quota.limit_cu != Decimal(limit_cu) or quota.period != period:
            previous = {"limit_cu": str(quota.limit_cu), "period": quota.period}
            summary = (
                f"Changed {_whose(user)} from {_describe(quota.limit_cu, quota.period)} "
                f"to {_describe(limit_cu, period)}."
            )
            quota.limit_cu, quota.period, quota.updated_at = limit_cu, period, timezone.now()
            quota.save(update_fields=["limit_cu", "period", "updated_at"])
            action = Action.QUOTA_CHANGED
        else:
            return quota
        audit_record(
            team=team,
            action=action,
            actor=actor,
            subject_email=getattr(user, "email", "") or "",
            summary=summary,
            details={
                "limit_cu": str(Decimal(limit_cu)),
                "period": period.value,
                "previous": previous,
            },
        )
    return quota


def _lock_quota(quota: Quota) -> Quota:
    # Only the quota row: the joined team and (nullable) user are read, not locked.
    return (
        Quota.objects.select_for_update(of=("self",))
        .select_related("team", "user")
        .get(pk=quota.pk)
    )


def quota_reset(*, quota: Quota, actor=None) -> Quota:
    """Start the quota's period now: earlier use stops counting (the ledger keeps it)."""
    with transaction.atomic():
        quota = _lock_quota(quota)
        before = quota_status(quota, time_zone=quota.team.time_zone)
        quota.reset_at = quota.updated_at = timezone.now()
        quota.save(update_fields=["reset_at", "updated_at"])
        audit_record(
            team=quota.team,
            action=Action.QUOTA_RESET,
            actor=actor,
            subject_email=getattr(quota.user, "email", "") or "",
            summary=f"Reset {_whose(quota.user)}: {format_cu(before.used)} CU used before the "
            "reset no longer count.",
            details={"used_before_reset": str(before.used), "limit_cu": str(quota.limit_cu)},
        )
    return quota


def quota_remove(*, quota: Quota, actor=None) -> None:
    """Remove the quota: no limit at that level any more."""
    with transaction.atomic():
        quota = _lock_quota(quota)
        audit_record(
            team=quota.team,
            action=Action.QUOTA_REMOVED,
            actor=actor,
            subject_email=getattr(quota.user, "email", "") or "",
            summary=f"Removed {_whose(quota.user)} ({_describe(quota.limit_cu, quota.period)}).",
            details={"limit_cu": str(quota.limit_cu), "period": quota.period},
        )
        quota.delete()
