"""A member's favourite models, pinned first in the model browser."""

from django.db import models
from django.utils import timezone


class FavouriteModel(models.Model):
    """One catalogue model a member of a team marked as a favourite."""

    membership = models.ForeignKey(
        "teams.Membership", on_delete=models.CASCADE, related_name="favourite_models"
    )
    model_id = models.CharField(max_length=200, help_text="Catalogue id, e.g. image/bfl/flux-1-dev")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "model_id"], name="unique_favourite_model"
            )
        ]

    def __str__(self) -> str:
        return self.model_id
