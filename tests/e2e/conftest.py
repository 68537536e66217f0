"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browser here, so it launches the system Chromium
(``CHROMIUM_EXECUTABLE``, default ``/usr/bin/chromium``). Every test in this folder
is marked ``browser`` and skips with a reason where Chromium is missing.
"""

import threading
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.workspace import sign_in_by_cookie

# The suite runs every worker at once: under that load a page that answers in 200 ms
# alone can take seconds, so assertions wait as long as actions do (Playwright's
# default for ``expect`` is 5 s, for actions the 15 s set below).
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _live_server_quiet_before_the_flush():
    """Wait, after a browser test, for the live server's requests still in flight.

    Set up before the test's other fixtures, so torn down after them (the browser
    closed, the simulator stopped) and before the database is emptied: a webhook or a
    poll still being answered held row locks that the flush deadlocked on (or, since it
    deletes rather than truncates, waited for).
    """
    yield
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page, live_server):
    """Sign a member in, as the login form would, without opening it.

    The session is made on the server and its cookie handed to the browser: the two page
    loads of the form (and the dashboard it lands on) cost every browser test a second of
    CPU on a loaded machine. The form itself is tested with ``log_in_by_form``.
    """

    def _log_in(email: str) -> None:
        sign_in_by_cookie(page.context, live_server.url, email)

    return _log_in


@pytest.fixture
def log_in_by_form(page):
    """Log in through the real login page, as a person would."""

    def _log_in(email: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    return _log_in


@pytest.fixture
def krea_live(settings, live_server):
    """The simulator on a real clock (image jobs take 2 s), for pages served by live_server.

    A ticker thread moves jobs on and sends Krea's webhooks over HTTP to the live
    server, exactly as Krea would; the portal reaches the simulator in-process.
    """
    import threading

    from krea_integration.simulator import Clock
    from tests.conftest import KREA_TEST_URL
    from tests.factories import KREA_TOKEN
    from tests.krea_integration.conftest import make_simulator

    sim = make_simulator(
        clock=Clock.real(),
        job_seconds={"image": 2, "enhance": 2, "video": 3},
        tokens=(KREA_TOKEN,),
        public_base_url=KREA_TEST_URL,
    )
    settings.KREA_API_BASE_URL = KREA_TEST_URL
    settings.KREA_TRANSPORT = sim.transport()
    settings.PUBLIC_BASE_URL = live_server.url
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.2):
            sim.tick()

    ticker = threading.Thread(target=tick, name="krea-simulator-ticker", daemon=True)
    ticker.start()
    yield sim
    stop.set()
    ticker.join(timeout=5)


@pytest.fixture
def olivia(db):
    """An owner of a team with a Krea token: the live-update tests' member."""
    from tests.factories import MembershipFactory, TeamFactory, give_krea_token

    team = give_krea_token(TeamFactory(name="Acme Studio"))
    return MembershipFactory(team=team, role="owner", user__email="olivia@example.com")
