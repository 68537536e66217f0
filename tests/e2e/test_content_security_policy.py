"""Every main page works under the Content-Security-Policy: the browser reports no
violation (no inline script or style, no eval, no image from elsewhere).

The walk over every main page is in ``test_layout.py``, which opens each page anyway and
listens for violations with ``policy_violations``; here the pages' scripts are run."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from studio.generation.models import JobStatus
from studio.usage.models import Period
from tests.e2e.polling import open_in_lightbox, open_settled
from tests.factories import (
    FLUX,
    JobFactory,
    MembershipFactory,
    OutputFactory,
    QuotaFactory,
    TeamFactory,
    UsageEntryFactory,
    give_krea_token,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def studio(db):
    """An owner's team with a finished job and its picture, spending, and a quota."""
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    owner = MembershipFactory(team=team, role="owner", user__email="olivia@example.com").user
    job = JobFactory(
        team=team,
        created_by=owner,
        model_name="Flux 1 Dev",
        params={"prompt": "a lighthouse"},
        status=JobStatus.COMPLETED,
    )
    OutputFactory(job=job)
    UsageEntryFactory(team=team, user=owner, job=job, cu=Decimal(3))
    QuotaFactory(team=team, limit_cu=Decimal(100), period=Period.MONTH)
    return owner, job


def policy_violations(page) -> list[str]:
    """What the browser will say about the policy on ``page``: console errors naming it,
    and page errors."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


@pytest.fixture
def violations(page):
    return policy_violations(page)


def visit(page, path: str) -> None:
    """Open ``path``, which must answer 200 under the strict policy."""
    response = open_settled(page, path)
    assert response.status == 200, path
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe" not in policy.split("img-src")[0], path


def test_the_pages_scripts_run_under_the_policy(page, log_in, studio, violations):
    owner, job = studio
    visit(page, "/accounts/login/")
    log_in(owner.email)
    # htmx swaps, the presets of generate.js, the model picker, the lightbox, live search.
    visit(page, f"/generate/?model={FLUX}")
    page.get_by_label("Prompt").fill("a lighthouse at dusk")
    page.get_by_role("button", name="16:9").click()
    expect(page.get_by_label("Width")).to_have_value("1376")
    expect(page.locator("#estimate")).to_contain_text("Estimate: 3 CU")
    visit(page, "/generate/")
    page.get_by_text("Change model").click()
    page.get_by_label("Search models").fill("flux 1.1")
    expect(page.locator("#model-list")).to_contain_text("Flux 1.1 Pro")
    visit(page, "/gallery/")
    open_in_lightbox(page, page.locator("a.tile__media").first)  # PhotoSwipe, as modules
    image = page.locator(".pswp__img:not(.pswp__img--placeholder)").first
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 64  # the picture itself loaded
    page.keyboard.press("Escape")
    visit(page, f"/jobs/{job.uuid}/")
    open_in_lightbox(page, page.locator("a.output__link").first)  # on the job's page too
    expect(page.locator(".lightbox-details")).to_contain_text("a lighthouse")
    visit(page, "/jobs/")
    page.get_by_label("Prompt contains").fill("lighthouse")
    expect(page.locator("#job-results")).to_contain_text("lighthouse")
    assert violations == []


def test_the_api_docs_run_under_their_own_policy(page, log_in, studio, violations):
    owner, _ = studio
    log_in(owner.email)
    visit(page, "/api/v1/docs/")
    expect(page.get_by_text("Krea Studio API")).to_be_visible()
    expect(page.get_by_text("/api/v1/jobs").first).to_be_visible()
    assert violations == []
