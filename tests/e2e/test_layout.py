"""The page frame holds on every main page, on a laptop and on a phone, in both themes:
nothing wider than the screen, the header in one row on a laptop and behind a working
menu on a phone, and no serious or critical accessibility violation (axe-core).

Set ``SHOTS_DIR`` to also save a screenshot of every page, viewport and theme.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from studio.navigation import LINKED_PAGES, MAIN_NAVIGATION
from tests.e2e.polling import open_settled
from tests.e2e.test_content_security_policy import FLUX, studio  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS_DIR = os.environ.get("SHOTS_DIR", "")
AXE = Axe()


def main_pages(job) -> list[str]:
    return [
        *(reverse(name) for _, name in MAIN_NAVIGATION + LINKED_PAGES),
        f"/generate/?model={FLUX}",
        f"/jobs/{job.uuid}/",
        "/usage/team/",
        "/team/members/",
        "/team/token/",
        "/team/audit/",
        "/accounts/password/change/",
    ]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def look_at(page, path: str, *, label: str) -> list[str]:
    response = open_settled(page, path)
    assert response.status == 200, path
    problems = []
    if (extra := overflow(page)) > 0:
        problems.append(f"{path} at {label}: {extra}px wider than the screen")
    problems += [f"{path} at {label}: {v}" for v in serious_violations(page)]
    if SHOTS_DIR:
        name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "root"
        page.screenshot(path=str(Path(SHOTS_DIR) / f"{label}-{name[:80]}.png"), full_page=True)
    return problems


@pytest.fixture
def signed_in(browser, live_server, studio):  # noqa: F811
    """A logged-in owner's browser, one context per viewport and theme."""
    owner, job = studio
    contexts = []

    def open_as(viewport: dict, theme: str):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, color_scheme=theme
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(owner.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    yield open_as, job
    for context in contexts:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440x900", "390x844"])
def test_every_main_page_fits_the_screen_and_passes_the_accessibility_scan(
    signed_in, viewport, theme
):
    open_as, job = signed_in
    page = open_as(viewport, theme)
    label = f"{viewport['width']}x{viewport['height']}-{theme}"
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    problems = []
    for path in main_pages(job):
        problems += look_at(page, path, label=label)
    assert problems == []


def test_logged_out_pages_fit_a_phone_and_pass_the_scan(page):
    page.set_viewport_size(PHONE)
    problems = look_at(page, "/accounts/login/", label="390x844-light")
    problems += look_at(page, "/accounts/signup/", label="390x844-light")
    assert problems == []


def test_the_header_is_one_row_at_1280_and_a_menu_on_a_phone(signed_in):
    open_as, _ = signed_in
    page = open_as({"width": 1280, "height": 800}, "light")
    page.goto("/jobs/")
    links = page.locator(".nav a")
    tops = links.evaluate_all("links => links.map(a => Math.round(a.getBoundingClientRect().top))")
    assert len(tops) == len(MAIN_NAVIGATION) and len(set(tops)) == 1
    nav = page.get_by_role("navigation", name="Main")
    assert nav.evaluate("nav => nav.scrollWidth <= nav.clientWidth")  # no link overflows it
    team = page.locator(".team-switcher").bounding_box()
    last = links.last.bounding_box()
    assert last["x"] + last["width"] <= team["x"]
    header = page.locator("#topbar").bounding_box()
    assert header["height"] < 70
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()

    page.set_viewport_size(PHONE)
    menu = page.get_by_role("button", name="Menu")
    gallery = page.get_by_role("navigation", name="Main").get_by_role("link", name="Gallery")
    expect(gallery).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    if SHOTS_DIR:
        page.screenshot(path=str(Path(SHOTS_DIR) / "390x844-light-menu-open.png"))
    gallery.click()
    expect(page).to_have_url(re.compile(r"/gallery/$"))
    assert overflow(page) == 0


def test_the_theme_toggle_remembers_the_choice(signed_in):
    open_as, _ = signed_in
    page = open_as(LAPTOP, "light")
    page.goto("/jobs/")
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.goto("/gallery/")  # another page: still dark, before any script but theme.js ran
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "true")
