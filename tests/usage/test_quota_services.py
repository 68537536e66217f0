"""Quotas are set, changed, reset and removed through services that write the audit log."""

from decimal import Decimal

import pytest

from studio.audit.models import AuditEntry
from studio.usage.models import Period, Quota
from studio.usage.selectors import allowance_for
from studio.usage.services import QuotaError, quota_remove, quota_reset, quota_set
from tests.factories import UsageEntryFactory

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def test_set_then_change_a_member_quota_is_audited(team, member, owner):
    quota = quota_set(team=team, user=member, limit_cu=Decimal(10), period=Period.DAY, actor=owner)
    assert (quota.limit_cu, quota.period, quota.user) == (10, Period.DAY, member)
    first = AuditEntry.objects.get(action=Action.QUOTA_SET)
    assert first.actor == owner and first.subject_email == member.email
    assert first.summary == f"Set {member.email}'s quota to 10 CU per day."

    quota_set(team=team, user=member, limit_cu=Decimal(25), period=Period.MONTH, actor=owner)
    changed = AuditEntry.objects.get(action=Action.QUOTA_CHANGED)
    assert changed.summary == (
        f"Changed {member.email}'s quota from 10 CU per day to 25 CU per calendar month."
    )
    assert changed.details["previous"] == {"limit_cu": "10.00", "period": "day"}
    assert Quota.objects.filter(team=team, user=member).count() == 1


def test_setting_the_same_quota_again_writes_nothing(team, owner):
    quota_set(team=team, limit_cu=Decimal(100), period=Period.WEEK, actor=owner)
    quota_set(team=team, limit_cu=Decimal("100.00"), period=Period.WEEK, actor=owner)
    assert AuditEntry.objects.filter(action__startswith="quota.").count() == 1


def test_a_change_applies_at_once_to_what_is_left(team, member, owner, membership_of):
    quota_set(team=team, user=member, limit_cu=Decimal(10), period=Period.MONTH)
    UsageEntryFactory(team=team, user=member, cu=Decimal("7"))
    assert allowance_for(membership=membership_of(member, team)).left == 3
    quota_set(team=team, user=member, limit_cu=Decimal(20), period=Period.MONTH)
    assert allowance_for(membership=membership_of(member, team)).left == 13


def test_reset_forgets_earlier_use_without_deleting_it(team, member, owner, membership_of):
    quota = quota_set(team=team, user=member, limit_cu=Decimal(10), period=Period.MONTH)
    UsageEntryFactory(team=team, user=member, cu=Decimal("9"))
    quota_reset(quota=quota, actor=owner)
    assert allowance_for(membership=membership_of(member, team)).left == 10
    assert member.usage_entries.count() == 1
    reset = AuditEntry.objects.get(action=Action.QUOTA_RESET)
    assert reset.details["used_before_reset"] == "9.00"


def test_remove_lifts_the_limit(team, member, owner, membership_of):
    quota = quota_set(team=team, user=member, limit_cu=Decimal(1), period=Period.DAY)
    quota_remove(quota=quota, actor=owner)
    assert allowance_for(membership=membership_of(member, team)).left is None
    assert AuditEntry.objects.filter(action=Action.QUOTA_REMOVED, actor=owner).exists()


def test_a_quota_for_someone_outside_the_team_is_refused(team, outsider):
    with pytest.raises(QuotaError):
        quota_set(team=team, user=outsider, limit_cu=Decimal(1), period=Period.DAY)
    with pytest.raises(QuotaError):
        quota_set(team=team, limit_cu=Decimal(-1), period=Period.DAY)
