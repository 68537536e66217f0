"""Ten concurrent retries of one batch with one Idempotency-Key: one batch of four jobs, four
reservations, and every answer that created names that batch."""

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


def test_ten_concurrent_retries_create_one_batch_and_its_reservations(
    make_key, member, team_with_token
):
    key = make_key(member)
    start = Barrier(RETRIES)

    def post(_):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            start.wait()
            return client.post(
                "/api/v1/batches",
                {"model": FLUX, "params": {"prompt": "a lighthouse"}, "count": 4},
                format="json",
                HTTP_IDEMPOTENCY_KEY="one-batch",
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        responses = list(pool.map(post, range(RETRIES)))

    assert Job.objects.count() == 4
    assert Job.objects.values("batch").distinct().count() == 1
    assert UsageEntry.objects.filter(kind=EntryKind.RESERVE).count() == 4
    created = [r for r in responses if r.status_code == 201]
    assert created, [r.status_code for r in responses]
    batch = str(Job.objects.first().batch)
    assert all(r.json()["id"] == batch for r in created)
    assert {r.status_code for r in responses} <= {201, 409}
