"""Two owners stepping down at the same moment still leave one owner (the team row is locked)."""

import threading

import pytest
from django.db import connection

from studio.teams import services
from studio.teams.models import Membership, Role
from studio.teams.services import TeamRuleError
from tests.factories import MembershipFactory, TeamFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_themselves_at_once_leave_one_owner():
    team = TeamFactory()
    owners = [MembershipFactory(team=team, role=Role.OWNER) for _ in range(2)]
    barrier = threading.Barrier(len(owners))
    outcomes: list[str] = []

    def step_down(membership: Membership) -> None:
        try:
            barrier.wait(timeout=10)
            services.membership_change_role(by=membership, membership=membership, role="member")
            outcomes.append("done")
        except TeamRuleError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["done", "refused"]
    assert Membership.objects.filter(team=team, role=Role.OWNER).count() == 1
