"""API keys: how other systems act as a team member through the public API."""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone

KEY_PREFIX = "ks_live_"


def api_key_digest(key: str) -> str:
    """The stored form of a key. The key carries 256 random bits, so a plain hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A secret that acts as one member, in one team, with that member's role.

    Only a SHA-256 digest of the key is stored, with its first characters
    (``prefix``) so people can tell their keys apart; the key itself is shown once,
    when it is created. Removing the member from the team deletes their keys.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    membership = models.ForeignKey(
        "teams.Membership", on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. “CI renders”.")
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one API key: the request it was first sent with, and its answer.

    A retry with the same key and the same request gets ``response_*`` back without the
    request running again. Rows are removed ``IDEMPOTENCY_KEY_LIFETIME`` after creation.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    request_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    # Null while the first request is still running.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_per_api_key")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"

    @property
    def is_finished(self) -> bool:
        return self.response_status is not None
