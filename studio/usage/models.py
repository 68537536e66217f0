"""The compute-unit ledger: append-only entries; every balance is a sum of them."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EntryKind(models.TextChoices):
    RESERVE = "reserve", "Reserved at submit"
    CHARGE = "charge", "Charged on completion"
    RELEASE = "release", "Released (failed or cancelled, or converted to a charge)"
    ADJUST = "adjust", "Adjustment by an admin"


class UsageEntry(models.Model):
    """One movement of compute units for a team member.

    ``cu`` is signed: a reservation adds the estimate, a release takes it back
    (negative), a charge adds what the job cost. So the sum of every entry is what
    is spent or held; the sum of charges and adjustments is what was spent.
    """

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="usage_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_entries",
    )
    job = models.ForeignKey(
        "generation.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_entries",
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    cu = models.DecimalField(max_digits=12, decimal_places=2)
    model_id = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "usage entries"
        indexes = [
            models.Index(fields=["team", "created_at"], name="usage_team_time"),
            models.Index(fields=["team", "user", "created_at"], name="usage_member_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cu} CU"
