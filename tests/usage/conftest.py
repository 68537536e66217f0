"""Helpers for the usage tests (jobs, quotas and entries come from tests.factories)."""

import pytest
from django.db import transaction

from studio.generation.models import Job
from studio.usage.models import UsageEntry


@pytest.fixture
def membership_of():
    def _membership_of(user, team):
        return user.memberships.select_related("team").get(team=team)

    return _membership_of


def reserve(job: Job) -> UsageEntry:
    """Reserve ``job``'s estimate the way the submit does: in an atomic block of its own,
    which a refusal rolls back (so the test's transaction goes on)."""
    from studio.generation.services import job_reserve

    with transaction.atomic():
        return job_reserve(job)
