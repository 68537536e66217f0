"""Helpers of the browser tests: signing in, and generating (the workspace keeps the member
on the page)."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD

JOB_URL = re.compile(r"/jobs/[0-9a-f-]{36}/$")


def sign_in(page, log_in, membership) -> None:
    """Log in through the login page and make sure it went through."""
    log_in(membership.user.email, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def submit_and_open_job(page, *, confirm: bool = False) -> None:
    """Press Generate, wait for the run's card at the top of the results, open its job page.

    ``confirm``: the run is above the member's threshold (100 CU unless set): say yes.
    """
    tiles = page.locator("#results .job-tile")
    before = tiles.count()
    page.locator("#generate-submit").click()
    if confirm:
        page.locator("#confirm-submit").click()
    expect(tiles).to_have_count(before + 1, timeout=15_000)  # a loaded machine
    # Followed by its address: the live updates may swap the tile while a click lands.
    page.goto(tiles.first.locator(".job-tile__details").get_attribute("href"))
    expect(page).to_have_url(JOB_URL)
