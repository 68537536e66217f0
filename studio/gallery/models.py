"""What members do with the team's outputs: favourites (each member's own) and
collections (boards) that members build and share inside the team."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Favourite(models.Model):
    """An output one member marked; other members do not see it."""

    membership = models.ForeignKey(
        "teams.Membership", on_delete=models.CASCADE, related_name="favourites"
    )
    output = models.ForeignKey(
        "generation.Output", on_delete=models.CASCADE, related_name="favourites"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "output"], name="unique_favourite")
        ]

    def __str__(self) -> str:
        return f"Favourite {self.output_id} of {self.membership_id}"


class Collection(models.Model):
    """A named board of the team's outputs. Private to the member who made it until they
    share it; a shared collection is seen, and added to, by every member of the team."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="collections")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(max_length=100)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    outputs = models.ManyToManyField(
        "generation.Output", through="CollectionItem", related_name="collections"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["team", "-updated_at"], name="collection_team_recent")]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    output = models.ForeignKey("generation.Output", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collection", "output"], name="unique_collection_item")
        ]

    def __str__(self) -> str:
        return f"Output {self.output_id} in {self.collection_id}"
