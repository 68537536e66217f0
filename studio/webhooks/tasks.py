"""One public function to enqueue each webhook task; services call them on commit.

The tasks (thin wrappers in ``worker.py``) are enqueued by name, so services import
this module and nothing imports back.
"""

from __future__ import annotations

from celery import current_app

DELIVER = "studio.webhooks.tasks.deliver"
DELIVER_DUE = "studio.webhooks.tasks.deliver_due"
PRUNE = "studio.webhooks.tasks.prune"


def enqueue_delivery(delivery_id: int) -> None:
    """Try one delivery now (its first attempt, or a resend)."""
    current_app.signature(DELIVER, args=[delivery_id]).apply_async()
