"""Celery tasks of the styles app: thin wrappers that take ids and call services.

``StylesConfig.ready`` imports this module so every process knows them by name.
"""

from celery import shared_task

from . import services, tasks


@shared_task(name=tasks.RECORD_TRAINED_STYLE, acks_late=True, max_retries=0, ignore_result=True)
def record_trained_style(job_id: int) -> None:
    """Record the style of a completed training job. Safe to repeat: one style per Krea id."""
    services.style_record_trained(job_id=job_id)
