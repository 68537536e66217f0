"""Celery tasks of the API app; ``ApiConfig.ready`` imports this module so every process
knows them by name."""

from celery import shared_task

from . import services

EXPIRE_IDEMPOTENCY_KEYS = "studio.api.tasks.expire_idempotency_keys"


@shared_task(name=EXPIRE_IDEMPOTENCY_KEYS, max_retries=0, ignore_result=True)
def expire_idempotency_keys() -> int:
    """Periodic (beat): forget Idempotency-Keys past their 24 hours."""
    return services.idempotency_keys_expire()
