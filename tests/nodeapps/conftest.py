"""Node apps against the simulator: the product-shot sample, run on Krea's manual clock."""

import pytest
from django.utils import timezone

from krea_integration.simulator.nodeapps import NODE_APPS
from studio.generation.models import IN_FLIGHT, Job
from studio.generation.services import jobs_poll_due
from studio.nodeapps import services
from tests.generation.conftest import portal_clock, portal_lag, run_for  # noqa: F401 (fixtures)

PRODUCT_SHOT = next(app for app in NODE_APPS if app.slug == "product-shot").version_id


@pytest.fixture
def add_app(team_with_token, owner):
    def _add(version_id: str = PRODUCT_SHOT):
        return services.node_app_add(
            membership=owner.memberships.get(team=team_with_token), version_id=version_id
        )

    return _add


@pytest.fixture
def run_app(add_app, member, team_with_token, django_capture_on_commit_callbacks):
    """Run the product-shot app as ``member`` and run what the commit enqueues (the send)."""

    def _run(inputs=None, *, app=None):
        app = app or add_app()
        membership = member.memberships.get(team=team_with_token)
        with django_capture_on_commit_callbacks(execute=True):
            return services.node_app_run(
                membership=membership,
                app=app,
                inputs=inputs or {"prompt": "a perfume bottle", "variations": 3},
            )

    return _run


@pytest.fixture
def advance(krea, django_capture_on_commit_callbacks):
    """Move Krea's clock, then poll the jobs (execute takes no webhook URL)."""

    def _advance(seconds: float):
        with django_capture_on_commit_callbacks(execute=True):
            krea.advance(seconds)
            Job.objects.filter(status__in=IN_FLIGHT).update(next_poll_at=timezone.now())
            jobs_poll_due()

    return _advance
