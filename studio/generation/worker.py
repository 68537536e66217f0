"""Celery tasks of the generation pipeline: thin wrappers that take ids and call services.

Enqueue them through ``tasks.py``; ``GenerationConfig.ready`` imports this module
so that every process (web, worker, tests) knows them by name.
"""

from celery import shared_task

from krea_integration.errors import KreaError

from . import outputs, reconcile, services, tasks


@shared_task(name=tasks.DISPATCH_TEAM, acks_late=True, max_retries=0, ignore_result=True)
def dispatch_team(team_id: int) -> None:
    """Hand the team's free slots to its waiting jobs."""
    services.team_dispatch(team_id=team_id)


@shared_task(name=tasks.SEND_JOB, acks_late=True, max_retries=0, ignore_result=True)
def send_job(job_id: int) -> None:
    """The one POST to Krea. Never retried by Celery: job_send guards against a second POST."""
    services.job_send(job_id=job_id)


@shared_task(name=tasks.REFRESH_JOB, acks_late=True, max_retries=0, ignore_result=True)
def refresh_job(job_id: int) -> None:
    """Confirm a job's state with GET /jobs/{id} (after a webhook, or when a poll is due).

    Not retried by Celery: job_refresh turns Krea's failures into the job's next poll.
    """
    services.job_refresh(job_id=job_id)


@shared_task(name=tasks.CONFIRM_WEBHOOK, acks_late=True, max_retries=0, ignore_result=True)
def confirm_webhook(job_uuid: str, hinted_krea_id: str = "") -> None:
    """A webhook arrived: record Krea's job id if the portal lacked it, then refresh."""
    services.webhook_confirm(job_uuid=job_uuid, hinted_krea_id=hinted_krea_id)


@shared_task(
    name=tasks.CANCEL_JOB,
    acks_late=True,
    autoretry_for=(KreaError,),
    max_retries=5,
    retry_backoff=2,
    ignore_result=True,
)
def cancel_job(job_id: int) -> None:
    """DELETE the job on Krea (safe to repeat), then record its final state."""
    services.job_cancel_on_krea(job_id=job_id)


@shared_task(name=tasks.STORE_OUTPUTS, acks_late=True, max_retries=0, ignore_result=True)
def store_outputs(job_id: int) -> None:
    """Copy a completed job's files into storage.

    Not retried by Celery: a file that cannot be copied is recorded on the job.
    """
    outputs.outputs_store(job_id=job_id)


@shared_task(name=tasks.POLL_JOBS, ignore_result=True, max_retries=0)
def poll_jobs() -> None:
    """Periodic: refresh due jobs, resend lost claims, reconcile jobs past Krea's time-outs."""
    services.jobs_poll_due()


@shared_task(name=tasks.RECONCILE_SENDS, ignore_result=True, max_retries=0)
def reconcile_sends() -> None:
    """Periodic: ask Krea what became of sends whose outcome is unknown."""
    reconcile.sends_reconcile()


@shared_task(name=tasks.RECONCILE_TEAM, acks_late=True, max_retries=0, ignore_result=True)
def reconcile_team(team_id: int) -> None:
    """Match one team's sends whose outcome is unknown to Krea's job list (safe to repeat).

    Then hands out the slots that sends past their grace period no longer hold.
    """
    reconcile.team_reconcile(team_id=team_id)
    services.team_dispatch(team_id=team_id)


@shared_task(name=tasks.REFRESH_WATCHED, acks_late=True, max_retries=0, ignore_result=True)
def refresh_watched_job(team_id: int, job_uuid: str) -> None:
    """Refresh a running job someone is looking at (throttled by ``live.jobs_watch``)."""
    services.job_refresh_watched(team_id=team_id, job_uuid=job_uuid)
