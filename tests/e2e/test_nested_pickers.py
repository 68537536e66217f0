"""The picker beside files nested in rows (Kling o1's elements, each with one to three images),
and on a phone an open picker is not covered by the estimate bar."""

import pytest
from playwright.sync_api import expect

from tests.factories import AssetFactory

from .test_assets import mia  # noqa: F401  (a member of a team with a token)

pytestmark = pytest.mark.django_db(transaction=True)

KLING = "/generate/?model=video/kling/kling-o1"


def test_picks_go_into_the_element_row_last_clicked_in(page, log_in, mia):  # noqa: F811
    team = mia.memberships.get().team
    hero = AssetFactory(team=team, uploaded_by=mia, file_name="hero.png")
    villain = AssetFactory(team=team, uploaded_by=mia, file_name="villain.png")
    log_in(mia.email)
    page.goto(KLING)
    picker = page.locator('[data-picker][data-pick-for="id_element_references-0-images"]')
    picker.locator("summary").click()
    picker.get_by_role("button", name="hero.png").click()
    first = page.locator("#id_element_references-0-images")
    second = page.locator("#id_element_references-1-images")
    expect(first).to_have_value(hero.krea_url)

    second.click()
    expect(picker.locator(".asset-picker__row")).to_have_text("Picks go to row 2.")
    picker.get_by_role("button", name="villain.png").click()
    picker.get_by_role("button", name="hero.png").click()
    expect(second).to_have_value(f"{villain.krea_url}\n{hero.krea_url}")
    expect(first).to_have_value(hero.krea_url)

    # Removing a picked thumbnail takes it out of its row.
    page.get_by_role("button", name="Remove villain.png").click()
    expect(second).to_have_value(hero.krea_url)


def test_on_a_phone_the_estimate_bar_does_not_cover_an_open_picker(page, log_in, mia):  # noqa: F811
    AssetFactory(team=mia.memberships.get().team, uploaded_by=mia, file_name="hero.png")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(mia.email)
    page.goto(KLING)
    bar = page.locator(".generate__submit")
    assert bar.evaluate("e => getComputedStyle(e).position") == "sticky"
    picker = page.locator('[data-picker][data-pick-for="id_end_image"]')
    picker.locator("summary").click()
    upload = picker.locator("[data-upload-zone]")
    upload.scroll_into_view_if_needed()
    assert bar.evaluate("e => getComputedStyle(e).position") == "static"
    zone, panel = upload.bounding_box(), bar.bounding_box()
    overlap = zone["y"] < panel["y"] + panel["height"] and panel["y"] < zone["y"] + zone["height"]
    assert not overlap
