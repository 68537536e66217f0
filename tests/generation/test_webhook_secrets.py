"""Krea's callbacks are checked without reading the database (issue 15).

The secret in a job's webhook URL is an HMAC of its uuid under ``SECRET_KEY``: the
endpoint verifies it, absorbs copies in the cache and only enqueues the confirmation.
URLs Krea already holds keep working after a key rotation (``SECRET_KEY_FALLBACKS``)
and for jobs sent before secrets were signed (their random secret, still stored).
"""

from unittest import mock

import pytest

from studio.generation import services
from studio.generation.models import JobStatus, webhook_secret_for
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db

CONFIRM = "studio.generation.tasks.enqueue_webhook_confirm"


@pytest.fixture
def make_job(team, member):
    """A job of ``team``, by ``member`` unless ``created_by`` is given."""

    def _make(**fields):
        return JobFactory(**{"team": team, "created_by": member, **fields})

    return _make


def hook(job, secret=None) -> str:
    return f"/api/webhooks/krea/{job.uuid}/{secret or job.webhook_secret}/"


def post(client, url, body=None):
    return client.post(url, body or {"status": "completed"}, content_type="application/json")


@pytest.fixture
def sent_job(make_job):
    return make_job(status=JobStatus.PROCESSING, krea_job_id="krea-42")


def test_a_callback_with_the_jobs_signed_secret_is_accepted_without_a_query(
    client, sent_job, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with (
        mock.patch(CONFIRM) as confirm,
        django_capture_on_commit_callbacks(execute=True),
        django_assert_num_queries(0),
    ):
        response = post(client, hook(sent_job), {"job_id": "krea-42", "status": "completed"})
    assert response.status_code == 202
    confirm.assert_called_once_with(str(sent_job.uuid), "krea-42")


def test_the_secret_is_not_stored_and_differs_per_job(make_job):
    first, second = make_job(), make_job()
    assert first.legacy_webhook_secret == ""
    assert first.webhook_secret != second.webhook_secret
    assert len(first.webhook_secret) >= 43


def test_a_wrong_secret_or_another_jobs_secret_is_a_404_and_changes_nothing(
    client, sent_job, make_job, django_capture_on_commit_callbacks
):
    other = make_job()
    with mock.patch(CONFIRM) as confirm, django_capture_on_commit_callbacks(execute=True):
        assert post(client, hook(sent_job, "x" * 43)).status_code == 404
        assert post(client, hook(sent_job, other.webhook_secret)).status_code == 404
    confirm.assert_not_called()


def test_copies_of_a_callback_cost_one_confirmation_and_no_write(
    client, sent_job, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with (
        mock.patch(CONFIRM) as confirm,
        django_capture_on_commit_callbacks(execute=True),
        django_assert_num_queries(0),
    ):
        statuses = [post(client, hook(sent_job)).status_code for _ in range(5)]
    assert statuses == [202] * 5
    assert confirm.call_count == 1


def test_urls_made_before_a_key_rotation_keep_working(client, sent_job, settings):
    before = sent_job.webhook_secret
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new key " * 5
    assert sent_job.webhook_secret != before, "new URLs use the new key"
    with mock.patch(CONFIRM):
        assert post(client, hook(sent_job, before)).status_code == 202
        assert post(client, hook(sent_job)).status_code == 202

    settings.SECRET_KEY_FALLBACKS = []  # the rotation is over: the old key is gone
    with mock.patch(CONFIRM):
        assert post(client, hook(sent_job, before)).status_code == 404


def test_a_job_sent_before_signed_secrets_is_called_back_with_its_stored_secret(
    client, make_job, django_capture_on_commit_callbacks
):
    old = make_job(status=JobStatus.QUEUED, krea_job_id="krea-7", legacy_webhook_secret="s" * 43)
    with (
        mock.patch(CONFIRM) as confirm,
        django_capture_on_commit_callbacks(execute=True),
        # Wide enough that a loaded machine cannot push the copy out of the 2 s window.
        mock.patch.object(services, "WEBHOOK_REFRESH_WINDOW", 60),
    ):
        assert post(client, hook(old, "s" * 43)).status_code == 202
        assert post(client, hook(old)).status_code == 202  # and with the signed one
    assert confirm.call_count == 1  # the second was a copy within the window
    assert post(client, hook(old, "t" * 43)).status_code == 404


def test_the_confirmation_records_krea_s_id_when_the_portal_never_learnt_it(make_job, krea):
    from studio.generation import services

    job = make_job(status=JobStatus.SUBMITTING, krea_job_id="")
    with mock.patch.object(services, "job_refresh") as refresh:
        services.webhook_confirm(job_uuid=str(job.uuid), hinted_krea_id="krea-found")
    job.refresh_from_db()
    assert job.krea_job_id == "krea-found"
    refresh.assert_called_once_with(job_id=job.pk)


def test_a_callback_for_an_ended_job_confirms_nothing(make_job):
    from studio.generation import services

    job = make_job(status=JobStatus.COMPLETED, krea_job_id="krea-1")
    with mock.patch.object(services, "job_refresh") as refresh:
        services.webhook_confirm(job_uuid=str(job.uuid), hinted_krea_id="krea-other")
    refresh.assert_not_called()
    job.refresh_from_db()
    assert job.krea_job_id == "krea-1"


def test_the_signed_secret_depends_on_the_key():
    uuid = "0b7c9a1e-0000-4000-8000-000000000001"
    assert webhook_secret_for(uuid, key="one") != webhook_secret_for(uuid, key="two")
    assert webhook_secret_for(uuid, key="one") == webhook_secret_for(uuid, key="one")
