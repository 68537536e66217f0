"""Helpers for the usage tests: jobs and ledger entries written the way the pipeline writes them."""

from datetime import datetime
from decimal import Decimal

import pytest

from studio.generation.models import Job
from studio.usage.models import EntryKind, Period, Quota, UsageEntry

FLUX = "image/bfl/flux-1-dev"  # 3 CU, flat


def make_job(team, user, cu, *, model_id=FLUX, at: datetime | None = None) -> Job:
    extra = {"created_at": at} if at else {}
    return Job.objects.create(
        team=team,
        created_by=user,
        model_id=model_id,
        model_name=model_id.rsplit("/", 1)[-1],
        estimate_cu=Decimal(cu),
        **extra,
    )


def spend(team, user, cu, *, kind=EntryKind.CHARGE, at: datetime | None = None, model_id=FLUX):
    """A ledger entry of ``cu`` for ``user`` in ``team`` that counts at ``at``."""
    extra = {"period_at": at, "created_at": at} if at else {}
    return UsageEntry.objects.create(
        team=team, user=user, kind=kind, cu=Decimal(cu), model_id=model_id, **extra
    )


def quota(team, user=None, limit=10, period=Period.MONTH, **kwargs) -> Quota:
    return Quota.objects.create(
        team=team, user=user, limit_cu=Decimal(limit), period=period, **kwargs
    )


@pytest.fixture
def membership_of():
    def _membership_of(user, team):
        return user.memberships.select_related("team").get(team=team)

    return _membership_of


def reserve(job: Job) -> UsageEntry:
    """Reserve ``job``'s estimate the way the submit does."""
    from studio.usage.services import usage_reserve

    return usage_reserve(
        team_id=job.team_id,
        user_id=job.created_by_id,
        job_id=job.pk,
        model_id=job.model_id,
        cu=job.estimate_cu,
        submitted_at=job.created_at,
    )
