"""Ten concurrent retries of one creation with one Idempotency-Key do it once: one job and
one reservation, or one batch of four jobs and four reservations; every answer that created
names what was made."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection
from rest_framework.test import APIClient

from studio.generation.models import Job
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import FLUX

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RETRIES = 10


def _retried_at_once(key: str, path: str, body: dict) -> list:
    start = Barrier(RETRIES)

    def post(_):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            start.wait()
            return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="one-render")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        responses = list(pool.map(post, range(RETRIES)))
    # The others waited for nothing: told to retry (409), or given the kept answer.
    assert {r.status_code for r in responses} <= {201, 409}
    created = [r for r in responses if r.status_code == 201]
    assert created, [r.status_code for r in responses]
    return created


def test_ten_concurrent_retries_create_one_job_and_one_reservation(
    make_key, member, team_with_token
):
    body = {"model": FLUX, "params": {"prompt": "a lighthouse"}}
    created = _retried_at_once(make_key(member), "/api/v1/jobs", body)

    assert Job.objects.count() == 1
    assert UsageEntry.objects.filter(kind=EntryKind.RESERVE).count() == 1
    assert all(r.json()["id"] == str(Job.objects.get().uuid) for r in created)


def test_ten_concurrent_retries_create_one_batch_and_its_reservations(
    make_key, member, team_with_token
):
    body = {"model": FLUX, "params": {"prompt": "a lighthouse"}, "count": 4}
    created = _retried_at_once(make_key(member), "/api/v1/batches", body)

    assert Job.objects.count() == 4
    assert Job.objects.values("batch").distinct().count() == 1
    assert UsageEntry.objects.filter(kind=EntryKind.RESERVE).count() == 4
    batch = str(Job.objects.first().batch)
    assert all(r.json()["id"] == batch for r in created)
