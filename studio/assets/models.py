"""A team's own files at Krea (images, clips, sounds, 3D models) that generations take as input."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import media


class AssetKind(models.TextChoices):
    IMAGE = media.IMAGE, "Image"
    VIDEO = media.VIDEO, "Video"
    AUDIO = media.AUDIO, "Audio"
    MODEL_3D = media.MODEL_3D, "3D model"


def kind_of_mime_type(mime_type: str) -> str:
    """The kind of a MIME type Krea reports (imported assets carry nothing else)."""
    for file_type in media.ACCEPTED:
        if file_type.mime_type == mime_type:
            return file_type.kind
    top = mime_type.split("/")[0]
    return top if top in (media.IMAGE, media.VIDEO, media.AUDIO) else media.MODEL_3D


class Asset(models.Model):
    """A file uploaded to the team's Krea account; ``krea_url`` is what generation inputs take."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="assets")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
    )
    krea_id = models.CharField(max_length=100)
    krea_url = models.URLField(max_length=2000, help_text="Krea's image_url for this asset")
    kind = models.CharField(max_length=8, choices=AssetKind.choices)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for video and audio")
    description = models.TextField(blank=True)
    file_name = models.CharField(max_length=255, blank=True, help_text="As uploaded")
    imported = models.BooleanField(
        default=False, help_text="Brought in from Krea: no file name, duration or uploader known."
    )
    # The portal's own copy, served to the team only (previews), and its thumbnail.
    file = models.FileField(upload_to="assets/%Y/%m/", max_length=300, blank=True)
    thumbnail = models.FileField(upload_to="assets/thumbnails/%Y/%m/", max_length=300, blank=True)
    # Jobs that took this asset as an input (recorded when the job is submitted).
    jobs = models.ManyToManyField("generation.Job", related_name="input_assets", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at", "-id"], name="asset_team_newest")]
        constraints = [
            models.UniqueConstraint(fields=["team", "krea_id"], name="unique_team_krea_asset")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the asset is named on the pages: its file name, else its description or id."""
        return (
            self.file_name
            or self.description[:60]
            or f"{self.get_kind_display()} {self.krea_id[:8]}"
        )

    @property
    def is_image(self) -> bool:
        return self.kind == AssetKind.IMAGE

    @property
    def is_video(self) -> bool:
        return self.kind == AssetKind.VIDEO

    @property
    def is_audio(self) -> bool:
        return self.kind == AssetKind.AUDIO
