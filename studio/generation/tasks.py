"""The generation pipeline's background work: one public function to enqueue each task.

Services call these, inside ``transaction.on_commit`` so that a task never runs
before the rows it reads are committed; tests patch them to hold work back. The
tasks themselves (thin wrappers that take ids and call the services) are in
``worker.py``. Enqueueing them by name keeps the imports one way: services
import this module, the worker imports the services, and nothing imports back.
"""

from __future__ import annotations

from celery import current_app

# The registered names, unchanged since the tasks lived in this module, so messages
# already queued in the broker before an upgrade still reach their task.
DISPATCH_TEAM = "studio.generation.tasks.dispatch_team"
SEND_JOB = "studio.generation.tasks.send_job"
REFRESH_JOB = "studio.generation.tasks.refresh_job"
REFRESH_WATCHED = "studio.generation.tasks.refresh_watched_job"
CONFIRM_WEBHOOK = "studio.generation.tasks.confirm_webhook"
CANCEL_JOB = "studio.generation.tasks.cancel_job"
STORE_OUTPUTS = "studio.generation.tasks.store_outputs"
POLL_JOBS = "studio.generation.tasks.poll_jobs"
RECONCILE_SENDS = "studio.generation.tasks.reconcile_sends"
RECONCILE_TEAM = "studio.generation.tasks.reconcile_team"
# A completed training job's style is recorded by the styles app, which imports generation.
RECORD_TRAINED_STYLE = "studio.styles.tasks.record_trained_style"


def _enqueue(name: str, *args: int | str, countdown: float | None = None) -> None:
    current_app.signature(name, args=list(args)).apply_async(countdown=countdown)


def enqueue_dispatch(team_id: int, *, countdown: float | None = None) -> None:
    """Hand the team's free Krea slots to its waiting jobs (now, or after ``countdown`` s)."""
    _enqueue(DISPATCH_TEAM, team_id, countdown=countdown)


def enqueue_send(job_id: int) -> None:
    """Send a claimed job to Krea: its one paid POST."""
    _enqueue(SEND_JOB, job_id)


def enqueue_refresh(job_id: int) -> None:
    """Confirm a job's state with Krea (after a webhook, or when its poll is due)."""
    _enqueue(REFRESH_JOB, job_id)


def enqueue_webhook_confirm(job_uuid: str, hinted_krea_id: str) -> None:
    """Confirm the state of the job a webhook named (by uuid: the webhook reads no row)."""
    _enqueue(CONFIRM_WEBHOOK, job_uuid, hinted_krea_id)


def enqueue_cancel(job_id: int) -> None:
    """Ask Krea to cancel a job, then record its final state."""
    _enqueue(CANCEL_JOB, job_id)


def enqueue_store_outputs(job_id: int) -> None:
    """Copy a completed job's files into the portal's storage."""
    _enqueue(STORE_OUTPUTS, job_id)


def enqueue_reconcile_team(team_id: int) -> None:
    """Ask Krea's job list what became of the team's sends whose outcome is unknown."""
    _enqueue(RECONCILE_TEAM, team_id)


def enqueue_record_trained_style(job_id: int) -> None:
    """Record the style a completed training job made (the styles app's task)."""
    _enqueue(RECORD_TRAINED_STYLE, job_id)


def enqueue_refresh_watched(team_id: int, job_uuid: str) -> None:
    """Refresh a running job someone is looking at (``live.jobs_watch`` throttles these)."""
    current_app.signature(REFRESH_WATCHED, args=[team_id, job_uuid]).apply_async()
