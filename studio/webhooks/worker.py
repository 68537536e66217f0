"""Celery tasks of outgoing webhooks: thin wrappers that take ids and call services.

``WebhooksConfig.ready`` imports this module so every process knows them by name.
"""

from celery import shared_task

from . import services, tasks


@shared_task(name=tasks.DELIVER, acks_late=True, max_retries=0, ignore_result=True)
def deliver(delivery_id: int) -> None:
    """One attempt. Not retried by Celery: the delivery's schedule retries it (beat)."""
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name=tasks.DELIVER_DUE, max_retries=0, ignore_result=True)
def deliver_due() -> int:
    """Periodic (beat): the retries whose time has come."""
    return services.deliveries_send_due()


@shared_task(name=tasks.PRUNE, max_retries=0, ignore_result=True)
def prune() -> int:
    """Periodic (beat): forget deliveries older than 30 days."""
    return services.deliveries_prune()
