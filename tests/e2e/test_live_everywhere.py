"""Live on more pages, with the simulator on a real clock (``krea_live``): a job finishing
while the gallery is open puts its tile at the top of the wall, where the lightbox opens
it; and a member who allowed notifications gets one when their job finishes while the
tab is in the background. None of it reloads the page."""

import re
import time

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from studio.generation import services
from studio.generation.models import Job, Output
from tests.e2e.polling import open_in_lightbox, wait_until
from tests.factories import FLUX

pytestmark = pytest.mark.django_db(transaction=True)


def files_in(job, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Output.objects.filter(job=job).exists():
                return
        except OperationalError:  # SQLite's shared test database, busy with the live server
            pass
        time.sleep(0.2)
    raise AssertionError(f"the files of {job.prompt!r} never came in")


def submit(membership, prompt: str, **params) -> Job:
    return services.generation_submit(
        membership=membership, model_id=FLUX, params={"prompt": prompt, **params}
    )


def test_a_finished_job_appears_at_the_top_of_the_open_gallery(page, log_in, krea_live, olivia):
    older = submit(olivia, "an older harbour", width=1024, height=576)
    files_in(older)
    log_in(olivia.user.email)
    page.goto("/gallery/")
    expect(page.locator("#gallery-list .tile")).to_have_count(1)
    page.evaluate("window.notReloaded = true")

    new = submit(olivia, "a tall lighthouse", width=576, height=1024)
    first = page.locator("#gallery-list .tile").first
    expect(page.locator("#gallery-list .tile")).to_have_count(2, timeout=30_000)
    expect(first.locator("figcaption")).to_contain_text("a tall lighthouse")
    expect(first.locator("a.tile__media")).to_have_attribute(
        "href", re.compile(rf"/jobs/{new.uuid}/outputs/0/")
    )
    wait_until(page, "document.querySelector('#gallery-list .tile img').naturalWidth > 0")
    # In the masonry wall, at its top, keeping its portrait shape.
    wall = page.locator("#gallery-list").bounding_box()
    box = first.locator("img").bounding_box()
    assert abs(box["y"] - wall["y"]) < 40, (box, wall)
    assert box["height"] > box["width"]

    open_in_lightbox(page, first.locator("a.tile__media"))  # opens like the others
    expect(page.locator(".pswp[data-ready]")).to_be_visible()
    expect(page.locator(".pswp__counter")).to_have_text("1 / 2")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".pswp__counter")).to_have_text("2 / 2")
    page.keyboard.press("Escape")
    expect(page.locator(".pswp")).to_have_count(0)
    assert page.evaluate("window.notReloaded === true")


# Every notification the page makes is recorded before the browser shows it, and the test
# can send the tab to the background (notifications are for when the member is elsewhere).
# The member has allowed notifications: Chromium's headless shell, which the suite drives,
# has no permission prompt and answers "denied" whatever the context grants, so the
# permission is the browser's answer the page reads, not something under test.
NOTIFICATIONS_RECORDED = """
Object.defineProperty(document, "hidden", { get: () => window.__background === true });
Object.defineProperty(document, "visibilityState", {
  get: () => (window.__background === true ? "hidden" : "visible"),
});
window.__notifications = [];
const Shown = window.Notification;
function Recorded(title, options) {
  window.__notifications.push({ title: title, body: (options || {}).body, tag: (options || {}).tag });
  return new Shown(title, options);
}
Object.defineProperty(Recorded, "permission", { get: () => "granted" });
Recorded.requestPermission = Shown.requestPermission.bind(Shown);
window.Notification = Recorded;
"""


def test_a_notification_says_the_members_job_finished_when_they_allowed_it(
    page, log_in, krea_live, olivia
):
    krea_live.durations["image"] = 6.0  # as in the demo: time to switch to another tab
    page.context.add_init_script(NOTIFICATIONS_RECORDED)
    log_in(olivia.user.email)
    page.goto("/")
    expect(page.locator("body[data-live-url]")).to_have_count(1)  # a page of the team
    job = submit(olivia, "a lighthouse for the night shift")
    # The page has seen the member's job running; then the member goes to another tab.
    wait_until(page, f"(sessionStorage.getItem('studio-live-mine') || '').includes('{job.uuid}')")
    page.evaluate(
        "window.__background = true; document.dispatchEvent(new Event('visibilitychange'))"
    )
    notes = wait_until(page, "window.__notifications.length && window.__notifications", timeout=40)
    assert len(notes) == 1
    assert re.fullmatch(r"Flux.* completed", notes[0]["title"])  # the model, how it ended
    assert notes[0]["body"] == "a lighthouse for the night shift"
    assert notes[0]["tag"] == str(job.uuid)  # several tabs show it once


def test_a_job_that_starts_and_ends_between_two_looks_of_a_background_tab_is_notified(
    page, log_in, krea_live, olivia
):
    page.context.add_init_script(NOTIFICATIONS_RECORDED)
    log_in(olivia.user.email)
    page.goto("/")
    expect(page.locator("body[data-live-url]")).to_have_count(1)
    page.evaluate(
        "window.__background = true; document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(300)  # the background tab's first look: it now asks every 5 s
    job = submit(olivia, "a quick one")  # 2 s: done before the tab looks again
    notes = wait_until(page, "window.__notifications.length && window.__notifications", timeout=40)
    assert [note["tag"] for note in notes] == [str(job.uuid)]
