"""The gallery in the browser, over outputs the simulator made (``krea_live``, a real clock):
favourite one, put two in a collection, upscale one 2x with Topaz and see that job
complete, download two as one zip; the wall fits a desktop and a phone screen."""

import re
import time
import zipfile

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from studio.generation import services
from studio.generation.models import Job, JobStatus, Output
from tests.e2e.polling import open_in_lightbox
from tests.e2e.workspace import sign_in_by_cookie
from tests.factories import MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)

FLUX = "image/bfl/flux-1-dev"
TOPAZ = "enhance/topaz/standard-enhance"
# Mixed shapes: square, landscape, portrait.
SIZES = [(512, 512), (1024, 576), (576, 1024), (768, 576), (576, 768), (1024, 512)]


@pytest.fixture
def mia(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    return MembershipFactory(team=team, role="member", user__email="mia@example.com")


def wait_for(condition, *, seconds: float = 40, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError:  # SQLite's shared test database, busy with the live server
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def seed(membership, sizes) -> list[Output]:
    """Jobs through the portal's pipeline and the simulator, until their files are stored."""
    jobs = [
        services.generation_submit(
            membership=membership,
            model_id=FLUX,
            params={"prompt": f"harbour study {i}", "width": w, "height": h},
        )
        for i, (w, h) in enumerate(sizes)
    ]
    ids = [job.pk for job in jobs]
    wait_for(
        lambda: Output.objects.filter(job_id__in=ids).count() == len(ids),
        seconds=60,
        what="the seeded outputs",
    )
    return list(Output.objects.filter(job_id__in=ids).select_related("job"))


def test_favourite_collect_upscale_2x_and_download_two_as_a_zip(page, log_in, krea_live, mia):
    outputs = seed(mia, SIZES[:3])
    log_in(mia.user.email)
    page.goto("/gallery/")
    tiles = page.locator(".tile")
    expect(tiles).to_have_count(3)

    # Favourite the first: the button says so, and the filter finds it.
    first = tiles.nth(0)
    first.hover()
    first.get_by_role("button", name="Favourite").click()
    expect(first.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("My favourites only").check()
    expect(page.locator(".tile")).to_have_count(1)
    page.goto("/gallery/")

    # Select the first and (shift-click) the second, add them to a new collection.
    tiles.nth(0).locator(".tile__select input").check()
    tiles.nth(1).locator(".tile__select input").click(modifiers=["Shift"])
    expect(page.locator("[data-selection-count]")).to_have_text("2 selected")
    page.get_by_label("New collection's name").fill("Harbour picks")
    page.get_by_role("button", name="Add to collection").click()
    expect(page.get_by_text("Added 2 files to “Harbour picks”.")).to_be_visible()
    page.goto("/collections/")
    expect(page.get_by_text("2 files")).to_be_visible()
    page.get_by_role("link", name="Harbour picks").click()
    expect(page.locator(".tile")).to_have_count(2)

    # Download the same two as one zip: exactly their files.
    page.goto("/gallery/")
    tiles.nth(0).locator(".tile__select input").check()
    tiles.nth(2).locator(".tile__select input").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as zip").click()
    archive = zipfile.ZipFile(download.value.path())
    assert len(archive.namelist()) == 2
    stored = {o.file.open("rb").read() for o in outputs}
    assert {archive.read(name) for name in archive.namelist()} <= stored
    assert len({archive.read(name) for name in archive.namelist()}) == 2

    # Upscale the first 2x: Topaz opens with the image in its field and twice its size.
    page.goto("/gallery/")
    tile = page.locator(".tile").first
    source = Output.objects.get(pk=tile.get_attribute("data-output"))
    tile.hover()
    tile.get_by_role("button", name="Upscale").click()
    expect(page).to_have_url(re.compile(re.escape("model=" + TOPAZ.replace("/", "%2F"))))
    expect(page.locator('[name="image_url"]')).not_to_have_value("")
    expect(page.get_by_label("Width")).to_have_value(str(source.width * 2))
    expect(page.get_by_label("Height")).to_have_value(str(source.height * 2))
    page.locator('select[name="model"]').select_option("Standard V2")
    page.locator("#generate-submit").click()
    wait_for(
        lambda: (
            Job.objects.filter(model_id=TOPAZ, status=JobStatus.COMPLETED).exists()
            and Output.objects.filter(job__model_id=TOPAZ).exists()
        ),
        what="the Topaz job",
    )
    upscaled = Job.objects.get(model_id=TOPAZ)
    assert (upscaled.params["width"], upscaled.params["height"]) == (
        source.width * 2,
        source.height * 2,
    )
    page.goto(f"/jobs/{upscaled.uuid}/")
    expect(page.locator(".job-card")).to_contain_text("Completed")


def test_the_lightbox_pages_with_the_keyboard_and_shows_the_prompt(page, log_in, krea_live, mia):
    seed(mia, SIZES[:3])
    log_in(mia.user.email)
    page.goto("/gallery/")
    prompts = page.locator(".tile .tile__prompt").all_inner_texts()
    open_in_lightbox(page, page.locator(".tile a.tile__media").first)
    lightbox = page.locator(".pswp")
    expect(lightbox).to_be_visible()
    details = page.locator(".lightbox-details")
    expect(details).to_contain_text(prompts[0])
    expect(lightbox).to_have_attribute("data-ready", "")  # keys count once it has opened
    page.keyboard.press("ArrowRight")
    expect(details).to_contain_text(prompts[1])
    expect(page.locator(".pswp__counter")).to_have_text("2 / 3")
    expect(details.get_by_role("button", name="Favourite")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(details).to_contain_text(prompts[0])
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)


@pytest.mark.parametrize(
    ("width", "height", "touch"), [(1440, 900, False), (390, 844, True)], ids=["desktop", "phone"]
)
def test_the_wall_of_mixed_shapes_fits_the_screen_and_its_actions_need_no_hover(
    browser, live_server, krea_live, mia, width, height, touch
):
    seed(mia, SIZES)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        has_touch=touch,
        is_mobile=touch,
    )
    context.set_default_timeout(15_000)
    sign_in_by_cookie(context, live_server.url, mia.user.email)
    page = context.new_page()
    page.goto("/gallery/")
    expect(page.locator(".tile")).to_have_count(len(SIZES))
    for img in page.locator(".tile img").all():
        img.scroll_into_view_if_needed()  # pictures load lazily, as they come near the screen
        expect(img).to_have_js_property("complete", True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Each picture keeps its shape: the tile's picture has its output's aspect ratio.
    ratios = page.evaluate(
        "[...document.querySelectorAll('.tile img')].map((img) => img.clientWidth / img.clientHeight)"
    )
    expected = sorted(w / h for w, h in SIZES)
    assert sorted(ratios) == pytest.approx(expected, abs=0.02)
    first = page.locator(".tile").first
    if touch:
        # No hover on a phone: the actions are on screen without it, and a tap works.
        expect(first.get_by_role("button", name="Favourite")).to_be_visible()
        first.get_by_role("button", name="Favourite").tap()
        expect(first.get_by_role("button", name="Favourite")).to_have_attribute(
            "aria-pressed", "true"
        )
    else:
        # A keyboard reaches them: focus shows the actions of the tile it is in.
        first.locator("a.tile__media").focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(first.get_by_role("button", name="Favourite")).to_be_visible()
    page.screenshot(path=f"/tmp/shots/gallery/gallery-{width}.png", full_page=not touch)
    context.close()
