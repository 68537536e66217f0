"""A simulated Krea job and its way through Krea's states.

A job that has a concurrency slot moves on the clock: for a job that takes ``d``
seconds, it is ``queued`` for the first 10 % of ``d``, then ``scheduled`` (to 20 %),
``processing`` (to 45 %), ``sampling`` (to 80 %), ``intermediate-complete`` with
preview URLs (to 100 %), and ``completed`` at ``d``. A job without a slot is
``backlogged`` and starts when one frees. ``failed`` and ``cancelled`` end it early.
The status is computed from the clock; the simulator only records the events that
the clock cannot know (start, end, cancel).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .clock import isoformat
from .outputs import Recipe
from .webhooks import WebhookPolicy

__all__ = [
    "DEFAULT_JOB_SECONDS",
    "JOB_KINDS",
    "JOB_STATUSES",
    "PHASES",
    "TERMINAL_STATUSES",
    "JobRecord",
    "OutputFile",
    "job_durations",
]

JOB_KINDS = ("image", "video", "enhance", "training", "node-app")
JOB_STATUSES = (
    "backlogged",
    "queued",
    "scheduled",
    "processing",
    "sampling",
    "intermediate-complete",
    "completed",
    "failed",
    "cancelled",
)
TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
#: Each running state and the fraction of the job's duration at which it begins.
PHASES: tuple[tuple[str, float], ...] = (
    ("queued", 0.0),
    ("scheduled", 0.1),
    ("processing", 0.2),
    ("sampling", 0.45),
    ("intermediate-complete", 0.8),
)
#: Seconds a job takes from start to completion, by kind, unless configured.
DEFAULT_JOB_SECONDS: Mapping[str, float] = {
    "image": 6.0,
    "enhance": 4.0,
    "video": 15.0,
    "training": 20.0,
    "node-app": 8.0,
}


def job_durations(job_seconds: float | Mapping[str, float] | None) -> dict[str, float]:
    """Seconds per job kind: the defaults, one number for every kind, or per-kind overrides.

    Raises:
        ValueError: a negative duration or an unknown kind.
    """
    durations = dict(DEFAULT_JOB_SECONDS)
    if isinstance(job_seconds, int | float):
        durations = dict.fromkeys(JOB_KINDS, float(job_seconds))
    elif job_seconds is not None:
        for kind, seconds in job_seconds.items():
            if kind not in durations:
                raise ValueError(f"Unknown job kind {kind!r}; kinds: {', '.join(JOB_KINDS)}")
            durations[kind] = float(seconds)
    if any(seconds < 0 for seconds in durations.values()):
        raise ValueError("Job durations cannot be negative")
    return durations


def _phase_end(state: str) -> float:
    """The fraction of the duration at which ``state`` ends."""
    names = [name for name, _ in PHASES]
    index = names.index(state)
    return PHASES[index + 1][1] if index + 1 < len(PHASES) else 1.0


@dataclass
class OutputFile:
    """One file a job (or a style) makes available under ``/files/<id>.<ext>``."""

    id: str
    recipe: Recipe
    preview: bool = False

    def url(self, base_url: str) -> str:
        """The file's absolute URL."""
        return f"{base_url}/files/{self.id}.{self.recipe.ext}"


@dataclass
class JobRecord:
    """Everything the simulator knows about one job."""

    id: str
    token: str
    kind: str
    job_type: str
    model_id: str | None
    params: dict[str, Any]
    cost: Decimal
    created_at: datetime
    duration: float
    base_url: str
    started_at: datetime | None = None
    final_status: str | None = None
    ended_at: datetime | None = None
    error: str | None = None
    fail_at: str | None = None
    failure_message: str | None = None
    webhook_url: str | None = None
    webhook_policy: WebhookPolicy | None = None
    outputs: list[OutputFile] = field(default_factory=list)
    previews: list[OutputFile] = field(default_factory=list)
    style_id: str | None = None

    @property
    def is_terminal(self) -> bool:
        """True once completed, failed or cancelled."""
        return self.final_status is not None

    @property
    def is_running(self) -> bool:
        """True while the job holds a concurrency slot."""
        return self.started_at is not None and self.final_status is None

    def due_end(self) -> tuple[datetime, str] | None:
        """When a running job ends on its own, and how (``completed`` or ``failed``)."""
        if not self.is_running or self.started_at is None:
            return None
        if self.fail_at is not None:
            at = self.started_at + timedelta(seconds=self.duration * _phase_end(self.fail_at))
            return at, "failed"
        return self.started_at + timedelta(seconds=self.duration), "completed"

    def status_at(self, now: datetime) -> str:
        """The job's state at ``now`` (assuming the simulator has applied due events)."""
        if self.final_status is not None:
            return self.final_status
        if self.started_at is None:
            return "backlogged"
        elapsed = (now - self.started_at).total_seconds()
        # An instant job (duration 0) ends as soon as the simulator applies events.
        fraction = elapsed / self.duration if self.duration > 0 else 0.0
        status = PHASES[0][0]
        for name, begins in PHASES:
            if fraction >= begins:
                status = name
        return status

    def to_json(self, now: datetime, *, as_created: bool = False) -> dict[str, Any]:
        """The job as Krea shows it.

        ``as_created`` gives the shape of a generation answer (``completed_at`` and
        ``result`` present and null); otherwise, as ``GET /jobs/{id}`` does, they
        appear only once there is something to say.
        """
        status = self.status_at(now)
        if as_created and status not in ("backlogged", "cancelled"):
            status = "queued"
        body: dict[str, Any] = {
            "job_id": self.id,
            "status": status,
            "created_at": isoformat(self.created_at),
        }
        if as_created:
            body["completed_at"] = None
            body["result"] = None
            return body
        if self.ended_at is not None:
            body["completed_at"] = isoformat(self.ended_at)
        if status == "completed":
            if self.style_id is not None:
                body["result"] = {"style_id": self.style_id}
            else:
                body["result"] = {"urls": [f.url(self.base_url) for f in self.outputs]}
        elif status == "failed":
            body["result"] = {"error": self.error or "The job failed."}
        elif status == "intermediate-complete" and self.previews:
            body["result"] = {"urls": [f.url(self.base_url) for f in self.previews]}
        return body

    def file_visible(self, output: OutputFile, now: datetime) -> bool:
        """Whether ``output`` can be downloaded yet (outputs once completed, previews
        once intermediate-complete)."""
        status = self.status_at(now)
        if output.preview:
            return status in ("intermediate-complete", "completed")
        return status == "completed"
