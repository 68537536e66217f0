"""Concurrent submits cannot overspend: the quota rows are locked before the ledger is summed.

Real concurrency needs a real database server: these run on PostgreSQL (CI), each
thread with its own connection and its own transaction.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from studio.generation import services as generation
from studio.generation import tasks as generation_tasks
from studio.generation.models import Job
from studio.usage.models import EntryKind, Period, UsageEntry
from studio.usage.services import QuotaExceeded
from tests.factories import FLUX, JobFactory, MembershipFactory, QuotaFactory
from tests.usage.conftest import reserve

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    # 50 submits at once are 50 connections: one such test at a time across the workers.
    pytest.mark.usefixtures("many_connections"),
]

SUBMITS = 50


@pytest.fixture(autouse=True)
def _no_dispatch(monkeypatch, team_with_token):
    # ``team`` has a Krea token, so submits are accepted.
    # Only the submit is under test: nothing is sent to Krea (or released) meanwhile.
    monkeypatch.setattr(generation_tasks, "enqueue_dispatch", lambda *args, **kwargs: None)


def submit_all_at_once(memberships) -> list[str]:
    """Every membership submits a 3-CU generation at the same instant, each in its own thread."""
    start = threading.Barrier(len(memberships))

    def submit(index: int) -> str:
        try:
            start.wait()
            generation.generation_submit(
                membership=memberships[index],
                model_id=FLUX,
                params={"prompt": f"concurrent submit {index}"},
            )
            return "accepted"
        except QuotaExceeded:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(memberships)) as pool:
        return list(pool.map(submit, range(len(memberships))))


def test_fifty_simultaneous_submits_against_a_member_quota_with_room_for_ten(team, member):
    # room for ten 3-CU jobs
    QuotaFactory(team=team, user=member, limit_cu=Decimal("30"), period=Period.MONTH)
    membership = member.memberships.select_related("team", "user").get(team=team)

    outcomes = submit_all_at_once([membership] * SUBMITS)

    assert outcomes.count("accepted") == 10
    assert outcomes.count("refused") == SUBMITS - 10
    assert Job.objects.filter(team=team).count() == 10
    assert UsageEntry.objects.filter(kind=EntryKind.RESERVE).count() == 10
    assert UsageEntry.objects.aggregate(total=Sum("cu"))["total"] == Decimal(30)


def test_fifty_simultaneous_submits_by_many_members_against_the_team_quota(team):
    QuotaFactory(team=team, limit_cu=Decimal("30"), period=Period.DAY)
    people = [MembershipFactory(team=team) for _ in range(5)]
    memberships = [people[i % len(people)] for i in range(SUBMITS)]

    outcomes = submit_all_at_once(memberships)

    assert outcomes.count("accepted") == 10
    assert Job.objects.filter(team=team).count() == 10
    assert UsageEntry.objects.filter(team=team).aggregate(total=Sum("cu"))["total"] == 30


def test_racing_workers_charge_a_job_once(team, member):
    from studio.usage.services import usage_charge, usage_release

    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal(3))
    reserve(job)
    start = threading.Barrier(10)

    def finish(index: int) -> None:
        try:
            start.wait()
            # The terminal state applied twice over: charges, and a late release among them.
            usage_release(job_id=job.pk) if index == 9 else usage_charge(
                job_id=job.pk, cu=job.estimate_cu
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(finish, range(10)))

    entries = UsageEntry.objects.filter(job_id=job.pk)
    assert entries.filter(kind=EntryKind.CHARGE).count() == 1
    assert entries.filter(kind=EntryKind.RELEASE).count() == 1
    assert entries.aggregate(total=Sum("cu"))["total"] == Decimal(3)
