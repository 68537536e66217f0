"""The events a team's endpoints can subscribe to, as the Webhooks page and the API name them."""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    JOB_COMPLETED = "job.completed", "A job completed (its outputs are stored)"
    JOB_FAILED = "job.failed", "A job failed"
    JOB_CANCELLED = "job.cancelled", "A job was cancelled"
    QUOTA_REACHED = "quota.reached", "A member or the team used 80% or 100% of a quota"
    ASSET_CREATED = "asset.created", "An asset was added to the library"
    STYLE_TRAINED = "style.trained", "A style finished training"


# Sent by "Send test event"; not something an endpoint subscribes to.
TEST_EVENT = "webhook.test"

JOB_EVENTS = {
    "completed": EventType.JOB_COMPLETED,
    "failed": EventType.JOB_FAILED,
    "cancelled": EventType.JOB_CANCELLED,
}
