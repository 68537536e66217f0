"""Styles in the browser: train from two uploaded assets, watch the card complete, share the
style, make it public, generate with it at strength 0.8 (simulator on a real clock)."""

import re

import pytest
from playwright.sync_api import expect

from tests.assets.conftest import picture
from tests.e2e.workspace import submit_and_open_job
from tests.factories import MembershipFactory, TeamFactory, give_krea_token

from .test_assets import b64, drop

pytestmark = pytest.mark.django_db(transaction=True)

JOB_URL = re.compile(r"/jobs/[0-9a-f-]{36}/$")
STYLE_URL = re.compile(r"/styles/[0-9a-f-]{36}/$")


@pytest.fixture
def people(db):
    team = give_krea_token(TeamFactory(name="Acme Studio"))
    mia = MembershipFactory(team=team, role="member", user__email="mia@example.com").user
    max_ = MembershipFactory(team=team, role="member", user__email="max@example.com").user
    return mia, max_


def test_a_member_trains_a_style_shares_it_and_generates_with_it(
    page, log_in, krea_live, people, live_server
):
    mia, max_ = people
    krea_live.durations["training"] = 3.0
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(mia.email)

    page.goto("/assets/upload/")
    drop(page, [["ink-1.png", "image/png", b64(picture("PNG", size=(640, 480))), None]])
    expect(page.locator(".upload-row--done")).to_have_count(1, timeout=30_000)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Styles").click()
    page.get_by_role("link", name="Train the first style").click()
    expect(page.locator("#training-images")).to_contain_text("10 to 30 images")  # the advice
    page.get_by_label("Name").fill("Ink wash")
    page.get_by_label("Trigger word").fill("inkwash")
    page.get_by_label("Max train steps").fill("100")
    expect(page.locator("#estimate")).to_contain_text("Estimate: 300 CU")
    page.get_by_label("ink-1.png").check()
    # The second image is uploaded right on the train page, and picked when it is up.
    drop(
        page,
        [["ink-2.png", "image/png", b64(picture("PNG", size=(480, 640))), None]],
        "#training-images [data-upload-zone]",
    )
    expect(page.locator("#training-image-list").get_by_label("ink-2.png")).to_be_checked(
        timeout=30_000
    )
    page.locator("#train-submit").click()
    expect(page).to_have_url(JOB_URL)
    state = page.locator(".job-card .job-card__state .badge")
    expect(state).to_have_text("Completed", timeout=30_000)
    expect(page.locator("#trained-style")).to_contain_text("Ink wash", timeout=15_000)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Styles").click()
    card = page.locator(".style-card", has_text="Ink wash")
    expect(card).to_be_visible()
    card.get_by_role("link", name="Ink wash").click()
    expect(page).to_have_url(STYLE_URL)
    style_url = page.url

    page.get_by_role("button", name="Get a share link").click()
    link = page.locator("#share-link")
    expect(link).to_have_value(re.compile(r"^http://krea\.test/share/styles/\w+$"))
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()

    page.get_by_role("button", name="Make public").click()
    expect(page.locator("#sharing-state")).to_contain_text("Public")

    page.get_by_role("link", name="Generate with this style").click()
    expect(page.get_by_label("Prompt")).to_have_value("inkwash")
    page.get_by_label("Prompt").fill("inkwash lighthouse at dusk")
    picker = page.locator("[data-styles-picker]")
    expect(picker.locator("[data-style-row]")).to_have_count(1)
    expect(picker.locator("[data-style-row]")).to_contain_text("Ink wash")
    # A second, public style added from the picker's search, then removed again.
    picker.get_by_text("Add a style").click()
    picker.get_by_role("searchbox").fill("neon")
    picker.get_by_role("button", name=re.compile("Neon Noir")).click()
    expect(picker.locator("[data-style-row]")).to_have_count(2)
    picker.get_by_role("button", name="Remove Neon Noir").click()
    expect(picker.locator("[data-style-row]")).to_have_count(1)
    picker.get_by_label("Strength of Ink wash").fill("0.8")
    expect(picker.locator("output").first).to_have_text("0.8")
    submit_and_open_job(page)
    expect(page.locator("#job-styles")).to_contain_text("Ink wash at strength 0.8")
    [post] = [r for r in krea_live.requests if r.path.startswith("/generate/")]
    style_id = post.body["styles"][0]["id"]
    assert post.body["styles"] == [{"id": style_id, "strength": 0.8}]

    # A colleague sees the style and its state, but cannot change its sharing.
    page.context.clear_cookies()
    log_in(max_.email)
    page.goto(style_url)
    expect(page.locator("#sharing-state")).to_contain_text("Public")
    expect(page.get_by_role("button", name="Make private")).to_have_count(0)
    expect(page.get_by_text("Only the member who trained this style")).to_be_visible()
