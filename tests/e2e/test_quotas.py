"""An admin sets a member's quota in Django admin; the member's generations meet it in the browser.

The simulator runs on a real clock (``krea_live``): jobs finish and Krea's webhooks
reach the live server over HTTP, so charges and releases happen as in production.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from studio.generation.models import Job, JobStatus
from studio.usage.models import ModelPrice, Period, Quota
from tests.e2e.workspace import submit_and_open_job
from tests.factories import (
    FLUX,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    give_krea_token,
)

pytestmark = pytest.mark.django_db(transaction=True)

JOB_URL = re.compile(r"/jobs/[0-9a-f-]{36}/$")
SEEDEDIT = "image/bytedance/seededit"  # no published price: the admin sets 11 CU


@pytest.fixture
def people(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    MembershipFactory(team=team, role="owner", user__email="olivia@example.com")
    member = MembershipFactory(
        team=team, role="member", user__email="mia@example.com", user__name="Mia Member"
    ).user
    staff = UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)
    ModelPrice.objects.create(model_id=SEEDEDIT, cu=Decimal(11), note="our estimate")
    return team, member, staff


def fill(page, model_id: str, **fields) -> None:
    page.goto(f"/generate/?model={model_id}")
    for label, value in fields.items():
        page.get_by_label(label).fill(value)


def test_an_admin_sets_a_quota_and_the_member_generates_within_it(page, log_in, krea_live, people):
    team, member, staff = people

    # The admin gives Mia 10 CU a month, inline on the team in Django admin.
    log_in(staff.email)
    page.goto(f"/admin/teams/team/{team.pk}/change/")
    page.get_by_role("button", name="Add another Member quota").click()
    row = page.locator("#quotas-2-group tr.dynamic-quotas-2").first
    row.locator("select[name$='-0-user']").select_option(label=member.email)
    row.locator("input[name$='-0-limit_cu']").fill("10")
    row.locator("select[name$='-0-period']").select_option(Period.MONTH)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    quota = Quota.objects.get(team=team, user=member)
    assert (quota.limit_cu, quota.period) == (Decimal(10), Period.MONTH)

    # Mia's 11-CU generation is refused with the figures; nothing is sent to Krea.
    page.context.clear_cookies()
    log_in(member.email)
    page.goto(f"/generate/?model={SEEDEDIT}")
    expect(page.locator("#estimate")).to_contain_text("11 CU assumed")
    expect(page.locator("#estimate")).to_contain_text("10 CU left")
    fill(
        page, SEEDEDIT, Prompt="make the sky purple", **{"Input image": "https://example.com/a.png"}
    )
    page.locator("#generate-submit").click()
    expect(page.locator("#error-summary")).to_contain_text(
        re.compile(
            r"This needs 11 CU but your quota has only 10 CU left in this period \(resets in "
        )
    )
    assert not Job.objects.exists()
    assert not [r for r in krea_live.requests if r.path.startswith("/generate/")]

    # A 3-CU generation goes through and completes; "my usage" shows it.
    fill(page, FLUX, Prompt="a lighthouse at dusk")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Usage").click()
    expect(page.locator("#allowance")).to_contain_text("7 CU left · resets in")
    expect(page.locator("#recent-charges")).to_contain_text("Flux")
    expect(page.locator("#recent-charges")).to_contain_text("a lighthouse at dusk")
    expect(page.locator("#recent-charges")).to_contain_text("3")

    # A job that fails at Krea gives its reservation back.
    krea_live.queue_fault("fail-at=processing", method="POST")
    fill(page, FLUX, Prompt="a storm over the sea")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text("Failed", timeout=30_000)
    assert Job.objects.filter(status=JobStatus.FAILED).count() == 1
    page.goto("/usage/")
    expect(page.locator("#allowance")).to_contain_text("7 CU left")
    expect(page.locator("#recent-charges tbody tr")).to_have_count(1)
