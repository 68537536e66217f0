"""Live updates: how open pages learn that a team's jobs changed, and how the running
jobs on a member's screen are kept fresh from Krea.

Pages short-poll one endpoint (``views.live_events``): every 0.25 s while a job they
follow is in flight, every second otherwise (the choice against Server-Sent Events is
in docs/architecture.md). When nothing changed the answer costs one cache read and no
query: the page sends a signed, short-lived *live token* naming its team and member
(``live_token``), ``LivePollMiddleware`` checks its HMAC before the session and
membership are looked up, and compares the page's version with the team's *version*,
a token that every change to one of its jobs replaces after its commit
(``team_changed``, called by the services). Only a page whose version differs goes
on to the view, which checks the session and membership as every page does and reads
the database for the state of the jobs it shows, the member's running jobs and the
team's newest jobs.

Krea calls back only when a job ends, so a running job that someone is looking at
is refreshed from Krea by a task (``jobs_watch``), never inside the page's request,
and at most once every ``WATCH_REFRESH_SECONDS`` per job however many members, tabs
and rows watch it: the first page to ask in a window takes the job's lock in the
cache (``cache.add`` with that time-out) and enqueues the refresh. Jobs nobody
watches rely on Krea's webhook and the backed-off poll.

The cache must be shared by the web processes and the workers: Redis in
production, a file cache under ``var/`` for ``make run``.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID, uuid4

from django.core import signing
from django.core.cache import cache
from django.db import transaction

from . import tasks
from .models import Job, JobKind, JobStatus

WATCH_REFRESH_SECONDS = 3
# How long a page's live token answers "nothing changed" without the session: a member
# removed from the team learns no more than when its jobs changed, and for no longer.
LIVE_TOKEN_SECONDS = 10 * 60
_TOKEN_SALT = "studio.generation.live.token"
TOKEN_HEADER = "X-Live-Token"
LIVE_MAX_JOBS = 100


def job_ids(text: str) -> list[UUID]:
    """The job ids of a comma-separated list a page sends; ValueError if one is not an id."""
    values = [v for v in text.split(",") if v.strip()]
    if len(values) > LIVE_MAX_JOBS:
        raise ValueError(f"at most {LIVE_MAX_JOBS} job ids")
    return [UUID(value.strip()) for value in values]


_VERSION_KEY = "live:team:{}"
_WATCH_KEY = "live:watch:{}:{}"


def team_version(team_id: int) -> str:
    """The team's current version: any token, replaced at every change of one of its jobs."""
    key = _VERSION_KEY.format(team_id)
    version = cache.get(key)
    if version is None:  # first use, or evicted: start a new one
        version = uuid4().hex
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def team_changed(team_id: int) -> None:
    """Tell the team's open pages that one of its jobs changed, once the change is committed.

    A fresh token rather than a counter: two processes changing jobs at once can
    never leave the version where a page already saw it.
    """
    transaction.on_commit(
        lambda: cache.set(_VERSION_KEY.format(team_id), uuid4().hex, timeout=None)
    )


def live_token(*, team_id: int, user_id: int) -> str:
    """A signed token naming a member's team, for the page to send with each poll."""
    return signing.dumps([team_id, user_id], salt=_TOKEN_SALT)


def live_token_team(token: str) -> int | None:
    """The team a live token names, if its signature holds and it is recent enough."""
    try:
        team_id, _user_id = signing.loads(token, salt=_TOKEN_SALT, max_age=LIVE_TOKEN_SECONDS)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return team_id if isinstance(team_id, int) else None


def poll_unchanged(*, token: str, version: str, watch: Iterable[UUID]) -> bool:
    """Whether a page holding ``token`` and ``version`` may be told "nothing changed"
    without its session: the token is valid and the team's version is still ``version``.

    The running jobs it shows are watched as by the full answer (``jobs_watch``).
    """
    team_id = live_token_team(token) if token and version else None
    if team_id is None:
        return False
    jobs_watch(team_id=team_id, job_uuids=watch)
    return team_version(team_id) == version


def jobs_watch(*, team_id: int, job_uuids: Iterable[UUID]) -> int:
    """Someone is looking at these running jobs: refresh each from Krea, at most every 3 s.

    Returns how many refreshes were enqueued. The task looks the job up within
    ``team_id``, so another team's id refreshes nothing.
    """
    enqueued = 0
    for job_uuid in job_uuids:
        if cache.add(_WATCH_KEY.format(team_id, job_uuid), True, timeout=WATCH_REFRESH_SECONDS):
            tasks.enqueue_refresh_watched(team_id, str(job_uuid))
            enqueued += 1
    return enqueued


def _output_count(job: Job) -> int:
    count = getattr(job, "output_count", None)
    return len(job.outputs.all()) if count is None else count


def job_followed(job: Job) -> bool:
    """Whether a page showing ``job`` still expects news of it: running, or completed and
    its files not copied in yet."""
    if not job.is_terminal:
        return True
    return (
        job.status == JobStatus.COMPLETED
        and job.kind != JobKind.TRAINING
        and not job.error
        and _output_count(job) == 0
    )


def job_live_state(job: Job) -> str:
    """What a page shows of a job, as one string: a row or card whose state differs is stale.

    Uses ``job.output_count`` where a query annotated it, else the job's outputs
    (prefetched by the listings).
    """
    return ".".join(
        str(part)
        for part in (
            job.status,
            _output_count(job),
            len(job.preview_urls or []),
            int(job.needs_attention),
            int(job.cancel_requested_at is not None),
            int(bool(job.error)),
        )
    )
