"""studio.usage.selectors.allowance_for: what the generate page shows and the submit checks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from studio.usage.models import EntryKind, Period
from studio.usage.selectors import allowance_for
from tests.factories import QuotaFactory, UsageEntryFactory

pytestmark = pytest.mark.django_db


def test_no_quota_means_no_limit(team, member, membership_of):
    UsageEntryFactory(team=team, user=member, cu=Decimal("500"))
    allowance = allowance_for(membership=membership_of(member, team))
    assert allowance.left is None and allowance.member_left is None and allowance.team_left is None
    assert allowance.resets_at is None
    assert allowance.describe() == "No CU limit"
    assert allowance.allows(Decimal(10_000))


def test_member_quota_counts_the_members_own_use(team, member, admin, membership_of):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("50"), period=Period.MONTH)
    UsageEntryFactory(team=team, user=member, cu=Decimal("8"))
    # a running job's reservation
    UsageEntryFactory(team=team, user=member, cu=Decimal("3"), kind=EntryKind.RESERVE)
    # someone else's use does not count against the member
    UsageEntryFactory(team=team, user=admin, cu=Decimal("100"))
    allowance = allowance_for(membership=membership_of(member, team))
    assert allowance.member_left == Decimal(39)
    assert allowance.team_left is None
    assert allowance.left == Decimal(39)
    assert allowance.member_quota.limit_cu == 50
    assert allowance.resets_at is not None
    assert allowance.describe().startswith("39 CU left · resets in ")


def test_the_team_quota_counts_everyone_and_the_smaller_room_wins(
    team, member, admin, membership_of
):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("50"))
    QuotaFactory(team=team, limit_cu=Decimal("100"))
    UsageEntryFactory(team=team, user=member, cu=Decimal("10"))
    UsageEntryFactory(team=team, user=admin, cu=Decimal("85"))
    allowance = allowance_for(membership=membership_of(member, team))
    assert allowance.member_left == Decimal(40)
    assert allowance.team_left == Decimal(5)
    assert allowance.left == Decimal(5)
    assert not allowance.allows(Decimal(6))
    assert allowance.allows(Decimal(5))


def test_use_before_the_period_or_a_reset_does_not_count(team, member, membership_of):
    now = timezone.now()
    UsageEntryFactory(team=team, user=member, cu=Decimal("30"), at=now - timedelta(days=40))
    q = QuotaFactory(team=team, user=member, limit_cu=Decimal("50"), period=Period.MONTH)
    UsageEntryFactory(team=team, user=member, cu=Decimal("5"), at=now - timedelta(minutes=5))
    assert allowance_for(membership=membership_of(member, team)).left == Decimal(45)
    q.reset_at = now - timedelta(minutes=1)
    q.save()
    assert allowance_for(membership=membership_of(member, team)).left == Decimal(50)


def test_a_lowered_limit_leaves_nothing_not_less_than_nothing(team, member, membership_of):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("5"))
    UsageEntryFactory(team=team, user=member, cu=Decimal("8"))
    allowance = allowance_for(membership=membership_of(member, team))
    assert allowance.left == 0
    assert allowance.describe().startswith("0 CU left")


def test_no_reset_period_has_no_reset_date(team, member, membership_of):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("20"), period=Period.NONE)
    UsageEntryFactory(
        team=team, user=member, cu=Decimal("25"), at=timezone.now() - timedelta(days=400)
    )
    allowance = allowance_for(membership=membership_of(member, team))
    assert allowance.left == 0 and allowance.resets_at is None
    assert allowance.describe() == "0 CU left"


def test_other_teams_use_is_not_counted(team, other_team, member, membership_of):
    from tests.factories import MembershipFactory

    MembershipFactory(team=other_team, user=member)
    QuotaFactory(team=team, user=member, limit_cu=Decimal("10"))
    UsageEntryFactory(team=other_team, user=member, cu=Decimal("9"))
    assert allowance_for(membership=membership_of(member, team)).left == Decimal(10)


def test_the_binding_quota_gives_the_reset_date(team, member, membership_of):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("10"), period=Period.DAY)
    QuotaFactory(team=team, limit_cu=Decimal("1000"), period=Period.MONTH)
    allowance = allowance_for(membership=membership_of(member, team))
    assert allowance.left == 10
    assert allowance.resets_at == allowance.member_status.window.end
