"""Fixtures and markers shared by the whole suite.

By default the suite runs on SQLite with Celery tasks run eagerly. ``DATABASE_URL``
and ``CELERY_BROKER_URL`` switch it to PostgreSQL and Redis. Tests marked
``postgres``, ``redis`` or ``browser`` skip with a reason where those are missing,
unless ``STUDIO_REQUIRE_SERVICES=1`` (set by CI), where a missing service fails.
"""

import os
import shutil

import pytest
from django.conf import settings

from studio.celery import app as celery_app

REQUIRE_SERVICES = os.environ.get("STUDIO_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE", "/usr/bin/chromium")


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            return f"needs PostgreSQL (DATABASE_URL=postgres://...); the database is {engine}"
    if item.get_closest_marker("redis") and not settings.CELERY_BROKER_URL.startswith("redis"):
        return f"needs Redis (CELERY_BROKER_URL=redis://...); the broker is {settings.CELERY_BROKER_URL}"
    if item.get_closest_marker("browser"):
        if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
            return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "needs the playwright package"
    return None


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
