"""The usage pages: yours, the team's (owners and admins), the CSV export, the quota page (owners)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.audit.models import AuditEntry
from studio.usage.models import EntryKind, Period, Quota
from tests.factories import JobFactory, QuotaFactory, UsageEntryFactory
from tests.usage.conftest import reserve

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


# My usage ------------------------------------------------------------------------------


def test_my_usage_shows_used_left_and_recent_charges_with_jobs(client, team, member, admin):
    QuotaFactory(team=team, user=member, limit_cu=Decimal("10"), period=Period.MONTH)
    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("3"))
    job.prompt = "a lighthouse at dusk"
    job.save()
    from studio.usage.services import usage_charge

    reserve(job)
    usage_charge(job_id=job.pk, cu=job.estimate_cu)
    # someone else's use is not on my page
    UsageEntryFactory(team=team, user=admin, cu=Decimal("50"))

    page = login(client, member).get(reverse("usage"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "7 CU left · resets in" in html
    assert "3 of 10 CU" in html
    assert reverse("job_detail", args=[job.uuid]) in html
    assert "a lighthouse at dusk" in html
    assert 'href="/usage/"' in html and ">Usage<" in html  # in the main navigation


def test_my_usage_lists_what_running_jobs_hold(client, team, member):

    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("4"))
    reserve(job)
    html = login(client, member).get(reverse("usage")).content.decode()
    assert "Held by your running jobs" in html and "No CU limit" in html


def test_my_usage_needs_login_and_a_team(client, outsider):
    assert client.get(reverse("usage")).status_code == 302
    from studio.accounts.models import User

    lonely = User.objects.create_user("lonely@example.com", "pw-lonely-123")
    response = login(client, lonely).get(reverse("usage"))
    assert response.status_code == 302 and response.url == reverse("team_create")


def test_a_member_sees_links_to_team_pages_only_when_allowed(client, team, member, owner):
    assert (
        "See the team's usage" not in login(client, member).get(reverse("usage")).content.decode()
    )
    html = login(client, owner).get(reverse("usage")).content.decode()
    assert "See the team's usage" in html and "Set the team's quotas" in html


# Team usage ------------------------------------------------------------------------------


def test_team_usage_draws_charts_per_member_and_model(
    client, team, member, admin, other_team, outsider
):
    QuotaFactory(team=team, limit_cu=Decimal("1000"), period=Period.MONTH)
    yesterday = timezone.now() - timedelta(days=1)
    UsageEntryFactory(team=team, user=member, cu=Decimal("3"), at=yesterday)
    UsageEntryFactory(
        team=team, user=member, cu=Decimal("34.4"), model_id="image/google/imagen-4-ultra"
    )
    UsageEntryFactory(team=team, user=admin, cu=Decimal("22.9"), model_id="image/google/imagen-4")
    UsageEntryFactory(
        team=other_team, user=outsider, cu=Decimal("4321"), model_id="video/google/veo-2"
    )

    page = login(client, admin).get(reverse("usage_team"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('role="img"') == 2 and "<rect" in html
    assert "CU per day by member" in html and "CU per day by model" in html
    assert "Imagen 4 Ultra" in html or "imagen-4-ultra" in html
    assert "60.3 CU" in html  # the range's total: this team's only
    assert "4321" not in html and "4,321" not in html and "Veo 2" not in html
    assert "60.3 of 1,000 CU" in html
    assert "Mia Member: <strong>37.4 CU</strong>" in html


def test_team_usage_range_and_htmx_partial(client, team, owner, member):
    UsageEntryFactory(
        team=team, user=member, cu=Decimal("5"), at=timezone.now() - timedelta(days=60)
    )
    UsageEntryFactory(team=team, user=member, cu=Decimal("2"))
    today = timezone.now().date()
    start = today - timedelta(days=90)
    response = login(client, owner).get(
        reverse("usage_team"),
        {"start": start.isoformat(), "end": today.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="usage-results">')
    assert "<strong>7 CU</strong>" in html
    assert f"start={start.isoformat()}" in html  # the export link covers the same range


def test_team_usage_refuses_a_backwards_range(client, team, owner):
    response = login(client, owner).get(
        reverse("usage_team"), {"start": "2025-02-01", "end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "must be on or after" in response.content.decode()


@pytest.mark.parametrize(
    "dates",
    [
        {"start": "9999-12-30", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-02"},
    ],
)
def test_team_usage_and_export_refuse_dates_out_of_range(client, team, owner, dates):
    login(client, owner)
    page = client.get(reverse("usage_team"), dates)
    assert page.status_code == 200
    assert "Enter a date between 1900-01-01 and 2999-12-31." in page.content.decode()
    export = client.get(reverse("usage_export"), dates)
    assert export.status_code == 400 and b"Enter a date between" in export.content


def test_team_usage_is_for_owners_and_admins(client, team, member, owner, admin):
    assert login(client, member).get(reverse("usage_team")).status_code == 403
    assert login(client, admin).get(reverse("usage_team")).status_code == 200
    assert login(client, owner).get(reverse("usage_team")).status_code == 200


# CSV export ------------------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_is_the_ledger_for_the_range(client, team, member, admin, other_team, outsider):
    from studio.usage.services import usage_adjust, usage_release

    job = JobFactory(team=team, created_by=member, estimate_cu=Decimal("3"))
    reserve(job)
    usage_release(job_id=job.pk, reason="Job failed")
    usage_adjust(team=team, user=member, cu=Decimal("-1.5"), reason="=HYPERLINK(evil)", actor=admin)
    # outside the range
    UsageEntryFactory(
        team=team, user=member, cu=Decimal("7"), at=timezone.now() - timedelta(days=100)
    )
    UsageEntryFactory(team=other_team, user=outsider, cu=Decimal("9"))

    today = timezone.now().date()
    response = login(client, admin).get(
        reverse("usage_export"),
        {"start": (today - timedelta(days=7)).isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "attachment;" in response["Content-Disposition"]
        and "usage-acme-studio-" in response["Content-Disposition"]
    )
    rows = read_csv(response)
    assert [(r["kind"], r["cu"]) for r in rows] == [
        (EntryKind.RESERVE, "3.00"),
        (EntryKind.RELEASE, "-3.00"),
        (EntryKind.ADJUST, "-1.50"),
    ]
    assert rows[0]["job"] == str(job.uuid) and rows[0]["member_email"] == member.email
    assert rows[2]["reason"] == "'=HYPERLINK(evil)" and rows[2]["recorded_by"] == admin.email


def test_export_refuses_members_and_bad_ranges(client, team, member, owner):
    assert login(client, member).get(reverse("usage_export")).status_code == 403
    bad = login(client, owner).get(
        reverse("usage_export"), {"start": "2025-01-01", "end": "2027-01-01"}
    )
    assert bad.status_code == 400 and b"at most 366 days" in bad.content


# Quotas page ----------------------------------------------------------------------------


def test_owner_sets_the_team_and_a_member_quota(client, team, owner, member):
    login(client, owner)
    page = client.get(reverse("usage_quotas"))
    assert page.status_code == 200
    assert "Set Mia Member's quota" in page.content.decode()

    response = client.post(
        reverse("usage_quota_team"), {"team-limit_cu": "500", "team-period": Period.MONTH}
    )
    assert response.status_code == 302
    membership = member.memberships.get(team=team)
    response = client.post(
        reverse("usage_quota_member", args=[membership.pk]),
        {f"m{membership.pk}-limit_cu": "10", f"m{membership.pk}-period": Period.DAY},
    )
    assert response.status_code == 302
    assert Quota.objects.get(team=team, user=None).limit_cu == 500
    q = Quota.objects.get(team=team, user=member)
    assert (q.limit_cu, q.period) == (10, Period.DAY)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.QUOTA_SET, actor=owner).count() == 2

    html = client.get(reverse("usage_quotas")).content.decode()
    assert "0 of 10 CU" in html and "resets in" in html
    assert "Change Mia Member's quota" in html


def test_owner_resets_and_removes_a_quota(client, team, owner, member):
    q = QuotaFactory(team=team, user=member, limit_cu=Decimal("10"), period=Period.MONTH)
    UsageEntryFactory(team=team, user=member, cu=Decimal("8"))
    login(client, owner)
    assert client.post(reverse("usage_quota_reset", args=[q.pk])).status_code == 302
    q.refresh_from_db()
    assert q.reset_at is not None
    assert client.post(reverse("usage_quota_remove", args=[q.pk])).status_code == 302
    assert not Quota.objects.exists()


def test_a_bad_quota_is_shown_with_its_error(client, team, owner):
    login(client, owner)
    response = client.post(
        reverse("usage_quota_team"), {"team-limit_cu": "-5", "team-period": Period.DAY}
    )
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    assert not Quota.objects.exists()


def test_quotas_are_for_owners_only(client, team, admin, member):
    assert login(client, admin).get(reverse("usage_quotas")).status_code == 403
    assert (
        login(client, member)
        .post(reverse("usage_quota_team"), {"team-limit_cu": "1", "team-period": "day"})
        .status_code
        == 403
    )
    assert not Quota.objects.exists()


def test_another_teams_member_or_quota_is_404(client, team, owner, other_team, outsider):
    foreign = QuotaFactory(team=other_team, user=outsider, limit_cu=Decimal("5"))
    membership = outsider.memberships.get(team=other_team)
    login(client, owner)
    assert (
        client.post(
            reverse("usage_quota_member", args=[membership.pk]),
            {f"m{membership.pk}-limit_cu": "1", f"m{membership.pk}-period": "day"},
        ).status_code
        == 404
    )
    assert client.post(reverse("usage_quota_reset", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("usage_quota_remove", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.reset_at is None and foreign.limit_cu == 5
