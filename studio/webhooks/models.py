"""Outgoing webhooks: a team's endpoints, the events sent to them, and each attempt.

An event (``WebhookMessage``) is delivered once per target (``WebhookDelivery``): a
team endpoint subscribed to its type, or the ``callback_url`` a job was created with.
Each try of a delivery is a ``WebhookAttempt``: the endpoint's delivery log.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .events import EventType


class SigningSecrets(models.Model):
    """A ``whsec_`` secret, encrypted at rest, and the one it replaced while both sign."""

    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, default="", editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class WebhookEndpoint(SigningSecrets):
    """An HTTPS URL of the team's that receives the events it subscribes to, signed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    events = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    # The first failed attempt since the last success: 5 days of failures disable it.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None

    def event_labels(self) -> list[str]:
        return [EventType(value).label for value in self.events if value in EventType.values]


class CallbackSigning(SigningSecrets):
    """The secret that signs deliveries to per-job ``callback_url``s of one team."""

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Callback signing of team {self.team_id}"


class JobCallback(models.Model):
    """The ``callback_url`` a job was created with: its terminal event goes there too."""

    job = models.OneToOneField("generation.Job", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=2000)

    def __str__(self) -> str:
        return self.url


class WebhookMessage(models.Model):
    """One event, as every target receives it: ``{type, timestamp, data}``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    # Publishing the same occurrence twice (a task run twice) makes one message.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event_type} {self.msg_id}"

    @property
    def msg_id(self) -> str:
        """The ``webhook-id``: the same on every attempt, so receivers can drop duplicates."""
        return f"msg_{self.uuid.hex}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Retrying"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    callback_url = models.URLField(max_length=2000, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.message} → {self.target_url}"

    @property
    def target_url(self) -> str:
        return self.endpoint.url if self.endpoint_id else self.callback_url


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(default=timezone.now)
    # None when no HTTP answer came (refused target, timeout, connection error).
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.response_status or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


# For the API schema's enum names (a dotted path cannot reach a nested class).
DeliveryStatus = WebhookDelivery.Status
