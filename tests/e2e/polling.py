"""Waiting for a condition in the page despite the Content-Security-Policy.

Playwright's ``wait_for_function`` polls with ``new Function`` inside the page, which the
portal's CSP (no ``unsafe-eval``) refuses whenever the first check is false. Each
``page.evaluate`` goes through the DevTools protocol instead, which the CSP does not
govern, so polling from the test side works under the real policy.
"""

import time


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
