"""Jobs that one paid request starts together, charged as one run (a node app's execute).

``POST /node-apps/{id}/execute`` answers with several Krea jobs. The run's first job
is the one the portal queued, reserved and sent; the further jobs Krea started join
the run as jobs of their own (followed, cancelled and stored like any other) that
hold nothing. The run is charged its first job's reservation once, when any of its
jobs completes, and released once all of them ended without one completing: never
more than was reserved.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from krea_integration import types as krea_types
from studio.usage.services import usage_charge, usage_release

from .models import TERMINAL, Job, JobStatus

NODE_APP_PREFIX = "node-apps/"
NOTHING_STARTED = "Krea started no job for this node app run."


def run_execute(client, job: Job) -> krea_types.Job | None:
    """The run's one execute request; its further jobs are recorded in the run.

    Returns the Krea job for ``job`` itself (the first), or None when Krea started none.
    """
    krea_jobs = client.execute_node_app(job.model_id.removeprefix(NODE_APP_PREFIX), job.params)
    run_join(job, krea_jobs[1:])
    return krea_jobs[0] if krea_jobs else None


def run_join(job: Job, krea_jobs: list[krea_types.Job]) -> None:
    """Record Krea jobs that ``job``'s send started too as jobs of its run (once each).

    They hold nothing (the run's first job holds its reservation) and are followed by
    polling from now on: the first poll brings their state.
    """
    for krea_job in krea_jobs:
        with transaction.atomic():
            if Job.objects.filter(krea_job_id=krea_job.job_id).exists():
                continue
            Job.objects.create(
                team_id=job.team_id,
                created_by_id=job.created_by_id,
                kind=job.kind,
                run_id=job.run_id,
                model_id=job.model_id,
                model_name=job.model_name,
                group=job.group,
                params=job.params,
                prompt=job.prompt,
                price_published=job.price_published,
                status=JobStatus.SUBMITTING,
                submitted_at=job.submitted_at,
                krea_job_id=krea_job.job_id,
                next_poll_at=timezone.now(),
            )


def run_settle(job: Job) -> None:
    """Settle the ledger of ``job``'s run after ``job`` ended (inside its transaction)."""
    lead = Job.objects.select_for_update().filter(run_id=job.run_id).order_by("pk").first()
    if lead is None:
        return
    statuses = set(Job.objects.filter(run_id=job.run_id).values_list("status", flat=True))
    if JobStatus.COMPLETED in statuses:
        # Once: a run already charged is left alone.
        usage_charge(job_id=lead.pk, cu=lead.estimate_cu)
        Job.objects.filter(pk=lead.pk).update(charged_cu=lead.estimate_cu)
        if job.pk != lead.pk and job.status == JobStatus.COMPLETED:
            Job.objects.filter(pk=job.pk).update(charged_cu=0)  # the run's charge is the lead's
    elif statuses <= TERMINAL:
        usage_release(job_id=lead.pk, reason="No job of the node app run completed")
