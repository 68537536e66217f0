"""Styles (LoRAs) a team trained on Krea, and what the portal knows of their sharing."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class StyleKind(models.TextChoices):
    """What a style captures, as Krea's training body names it (``type``)."""

    STYLE = "Style", "Style"
    OBJECT = "Object", "Object"
    CHARACTER = "Character", "Character"
    DEFAULT = "Default", "Default"


class Style(models.Model):
    """A style the team trained: recorded when its training job completes.

    Every member of the team sees it whatever its state at Krea. ``public`` and
    ``cover_url`` mirror Krea's style object; Krea has no workspace flag, so
    ``shared_with_workspace`` is the portal's own record, reconciled with
    ``GET /styles?filter=shared``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="styles")
    krea_style_id = models.CharField(max_length=100)
    training_job = models.OneToOneField(
        "generation.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trained_style",
    )
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trained_styles",
    )
    name = models.CharField(max_length=200)
    trigger_word = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=16, choices=StyleKind.choices, default=StyleKind.STYLE)
    base_model = models.CharField(max_length=40, help_text="Krea's training model, e.g. flux_dev")
    training_urls = models.JSONField(default=list, blank=True)
    steps = models.PositiveIntegerField(null=True, blank=True)
    cost_cu = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # What Krea last said about the style (filled in after training and on each change).
    public = models.BooleanField(default=False)
    shared_with_workspace = models.BooleanField(default=False)
    share_link = models.URLField(max_length=500, blank=True)
    cover_url = models.URLField(max_length=2000, blank=True)
    preview_urls = models.JSONField(default=list, blank=True)
    models_supported = models.JSONField(default=list, blank=True)
    prompt = models.TextField(blank=True, help_text="Krea's suggested prompt")
    like_count = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="style_team_newest")]
        constraints = [
            models.UniqueConstraint(fields=["team", "krea_style_id"], name="unique_team_style")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def compatible_bases(self) -> list[str]:
        """The training base models Krea lists for the style, else the one it was trained on."""
        return list(self.models_supported or [self.base_model])
