"""Helpers of the browser tests: signing in, and generating (the workspace keeps the member
on the page)."""

import re

from playwright.sync_api import expect

JOB_URL = re.compile(r"/jobs/[0-9a-f-]{36}/$")


def sign_in_by_cookie(context, base_url: str, email: str) -> None:
    """Give a browser context the session cookie of the member with ``email``.

    The session is the one Django's login makes (``force_login`` runs the same login
    signals); replacing the cookie switches a page to another member.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )


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
