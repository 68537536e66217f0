"""Assets in the browser: dropping files with progress, refusals beside a good upload,
importing what the team already has at Krea."""

import base64
import io
import re

import pytest
from playwright.sync_api import expect

from krea_integration.client import KreaClient
from studio.assets.models import Asset
from tests.assets.conftest import picture
from tests.conftest import KREA_TEST_URL
from tests.e2e.workspace import submit_and_open_job
from tests.factories import KREA_TOKEN, MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mia(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    return MembershipFactory(team=team, role="member", user__email="mia@example.com").user


DROP = """([files, selector]) => {
  const transfer = new DataTransfer();
  for (const [name, type, b64, size] of files) {
    let bytes;
    if (b64 !== null) {
      bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    } else {
      bytes = new Uint8Array(size);
    }
    transfer.items.add(new File([bytes], name, { type }));
  }
  const zone = document.querySelector(selector);
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""

RECORD_PROGRESS = """() => {
  window.__progress = {};
  document.addEventListener("upload:progress", (event) => {
    const seen = (window.__progress[event.detail.name] ||= []);
    seen.push(event.detail.loaded / event.detail.total);
  });
}"""


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def drop(page, files, selector="[data-upload-zone]"):
    page.evaluate(DROP, [files, selector])


def test_two_images_dropped_at_once_each_show_progress_to_the_end_then_their_thumbnail(
    page, log_in, krea_live, mia
):
    log_in(mia.email)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assets").click()
    expect(page.get_by_text("Assets are the team's own files at Krea")).to_be_visible()
    page.get_by_role("link", name="Upload files").click()
    page.get_by_label("Description").fill("Harbour trip, day one")
    page.evaluate(RECORD_PROGRESS)
    big_photo = picture("JPEG", size=(2400, 1600), color=(200, 80, 40))
    drop(
        page,
        [
            ["harbour.jpg", "image/jpeg", b64(big_photo), None],
            ["sketch.png", "image/png", b64(picture("PNG", size=(640, 480))), None],
        ],
    )
    rows = page.locator(".upload-row--done")
    expect(rows).to_have_count(2, timeout=30_000)
    for name in ("harbour.jpg", "sketch.png"):
        row = page.locator(".upload-row", has_text=name)
        bar = row.locator("progress")
        assert bar.evaluate("bar => bar.value === bar.max && bar.max > 0"), name
        expect(row.locator("img")).to_be_visible()
        row.locator("img").evaluate("img => img.decode()")
        assert row.locator("img").evaluate("img => img.naturalWidth") > 0
    progress = page.evaluate("window.__progress")
    assert set(progress) == {"harbour.jpg", "sketch.png"}
    assert all(seen[-1] == 1 for seen in progress.values()), progress

    page.get_by_role("link", name="← All assets").click()
    expect(page.locator(".asset-item")).to_have_count(2)
    assert (
        list(Asset.objects.values_list("description", flat=True)) == ["Harbour trip, day one"] * 2
    )


def test_a_76_mb_file_and_a_text_file_named_png_are_refused_while_a_good_image_uploads(
    page, log_in, krea_live, mia
):
    log_in(mia.email)
    page.goto("/assets/upload/")
    drop(
        page,
        [
            ["huge.mov", "video/quicktime", None, 76 * 1024 * 1024],
            ["notes.png", "image/png", b64(b"buy milk\nand bread\n"), None],
            ["good.png", "image/png", b64(picture()), None],
        ],
    )
    expect(page.locator(".upload-row--done")).to_have_count(1, timeout=30_000)
    expect(page.locator(".upload-row--done")).to_contain_text("good.png")
    errors = page.locator(".upload-row--error")
    expect(errors).to_have_count(2)
    expect(errors.filter(has_text="huge.mov")).to_contain_text(
        "huge.mov (76.0 MB) is larger than 75 MB, the most Krea accepts for one asset."
    )
    expect(errors.filter(has_text="notes.png")).to_contain_text(
        "notes.png is plain text, not a file Krea accepts"
    )
    assert list(Asset.objects.values_list("file_name", flat=True)) == ["good.png"]


def test_assets_made_at_krea_directly_are_imported_with_thumbnails(page, log_in, krea_live, mia):
    client = KreaClient(KREA_TOKEN, base_url=KREA_TEST_URL, transport=krea_live.transport())
    client.upload_asset(
        io.BytesIO(picture(color=(0, 200, 0))), filename="a.png", description="green field"
    )
    client.upload_asset(
        io.BytesIO(picture(color=(200, 0, 0))), filename="b.png", description="red wall"
    )
    log_in(mia.email)
    page.goto("/assets/")
    page.get_by_role("button", name="Import from Krea").click()
    expect(page.get_by_role("status")).to_contain_text("2 assets added from Krea")
    cards = page.locator(".asset-item")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("imported")
    page.reload()  # thumbnails are made in the background (eagerly here)
    image = cards.filter(has_text="green field").locator("img")
    assert "/thumbnail/" in image.get_attribute("src")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0


def test_a_picked_asset_goes_into_flux_kontext_and_the_job_page_shows_it(
    page, log_in, krea_live, mia
):
    log_in(mia.email)
    page.goto("/assets/upload/")
    drop(page, [["lighthouse.png", "image/png", b64(picture(color=(30, 60, 200))), None]])
    expect(page.locator(".upload-row--done")).to_have_count(1, timeout=30_000)
    asset = Asset.objects.get()

    page.goto("/generate/?model=image/bfl/flux-1-kontext-dev")
    picker = page.locator('[data-picker][data-pick-for="id_image_url"]')
    picker.locator("summary").click()
    picker.get_by_role("searchbox").fill("lighthouse")
    picker.get_by_role("button", name="lighthouse.png").click()
    expect(page.locator("#id_image_url")).to_have_value(asset.krea_url)
    expect(page.locator('[data-picked-for="id_image_url"] img')).to_have_attribute(
        "alt", "lighthouse.png"
    )
    # A second image, uploaded from inside the picker of the style images, is picked at once.
    style = page.locator('[data-picker][data-pick-for="id_style_images-0-url"]')
    style.locator("summary").click()
    style.locator("input[type=file]").set_input_files(
        files=[
            {"name": "mood.png", "mimeType": "image/png", "buffer": picture(color=(200, 30, 60))}
        ]
    )
    expect(style.locator(".upload-row--done")).to_have_count(1, timeout=30_000)
    mood = Asset.objects.get(file_name="mood.png")
    expect(page.locator("#id_style_images-0-url")).to_have_value(mood.krea_url)

    page.get_by_label("Prompt").fill("the lighthouse at night")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    inputs = page.locator(".job-inputs img")
    expect(inputs).to_have_count(2)
    expect(page.get_by_role("img", name="Input: lighthouse.png")).to_be_visible()
    job = asset.jobs.get()
    assert job.params["image_url"] == asset.krea_url
    assert job.params["style_images"][0]["url"] == mood.krea_url
    page.goto(f"/assets/{asset.uuid}/")
    expect(page.get_by_role("link", name="Flux Kontext")).to_be_visible()


def test_use_as_input_puts_an_output_into_a_topaz_enhancer_that_completes(
    page, log_in, krea_live, mia
):
    log_in(mia.email)
    page.goto("/generate/?model=image/bfl/flux-1-dev")
    page.get_by_label("Prompt").fill("a lighthouse at dusk")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    page.get_by_role("link", name="Use as input").first.click()
    page.get_by_label("Model").select_option("enhance/topaz/standard-enhance")
    page.get_by_role("button", name="Open in Generate").click()
    expect(page).to_have_url(re.compile(r"/generate/\?model=enhance%2Ftopaz%2Fstandard-enhance&"))
    source = page.locator("#id_image_url").input_value()
    assert source.startswith(KREA_TEST_URL + "/files/")  # Krea's URL, never the portal's
    expect(page.locator("#id_width")).to_have_value("1024")
    page.locator("#id_model").select_option("Standard V2")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    expect(page.locator(".job-inputs img")).to_have_count(1)
    expect(page.locator(".job-card .outputs img").first).to_be_visible()


def test_a_recent_output_picked_beside_an_enhancers_field_goes_to_krea_and_completes(
    page, log_in, krea_live, mia
):
    log_in(mia.email)
    page.goto("/generate/?model=image/bfl/flux-1-dev")
    page.get_by_label("Prompt").fill("a harbour at dawn")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    expect(page.locator(".job-card .outputs img").first).to_be_visible(timeout=30_000)

    page.goto("/generate/?model=enhance/topaz/standard-enhance")
    picker = page.locator('[data-picker][data-pick-for="id_image_url"]')
    picker.locator("summary").click()
    picker.get_by_role("searchbox").fill("harbour")
    picker.get_by_role("link", name=re.compile(r"Output 1 of .*a harbour at dawn")).click()
    expect(page.locator("#id_image_url")).to_have_value(re.compile("^" + KREA_TEST_URL + "/files/"))
    expect(page.locator('[data-picked-for="id_image_url"] img')).to_have_count(1)
    page.locator("#id_width").fill("1024")
    page.locator("#id_height").fill("1024")
    page.locator("#id_model").select_option("Standard V2")
    submit_and_open_job(page)
    expect(page.locator(".job-card .job-card__state .badge")).to_have_text(
        "Completed", timeout=30_000
    )
    expect(page.locator(".job-inputs img")).to_have_count(1)
