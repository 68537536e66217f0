"""Node apps in the browser: an owner adds the simulator's product-shot app by its version
id, an admin prices it, a member runs it with an uploaded image and watches one card
follow all of its jobs to their pictures; the run is charged once, at that price."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from krea_integration.simulator.nodeapps import NODE_APPS
from studio.nodeapps.models import NodeAppRun
from studio.usage.models import EntryKind, UsageEntry
from tests.assets.conftest import picture
from tests.e2e.polling import wait_until
from tests.factories import MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCT_SHOT = next(app for app in NODE_APPS if app.slug == "product-shot").version_id
RUN_URL = re.compile(r"/node-apps/runs/[0-9a-f-]{36}/$")


@pytest.fixture
def people(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    owner = MembershipFactory(
        team=team,
        role="owner",
        user__email="olivia@example.com",
        user__is_staff=True,
        user__is_superuser=True,
    ).user
    member = MembershipFactory(team=team, role="member", user__email="mia@example.com").user
    return owner, member


def test_a_product_shot_run_follows_all_its_jobs_and_is_charged_once(
    page, log_in, krea_live, people
):
    owner, member = people
    krea_live.durations["node-app"] = 4.0
    log_in(owner.email)

    page.goto("/node-apps/")
    expect(page.get_by_role("heading", name="Workflows from Krea's node editor")).to_be_visible()
    page.get_by_role("link", name="Add a node app").first.click()
    page.get_by_label("Version id").fill("not-a-version")
    page.get_by_role("button", name="Look it up").click()
    expect(page.locator(".errorlist")).to_contain_text("Krea has no node app version")
    page.get_by_label("Version id").fill(PRODUCT_SHOT)
    page.get_by_role("button", name="Look it up").click()
    expect(page.get_by_role("region", name="Preview")).to_contain_text("Product shot")
    page.get_by_role("button", name="Save for the team").click()
    expect(page.get_by_role("heading", name="Product shot", level=1)).to_be_visible()
    expect(page.locator("#estimate")).to_contain_text("(assumed)")

    # The portal's admins price each run of it, where every other model is priced.
    page.goto("/admin/usage/modelprice/add/")
    page.locator("#id_model_id").select_option(f"node-apps/{PRODUCT_SHOT}")
    page.locator("#id_cu").fill("12")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.context.clear_cookies()
    log_in(member.email)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Node apps").click()
    page.get_by_role("link", name="Product shot").click()
    expect(page.locator("#estimate")).to_contain_text("12 CU per run")

    picker = page.locator('[data-picker][data-pick-for="id_product_image_url"]')
    picker.locator("summary").click()
    picker.locator("input[type=file]").set_input_files(
        files=[{"name": "bottle.png", "mimeType": "image/png", "buffer": picture()}]
    )
    expect(picker.locator(".upload-row--done")).to_have_count(1, timeout=30_000)
    expect(page.locator("#id_product_image_url")).to_have_value(re.compile(r"^https?://"))
    page.get_by_label("Prompt").fill("a perfume bottle on wet stone")
    page.get_by_label("Variations").fill("3")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page).to_have_url(RUN_URL)

    card = page.locator(".run-card")
    page.evaluate("window.__sameDocument = true")
    expect(card.locator(".run-job")).to_have_count(3, timeout=30_000)
    expect(card.locator(".job-card__state .badge")).to_have_text("Completed", timeout=40_000)
    expect(card.locator(".outputs img")).to_have_count(3, timeout=20_000)
    assert page.evaluate("window.__sameDocument") is True  # followed in place
    wait_until(
        page,
        "[...document.querySelectorAll('.run-card .outputs img')].every(i => i.naturalWidth > 0)",
    )
    expect(card.locator(".run-charged")).to_have_text("12 CU")
    assert card.get_attribute("hx-trigger") is None  # finished: it stopped polling

    run = NodeAppRun.objects.get()
    assert run.jobs.count() == 3
    charges = UsageEntry.objects.filter(job_id__in=run.jobs.values("pk"), kind=EntryKind.CHARGE)
    assert [entry.cu for entry in charges] == [Decimal(12)]
    assert len([r for r in krea_live.requests if r.path.endswith("/execute")]) == 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gallery").click()
    expect(page.locator(".tile")).to_have_count(3)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    rows = page.locator(".job-row")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Product shot")).to_have_count(3)
