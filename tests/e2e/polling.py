"""Waiting for a condition in the page despite the Content-Security-Policy.

Playwright's ``wait_for_function`` polls with ``new Function`` inside the page, which the
portal's CSP (no ``unsafe-eval``) refuses whenever the first check is false. Each
``page.evaluate`` goes through the DevTools protocol instead, which the CSP does not
govern, so polling from the test side works under the real policy.
"""

import time

from playwright.sync_api import expect


def wait_until(page, expression: str, *, timeout: float = 15.0, interval: float = 0.1):
    """Evaluate ``expression`` until it is truthy; its value, or an AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(interval)


def open_settled(page, path: str, *, quiet: float = 0.1, timeout: float = 15.0):
    """Open ``path`` and wait until no request has been in flight for ``quiet`` seconds.

    Playwright's ``networkidle`` waits for 500 ms without a request, which on a walk of
    twenty pages is most of the walk; the pages' scripts (htmx, the lightbox's module,
    the live poll) are done after far less, so wait for quiet as long as it takes but
    not longer. The page's answer, as ``page.goto`` gives it.
    """
    in_flight = set()
    listeners = {
        "request": lambda request: in_flight.add(request),
        "requestfinished": lambda request: in_flight.discard(request),
        "requestfailed": lambda request: in_flight.discard(request),
    }
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        response = page.goto(path)
        deadline = time.monotonic() + timeout
        last_busy = time.monotonic()
        while time.monotonic() - last_busy < quiet:
            page.wait_for_timeout(20)  # Playwright delivers the request events meanwhile
            if in_flight:
                last_busy = time.monotonic()
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: requests still in flight after {timeout} s")
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
    return response


def open_in_lightbox(page, link) -> None:
    """Click the output ``link`` once the page's lightbox listens for it.

    The lightbox's modules load after the page; a click before they have opens the
    file's own page, as without JavaScript, which under the suite's load happened often
    enough to fail tests that meant to open the lightbox.
    """
    expect(page.locator("#main[data-lightbox-ready]")).to_have_count(1)
    link.click()
