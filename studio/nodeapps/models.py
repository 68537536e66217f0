"""Krea node apps a team saved, and its runs of them.

A node app is a workflow published on Krea, reached by a version id. Running it
is one paid ``POST /node-apps/{id}/execute`` that starts several Krea jobs; each
becomes a ``generation.Job`` of kind ``node_app`` belonging to the run, so the
queue, the live card, the ledger and the gallery work for them unchanged.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

# Node apps share the catalogue's namespace of priced things (ModelPrice, Job.model_id).
NODE_APP_PREFIX = "node-apps/"


class NodeApp(models.Model):
    """One version of a Krea node app, saved for a team with what Krea said of it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="node_apps")
    version_id = models.CharField(max_length=100, help_text="Krea's node app version id")
    krea_app_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=20, blank=True)
    example_outputs = models.JSONField(default=list, blank=True)
    input_schema = models.JSONField(default=dict, blank=True)
    output_schema = models.JSONField(default=dict, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "version_id"], name="unique_team_node_app")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def model_id(self) -> str:
        """What its jobs and its admin-set price are keyed by."""
        return f"{NODE_APP_PREFIX}{self.version_id}"


class NodeAppRun(models.Model):
    """One execution of a node app: one reservation, one execute request, its jobs."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="node_app_runs")
    app = models.ForeignKey(
        NodeApp, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    app_name = models.CharField(max_length=200)
    version_id = models.CharField(max_length=100)
    inputs = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    price_cu = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    price_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="node_app_run_team_newest")]

    def __str__(self) -> str:
        return f"{self.app_name} run {self.uuid}"
