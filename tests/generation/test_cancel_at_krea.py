"""Cancelling a job Krea is running, end to end, for each way Krea may play the DELETE.

Krea documents only "delete a job". The simulator plays each outcome (README,
``cancel_mode``): the job stops and reports ``cancelled``; a job already sampling
finishes anyway and is billed; or the job is deleted and answers 404. The portal
never records a state Krea did not report, and its ledger follows Krea's debits.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from studio.generation import services
from studio.generation.models import JobStatus
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import KREA_TOKEN

pytestmark = pytest.mark.django_db

TOO_LATE = "The cancel came too late: Krea finished this job anyway and billed it"


def held(job) -> Decimal:
    """What the job still holds of the team's quota (reservations not yet released)."""
    return UsageEntry.objects.filter(job_id=job.pk).exclude(kind=EntryKind.CHARGE).aggregate(
        total=Sum("cu")
    )["total"] or Decimal(0)


def charged(team) -> Decimal:
    return UsageEntry.objects.filter(team=team, kind=EntryKind.CHARGE).aggregate(total=Sum("cu"))[
        "total"
    ] or Decimal(0)


@pytest.fixture
def sampling_job(krea, submit):
    """A job Krea is sampling (an image job samples from 45 % to 80 % of its 6 s)."""
    job = submit()
    krea.advance(3)
    assert krea.get_job(KREA_TOKEN, job.krea_job_id)["status"] == "sampling"
    return job


@pytest.fixture
def cancel_on_page(client, member, django_capture_on_commit_callbacks):
    """Press "Cancel job" on the job's page as ``member``; returns the page after it."""

    def _cancel(job) -> str:
        client.force_login(member)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("job_cancel", args=[job.uuid]))
        return page_of(client, job)

    return _cancel


def page_of(client, job) -> str:
    job.refresh_from_db()
    return client.get(reverse("job_detail", args=[job.uuid])).content.decode()


def test_a_job_krea_stops_ends_cancelled_and_released(
    run_for, krea, client, sampling_job, cancel_on_page, team_with_token
):
    krea.configure_account(KREA_TOKEN, cancel_mode="cancel")
    credits = krea.credits(KREA_TOKEN)
    cancel_on_page(sampling_job)

    assert sampling_job.status == JobStatus.CANCELLED
    assert krea.get_job(KREA_TOKEN, sampling_job.krea_job_id)["status"] == "cancelled"
    assert held(sampling_job) == 0 and sampling_job.charged_cu is None
    run_for(60)  # nothing Krea reports later changes it
    page = page_of(client, sampling_job)
    assert sampling_job.status == JobStatus.CANCELLED
    assert ">Cancelled<" in page and "nothing (Krea bills completed jobs only)" in page
    assert TOO_LATE not in page
    assert krea.credits(KREA_TOKEN) == credits and charged(team_with_token) == 0


def test_a_late_cancel_krea_finishes_anyway_is_followed_to_completed_and_charged_what_krea_billed(
    run_for, krea, client, sampling_job, cancel_on_page, team_with_token
):
    # No public URL: the portal learns the end by polling, as when webhooks are lost.
    krea.configure_account(KREA_TOKEN, cancel_mode="finish-late")
    credits = krea.credits(KREA_TOKEN)
    page = cancel_on_page(sampling_job)

    assert sampling_job.status == JobStatus.SAMPLING, "Krea still runs it: never forced"
    assert sampling_job.is_cancelling and "Cancelling…" in page
    assert held(sampling_job) == sampling_job.estimate_cu

    run_for(60)
    page = page_of(client, sampling_job)
    billed = credits - krea.credits(KREA_TOKEN)
    assert krea.get_job(KREA_TOKEN, sampling_job.krea_job_id)["status"] == "completed"
    assert sampling_job.status == JobStatus.COMPLETED
    assert billed > 0 and sampling_job.charged_cu == billed == charged(team_with_token)
    assert held(sampling_job) == 0
    assert sampling_job.outputs.exists()
    assert TOO_LATE in page and "Cancelling…" not in page


def test_a_job_krea_deletes_ends_cancelled_released_and_says_krea_deleted_it(
    krea, client, sampling_job, cancel_on_page, team_with_token, public_url
):
    krea.configure_account(KREA_TOKEN, cancel_mode="delete")
    credits = krea.credits(KREA_TOKEN)
    page = cancel_on_page(sampling_job)

    assert sampling_job.status == JobStatus.CANCELLED
    assert sampling_job.error == services.DELETED_AT_KREA
    assert services.DELETED_AT_KREA in page and TOO_LATE not in page
    assert held(sampling_job) == 0 and sampling_job.charged_cu is None
    assert krea.credits(KREA_TOKEN) == credits and charged(team_with_token) == 0


def test_an_early_cancel_in_finish_late_mode_still_stops_the_job(
    krea, client, submit, cancel_on_page, team_with_token
):
    # Krea's late-stage jobs may run on; one still queued or processing stops.
    krea.configure_account(KREA_TOKEN, cancel_mode="finish-late")
    job = submit()
    page = cancel_on_page(job)
    assert job.status == JobStatus.CANCELLED and held(job) == 0
    assert TOO_LATE not in page
