"""One lightbox for outputs wherever they are shown: opened from a job page or from the
gallery it pages with the arrow keys, shows the prompt and the parameters in the job
page's words, offers the actions, and closes with Esc; outputs that a live update swaps
into the page after it loaded open the same way."""

import pytest
from playwright.sync_api import expect

from studio.generation import services
from studio.generation.models import JobStatus, Output
from tests.e2e.polling import open_in_lightbox, wait_until
from tests.factories import (
    JobFactory,
    MembershipFactory,
    TeamFactory,
    give_krea_token,
)

pytestmark = pytest.mark.django_db(transaction=True)

QWEN = "image/qwen/2512"
PARAMS = {
    "prompt": "a red fox in the snow",
    "num_inference_steps": 30,
    "cfg_scale": 4.0,
    "seed": 7,
    "skip_prompt_expansion": True,
}
RAW_KEYS = ("num_inference_steps", "cfg_scale", "skip_prompt_expansion")


@pytest.fixture
def mia(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    return MembershipFactory(team=team, role="member", user__email="mia@example.com")


def open_first(page, link_selector: str):
    open_in_lightbox(page, page.locator(link_selector).first)
    lightbox = page.locator(".pswp")
    expect(lightbox).to_be_visible()
    expect(lightbox).to_have_attribute("data-ready", "")  # keys count once it has opened
    picture = page.locator(".pswp__img:not(.pswp__img--placeholder)").first
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("img => img.naturalWidth") > 0
    return lightbox


@pytest.mark.parametrize(
    ("where", "link"),
    [("job", "a.output__link"), ("gallery", "a.tile__media")],
    ids=["from-the-job-page", "from-the-gallery"],
)
def test_the_lightbox_pages_with_the_keys_and_shows_the_parameters_in_words(
    page, log_in, mia, where, link
):
    job = JobFactory(
        team=mia.team,
        created_by=mia.user,
        model_id=QWEN,
        model_name="Qwen Image 2512",
        params=PARAMS,
        status=JobStatus.COMPLETED,
        outputs=3,
    )
    log_in(mia.user.email)
    page.goto(f"/jobs/{job.uuid}/" if where == "job" else "/gallery/")

    lightbox = open_first(page, link)
    counter = page.locator(".pswp__counter")
    expect(counter).to_have_text("1 / 3")
    details = page.locator(".lightbox-details")
    expect(details).to_contain_text("a red fox in the snow")
    params = details.locator(".details__params")
    expect(params).to_contain_text("Steps30")
    expect(params).to_contain_text("Guidance4")
    expect(params).to_contain_text("Use my prompt as writtenon")
    for key in RAW_KEYS:
        expect(details).not_to_contain_text(key)
    expect(details.get_by_role("link", name="Download")).to_be_visible()
    expect(details.get_by_role("link", name="Use as input")).to_be_visible()

    page.keyboard.press("ArrowRight")
    expect(counter).to_have_text("2 / 3")
    page.keyboard.press("ArrowRight")
    expect(counter).to_have_text("3 / 3")
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text("2 / 3")
    # The details follow the picture: the middle one is the job's second file either way.
    expect(details.get_by_role("link", name="Download")).to_have_attribute(
        "href", f"/jobs/{job.uuid}/outputs/1/?download=1"
    )
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)


def test_an_output_that_arrives_live_on_the_job_page_opens_in_the_lightbox(
    page, log_in, krea_live, mia
):
    krea_live.durations["image"] = 3.0
    job = services.generation_submit(
        membership=mia,
        model_id="image/bfl/flux-1-dev",
        params={"prompt": "a lighthouse at dusk", "width": 512, "height": 512},
    )
    log_in(mia.user.email)
    page.goto(f"/jobs/{job.uuid}/")
    expect(page.locator(".job-card a.output__link")).to_have_count(0)  # still running

    # The card is swapped by htmx when the job completes, then again with the portal's files.
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    wait_until(page, "!!document.querySelector('.job-card a.output__link')", timeout=30)
    assert Output.objects.filter(job=job).count() == 1
    lightbox = open_first(page, ".job-card a.output__link")
    details = page.locator(".lightbox-details")
    expect(details).to_contain_text("a lighthouse at dusk")
    expect(details.locator(".details__params")).to_contain_text("Width512")
    expect(details.get_by_role("link", name="Open the job")).to_be_visible()
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)
