"""Writes to the CU ledger. The generation pipeline calls these; nothing else writes entries."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from .models import EntryKind, UsageEntry


class QuotaExceeded(Exception):
    """A submit would take a member or the team past its quota."""

    def __init__(self, *, needed: Decimal, left: Decimal, scope: str) -> None:
        self.needed = needed
        self.left = left
        self.scope = scope
        super().__init__(
            f"This needs {needed:g} CU but {scope} has only {max(left, Decimal(0)):g} CU left "
            "in this period."
        )


def _job_balance(job) -> Decimal:
    """What the job still holds in reserve (reservations less releases)."""
    total = UsageEntry.objects.filter(
        job=job, kind__in=[EntryKind.RESERVE, EntryKind.RELEASE]
    ).aggregate(total=Sum("cu"))["total"]
    return total or Decimal(0)


def usage_reserve(*, job) -> UsageEntry:
    """Hold the job's estimate against its member's and team's quotas.

    Must run inside the submit transaction: raises QuotaExceeded (rolling the
    submit back) when the estimate does not fit.
    """
    return UsageEntry.objects.create(
        team_id=job.team_id,
        user_id=job.created_by_id,
        job=job,
        kind=EntryKind.RESERVE,
        cu=job.estimate_cu,
        model_id=job.model_id,
    )


@transaction.atomic
def usage_charge(*, job, cu: Decimal | None = None) -> None:
    """Turn the job's reservation into a charge (Krea bills completed jobs). Idempotent."""
    if UsageEntry.objects.filter(job=job, kind=EntryKind.CHARGE).exists():
        return
    cu = job.estimate_cu if cu is None else cu
    held = _job_balance(job)
    if held:
        UsageEntry.objects.create(
            team_id=job.team_id,
            user_id=job.created_by_id,
            job=job,
            kind=EntryKind.RELEASE,
            cu=-held,
            model_id=job.model_id,
            reason="Converted to a charge",
        )
    UsageEntry.objects.create(
        team_id=job.team_id,
        user_id=job.created_by_id,
        job=job,
        kind=EntryKind.CHARGE,
        cu=cu,
        model_id=job.model_id,
    )


@transaction.atomic
def usage_release(*, job, reason: str = "") -> None:
    """Give the job's reservation back (failed or cancelled jobs cost nothing). Idempotent."""
    held = _job_balance(job)
    if held:
        UsageEntry.objects.create(
            team_id=job.team_id,
            user_id=job.created_by_id,
            job=job,
            kind=EntryKind.RELEASE,
            cu=-held,
            model_id=job.model_id,
            reason=reason,
        )
