"""The ledger admin names each entry's job from the ledger's own copy, linked by uuid."""

from decimal import Decimal

import pytest
from django.urls import reverse

from studio.usage.models import EntryKind, UsageEntry
from tests.factories import JobFactory
from tests.usage.conftest import reserve

pytestmark = pytest.mark.django_db


def test_the_ledger_links_each_entry_to_its_job_page_and_finds_it_by_uuid(
    admin_client, team, member
):
    job = JobFactory(team=team, created_by=member, model_name="Flux Dev")
    entry = reserve(job)
    link = f'<a href="{reverse("job_detail", args=[job.uuid])}">Flux Dev {str(job.uuid)[:8]}</a>'
    listing = admin_client.get(reverse("admin:usage_usageentry_changelist"))
    assert link in listing.content.decode()
    detail = admin_client.get(reverse("admin:usage_usageentry_change", args=[entry.pk]))
    assert link in detail.content.decode()
    found = admin_client.get(reverse("admin:usage_usageentry_changelist"), {"q": str(job.uuid)})
    assert found.context["cl"].result_count == 1


def test_an_adjustment_for_a_job_checks_its_team_and_keeps_the_job(
    admin_client, team, other_team, member, outsider
):
    url = reverse("admin:usage_usageentry_add")
    theirs = reserve(JobFactory(team=other_team, created_by=outsider))
    data = {"team": team.pk, "user": member.pk, "cu": "-1", "reason": "refund"}
    refused = admin_client.post(url, {**data, "job_uuid": str(theirs.job_uuid)})
    assert refused.context["adminform"].form.errors["job_uuid"] == [
        "That job belongs to another team."
    ]
    ours = reserve(JobFactory(team=team, created_by=member, model_name="Veo"))
    assert admin_client.post(url, {**data, "job_uuid": str(ours.job_uuid)}).status_code == 302
    entry = UsageEntry.objects.get(kind=EntryKind.ADJUST)
    assert (entry.cu, entry.job_id, entry.job_uuid, entry.model_name) == (
        Decimal(-1),
        ours.job_id,
        ours.job_uuid,
        "Veo",
    )
