"""A member generates in the browser and watches the job finish, with the simulator on a
real clock (``krea_live``): Krea's webhooks reach the live server over HTTP."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.polling import open_in_lightbox, wait_until
from tests.e2e.workspace import submit_and_open_job
from tests.factories import MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)

JOB_URL = re.compile(r"/jobs/[0-9a-f-]{36}/$")
NOT_FINISHED = re.compile(
    r"Waiting in the team's queue|Sending to Krea|Waiting at Krea|Queued at Krea|Scheduled|Processing|Sampling|Previews ready"
)


@pytest.fixture
def people(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    member = MembershipFactory(team=team, role="member", user__email="mia@example.com").user
    other = TeamFactory(name="Globex Pictures")
    outsider = MembershipFactory(team=other, role="owner", user__email="oscar@example.com").user
    return member, outsider


def generate(page, model_id: str, prompt: str) -> str:
    page.goto(f"/generate/?model={model_id}")
    page.get_by_label("Prompt").fill(prompt)
    submit_and_open_job(page)
    return page.url


def test_a_member_generates_with_flux_watches_it_finish_and_opens_it_in_the_gallery(
    page, log_in, krea_live, people
):
    member, outsider = people
    krea_live.durations["image"] = 4.0  # long enough to see the card before it ends
    log_in(member.email)

    page.goto("/generate/")  # opens on Flux, the picker one click away
    expect(page.get_by_label("Prompt")).to_be_visible()
    page.get_by_text("Change model").click()
    page.get_by_label("Search models").fill("flux 1.1")
    expect(page.locator("#model-list")).to_contain_text("Flux 1.1 Pro")
    expect(page.locator("#model-list")).not_to_contain_text("Veo")
    page.get_by_label("Search models").fill("")

    page.goto("/generate/?model=image/bfl/flux-1-dev")
    expect(page.locator("#estimate")).to_contain_text("Estimate: 3 CU")
    page.get_by_label("Prompt").fill("a lighthouse at dusk")
    page.get_by_role("button", name="16:9").click()  # a preset, filled in by JS
    expect(page.get_by_label("Width")).to_have_value("1376")
    expect(page.get_by_label("Height")).to_have_value("768")
    submit_and_open_job(page)
    job_url = page.url

    state = page.locator(".job-card .job-card__state .badge")
    expect(state).to_have_text(NOT_FINISHED)
    page.evaluate("window.__sameDocument = true")
    expect(state).to_have_text("Completed", timeout=30_000)
    assert page.evaluate("window.__sameDocument") is True  # updated in place, no reload
    # The card may first show Krea's own file, then swap in the portal's copy: wait for
    # the portal's thumbnail to be drawn (from the test side: the CSP forbids
    # wait_for_function), not for whichever picture is there at the moment.
    wait_until(
        page,
        "[...document.querySelectorAll('.job-card .outputs img')]"
        ".some(img => img.src.endsWith('/thumbnail/') && img.complete && img.naturalWidth > 0)",
        timeout=20,
    )
    # The card stopped polling: a finished card carries no trigger.
    assert page.locator(".job-card").get_attribute("hx-trigger") is None

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gallery").click()
    items = page.locator(".tile")
    expect(items).to_have_count(1)
    file_url = items.first.locator("a.tile__media").get_attribute("href")
    open_in_lightbox(page, items.first.locator("a.tile__media"))
    lightbox = page.locator(".pswp")
    expect(lightbox).to_be_visible()
    picture = page.locator(".pswp__img:not(.pswp__img--placeholder)").first
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("(img) => img.naturalWidth") > 0
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)

    # Someone from another team: the job and its files do not exist for them.
    page.context.clear_cookies()
    log_in(outsider.email)
    for url in (job_url, file_url, file_url + "?download=1", file_url + "thumbnail/"):
        assert page.goto(url).status == 404, url


def test_a_video_model_produces_a_video_that_plays(page, log_in, krea_live, people):
    member, _ = people
    krea_live.durations["video"] = 3.0
    log_in(member.email)

    page.goto("/generate/?model=video/google/veo-3.1")
    estimate = page.locator("#estimate")
    # Veo 3.1 is described "with audio": its sound starts on, and the estimate says so.
    expect(estimate).to_contain_text("Estimate: 1,833 CU")
    page.get_by_label("Duration").select_option("4")
    expect(estimate).to_contain_text("Estimate: 916 CU")  # re-estimated live, by htmx

    page.get_by_label("Prompt").fill("a whale breaching at dawn")
    submit_and_open_job(page, confirm=True)  # 458 CU: above the default 100 CU
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=40_000
    )
    video = page.locator(".job-card video")
    expect(video).to_be_visible()
    wait_until(
        page,
        "(() => { const v = document.querySelector('.job-card video');"
        " return v && v.readyState >= 1 && v.duration > 0 && v.videoWidth > 0; })()",
        timeout=20,
    )
    duration = page.evaluate("document.querySelector('.job-card video').duration")
    assert duration > 0

    # In the gallery the same video opens in the lightbox and plays there.
    page.goto("/gallery/")
    open_in_lightbox(page, page.locator(".tile--video a.tile__media").first)
    expect(page.locator(".pswp")).to_have_attribute("data-ready", "")
    wait_until(
        page,
        "(() => { const v = document.querySelector('.pswp video.lightbox-video');"
        " return v && v.readyState >= 2 && v.duration > 0 && v.videoWidth > 0; })()",
        timeout=20,
    )
    page.keyboard.press("Escape")
    expect(page.locator(".pswp")).to_have_count(0)
