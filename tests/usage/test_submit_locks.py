"""What a submit locks: only the quotas it must fit, so submits of a team without quotas
run side by side, and a quota set meanwhile waits for the submits in flight.

Real locks need a real database server: these run on PostgreSQL (CI), each thread with
its own connection and its own transaction.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction

from studio.generation import services as generation
from studio.generation import tasks as generation_tasks
from studio.teams.models import Membership
from studio.usage.models import Period
from studio.usage.selectors import allowance_for
from studio.usage.services import QuotaExceeded, quota_set
from tests.factories import FLUX, MembershipFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 10  # seconds: far longer than any of these steps takes when nothing blocks it


@pytest.fixture(autouse=True)
def _no_dispatch(monkeypatch, team_with_token):
    monkeypatch.setattr(generation_tasks, "enqueue_dispatch", lambda *args, **kwargs: None)


def _submit(membership: Membership, prompt: str) -> None:
    generation.generation_submit(membership=membership, model_id=FLUX, params={"prompt": prompt})


class HeldSubmit:
    """A submit whose transaction stays open (its locks held) until ``commit()``."""

    def __init__(self, membership: Membership) -> None:
        self.submitted, self.release = threading.Event(), threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.done = self.pool.submit(self._run, membership)
        assert self.submitted.wait(WAIT), "the held submit did not get through"

    def _run(self, membership: Membership) -> None:
        try:
            with transaction.atomic():
                _submit(membership, "held open")
                self.submitted.set()
                self.release.wait(WAIT)
        finally:
            connection.close()

    def commit(self) -> None:
        self.release.set()
        self.done.result(timeout=WAIT)
        self.pool.shutdown()


def _in_thread(function, *args):
    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def test_submits_of_a_team_without_quotas_do_not_wait_for_each_other(team, member):
    membership = Membership.objects.select_related("team", "user").get(team=team, user=member)
    other = Membership.objects.select_related("team", "user").get(
        pk=MembershipFactory(team=team).pk
    )
    held = HeldSubmit(membership)
    try:
        # Accepted while the first submit's transaction is still open.
        _in_thread(_submit, other, "alongside").result(timeout=WAIT)
    finally:
        held.commit()
    assert team.jobs.count() == 2


def test_a_quota_set_meanwhile_waits_for_the_submit_in_flight_and_counts_it(team, member, owner):
    membership = Membership.objects.select_related("team", "user").get(team=team, user=member)
    held = HeldSubmit(membership)  # 3 CU, no quota yet
    setting = _in_thread(
        lambda: quota_set(team=team, limit_cu=Decimal(3), period=Period.MONTH, actor=owner)
    )
    try:
        with pytest.raises(TimeoutError):
            setting.result(timeout=1)  # held back by the submit in flight
    finally:
        held.commit()
    setting.result(timeout=WAIT)

    allowance = allowance_for(membership=membership)
    assert allowance.team_status.used == Decimal(3) and allowance.left == 0
    with pytest.raises(QuotaExceeded):
        _submit(membership, "no room left")
