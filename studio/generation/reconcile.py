"""Sends whose outcome is unknown, resolved by asking Krea for its job list.

A ``POST /generate/...`` that got a 5xx, timed out or lost its answer, or whose
worker died before saving Krea's answer, leaves its job ``submitting`` with no
Krea id: Krea may or may not have created (and may bill) a job for it. The portal
never posts it again blindly. Every half minute (Celery beat) ``sends_reconcile``
asks Krea, for each team with such jobs, for the token's jobs (``GET /jobs``,
newest first, paging back to just before the earliest unknown send) and matches
the Krea jobs the portal does not know ("strangers") to the sends awaiting an answer.

Krea's list tells only a job's id, state and times, so the match is by time, on
Krea's clock. A send started at ``submitted_at`` (the portal's clock, written
before the POST) created its Krea job, if at all, within its window:
``[submitted_at + offset - SEND_EARLY, submitted_at + offset + timeout + SEND_LATE]``,
where ``offset`` is Krea's clock minus the portal's: the median gap between
``submitted_at`` and Krea's ``created_at`` of the jobs both know (the neighbours
in the same list), else Krea's ``Date`` header against the portal's clock.

Per send whose outcome is unknown:

- Exactly one stranger in its window, and in no other pending send's window
  (a send still waiting for its answer counts too): that is its job. Krea's id is
  recorded and the job is followed as usual (webhook, polls), charged when Krea
  completes it, released otherwise; a cancel asked meanwhile is sent to Krea then.
- A node app's execute starts several jobs at once: every stranger in its window that
  no other send may own is one of them (the first is its job, the others join its run).
- No stranger, once the list is complete for the window (``LIST_GRACE`` after it
  closed on Krea's clock): the send never reached Krea, so it is sent again, or
  cancelled or failed with its reservation released (``job_send_not_received``).
- Otherwise it is ambiguous (several strangers, or one that another send may own).
  The portal waits for webhooks: each names the portal's job in its URL, which
  settles it for sure. If none comes (lost, or no public URL to call), once every
  stranger of the tangle is finished at Krea and ``WEBHOOK_WAIT`` has passed, its
  sends and strangers are paired in time order when there are as many of each and
  each pair fits its window: every CU Krea bills is then charged, though two of
  the tangle's jobs may be swapped, so they keep "needs attention" and say so.
  Otherwise the sends are failed (released), needing attention, for an admin to
  settle against Krea's usage.

A job started with the same token outside the portal looks like a lost send: the
team's token should be the portal's alone (README).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from krea_integration import errors as krea_errors
from krea_integration import types as krea_types
from studio.teams.models import Team
from studio.teams.tokens import TeamHasNoToken, team_krea_client

from . import runs, services, tasks
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# How long the portal waits for the webhooks of a tangle of sends it cannot tell apart
# once Krea has finished all their candidate jobs (Krea calls back at the end).
WEBHOOK_WAIT = timedelta(minutes=10)
# Clocks further apart than this are not expected; the list is read this far past the
# earliest unknown send so that neighbours can measure the real offset.
CLOCK_ALLOWANCE = timedelta(minutes=2)
PAGE_SIZE = 1000
MAX_PAGES = 20

AMBIGUOUS_PAIRED = (
    "Krea's answer was lost and {count} sends of this team at the same moment could not "
    "be told apart, so this job was matched to a Krea job by time order. Check that its "
    "outputs are what was asked."
)
AMBIGUOUS_FAILED = (
    "Krea's answer was lost and {count} sends of this team at the same moment match "
    "{found} Krea jobs the portal cannot tell apart. Nothing is charged here: an admin "
    "can check the team's Krea usage and adjust."
)


def sends_reconcile() -> int:
    """Periodic: find sends whose outcome is unknown and ask Krea about them, per team.

    A send that outlived its POST (the worker died between the POST and saving
    Krea's answer) is marked unknown first. Returns the number of teams asked.
    """
    now = timezone.now()
    Job.objects.filter(
        status=JobStatus.SUBMITTING,
        krea_job_id="",
        needs_attention=False,
        submitted_at__lt=now - services.send_deadline(),
    ).update(needs_attention=True, error=services.OUTCOME_UNKNOWN)
    team_ids = list(
        _awaiting_answer()
        .filter(needs_attention=True)
        .order_by()
        .values_list("team_id", flat=True)
        .distinct()
    )
    for team_id in team_ids:
        tasks.enqueue_reconcile_team(team_id)
    return len(team_ids)


def _awaiting_answer():
    return Job.objects.filter(
        status=JobStatus.SUBMITTING, krea_job_id="", submitted_at__isnull=False
    )


@dataclass(frozen=True)
class _Listing:
    jobs: list[krea_types.Job]
    server_time: datetime | None
    read_at: datetime
    covers_from: datetime | None  # None: back to the token's first job


def _list_back_to(client, earliest: datetime) -> _Listing:
    """Krea's jobs, newest first, back to a little before ``earliest`` (portal's clock)."""
    jobs: list[krea_types.Job] = []
    cursor = None
    server_time = None
    read_at = timezone.now()
    for page_number in range(MAX_PAGES):
        page = client.list_jobs(cursor=cursor, limit=PAGE_SIZE)
        if page_number == 0:
            server_time, read_at = page.server_time, timezone.now()
        jobs.extend(page.items)
        if not page.next_cursor or not page.items:
            return _Listing(jobs, server_time, read_at, covers_from=None)
        offset = _date_offset(server_time, read_at) or timedelta(0)
        if page.items[-1].created_at < earliest + offset - services.SEND_EARLY - CLOCK_ALLOWANCE:
            break
        cursor = page.next_cursor
    return _Listing(jobs, server_time, read_at, covers_from=jobs[-1].created_at)


def _date_offset(server_time: datetime | None, read_at: datetime) -> timedelta | None:
    # The Date header is truncated to the second: Krea's clock was up to 1 s past it.
    if server_time is None:
        return None
    return server_time + timedelta(milliseconds=500) - read_at


def _clock_offset(listing: _Listing, sent_at: dict[str, datetime | None]) -> timedelta:
    """Krea's clock minus the portal's, from the jobs both know, else from Krea's Date."""
    gaps = sorted(
        job.created_at - sent_at[job.job_id] for job in listing.jobs if sent_at.get(job.job_id)
    )
    if gaps:
        return gaps[len(gaps) // 2]
    return _date_offset(listing.server_time, listing.read_at) or timedelta(0)


def _known_ids(krea_ids: list[str]) -> dict[str, datetime | None]:
    """Krea ids some portal job already has (any team: ids are unique), with its send time."""
    known: dict[str, datetime | None] = {}
    for start in range(0, len(krea_ids), 500):
        known.update(
            Job.objects.filter(krea_job_id__in=krea_ids[start : start + 500]).values_list(
                "krea_job_id", "submitted_at"
            )
        )
    return known


def team_reconcile(*, team_id: int) -> None:
    """Match the team's sends whose outcome is unknown to Krea's jobs (see the module)."""
    team = Team.objects.filter(pk=team_id).first()
    unknown = _awaiting_answer().filter(team_id=team_id, needs_attention=True)
    earliest = unknown.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if team is None or earliest is None:
        return
    try:
        with team_krea_client(team=team, max_attempts=1) as client:
            listing = _list_back_to(client, earliest)
    except (krea_errors.KreaError, TeamHasNoToken) as exc:
        # Krea is still not answering (or cannot be asked): the next run tries again.
        logger.info("Reconciling team %s: Krea's job list is unavailable (%s)", team_id, exc)
        return
    # Read after the list: a send whose Krea job is listed is then either still
    # waiting for its answer (so it claims that job's window) or already known.
    claimants = list(_awaiting_answer().filter(team_id=team_id).order_by("submitted_at", "id"))
    known = _known_ids([job.job_id for job in listing.jobs])
    offset = _clock_offset(listing, known)
    krea_now = listing.read_at + offset
    strangers = [job for job in listing.jobs if job.job_id not in known]
    tangle = _Tangle(claimants, strangers, offset, listing, krea_now)

    for send in claimants:
        if not send.needs_attention:
            continue  # its POST may still be answered
        candidates = tangle.candidates[send.pk]
        if (
            send.run_id
            and candidates
            and all(tangle.owners[c.job_id] == [send] for c in candidates)
        ):
            # A node app's execute starts all its jobs at once: the strangers that only
            # this send can own are all of them.
            first, *others = sorted(candidates, key=lambda job: (job.created_at, job.job_id))
            services.job_record_lost_send(
                job_id=send.pk, submitted_at=send.submitted_at, krea_job=first
            )
            if Job.objects.filter(pk=send.pk, krea_job_id=first.job_id).exists():
                runs.run_join(send, others)
        elif len(candidates) == 1 and tangle.owners[candidates[0].job_id] == [send]:
            services.job_record_lost_send(
                job_id=send.pk, submitted_at=send.submitted_at, krea_job=candidates[0]
            )
        elif not candidates and tangle.listed_in_full(send):
            services.job_send_not_received(job_id=send.pk, submitted_at=send.submitted_at)
    for group in tangle.groups():
        tangle.settle(group)


class _Tangle:
    """The sends awaiting an answer, the strangers in their windows, and who may own whom."""

    def __init__(self, claimants, strangers, offset, listing, krea_now) -> None:
        self.listing = listing
        self.krea_now = krea_now
        self.offset = offset
        self.window = {}
        self.candidates: dict[int, list[krea_types.Job]] = {}
        self.owners: dict[str, list[Job]] = {}
        for send in claimants:
            start = send.submitted_at + offset - services.SEND_EARLY
            end = send.submitted_at + offset + services.send_deadline()
            self.window[send.pk] = (start, end)
            found = [job for job in strangers if start <= job.created_at <= end]
            self.candidates[send.pk] = found
            for job in found:
                self.owners.setdefault(job.job_id, []).append(send)
        self.claimants = claimants

    def listed_in_full(self, send: Job) -> bool:
        """Whether Krea's list shows every job it may have created for ``send``."""
        start, end = self.window[send.pk]
        covered = self.listing.covers_from is None or self.listing.covers_from <= start
        return covered and self.krea_now >= end + services.LIST_GRACE

    def groups(self) -> list[list[Job]]:
        """Sends linked by strangers that could be either's, each group in send order."""
        parent = {send.pk: send.pk for send in self.claimants}

        def root(pk: int) -> int:
            while parent[pk] != pk:
                parent[pk] = parent[parent[pk]]
                pk = parent[pk]
            return pk

        for sends in self.owners.values():
            for other in sends[1:]:
                parent[root(other.pk)] = root(sends[0].pk)
        groups: dict[int, list[Job]] = {}
        for send in self.claimants:
            if self.candidates[send.pk]:
                groups.setdefault(root(send.pk), []).append(send)
        return list(groups.values())

    def settle(self, sends: list[Job]) -> None:
        """End an ambiguity no webhook has settled, once waiting longer cannot help."""
        found = {job.job_id: job for send in sends for job in self.candidates[send.pk]}
        if len(sends) == 1 and len(found) == 1:
            return  # an unambiguous match, made above (or the send is still in flight)
        wait = WEBHOOK_WAIT if settings.PUBLIC_BASE_URL else timedelta(0)
        ready = (
            all(send.needs_attention and self.listed_in_full(send) for send in sends)
            and all(job.is_terminal for job in found.values())
            and all(
                self.krea_now >= (job.completed_at or job.created_at) + wait
                for job in found.values()
            )
        )
        if not ready:
            return
        jobs = sorted(found.values(), key=lambda job: job.created_at)
        pairs = list(zip(sends, jobs, strict=False))
        if len(jobs) == len(sends) and all(
            self.window[send.pk][0] <= job.created_at <= self.window[send.pk][1]
            for send, job in pairs
        ):
            note = AMBIGUOUS_PAIRED.format(count=len(sends))
            for send, job in pairs:
                services.job_record_lost_send(
                    job_id=send.pk, submitted_at=send.submitted_at, krea_job=job, note=note
                )
            return
        note = AMBIGUOUS_FAILED.format(count=len(sends), found=len(jobs))
        for send in sends:
            services.job_send_unresolved(job_id=send.pk, submitted_at=send.submitted_at, note=note)
