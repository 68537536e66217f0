"""The generate workspace in the browser, with the simulator on a real clock (``krea_live``):
runs appear as live cards beside the form without leaving the page."""

import pytest
from playwright.sync_api import expect

from studio.generation.models import Job
from tests.e2e.polling import wait_until
from tests.factories import FLUX, MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mia(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    return MembershipFactory(team=team, role="member", user__email="mia@example.com").user


@pytest.fixture
def workspace(page, log_in, mia):
    log_in(mia.email)
    return page


def test_generate_four_with_flux_fills_four_cards_on_the_same_page_with_four_seeds(
    workspace, krea_live
):
    page = workspace
    page.goto(f"/generate/?model={FLUX}")
    page.evaluate("window.__samePage = true")
    page.get_by_label("Prompt").fill("a lighthouse at dusk")
    page.get_by_role("radio", name="\N{MULTIPLICATION SIGN}4").check()
    expect(page.locator("#estimate")).to_contain_text("3 CU \N{MULTIPLICATION SIGN} 4 = 12 CU")
    page.locator("#generate-submit").click()

    tiles = page.locator("#results .job-group").first.locator(".job-tile")
    expect(tiles).to_have_count(4)
    for index in range(4):
        expect(tiles.nth(index).locator(".badge")).to_have_text("Completed", timeout=40_000)
        expect(tiles.nth(index).locator(".job-tile__media img")).to_be_visible(timeout=20_000)
    wait_until(
        page,
        "[...document.querySelectorAll('#results .job-group:first-child .job-tile__media img')]"
        ".every(img => img.naturalWidth > 0)",
    )
    seeds = [tiles.nth(i).get_attribute("data-seed") for i in range(4)]
    assert len(set(seeds)) == 4 and all(seed.isdigit() for seed in seeds)
    assert page.evaluate("window.__samePage") is True  # no navigation, no reload
    expect(page.get_by_label("Prompt")).to_have_value("a lighthouse at dusk")
    jobs = Job.objects.all()
    assert sorted(str(job.seed) for job in jobs) == sorted(seeds)
    assert len({job.batch for job in jobs}) == 1


def test_switching_model_keeps_the_prompt_and_the_shared_values(workspace):
    page = workspace
    page.goto(f"/generate/?model={FLUX}")
    page.get_by_label("Prompt").fill("a red bicycle in the rain")
    page.locator("#id_width").fill("1344")
    page.locator(".model-switcher summary").click()
    page.locator('a.model-item[data-model-id="image/bfl/flux-1.1-pro"]').click()
    expect(page.locator(".model-switcher__current")).to_contain_text("Flux 1.1 Pro")
    expect(page.get_by_label("Prompt")).to_have_value("a red bicycle in the rain")
    expect(page.locator("#id_width")).to_have_value("1344")


def test_a_missing_aspect_ratio_focuses_that_field_with_its_error_visible(workspace):
    page = workspace
    page.goto("/generate/?model=image/z-image/z-image")
    page.locator("#id_prompt").fill("a quiet harbour")
    page.locator("#generate-submit").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_contain_text(["Choose an aspect ratio."])
    field = page.locator("#id_aspect_ratio_0")  # the first of the aspect chips
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(page.locator("#id_aspect_ratio_error")).to_be_visible()
    assert not Job.objects.exists()


def test_ctrl_enter_in_the_prompt_submits(workspace, krea_live):
    page = workspace
    page.goto(f"/generate/?model={FLUX}")
    prompt = page.get_by_label("Prompt")
    prompt.fill("a fox in the snow")
    prompt.press("Control+Enter")
    expect(page.locator("#results .job-tile")).to_have_count(1)
    expect(page.locator("#results .job-group__prompt")).to_have_text("a fox in the snow")
    expect(prompt).to_be_focused()  # ready for the next run


def test_a_run_above_the_members_threshold_asks_for_a_confirmation(workspace, krea_live):
    page = workspace
    page.goto("/generate/?model=video/google/veo-3.1")
    page.get_by_label("Prompt").fill("a whale breaching at dawn")
    expect(page.locator("#estimate")).to_contain_text("you will be asked to confirm")
    page.locator("#generate-submit").click()
    confirm = page.locator("#confirm-run")
    expect(confirm).to_contain_text("1,833 CU")
    expect(page.locator("#results .job-tile")).to_have_count(0)
    assert not Job.objects.exists()
    confirm.get_by_role("button", name="Yes, generate for 1,833 CU").click()
    expect(page.locator("#results .job-tile")).to_have_count(1)
    expect(page.locator("#confirm-run")).to_have_count(0)

    # Run again from the job's page asks the same way, with the estimate on the button.
    page.locator("#results .job-tile__details").click()
    page.get_by_role("button", name="Run again · 1,833 CU").click()
    page.get_by_role("button", name="Yes, run again for 1,833 CU").click()
    expect(page.locator(".job-card")).to_be_visible()
    assert Job.objects.count() == 2
