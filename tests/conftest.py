"""Fixtures and markers shared by the whole suite.

By default the suite runs on SQLite with Celery tasks run eagerly. ``DATABASE_URL``
and ``CELERY_BROKER_URL`` switch it to PostgreSQL and Redis. Tests marked
``postgres``, ``redis`` or ``browser`` skip with a reason where those are missing,
unless ``STUDIO_REQUIRE_SERVICES=1`` (set by CI), where a missing service fails.
"""

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from studio.celery import app as celery_app

REQUIRE_SERVICES = os.environ.get("STUDIO_REQUIRE_SERVICES") == "1"
# Chromium's headless shell where it is installed: the full browser's headless mode spends
# about three times the CPU in its browser and GPU processes for the same pages, which on
# two cores made the browser tests a third slower.
CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or next(
    (
        path
        for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
        if os.path.exists(path)
    ),
    "/usr/bin/chromium-headless-shell",
)


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            return f"needs PostgreSQL (DATABASE_URL=postgres://...); the database is {engine}"
    if item.get_closest_marker("redis") and not settings.CELERY_BROKER_URL.startswith("redis"):
        return f"needs Redis (CELERY_BROKER_URL=redis://...); the broker is {settings.CELERY_BROKER_URL}"
    if item.get_closest_marker("browser"):
        if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
            return f"needs Chromium at {CHROMIUM} (apt-get install chromium-headless-shell)"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "needs the playwright package"
    return None


def pytest_configure(config) -> None:
    # Tests create hundreds of users: a deliberately slow hasher would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test client builds its own middleware, and WhiteNoise, serving from the
    # finders as in development, would list and stat every static file for each one
    # (about 0.1 s a client, minutes over the suite): look files up when asked instead.
    settings.WHITENOISE_AUTOREFRESH = True


@contextmanager
def _across_workers(name: str):
    """Hold a lock shared by every worker of the run (and every run on this machine);
    yields its file, which the holder may read and write."""
    with (Path(tempfile.gettempdir()) / f"krea-studio-{name}.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield lock
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """Each worker copies one migrated template instead of running every migration: the
    first worker of the run migrates it, under a file lock. The migrations still run once
    per run, from scratch, so a broken migration still fails the suite.

    On PostgreSQL, Django's test database creation copies ``TEST["TEMPLATE"]`` and then
    runs ``migrate``, which finds every migration applied. On SQLite each worker's
    database is a file copied from the template (see ``_sqlite_from_template``).
    """
    from django.db import connection

    workerinput = getattr(request.config, "workerinput", None)
    if connection.vendor == "sqlite":
        _sqlite_from_template(request, workerinput)
        return
    if connection.vendor == "postgresql":
        # A commit need not wait for the disk: a test database is thrown away anyway.
        options = connection.settings_dict.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    if workerinput is None or connection.vendor != "postgresql":
        return
    template = f"test_{connection.settings_dict['NAME']}_template"
    with _made_once_per_run(
        template, workerinput["testrunuid"], lambda: _migrate_template(template, request)
    ):
        pass
    connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = template


@contextmanager
def _made_once_per_run(name: str, run: str, make):
    """Call ``make`` unless a worker of this run already has, holding a lock shared by
    the workers until the ``with`` block ends."""
    with _across_workers(name) as lock:
        lock.seek(0)
        if lock.read().strip() != run:
            make()
            lock.seek(0)
            lock.truncate()
            lock.write(run)
            lock.flush()
        yield


def _sqlite_from_template(request, workerinput) -> None:
    """Give the worker a SQLite database in a file of its own, copied from a migrated one.

    In memory, the live server's threads would share the test's one connection: a page's
    poll and Krea's webhook answered at once interleave their savepoints on it ("no such
    savepoint") and break it for the worker's later tests. In a file each request has its
    own connection, as under ``make run``, and waits its turn to write (``IMMEDIATE``
    transactions, a 20 s busy timeout). The copy is kept (``django_db_keepdb``) and its
    folder removed when the worker ends.
    """
    from django.db import connection

    template = Path(tempfile.gettempdir()) / "krea-studio-test-template.sqlite3"
    run = workerinput["testrunuid"] if workerinput else f"single-{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix="krea-studio-test-"))
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    database = folder / "test.sqlite3"
    options = connection.settings_dict.setdefault("OPTIONS", {})
    # A crash of the machine loses a test database, never data: skip the disk syncs.
    options["init_command"] = f"{options.get('init_command', '')}PRAGMA synchronous=OFF;"
    with _made_once_per_run("sqlite-template", run, lambda: _migrate_sqlite(template, request)):
        shutil.copyfile(template, database)
    connection.settings_dict.setdefault("TEST", {})["NAME"] = str(database)


def _migrate_sqlite(template: Path, request) -> None:
    from django.core.management import call_command
    from django.db import connection

    template.unlink(missing_ok=True)
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(template)
    try:
        with request.getfixturevalue("django_db_blocker").unblock():
            call_command("migrate", verbosity=0, interactive=False)
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings) -> bool:
    """Keep SQLite's copied, migrated file rather than recreate it (its folder goes at
    the end); elsewhere as pytest-django decides (``--reuse-db``)."""
    from django.db import connection

    return connection.vendor == "sqlite" or bool(request.config.getvalue("reuse_db"))


def _migrate_template(template: str, request) -> None:
    from django.core.management import call_command
    from django.db import connection

    with request.getfixturevalue("django_db_blocker").unblock():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{template}"')
            cursor.execute(f'CREATE DATABASE "{template}"')
        name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = template
        try:
            call_command("migrate", verbosity=0, interactive=False)
        finally:
            # A template cannot be copied while anyone is connected to it.
            connection.close()
            connection.settings_dict["NAME"] = name


@pytest.fixture
def many_connections():
    """Run the test alone among the suite's workers: for tests that open some fifty
    database connections at once. Two of them side by side, beside the browser tests'
    live servers, would pass PostgreSQL's default limit of 100 connections, and every
    test then running would fail to connect."""
    with _across_workers("tests-many-connections"):
        yield


# Rows a flush keeps: written by ``migrate`` and its post-migrate signal, which the flush
# sends again and which would only write them back.
KEPT_BY_FLUSH = {"django_migrations", "django_content_type", "auth_permission"}


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """Empty the database after a transactional test with DELETE, not TRUNCATE.

    Django flushes with one ``TRUNCATE`` of every table, which on PostgreSQL makes new
    files for each of some forty tables and their indexes: about 1 s per browser or
    concurrency test. The test tables hold a few rows, which ``DELETE`` removes in
    about 0.2 s, foreign keys included (Django creates them deferred, and the flush runs
    in one transaction). Sequences are left as they are, as Django's flush leaves them.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:
            return original(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} "
            f"{style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
            if table not in KEPT_BY_FLUSH
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests and long scenarios first, the many short tests after them.

    ``make test`` hands tests to its workers one at a time in this order (``--dist load
    --maxschedchunk 1``): the long ones start together at the beginning, spread over the
    workers, and the short ones fill in around them, so no worker is left running a
    minute-long test while the others have finished.
    """
    items.sort(
        key=lambda item: not (item.get_closest_marker("browser") or item.get_closest_marker("slow"))
    )


def pytest_report_header(config) -> list[str]:
    db = settings.DATABASES["default"]
    return [
        f"krea-studio: database {db['ENGINE']} {db.get('HOST') or db.get('NAME')}",
        f"krea-studio: celery broker {settings.CELERY_BROKER_URL.split('@')[-1]}",
    ]


def pytest_runtest_setup(item) -> None:
    reason = _missing_service(item)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"STUDIO_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


# One Playwright (one event loop) per session, shared by every browser test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (its headless shell), driven by Playwright (tests using it are
    marked ``browser``)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for the whole
    # session; the ORM calls tests make beside it are synchronous and safe. But with a
    # loop running, Django keeps this thread's connections in another place: the ones
    # opened before would stay open, unseen, and the worker's test database could not
    # be dropped at the end (PostgreSQL waits 5 s for them, then refuses). So close
    # them on the way in, and the ones opened meanwhile on the way out. Browser tests
    # are transactional: no test's transaction is open here.
    connections.close_all()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        connections.close_all()
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters and webhook de-duplication live in the cache; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Files the tests store (outputs, thumbnails) never land in the project's var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in the test's own thread unless a test starts a real worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


# People and teams (issue 4). `team` has an owner, an admin and a member; `outsider`
# owns `other_team` and belongs to nothing else. Factories are in tests/factories.py.


@pytest.fixture
def team(db):
    from tests.factories import TeamFactory

    return TeamFactory(name="Acme Studio")


@pytest.fixture
def owner(team):
    from tests.factories import MembershipFactory

    return MembershipFactory(team=team, role="owner", user__name="Olivia Owner").user


@pytest.fixture
def admin(team):
    from tests.factories import MembershipFactory

    return MembershipFactory(team=team, role="admin", user__name="Adam Admin").user


@pytest.fixture
def member(team):
    from tests.factories import MembershipFactory

    return MembershipFactory(team=team, role="member", user__name="Mia Member").user


@pytest.fixture
def other_team(db):
    from tests.factories import TeamFactory

    return TeamFactory(name="Globex Pictures")


@pytest.fixture
def outsider(other_team):
    from tests.factories import MembershipFactory

    return MembershipFactory(team=other_team, role="owner", user__name="Oscar Outsider").user


# Krea (issue 3): the in-process simulator. Every Krea call of the portal goes through
# it (settings.KREA_TRANSPORT); its webhooks are delivered to the portal's own webhook
# view through Django's test client. The clock is manual: `krea.advance(seconds)`.
# Like Krea, it accepts only the tokens it knows: tests.factories.KREA_TOKEN (more with
# `krea.register_token(...)`), and reads every media input of a request: URLs on
# example domains (https://cdn.example.com/...) are images, others cannot be reached.
KREA_TEST_URL = "http://krea.test"


@pytest.fixture
def krea(settings):
    from django.test import Client

    from krea_integration.simulator import Clock
    from tests.factories import KREA_TOKEN
    from tests.krea_integration.conftest import make_simulator, public_images

    webhook_client = Client()

    def deliver(url: str, body: bytes, headers) -> int:
        from urllib.parse import urlsplit

        response = webhook_client.post(
            urlsplit(url).path, data=body, content_type="application/json"
        )
        return response.status_code

    sim = make_simulator(
        clock=Clock.manual(),
        job_seconds=None,
        tokens=(KREA_TOKEN,),
        fetcher=public_images,
        webhook_sender=deliver,
        public_base_url=KREA_TEST_URL,
    )
    settings.KREA_API_BASE_URL = KREA_TEST_URL
    settings.KREA_TRANSPORT = sim.transport()
    yield sim


@pytest.fixture
def team_with_token(team, owner, krea):
    """``team`` with the Krea token the simulator knows."""
    from tests.factories import give_krea_token

    return give_krea_token(team)
