"""Fixtures of the generation page tests: jobs and output files of ``team`` and ``other_team``.

``team`` has an owner, an admin and a member (tests/conftest.py); ``outsider``
owns ``other_team``. Jobs and outputs are made with ``tests.factories`` (the
pipeline has its own tests).
"""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest

from studio.generation.models import Job, JobStatus
from tests.factories import FLUX, JobFactory, OutputFactory

VEO = "video/google/veo-3.1"


@pytest.fixture
def completed_job(team, member):
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.COMPLETED,
        charged_cu=Decimal(3),
        krea_job_id="krea-123",
    )
    OutputFactory(job=job)
    return job


# The pipeline against the simulator (tests/conftest.py's ``krea``, a manual clock).


@pytest.fixture
def public_url(settings):
    """Krea calls back: the portal has a public address."""
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


@pytest.fixture
def submit(team_with_token, member, django_capture_on_commit_callbacks):
    """Submit as ``member`` (or ``by``) and run what the commit enqueues (eager Celery)."""
    from studio.generation import services

    def _submit(model_id=FLUX, params=None, *, by=None):
        user = by or member
        membership = user.memberships.get(team=team_with_token)
        with django_capture_on_commit_callbacks(execute=True):
            job = services.generation_submit(
                membership=membership,
                model_id=model_id,
                params=params if params is not None else {"prompt": "a lighthouse at dusk"},
            )
        job.refresh_from_db()
        return job

    return _submit


# The portal's clock runs this far behind Krea's, so that matching by time has to
# use Krea's clock rather than the portal's.
PORTAL_LAG = timedelta(seconds=7)


@pytest.fixture
def portal_lag():
    """How far the portal's clock runs behind Krea's (a test may parametrize it)."""
    return PORTAL_LAG


@pytest.fixture
def portal_clock(krea, portal_lag):
    """The portal's clock follows the simulator's manual clock, ``portal_lag`` behind."""

    def now():
        return krea.clock.now() - portal_lag

    # A field caches its default's callable (``_get_default``): replace that for the test.
    created_at = Job._meta.get_field("created_at")
    with (
        mock.patch("django.utils.timezone.now", now),
        mock.patch.object(created_at, "_get_default", now),
    ):
        yield now


@pytest.fixture
def run_for(krea, portal_clock, django_capture_on_commit_callbacks):
    """Let time pass on both clocks in steps, running what beat runs at each step.

    A dispatch enqueued for later (a job waiting out a backoff) would run at once
    under eager Celery, on a clock that has not moved: it runs at the next step.
    """
    from krea_integration.client import KreaClient
    from studio.generation import reconcile, services, tasks
    from studio.teams.models import Team

    enqueue_dispatch = tasks.enqueue_dispatch

    def dispatch_now_only(team_id, *, countdown=None):
        if not countdown:
            enqueue_dispatch(team_id)

    def _run(seconds: float, *, step: float = 10):
        for _ in range(round(seconds / step)):
            with django_capture_on_commit_callbacks(execute=True):
                krea.advance(step)
                services.jobs_poll_due()
                reconcile.sends_reconcile()
                for team_id in Team.objects.values_list("pk", flat=True):
                    services.team_dispatch(team_id=team_id)

    with (
        mock.patch.object(tasks, "enqueue_dispatch", dispatch_now_only),
        # Retries of a failing GET would sleep in real time.
        mock.patch.object(KreaClient, "_backoff", return_value=0.0),
    ):
        yield _run
