"""The page frame holds on every main page, on a laptop and on a phone, in both themes:
nothing wider than the screen, the header in one row on a laptop and behind a working
menu on a phone, no serious or critical accessibility violation (axe-core), and nothing
refused by the Content-Security-Policy.

Each page is opened once per screen: scanned in the light theme, then switched to the
dark one in place, as the theme toggle does, and its colours scanned again (the rest of
a page does not change with the theme).

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
from tests.e2e.test_content_security_policy import (  # noqa: F401  (studio: a fixture)
    policy_violations,
    studio,
    visit,
)
from tests.e2e.workspace import sign_in_by_cookie

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS_DIR = os.environ.get("SHOTS_DIR", "")
AXE = Axe()
# Only the violations come back: the passes, as long again, were sent over for nothing.
ALL_RULES = {"resultTypes": ["violations"]}
# The rules that read colours: what a theme changes.
COLOUR_RULES = {
    **ALL_RULES,
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
}


def main_pages(job) -> list[str]:
    return [
        # Generate among them, on Flux: the studio's owner last used it.
        *(reverse(name) for _, name in MAIN_NAVIGATION + LINKED_PAGES),
        f"/jobs/{job.uuid}/",
        "/usage/team/",
        "/usage/team/quotas/",
        "/team/members/",
        "/team/token/",
        "/team/settings/",
        "/team/audit/",
        "/teams/",
        "/accounts/password/change/",
    ]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def serious_violations(page, options: dict = ALL_RULES) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.axe_script)
    results = page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def switch_theme(page, theme: str) -> None:
    page.emulate_media(color_scheme=theme)
    page.evaluate("theme => { document.documentElement.dataset.theme = theme; }", theme)


def screenshot(page, path: str, label: str) -> None:
    if SHOTS_DIR:
        name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "root"
        page.screenshot(path=str(Path(SHOTS_DIR) / f"{label}-{name[:80]}.png"), full_page=True)


def look_at(page, path: str, *, screen: str) -> list[str]:
    """Open ``path`` and list what is wrong with it, in the light theme and then the dark."""
    visit(page, path)
    problems = []
    if (extra := overflow(page)) > 0:
        problems.append(f"{path} at {screen}: {extra}px wider than the screen")
    problems += [f"{path} at {screen}-light: {v}" for v in serious_violations(page)]
    screenshot(page, path, f"{screen}-light")
    switch_theme(page, "dark")
    problems += [f"{path} at {screen}-dark: {v}" for v in serious_violations(page, COLOUR_RULES)]
    screenshot(page, path, f"{screen}-dark")
    switch_theme(page, "light")
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
        sign_in_by_cookie(context, live_server.url, owner.email)
        return context.new_page()

    yield open_as, job
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440x900", "390x844"])
def test_every_main_page_fits_the_screen_passes_the_scans_and_keeps_the_policy(signed_in, viewport):
    open_as, job = signed_in
    page = open_as(viewport, "light")
    refused = policy_violations(page)
    screen = f"{viewport['width']}x{viewport['height']}"
    problems = []
    for path in main_pages(job):
        problems += look_at(page, path, screen=screen)
    assert problems == []
    assert refused == []


def test_a_system_set_to_dark_opens_the_pages_dark(signed_in):
    open_as, _ = signed_in
    page = open_as(LAPTOP, "dark")
    page.goto("/jobs/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.emulate_media(color_scheme="light")
    page.goto("/gallery/")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


def test_logged_out_pages_fit_a_phone_and_pass_the_scans(page):
    page.set_viewport_size(PHONE)
    refused = policy_violations(page)
    problems = look_at(page, "/accounts/login/", screen="390x844")
    problems += look_at(page, "/accounts/signup/", screen="390x844")
    assert problems == []
    assert refused == []


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
