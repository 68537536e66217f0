"""Ten concurrent retries of one creation with one Idempotency-Key: one job, one reservation."""

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


def test_ten_concurrent_retries_create_one_job_and_one_reservation(
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
                "/api/v1/jobs",
                {"model": FLUX, "params": {"prompt": "a lighthouse"}},
                format="json",
                HTTP_IDEMPOTENCY_KEY="one-render",
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        responses = list(pool.map(post, range(RETRIES)))

    assert Job.objects.count() == 1
    assert UsageEntry.objects.filter(kind=EntryKind.RESERVE).count() == 1
    created = [r for r in responses if r.status_code == 201]
    assert created, [r.status_code for r in responses]
    assert all(r.json()["id"] == str(Job.objects.get().uuid) for r in created)
    # The others waited for nothing: told to retry (409), or given the kept answer.
    assert {r.status_code for r in responses} <= {201, 409}
