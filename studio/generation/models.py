"""Jobs a team runs on Krea, and the files they produced."""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

_WEBHOOK_SALT = "studio.generation.krea-webhook"


def new_webhook_secret() -> str:
    """A random per-job secret: how jobs made before signed secrets were called back."""
    return secrets.token_urlsafe(32)


def webhook_secret_for(job_uuid: uuid.UUID | str, *, key: str | None = None) -> str:
    """The secret in a job's webhook URL: an HMAC of its uuid under ``SECRET_KEY``.

    Checking it needs no database read, so the webhook endpoint keeps up with Krea's
    callbacks at the rate of a request that does nothing.
    """
    mac = salted_hmac(_WEBHOOK_SALT, str(job_uuid), secret=key, algorithm="sha256")
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def webhook_secret_valid(job_uuid: uuid.UUID | str, secret: str) -> bool:
    """True when ``secret`` is the job's under ``SECRET_KEY`` or a previous key
    (``SECRET_KEY_FALLBACKS``): URLs Krea holds survive a key rotation."""
    given = (secret or "").encode()
    return any(
        hmac.compare_digest(webhook_secret_for(job_uuid, key=key).encode(), given)
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


class JobStatus(models.TextChoices):
    """A job's state: the portal's own two first, then Krea's, in the order they happen.

    ``pending``: waiting in the portal's queue for one of the team's slots.
    ``submitting``: the portal is sending it (or sent it and has not heard back).
    """

    PENDING = "pending", "Waiting in the team's queue"
    SUBMITTING = "submitting", "Sending to Krea"
    BACKLOGGED = "backlogged", "Waiting at Krea"
    QUEUED = "queued", "Queued at Krea"
    SCHEDULED = "scheduled", "Scheduled"
    PROCESSING = "processing", "Processing"
    SAMPLING = "sampling", "Sampling"
    INTERMEDIATE_COMPLETE = "intermediate-complete", "Previews ready"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
# Holding one of the team's concurrency slots (sent to Krea, not finished).
IN_FLIGHT = frozenset(
    {
        JobStatus.SUBMITTING,
        JobStatus.BACKLOGGED,
        JobStatus.QUEUED,
        JobStatus.SCHEDULED,
        JobStatus.PROCESSING,
        JobStatus.SAMPLING,
        JobStatus.INTERMEDIATE_COMPLETE,
    }
)
CANCELLABLE = frozenset({JobStatus.PENDING}) | IN_FLIGHT
_ORDER = {status: rank for rank, status in enumerate(JobStatus)}


def status_rank(status: str) -> int:
    """Position in the life of a job; every terminal state outranks every other."""
    if status in TERMINAL:
        return len(_ORDER)
    return _ORDER.get(status, -1)


class JobKind(models.TextChoices):
    GENERATION = "generation", "Generation"
    TRAINING = "training", "Style training"
    NODE_APP = "node_app", "Node app"


class Job(models.Model):
    """One run of a Krea model for a team member, from the portal's queue to its outputs."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    kind = models.CharField(max_length=16, choices=JobKind.choices, default=JobKind.GENERATION)
    model_id = models.CharField(max_length=200, help_text="Catalogue id, e.g. image/bfl/flux-1-dev")
    model_name = models.CharField(max_length=200)
    group = models.CharField(max_length=16, blank=True, help_text="image, video or enhance")
    params = models.JSONField(default=dict)
    prompt = models.TextField(blank=True, help_text="Copied from params, for search")

    status = models.CharField(
        max_length=24, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    error = models.TextField(blank=True)
    needs_attention = models.BooleanField(
        default=False,
        help_text="Krea may have accepted this job but the portal never learnt its id.",
    )
    krea_job_id = models.CharField(max_length=100, blank=True, db_index=True)
    # Jobs made before webhook secrets were signed (``webhook_secret_for``) were sent to
    # Krea with a random secret of their own, kept here so their callbacks still count.
    legacy_webhook_secret = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_column="webhook_secret"
    )
    # What Krea's job produced, read once from its result when the state is applied.
    result_urls = models.JSONField(
        default=list, blank=True, help_text="Krea's URLs of the finished job's files"
    )
    result_style_id = models.CharField(
        max_length=100, blank=True, help_text="The style a completed training made"
    )
    preview_urls = models.JSONField(default=list, blank=True)

    estimate_cu = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    price_published = models.BooleanField(
        default=True, help_text="False when the estimate comes from an admin-set or default price"
    )
    charged_cu = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The portal's own scheduling: when it may next dispatch (after a 429) or poll.
    dispatch_attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancel_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="A member asked to cancel; the portal is telling Krea."
    )
    poll_count = models.PositiveIntegerField(default=0)
    # Jobs one paid request started together (a node app's execute) are charged as one
    # run: the run's first job holds the reservation for all of them (``runs.py``).
    run = models.ForeignKey(
        "nodeapps.NodeAppRun",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    # Jobs one "Generate xN" started together: variations shown as one group.
    batch = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    # The member locked the seed: "Run again" keeps it instead of drawing a new one.
    seed_locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="job_team_newest"),
            models.Index(fields=["team", "status"], name="job_team_status"),
            models.Index(fields=["team", "model_id", "model_name"], name="job_team_model"),
        ]

    def __str__(self) -> str:
        return f"{self.model_name} job {self.uuid}"

    @property
    def webhook_secret(self) -> str:
        """The secret of this job's webhook URL (with the current key)."""
        return webhook_secret_for(self.uuid)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def is_cancellable(self) -> bool:
        return self.status in CANCELLABLE

    @property
    def is_cancelling(self) -> bool:
        return self.cancel_requested_at is not None and not self.is_terminal

    @property
    def cancel_came_too_late(self) -> bool:
        """A member cancelled it, but Krea finished it anyway (and billed it)."""
        return self.cancel_requested_at is not None and self.status == JobStatus.COMPLETED

    @property
    def seed(self):
        """The seed sent to Krea, or None when the model draws its own."""
        return self.params.get("seed") if isinstance(self.params, dict) else None

    @property
    def elapsed(self):
        end = self.finished_at or timezone.now()
        return end - self.created_at


class Output(models.Model):
    """A file a completed job produced, copied into the portal's storage."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="outputs")
    # The job's team, repeated so the gallery reads the newest outputs of a team
    # straight from an index instead of sorting every output of the team.
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="outputs/%Y/%m/", max_length=300)
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", max_length=300, blank=True)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["job", "position"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="output_team_newest"),
            # A job's page finds the team's outputs it took as inputs by their Krea URL.
            models.Index(fields=["team", "source_url"], name="output_team_source"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="unique_output_position")
        ]

    def __str__(self) -> str:
        return f"Output {self.position} of {self.job}"

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


# Above this estimate a run asks the member to confirm, until they set their own figure.
DEFAULT_CONFIRM_ABOVE_CU = Decimal(100)


class WorkspacePreferences(models.Model):
    """How the generate workspace behaves for one member of a team."""

    membership = models.OneToOneField(
        "teams.Membership", on_delete=models.CASCADE, related_name="workspace_preferences"
    )
    confirm_above_cu = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=DEFAULT_CONFIRM_ABOVE_CU,
        help_text="Runs estimated above this many CU ask for a confirmation first.",
    )

    def __str__(self) -> str:
        return f"Workspace preferences of {self.membership}"
