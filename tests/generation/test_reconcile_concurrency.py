"""Racing resolutions of one lost send charge it once: real concurrency, on PostgreSQL.

Two beat runs overlap and Krea's webhooks arrive while they match: each thread has
its own connection and transaction, and the ledger must still hold one charge per
job and each Krea job on one portal job.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from studio.generation import reconcile, services
from studio.generation.models import Job, JobStatus
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import KREA_TOKEN

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_overlapping_reconciliations_and_webhooks_charge_each_lost_send_once(
    krea, submit, public_url, portal_clock, client
):
    krea.set_webhook_policy(drop=True, token=KREA_TOKEN)
    jobs = []
    for index in range(3):
        krea.queue_fault("lost-response", token=KREA_TOKEN, method="POST")
        jobs.append(submit(params={"prompt": f"lost {index}"}))
        krea.advance(120)  # each send alone in its window
    krea.advance(60)
    finished = {
        job.pk: krea.get_job(KREA_TOKEN, item["job_id"])
        for job in jobs
        for item in krea.list_jobs(KREA_TOKEN)["items"]
        if str(job.uuid) in (krea.job_record(item["job_id"]).webhook_url or "")
    }
    start = threading.Barrier(6)

    def reconcile_team() -> None:
        try:
            start.wait()
            reconcile.team_reconcile(team_id=jobs[0].team_id)
        finally:
            connection.close()

    def webhook(job) -> None:
        try:
            start.wait()
            services.webhook_accept(
                job_uuid=job.uuid, secret=job.webhook_secret, payload=finished[job.pk]
            )
            services.job_refresh(job_id=job.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(reconcile_team) for _ in range(3)]
        futures += [pool.submit(webhook, job) for job in jobs]
        for future in futures:
            future.result()

    for job in jobs:
        job.refresh_from_db()
        services.job_refresh(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.COMPLETED
        assert job.krea_job_id == finished[job.pk]["job_id"]
        assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1
    krea_ids = list(Job.objects.values_list("krea_job_id", flat=True))
    assert len(set(krea_ids)) == len(krea_ids) == 3
