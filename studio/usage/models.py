"""The compute-unit ledger, quotas and the portal's own prices.

Money is a ledger: entries are appended, never changed; every balance, every
"used" and every "left" is a sum of entries. Nothing here keeps a counter.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


def format_cu(value: Decimal | int | float) -> str:
    """A CU figure as people read it: ``1,234.5``, ``3``, ``0`` (no trailing zeros)."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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

    ``period_at`` is the moment the entry counts for quotas and charts: for a
    job's entries, when the job was submitted, so a reservation and its later
    release or charge always land in the same quota period (a job submitted on
    the 31st and failed on the 1st gives nothing back to the new month).
    """

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="usage_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_entries",
    )
    # The job an entry belongs to, as plain values copied at submit: usage sits below
    # generation and never reads or locks its tables (generation calls usage, not the
    # other way round). A deleted job's entries keep them, so history stays readable.
    job_id = models.BigIntegerField(null=True, blank=True)
    job_uuid = models.UUIDField("job", null=True, blank=True, db_index=True)
    model_name = models.CharField(max_length=200, blank=True)
    prompt = models.CharField(max_length=200, blank=True)
    price_published = models.BooleanField(
        default=True, help_text="False: the job's figure is the portal's estimate."
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
    period_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "usage entries"
        indexes = [
            models.Index(fields=["team", "created_at"], name="usage_team_time"),
            models.Index(fields=["team", "user", "created_at"], name="usage_member_time"),
            models.Index(fields=["team", "period_at"], name="usage_team_period"),
            models.Index(fields=["team", "user", "period_at"], name="usage_member_period"),
            models.Index(fields=["job_id", "kind"], name="usage_job_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_cu(self.cu)} CU"

    def save(self, *args, **kwargs) -> None:
        # Append-only is a property of the data (like the audit log), not a business rule.
        if not self._state.adding:
            raise RuntimeError("Usage entries are append-only; record an adjustment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Usage entries are append-only; record an adjustment instead.")


class Period(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week (from Monday)"
    MONTH = "month", "Calendar month"
    NONE = "none", "No reset"

    @property
    def per(self) -> str:
        """“per day”, “per week”, “per calendar month”, “with no reset”."""
        return {"day": "per day", "week": "per week", "month": "per calendar month"}.get(
            self.value, "with no reset"
        )

    @property
    def current(self) -> str:
        """The current period in words: “today”, “this week”, “this month”, “so far”."""
        return {"day": "today", "week": "this week", "month": "this month"}.get(
            self.value, "so far"
        )


def describe_limit(limit_cu: Decimal, period: str) -> str:
    """“100 CU per week”, “20 CU with no reset”."""
    return f"{format_cu(limit_cu)} CU {Period(period).per}"


class Quota(models.Model):
    """A limit in CU per period, for a team (``user`` empty) or one member of it.

    Periods are calendar-aligned in the team's time zone. A member's use also
    counts against the team's quota. Resetting sets ``reset_at``: the current
    period then starts there, so earlier use stops counting and no ledger row is
    deleted.
    """

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="quotas")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quotas",
        help_text="Leave empty for the team's own quota, which all members share.",
    )
    limit_cu = models.DecimalField(
        "limit (CU)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Compute units allowed per period; 0 allows nothing.",
    )
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    reset_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Use before this moment no longer counts (set by “reset”).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["team", "user__email", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(user__isnull=True), name="one_quota_per_team"
            ),
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(user__isnull=False),
                name="one_quota_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.describe_limit()} for {self.user or 'the team'}"

    def describe_limit(self) -> str:
        return describe_limit(self.limit_cu, self.period)

    @property
    def current_period(self) -> str:
        return Period(self.period).current

    @property
    def is_team_quota(self) -> bool:
        return self.user_id is None


class ModelPrice(models.Model):
    """The portal's price for a model Krea publishes no price for (Topaz, SeedEdit...).

    Also used for a parameter combination missing from a model's published
    table. For a style-training model (``model_id`` ``styles/train/<name>``) the
    figure is per training step.
    """

    model_id = models.CharField(
        max_length=200,
        unique=True,
        help_text="Catalogue id, e.g. image/bytedance/seededit, or styles/train/<model>.",
    )
    cu = models.DecimalField(
        "price (CU)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    note = models.CharField(max_length=300, blank=True, help_text="Where the figure comes from.")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["model_id"]
        verbose_name = "model price"

    def __str__(self) -> str:
        return f"{self.model_id}: {format_cu(self.cu)} CU"
