"""The ledger's writes: reserve at submit, charge or release at the end, adjust by an admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from studio.audit.models import AuditEntry
from studio.usage.models import EntryKind, Period, UsageEntry
from studio.usage.selectors import allowance_for, cu_used
from studio.usage.services import (
    QuotaError,
    QuotaExceeded,
    usage_adjust,
    usage_charge,
    usage_release,
)
from tests.factories import JobFactory, QuotaFactory, UsageEntryFactory
from tests.usage.conftest import reserve

pytestmark = pytest.mark.django_db


def kinds(job):
    return list(UsageEntry.objects.filter(job_id=job.pk).order_by("id").values_list("kind", "cu"))


def test_reserve_without_quota_holds_the_estimate(team, member):
    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("3"))
    entry = reserve(job)
    assert (entry.kind, entry.cu, entry.user, entry.team, entry.job_id, entry.job_uuid) == (
        EntryKind.RESERVE,
        Decimal(3),
        member,
        team,
        job.pk,
        job.uuid,
    )
    assert entry.model_id == job.model_id
    assert entry.period_at == job.created_at


def test_reserve_refuses_past_the_member_quota_with_the_figures(team, member):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("10"))
    UsageEntryFactory(team=team, user=member, cu=Decimal("4"))
    with pytest.raises(QuotaExceeded) as refused:
        reserve(JobFactory(team=team, created_by=member, estimate_cu=Decimal("7")))
    assert refused.value.needed == Decimal(7)
    assert refused.value.left == Decimal(6)
    assert refused.value.scope == "member"
    assert str(refused.value).startswith(
        "This needs 7 CU but your quota has only 6 CU left in this period (resets in "
    )
    body = refused.value.as_dict()
    assert body["needed_cu"] == "7.00" and body["left_cu"] == "6.00" and body["scope"] == "member"
    assert body["resets_at"]
    reserve(
        JobFactory(team=team, created_by=member, estimate_cu=Decimal("6"))
    )  # exactly what is left fits


def test_reserve_refuses_past_the_team_quota_counting_every_member(team, member, admin):
    QuotaFactory(team=team, limit_cu=Decimal("20"), period=Period.NONE)
    QuotaFactory(team=team, user=member, limit_cu=Decimal("100"))
    UsageEntryFactory(team=team, user=admin, cu=Decimal("15"))
    with pytest.raises(QuotaExceeded) as refused:
        reserve(JobFactory(team=team, created_by=member, estimate_cu=Decimal("6")))
    assert refused.value.scope == "team" and refused.value.left == Decimal(5)
    assert str(refused.value) == (
        "This needs 6 CU but the team's quota has only 5 CU left in this period."
    )


def test_a_member_without_own_quota_is_held_by_the_team_quota(team, member):
    QuotaFactory(team=team, limit_cu=Decimal("5"))
    with pytest.raises(QuotaExceeded):
        reserve(JobFactory(team=team, created_by=member, estimate_cu=Decimal("6")))


def test_the_tighter_quota_is_reported(team, member):
    QuotaFactory(team=team, limit_cu=Decimal("8"))
    QuotaFactory(team=team, user=member, limit_cu=Decimal("3"))
    with pytest.raises(QuotaExceeded) as refused:
        reserve(JobFactory(team=team, created_by=member, estimate_cu=Decimal("9")))
    assert refused.value.scope == "member" and refused.value.left == 3


def test_charge_turns_the_reservation_into_a_charge_once(team, member):
    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("3"))
    reserve(job)
    usage_charge(job_id=job.pk, cu=job.estimate_cu)
    usage_charge(job_id=job.pk, cu=job.estimate_cu)
    assert kinds(job) == [
        (EntryKind.RESERVE, Decimal(3)),
        (EntryKind.RELEASE, Decimal(-3)),
        (EntryKind.CHARGE, Decimal(3)),
    ]
    assert cu_used(team=team, user=member) == 3


def test_charge_can_take_another_figure(team, member):
    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("3"))
    reserve(job)
    usage_charge(job_id=job.pk, cu=Decimal("2.5"))
    assert cu_used(team=team) == Decimal("2.5")


def test_release_gives_the_reservation_back_once(team, member, membership_of):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("10"))
    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("8"))
    reserve(job)
    assert allowance_for(membership=membership_of(member, team)).left == 2
    usage_release(job_id=job.pk, reason="Job failed")
    usage_release(job_id=job.pk, reason="Job failed")
    assert kinds(job) == [(EntryKind.RESERVE, Decimal(8)), (EntryKind.RELEASE, Decimal(-8))]
    assert UsageEntry.objects.get(job_id=job.pk, kind=EntryKind.RELEASE).reason == "Job failed"
    assert allowance_for(membership=membership_of(member, team)).left == 10


def test_release_after_a_charge_changes_nothing(team, member):
    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("3"))
    reserve(job)
    usage_charge(job_id=job.pk, cu=job.estimate_cu)
    usage_release(job_id=job.pk)
    assert UsageEntry.objects.filter(job_id=job.pk).aggregate(s=Sum("cu"))["s"] == 3


def test_a_release_counts_in_the_period_of_its_reservation(team, member):
    """A job submitted last month and failed this month gives nothing to this month."""
    q = QuotaFactory(team=team, user=member, limit_cu=Decimal("10"), period=Period.DAY)
    job = JobFactory(
        team=team,
        created_by=member,
        estimate_cu=Decimal("4"),
        created_at=timezone.now() - timedelta(days=2),
    )
    reserve(job)
    usage_release(job_id=job.pk)
    from studio.usage.selectors import quota_status

    assert quota_status(q, time_zone=team.time_zone).used == 0
    assert cu_used(team=team, since=timezone.now() - timedelta(days=3)) == 0


def test_adjust_needs_a_reason_and_is_audited(team, member, owner):
    with pytest.raises(QuotaError):
        usage_adjust(team=team, user=member, cu=Decimal(-2), reason="  ", actor=owner)
    entry = usage_adjust(
        team=team, user=member, cu=Decimal(-2), reason="Krea refunded a broken video", actor=owner
    )
    assert (entry.kind, entry.cu, entry.created_by) == (EntryKind.ADJUST, Decimal(-2), owner)
    audit = AuditEntry.objects.get(action=AuditEntry.Action.USAGE_ADJUSTED)
    assert audit.team == team and audit.actor == owner and audit.subject_email == member.email
    assert "Krea refunded a broken video" in audit.summary
    assert cu_used(team=team, user=member) == -2


def test_adjust_refuses_a_stranger_or_another_teams_job(team, other_team, member, outsider):
    with pytest.raises(QuotaError):
        usage_adjust(team=team, user=outsider, cu=Decimal(1), reason="typo")
    with pytest.raises(QuotaError):
        usage_adjust(
            team=team,
            cu=Decimal(1),
            reason="typo",
            job_uuid=reserve(
                JobFactory(team=other_team, created_by=outsider, estimate_cu=Decimal("1"))
            ).job_uuid,
        )


def test_ledger_entries_cannot_be_changed_or_deleted(team, member):
    entry = UsageEntryFactory(team=team, user=member, cu=Decimal("3"))
    entry.cu = Decimal(0)
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
