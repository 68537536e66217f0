"""Pages are told about changes (live.js and the events endpoint), with the simulator on
a real clock (``krea_live``): a running job's badge moves on while it is watched, a job
made elsewhere (the API) appears on the open Jobs page, and a toast says a job of the
member's finished, whatever page is open. None of it reloads the page."""

import re
import time

import pytest
from playwright.sync_api import expect

from studio.api.services import api_key_create
from studio.generation import services
from studio.generation.models import Job
from tests.factories import FLUX

pytestmark = pytest.mark.django_db(transaction=True)

INTERMEDIATE = {"Queued at Krea", "Scheduled", "Processing", "Sampling", "Previews ready"}


def submit(membership, prompt: str) -> Job:
    return services.generation_submit(
        membership=membership, model_id=FLUX, params={"prompt": prompt}
    )


def mark_page(page) -> None:
    """A mark that a reload would wipe out."""
    page.evaluate("window.notReloaded = true")


def still_the_same_page(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def test_a_watched_jobs_badge_moves_through_krea_states_before_it_completes(
    page, log_in, krea_live, olivia
):
    krea_live.durations["image"] = 12.0  # refreshed every 3 s while watched: several looks
    log_in(olivia.user.email)
    job = submit(olivia, "a lighthouse at dusk")
    page.goto("/jobs/")
    mark_page(page)
    badge = page.locator(f"#job-row-{job.uuid} .job-row__state .badge").first
    seen: list[str] = []
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        text = (badge.text_content(timeout=5_000) or "").strip()
        if not seen or seen[-1] != text:
            seen.append(text)
        if text == "Completed":
            break
        time.sleep(0.2)
    assert seen[-1] == "Completed", seen
    assert len(INTERMEDIATE & set(seen)) >= 2, seen
    expect(page.locator(f"#job-row-{job.uuid} img")).to_be_visible()  # its thumbnail
    assert still_the_same_page(page)


def test_a_job_created_through_the_api_appears_on_the_open_jobs_page(
    page, log_in, krea_live, olivia
):
    key = api_key_create(membership=olivia, name="pipeline").key
    submit(olivia, "an older job")
    log_in(olivia.user.email)
    page.goto("/jobs/")
    expect(page.locator(".job-row")).to_have_count(1)
    mark_page(page)

    response = page.request.post(
        "/api/v1/jobs",
        headers={"Authorization": f"Bearer {key}"},
        data={"model": FLUX, "params": {"prompt": "made by a script"}},
    )
    assert response.status == 201, response.text()
    new = page.locator(f"#job-row-{response.json()['id']}")
    expect(new).to_contain_text("made by a script")
    expect(page.locator(".job-row").first).to_contain_text("made by a script")  # on top
    expect(page.locator(".job-row")).to_have_count(2)
    expect(new.locator(".badge").first).to_have_text("Completed", timeout=20_000)
    assert still_the_same_page(page)


def test_a_toast_on_the_gallery_says_a_job_of_the_member_finished(page, log_in, krea_live, olivia):
    log_in(olivia.user.email)
    page.goto("/gallery/")
    mark_page(page)
    submit(olivia, "a toast to the lighthouse")
    toast = page.locator("#toasts .toast")
    expect(toast).to_contain_text(re.compile(r"Flux.* completed\."), timeout=20_000)
    expect(toast.get_by_role("link", name="Open")).to_have_attribute(
        "href", re.compile(r"/jobs/[0-9a-f-]{36}/$")
    )
    assert still_the_same_page(page)
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)


def test_a_group_finishing_together_says_so_in_one_toast(page, log_in, krea_live, olivia):
    log_in(olivia.user.email)
    page.goto("/gallery/")
    services.generation_submit_group(
        membership=olivia, model_id=FLUX, params={"prompt": "four lighthouses"}, count=4
    )
    toast = page.locator("#toasts .toast")
    expect(toast).to_have_text(re.compile(r"Flux: 4 jobs completed\."), timeout=30_000)
    expect(toast).to_have_count(1)
    group = {f"/jobs/{job.uuid}/" for job in Job.objects.filter(batch__isnull=False)}
    assert toast.get_by_role("link", name="Open").get_attribute("href") in group
