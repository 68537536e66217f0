"""The path of one generation: submit, dispatch, send, track, finish.

Views, the API and Celery tasks all call these functions; none of them talks to
Krea inside a request a user waits on (except the single, fast submit that only
writes rows) or inside the webhook request.

States move forward only (``models.status_rank``): a late, repeated or
out-of-order report from Krea changes nothing once a later state is recorded.
"""

from __future__ import annotations

import hmac
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from krea_integration import catalogue
from krea_integration import errors as krea_errors
from krea_integration import types as krea_types
from studio.assets.services import asset_upload, asset_uses_record
from studio.downloads import krea_downloader
from studio.teams.models import Membership, Team
from studio.teams.tokens import TeamHasNoToken, team_krea_client
from studio.usage.models import UsageEntry
from studio.usage.pricing import Estimate, job_estimate
from studio.usage.selectors import allowance_for
from studio.usage.services import (
    QuotaExceeded,
    usage_charge,
    usage_release,
    usage_reserve,
)

from . import events, live, runs, selectors, tasks
from .files import output_filename
from .models import (
    IN_FLIGHT,
    TERMINAL,
    Job,
    JobKind,
    JobStatus,
    Output,
    WorkspacePreferences,
    status_rank,
    webhook_secret_valid,
)

logger = logging.getLogger(__name__)

OUT_OF_CREDITS = (
    "The team's Krea account is out of credits. Top it up on Krea, then run the job again."
)
TOKEN_INVALID = (
    "Krea did not accept the team's token (it may have been revoked). "
    "An owner or admin can replace it on the team page."
)
OUTCOME_UNKNOWN = (
    "Krea may have accepted this job, but the portal did not hear back. The portal is "
    "checking Krea's job list; nothing will be sent twice."
)
TIMED_OUT = "Krea did not finish this job within its time limit."
NOT_SENT_RESENDING = (
    "Krea never received this job (it was not answering), so the portal sends it again."
)
NOT_SENT_FAILED = (
    "Krea never received this job (it was not answering) and it waited too long to be "
    "sent again. Nothing is charged."
)
NOT_SENT_CANCELLED = "Krea never received this job; it is cancelled as asked. Nothing is charged."
DELETED_AT_KREA = "Krea deleted this job when the portal cancelled it. Nothing is charged."

# Krea times jobs out after 2 hours for external providers; past that (and a margin)
# a job that still looks alive here is reconciled.
KREA_MAX_JOB_AGE = timedelta(hours=2, minutes=10)
# Seconds during which repeated webhooks of one job share one confirmation.
WEBHOOK_REFRESH_WINDOW = 2
# A job claimed for sending whose send task never started (lost message).
STALE_CLAIM = timedelta(minutes=5)
# When Krea creates the job of a POST, on Krea's clock, relative to the moment the portal
# started the POST (``submitted_at``, corrected for the clocks' offset): from a little
# before (clock error) to the client's timeout plus this margin (a slow Krea may create
# the job just before the portal gives up waiting).
SEND_EARLY = timedelta(seconds=5)
SEND_LATE = timedelta(seconds=30)
# How long after that window closes Krea's job list is taken as complete for it.
LIST_GRACE = timedelta(seconds=30)


def send_deadline() -> timedelta:
    """A POST started longer ago than this has ended: its answer is recorded or lost."""
    return timedelta(seconds=settings.KREA_TIMEOUT_SECONDS) + SEND_LATE


def unknown_send_grace() -> timedelta:
    """How long a send whose outcome is unknown holds its team slot.

    By then Krea's job list tells whether the send reached Krea, so holding the slot
    longer would only stall the team's queue (``team_dispatch`` stops counting it).
    """
    return send_deadline() + LIST_GRACE


def _holds_no_slot(now) -> Q:
    return Q(
        status=JobStatus.SUBMITTING,
        krea_job_id="",
        submitted_at__lt=now - unknown_send_grace(),
    )


class InvalidGeneration(Exception):
    """The request cannot be sent: an unknown model or parameters its schema refuses."""

    def __init__(self, errors: list[catalogue.ParamError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field or 'body'}: {e.message}" for e in errors))


@dataclass(frozen=True)
class PreparedGeneration:
    model: catalogue.Model
    params: dict[str, Any]


def generation_prepare(*, model_id: str, params: Mapping[str, Any]) -> PreparedGeneration:
    """Check ``params`` against the model's schema; aliases are renamed to their fields.

    Raises InvalidGeneration naming each field that is wrong.
    """
    try:
        model = catalogue.load().get(model_id)
    except catalogue.UnknownModel:
        raise InvalidGeneration(
            [catalogue.ParamError(field="model", message=f"There is no Krea model {model_id!r}.")]
        ) from None
    errors = catalogue.validate_params(model, dict(params))
    if errors:
        raise InvalidGeneration(errors)
    return PreparedGeneration(model=model, params=catalogue.normalise_params(model, dict(params)))


def generation_submit(*, membership: Membership, model_id: str, params: Mapping[str, Any]) -> Job:
    """Queue a generation for ``membership``'s team: validate, reserve its CU, write the job.

    One transaction: the quota check (``usage_reserve``, which locks the quota
    rows and raises ``QuotaExceeded``) and the job row commit together; the
    dispatch task is enqueued only after the commit. Raises ``TeamHasNoToken``
    while the team has no Krea token, and ``InvalidGeneration``. The parameters
    are sent as given (the API's contract); the workspace uses ``generation_submit_group``.
    """
    require_krea_token(membership.team)
    prepared = generation_prepare(model_id=model_id, params=params)
    return _queue_generation(membership=membership, model=prepared.model, params=prepared.params)


def _queue_generation(
    *,
    membership: Membership,
    model: catalogue.Model,
    params: dict[str, Any],
    batch: UUID | None = None,
    seed_locked: bool = False,
) -> Job:
    return job_queue(
        membership=membership,
        kind=JobKind.GENERATION,
        model_id=model.id,
        model_name=model.name,
        group=model.group,
        params=params,
        prompt=str(params.get("prompt") or ""),
        estimate=job_estimate(model, params),
        batch=batch,
        seed_locked=seed_locked,
    )


MAX_VARIATIONS = 4
# Seeds are drawn below 2**31: every seed field Krea publishes takes those (uint32,
# int32 or an unbounded number).
_SEED_CEILING = 2**31 - 1


def takes_seed(model: catalogue.Model) -> bool:
    """Whether ``model`` takes a seed: without one, each run varies on its own."""
    return "seed" in (model.request_schema.get("properties") or {})


def _seed_bounds(model: catalogue.Model) -> tuple[int, int]:
    schema = model.request_schema["properties"]["seed"]
    low = max(0, math.ceil(schema.get("minimum", 0)))
    high = min(_SEED_CEILING, math.floor(schema.get("maximum", _SEED_CEILING)))
    return low, high


def variation_seeds(
    model: catalogue.Model, *, count: int, locked_seed: int | None = None
) -> list[int | None]:
    """The seed of each of ``count`` runs of ``model``: None for a model without a seed field.

    A fresh random seed per run, never the schema's default (which would buy the same
    image every time). A locked seed is the first run's; the others count up from it,
    so the group is reproducible and its runs still differ.
    """
    if not takes_seed(model):
        return [None] * count
    low, high = _seed_bounds(model)
    if locked_seed is None:
        return random.sample(range(low, high + 1), count)
    span = high - low + 1
    return [low + (int(locked_seed) - low + i) % span for i in range(count)]


def generation_submit_group(
    *,
    membership: Membership,
    model_id: str,
    params: Mapping[str, Any],
    count: int = 1,
    seed_locked: bool = False,
) -> list[Job]:
    """Queue ``count`` (1 to 4) variations of a generation as one group, for the workspace.

    Each variation is its own job, estimated and reserved, with its own seed
    (``variation_seeds``): random unless ``seed_locked``, when ``params["seed"]`` (drawn
    if missing) is kept. A model without a seed field gets the same parameters
    ``count`` times. One transaction: either every job of the group is queued or none,
    and the quota is checked for the group's total first. Raises ``TeamHasNoToken``,
    ``InvalidGeneration`` and ``QuotaExceeded``.
    """
    if not 1 <= count <= MAX_VARIATIONS:
        raise InvalidGeneration(
            [
                catalogue.ParamError(
                    field="count", message=f"Generate from 1 to {MAX_VARIATIONS} at once."
                )
            ]
        )
    require_krea_token(membership.team)
    prepared = generation_prepare(model_id=model_id, params=params)
    model = prepared.model
    locked_seed = prepared.params.get("seed") if seed_locked else None
    if seed_locked and locked_seed is None:
        locked_seed = variation_seeds(model, count=1)[0]
    runs_params = []
    for seed in variation_seeds(model, count=count, locked_seed=locked_seed):
        run = dict(prepared.params)
        if seed is not None:
            run["seed"] = seed
        runs_params.append(run)
    total = sum((job_estimate(model, run).cu for run in runs_params), Decimal(0))
    batch = uuid4()
    with transaction.atomic():
        if count > 1:
            _require_room(membership, total, field="count")
        return [
            _queue_generation(
                membership=membership,
                model=model,
                params=run,
                batch=batch,
                seed_locked=seed_locked and takes_seed(model),
            )
            for run in runs_params
        ]


def _require_room(membership: Membership, cu: Decimal, *, field: str) -> None:
    """Refuse a group whose total does not fit (each job's reserve checks its own part)."""
    allowance = allowance_for(membership=membership)
    if not allowance.allows(cu):
        member_binds = allowance.member_left is not None and (
            allowance.team_left is None or allowance.member_left <= allowance.team_left
        )
        raise QuotaExceeded(
            needed=cu,
            left=allowance.left,
            scope="member" if member_binds else "team",
            resets_at=allowance.resets_at,
            field=field,
        )


def job_run_again(*, membership: Membership, job: Job) -> Job:
    """Run ``job``'s model with its parameters again, as a new job of ``membership``.

    A new random seed unless the job's seed was locked (``generation_submit_group``).
    """
    params = dict(job.params)
    if not job.seed_locked:
        params.pop("seed", None)
    return generation_submit_group(
        membership=membership,
        model_id=job.model_id,
        params=params,
        seed_locked=job.seed_locked,
    )[0]


def require_krea_token(team: Team) -> None:
    """Raise ``TeamHasNoToken`` while ``team`` has no Krea token: nothing can be sent."""
    if not team.has_krea_token:
        raise TeamHasNoToken(
            "This team has no Krea token yet: an owner or admin adds it on the team's "
            "Krea token page."
        )


def job_reserve(job: Job) -> UsageEntry:
    """Reserve ``job``'s estimate in the ledger, within the caller's atomic block (which
    a refusal, ``QuotaExceeded``, rolls back): the ledger keeps the job's facts as plain
    values, not a link to the job."""
    return usage_reserve(
        team_id=job.team_id,
        user_id=job.created_by_id,
        job_id=job.pk,
        job_uuid=job.uuid,
        model_id=job.model_id,
        model_name=job.model_name,
        prompt=job.prompt,
        price_published=job.price_published,
        cu=job.estimate_cu,
        submitted_at=job.created_at,
    )


def job_queue(
    *,
    membership: Membership,
    kind: str,
    model_id: str,
    model_name: str,
    group: str,
    params: dict[str, Any],
    prompt: str,
    estimate: Estimate,
    batch: UUID | None = None,
    seed_locked: bool = False,
) -> Job:
    """Write a checked job of any kind into the team's queue, its CU reserved.

    One transaction: the quota check (``usage_reserve``, which locks the quota
    rows and raises ``QuotaExceeded``) and the job row commit together; the
    dispatch task is enqueued only after the commit. Callers validate ``params``
    first (``generation_submit``, the styles app's training).
    """
    with transaction.atomic():
        job = Job.objects.create(
            team=membership.team,
            created_by=membership.user,
            kind=kind,
            model_id=model_id,
            model_name=model_name,
            group=group,
            params=params,
            prompt=prompt,
            estimate_cu=estimate.cu,
            price_published=estimate.published,
            batch=batch,
            seed_locked=seed_locked,
        )
        asset_uses_record(job=job)
        # Last: the quota rows it locks are held until the commit, which others wait for.
        job_reserve(job)
        team_id = membership.team_id
        transaction.on_commit(lambda: tasks.enqueue_dispatch(team_id))
        live.team_changed(team_id)
    return job


def _fair_pick(pending: list[Job], in_flight: Counter, free: int) -> list[Job]:
    """Round-robin across members: each pick goes to the member holding the fewest slots.

    ``pending`` is oldest first; a member's own jobs keep their order.
    """
    queues: dict[int | None, list[Job]] = {}
    for job in pending:
        queues.setdefault(job.created_by_id, []).append(job)
    held = Counter(in_flight)
    picked: list[Job] = []
    while queues and len(picked) < free:
        member = min(queues, key=lambda m: (held[m], queues[m][0].created_at, queues[m][0].id))
        job = queues[member].pop(0)
        picked.append(job)
        held[member] += 1
        if not queues[member]:
            del queues[member]
    return picked


def team_dispatch(*, team_id: int) -> list[int]:
    """Claim free concurrency slots of the team for its waiting jobs, fairly across members.

    The team row is locked so two dispatches cannot hand out the same slot (NO KEY
    UPDATE: submits, which hold a key-share lock on the team, need not wait). The
    claimed jobs move to ``submitting`` and their send tasks are enqueued after
    commit. Returns the claimed job ids.
    """
    now = timezone.now()
    with transaction.atomic():
        team = Team.objects.select_for_update(no_key=True).filter(pk=team_id).first()
        if team is None:
            return []
        in_flight = Counter(
            Job.objects.filter(team=team, status__in=IN_FLIGHT)
            .exclude(_holds_no_slot(now))
            .values_list("created_by_id", flat=True)
        )
        free = team.concurrency_limit - sum(in_flight.values())
        if free <= 0:
            return []
        pending = list(
            Job.objects.filter(team=team, status=JobStatus.PENDING)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .only("id", "created_by_id", "created_at")
            .order_by("created_at", "id")[: max(free * 50, 200)]
        )
        picked = [job.id for job in _fair_pick(pending, in_flight, free)]
        if picked:
            Job.objects.filter(id__in=picked, status=JobStatus.PENDING).update(
                status=JobStatus.SUBMITTING, submitted_at=None
            )
            for job_id in picked:
                transaction.on_commit(lambda job_id=job_id: tasks.enqueue_send(job_id))
            live.team_changed(team_id)
        waiting_later = (
            Job.objects.filter(team=team, status=JobStatus.PENDING, not_before__gt=now)
            .order_by("not_before")
            .values_list("not_before", flat=True)
            .first()
        )
        if waiting_later and len(picked) < free:
            delay = max((waiting_later - now).total_seconds(), 0.5)
            transaction.on_commit(lambda: tasks.enqueue_dispatch(team_id, countdown=delay))
    return picked


def webhook_url_for(job: Job) -> str | None:
    """Where Krea should call back for this job, or None (then the portal polls)."""
    if not settings.PUBLIC_BASE_URL:
        return None
    path = reverse("krea-webhook", args=[job.uuid, job.webhook_secret])
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _backoff(attempt: int, *, base: float = 2.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter on the upper half, in seconds."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _poll_delay(job: Job) -> float:
    """When to look at a job on Krea next: 2 s growing to a minute; slower with webhooks."""
    if webhook_url_for(job) and job.kind != JobKind.NODE_APP:  # execute takes no webhook
        return 60.0  # the webhook is the signal; polling is the safety net
    return min(60.0, 2.0 * (1.5**job.poll_count))


def job_send(*, job_id: int) -> None:
    """Send a claimed job to Krea: the one paid POST of its life.

    ``submitted_at`` is written and committed BEFORE the POST. A job found with it
    already set is never posted again, even if the worker died right after the
    POST and the task is delivered a second time; such a job waits for its webhook
    (which names the job in its URL) or is shown as needing attention.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.SUBMITTING or job.submitted_at is not None:
            return
        job.submitted_at = timezone.now()
        job.save(update_fields=["submitted_at"])

    try:
        with team_krea_client(team=job.team) as client:
            krea_job = _post_to_krea(client, job)
    except krea_errors.ConcurrencyLimit:
        _requeue_after_429(job)
        return
    except krea_errors.InsufficientCredits:
        job_fail(job=job, error=OUT_OF_CREDITS)
        return
    except krea_errors.Unauthorized:
        job_fail(job=job, error=TOKEN_INVALID)
        return
    except krea_errors.BadRequest as exc:
        job_fail(job=job, error=f"Krea refused the parameters: {exc.message}")
        return
    except krea_errors.KreaError as exc:
        if exc.outcome_unknown:
            _mark_outcome_unknown(job, exc)
        else:
            _requeue_after_429(job)  # nothing reached Krea: safe to try again later
        return
    except Exception as exc:
        # Not a Krea answer (a missing token key, a bug): fail visibly, never resend.
        logger.exception("Sending job %s failed", job.uuid)
        job_fail(job=job, error=f"The portal could not send this job: {type(exc).__name__}.")
        return
    if krea_job is None:
        job_fail(job=job, error=runs.NOTHING_STARTED)
        return
    job_record_krea_job(job_id=job.id, krea_job=krea_job)


def _post_to_krea(client, job: Job) -> krea_types.Job | None:
    """The paid POST of a job, by kind: a style training, a node app run, or a generation."""
    if job.kind == JobKind.NODE_APP:
        return runs.run_execute(client, job)
    if job.kind == JobKind.TRAINING:
        return client.train_style(job.params, webhook_url=webhook_url_for(job))
    return client.generate(job.model_id, job.params, webhook_url=webhook_url_for(job))


def _requeue_after_429(job: Job, *, message: str = "") -> None:
    """Back into the team's queue with backoff: the job is never failed for a 429.

    Also where a send that never reached Krea goes to be sent again (with ``message``).
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.SUBMITTING or job.krea_job_id:
            return
        job.dispatch_attempts += 1
        delay = _backoff(job.dispatch_attempts)
        job.status = JobStatus.PENDING
        job.submitted_at = None
        job.not_before = timezone.now() + timedelta(seconds=delay)
        job.needs_attention = False
        job.error = message
        job.save(
            update_fields=[
                "status",
                "submitted_at",
                "not_before",
                "dispatch_attempts",
                "needs_attention",
                "error",
            ]
        )
        team_id = job.team_id
        transaction.on_commit(lambda: tasks.enqueue_dispatch(team_id, countdown=delay))
        live.team_changed(team_id)


def _mark_outcome_unknown(job: Job, exc: krea_errors.KreaError) -> None:
    logger.warning("Job %s: Krea's answer to the POST was lost (%s)", job.uuid, type(exc).__name__)
    Job.objects.filter(pk=job.pk, krea_job_id="").update(
        needs_attention=True, error=OUTCOME_UNKNOWN
    )


def job_record_krea_job(*, job_id: int, krea_job: krea_types.Job) -> None:
    """Store Krea's id for the job (once) and apply the state Krea reported."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return
        if job.krea_job_id and job.krea_job_id != krea_job.job_id:
            logger.warning("Job %s: Krea reported another job id; ignored", job.uuid)
            return
        if not job.krea_job_id or job.needs_attention:
            # First news of this job from Krea, possibly after its POST's answer was lost.
            job.krea_job_id = krea_job.job_id
            job.needs_attention = False
            if job.error in (OUTCOME_UNKNOWN, NOT_SENT_RESENDING):
                job.error = ""
            job.save(update_fields=["krea_job_id", "needs_attention", "error"])
            if job.cancel_requested_at and not job.is_terminal:
                # Cancelled while the portal did not know Krea's id: tell Krea now.
                job_pk = job.pk
                transaction.on_commit(lambda: tasks.enqueue_cancel(job_pk))
        _apply_state(job, krea_job)


def _lock_unanswered_send(job_id: int, submitted_at) -> Job | None:
    """The job, locked, if it still awaits the answer to its send at ``submitted_at``."""
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if (
        job is None
        or job.status != JobStatus.SUBMITTING
        or job.krea_job_id
        or job.submitted_at != submitted_at
    ):
        return None
    return job


def job_record_lost_send(
    *, job_id: int, submitted_at, krea_job: krea_types.Job, note: str = ""
) -> None:
    """Krea's job list shows that ``krea_job`` is what the send at ``submitted_at`` created.

    From here the job is followed like any other (and cancelled at Krea if a member
    asked meanwhile). ``note`` keeps the job marked as needing attention, saying why
    the match is uncertain. Nothing changes if the job has moved on since.
    """
    with transaction.atomic():
        if _lock_unanswered_send(job_id, submitted_at) is None:
            return
        if Job.objects.filter(krea_job_id=krea_job.job_id).exists():
            return  # another job has it (a webhook or an answer arrived meanwhile)
        job_record_krea_job(job_id=job_id, krea_job=krea_job)
        if note:
            Job.objects.filter(pk=job_id).update(needs_attention=True, error=note)


def job_send_unresolved(*, job_id: int, submitted_at, note: str) -> None:
    """Give up matching a send Krea's list cannot attribute: end it, needing attention.

    Failed (cancelled if a member asked), its reservation released; ``note`` says why.
    """
    with transaction.atomic():
        job = _lock_unanswered_send(job_id, submitted_at)
        if job is None:
            return
        status = JobStatus.CANCELLED if job.cancel_requested_at else JobStatus.FAILED
        job_fail(job=job, error=note, status=status)
        Job.objects.filter(pk=job_id).update(needs_attention=True)


def _apply_state(job: Job, krea_job: krea_types.Job) -> bool:
    """Move ``job`` (locked by the caller) forward to Krea's state. True if it moved."""
    new = krea_job.status
    if new not in JobStatus.values:
        logger.warning("Job %s: unknown Krea status %r ignored", job.uuid, new)
        return False
    now = timezone.now()
    previews = list(krea_job.result.urls) if krea_job.result else []
    moved = status_rank(new) > status_rank(job.status)
    refreshed_previews = (
        new == JobStatus.INTERMEDIATE_COMPLETE
        and job.status == JobStatus.INTERMEDIATE_COMPLETE
        and previews != job.preview_urls
    )
    if not moved and not refreshed_previews:
        if not job.is_terminal:
            job.next_poll_at = now + timedelta(seconds=_poll_delay(job))
            job.poll_count += 1
            job.save(update_fields=["next_poll_at", "poll_count"])
        return False

    job.status = new
    job.result_urls = previews
    job.result_style_id = (krea_job.result.style_id if krea_job.result else None) or ""
    if new == JobStatus.INTERMEDIATE_COMPLETE:
        job.preview_urls = previews
    fields = ["status", "result_urls", "result_style_id", "preview_urls"]
    fields += ["next_poll_at", "poll_count"]
    if new in TERMINAL:
        job.finished_at = krea_job.completed_at or now
        job.next_poll_at = None
        fields.append("finished_at")
        if new == JobStatus.FAILED:
            job.error = (
                krea_job.result.error if krea_job.result else None
            ) or "Krea reported that the job failed."
            fields.append("error")
    else:
        job.next_poll_at = now + timedelta(seconds=_poll_delay(job))
        job.poll_count += 1
    job.save(update_fields=fields)
    live.team_changed(job.team_id)
    _after_transition(job)
    return True


def _after_transition(job: Job) -> None:
    """What a terminal state sets off: the ledger, the outputs, the next job in the queue."""
    if not job.is_terminal:
        return
    if job.run_id:
        runs.run_settle(job)  # a run is charged once, whichever of its jobs completes
    elif job.status == JobStatus.COMPLETED:
        usage_charge(job_id=job.pk, cu=job.estimate_cu)
        job.charged_cu = job.estimate_cu
        job.save(update_fields=["charged_cu"])
    else:
        usage_release(job_id=job.pk, reason=f"Job {job.get_status_display().lower()}")
    job_pk = job.pk
    if job.status != JobStatus.COMPLETED or job.kind == JobKind.TRAINING:
        # A completed generation is announced once its outputs are stored (outputs_store).
        transaction.on_commit(lambda: events.job_finished.send_robust(sender=Job, job_id=job_pk))
    if job.status == JobStatus.COMPLETED:
        if job.kind == JobKind.TRAINING:
            transaction.on_commit(lambda: tasks.enqueue_record_trained_style(job_pk))
        else:
            transaction.on_commit(lambda: tasks.enqueue_store_outputs(job_pk))
    team_id = job.team_id
    transaction.on_commit(lambda: tasks.enqueue_dispatch(team_id))


def job_fail(*, job: Job, error: str, status: str = JobStatus.FAILED) -> None:
    """Fail a job that Krea never ran (so nothing is billed) and release its reservation.

    ``status`` is ``cancelled`` for one a member cancelled.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.is_terminal:
            return
        job.status = status
        job.error = error
        job.finished_at = timezone.now()
        job.next_poll_at = None
        job.save(update_fields=["status", "error", "finished_at", "next_poll_at"])
        live.team_changed(job.team_id)
        _after_transition(job)


def job_refresh(*, job_id: int) -> None:
    """Ask Krea for the job's state (``GET /jobs/{id}``) and apply it: the source of truth."""
    job = Job.objects.select_related("team").filter(pk=job_id).first()
    if job is None or job.is_terminal or not job.krea_job_id:
        return
    try:
        with team_krea_client(team=job.team) as client:
            krea_job = client.get_job(job.krea_job_id)
    except krea_errors.NotFound:
        if job.cancel_requested_at:
            # Krea's way of cancelling can be to delete the job: it ran no further.
            job_fail(job=job, error=DELETED_AT_KREA, status=JobStatus.CANCELLED)
        else:
            job_fail(job=job, error="Krea no longer knows this job.")
        return
    except krea_errors.Unauthorized:
        job_fail(job=job, error=TOKEN_INVALID)
        return
    except krea_errors.KreaError as exc:
        logger.info("Refreshing job %s failed (%s); will poll again", job.uuid, exc)
        Job.objects.filter(pk=job.pk).update(
            next_poll_at=timezone.now() + timedelta(seconds=_poll_delay(job)),
            poll_count=job.poll_count + 1,
        )
        return
    job_record_krea_job(job_id=job.pk, krea_job=krea_job)


def job_refresh_watched(*, team_id: int, job_uuid: str) -> None:
    """Refresh a running job of ``team_id`` that a member is looking at.

    ``live.jobs_watch`` enqueues this at most every 3 s per job; a job of another
    team, one that ended or one Krea has not numbered yet is left alone.
    """
    job_id = (
        Job.objects.filter(team_id=team_id, uuid=job_uuid, status__in=IN_FLIGHT)
        .exclude(krea_job_id="")
        .values_list("id", flat=True)
        .first()
    )
    if job_id is not None:
        job_refresh(job_id=job_id)


def webhook_accept(*, job_uuid: UUID, secret: str, payload: Any) -> bool:
    """Check a Krea callback's secret; if it is right, enqueue its confirmation.

    Krea does not sign webhooks, so the URL carries a secret and the payload is only
    a hint: the state is confirmed with ``GET /jobs/{id}`` by ``webhook_confirm``, in
    a task. The secret is an HMAC of the job's uuid (``webhook_secret_for``), checked
    without reading the database; copies of one callback within a short window are
    absorbed by the cache, so a burst costs one confirmation and no write. Returns
    False (the view answers 404, nothing changes) for a wrong secret.
    """
    if not webhook_secret_valid(job_uuid, secret) and not _legacy_webhook_secret_valid(
        job_uuid, secret
    ):
        return False
    hinted_id = payload.get("job_id") if isinstance(payload, Mapping) else None
    hint = hinted_id[:100] if isinstance(hinted_id, str) else ""
    if _first_in_window(f"krea-webhook:{job_uuid}"):
        transaction.on_commit(lambda: tasks.enqueue_webhook_confirm(str(job_uuid), hint))
    return True


# Webhooks this process saw lately: a burst of copies landing on one worker is absorbed
# without even a round trip to the shared cache (which absorbs those spread over workers).
_seen_webhooks: dict[str, float] = {}


def _first_in_window(key: str) -> bool:
    now = time.monotonic()
    seen = _seen_webhooks.get(key)
    if seen is not None and now - seen < WEBHOOK_REFRESH_WINDOW:
        return False
    if len(_seen_webhooks) > 10_000:
        _seen_webhooks.clear()
    _seen_webhooks[key] = now
    return cache.add(key, True, timeout=WEBHOOK_REFRESH_WINDOW)


def _legacy_webhook_secret_valid(job_uuid: UUID, secret: str) -> bool:
    """The random secret of a job sent before secrets were signed (read from its row)."""
    stored = (
        Job.objects.filter(uuid=job_uuid)
        .exclude(legacy_webhook_secret="")
        .values_list("legacy_webhook_secret", flat=True)
        .first()
    )
    expected = stored or "x" * 43
    return hmac.compare_digest(expected.encode(), (secret or "").encode()) and bool(stored)


def webhook_confirm(*, job_uuid: str, hinted_krea_id: str = "") -> None:
    """After a webhook: confirm the job's state with Krea (``job_refresh``).

    The one thing taken from the payload is Krea's job id, when the portal never
    learnt it (the POST's answer was lost). A job that has ended, or is gone, needs
    nothing: a late or repeated webhook changes nothing.
    """
    job = Job.objects.filter(uuid=job_uuid).only("id", "krea_job_id", "status").first()
    if job is None or job.is_terminal:
        return
    if not job.krea_job_id and hinted_krea_id:
        Job.objects.filter(pk=job.pk, krea_job_id="").update(krea_job_id=hinted_krea_id)
    job_refresh(job_id=job.pk)


def jobs_poll_due(*, limit: int = 200) -> int:
    """Refresh every job whose next poll is due; reconcile jobs past Krea's time-outs.

    Runs periodically (Celery beat), so every job reaches a terminal state even
    when every webhook is lost. Returns how many jobs it looked at.
    """
    now = timezone.now()
    due = list(
        Job.objects.filter(status__in=IN_FLIGHT, next_poll_at__lte=now)
        .exclude(krea_job_id="")
        .order_by("next_poll_at")
        .values_list("id", flat=True)[:limit]
    )
    for job_id in due:
        # Push the next poll out first, so an overlapping run does not pick it again.
        Job.objects.filter(pk=job_id).update(next_poll_at=now + timedelta(seconds=30))
        tasks.enqueue_refresh(job_id)

    # Claimed but never sent (the send task was lost): send it now.
    for job_id in Job.objects.filter(
        status=JobStatus.SUBMITTING, submitted_at__isnull=True, created_at__lt=now - STALE_CLAIM
    ).values_list("id", flat=True)[:limit]:
        tasks.enqueue_send(job_id)

    # Past Krea's longest time-out without an id: Krea is not running it any more.
    for job in Job.objects.filter(
        status=JobStatus.SUBMITTING, krea_job_id="", submitted_at__lt=now - KREA_MAX_JOB_AGE
    )[:limit]:
        Job.objects.filter(pk=job.pk).update(needs_attention=True)
        job_fail(job=job, error=OUTCOME_UNKNOWN + " Krea's time limit has passed.")

    # Known to Krea but silent far past its time-out: one last look, then give up.
    for job in Job.objects.filter(
        status__in=IN_FLIGHT, submitted_at__lt=now - KREA_MAX_JOB_AGE
    ).exclude(krea_job_id="")[:limit]:
        job_refresh(job_id=job.pk)
        job.refresh_from_db(fields=["status"])
        if not job.is_terminal:
            job_fail(job=job, error=TIMED_OUT)
    return len(due)


def _require_change(job: Job, by: Membership) -> None:
    if job.team_id != by.team_id or not selectors.job_may_change(job=job, membership=by):
        raise PermissionDenied(selectors.JOB_CHANGE_REFUSED)


def job_cancel(*, job: Job, by: Membership) -> Job:
    """Cancel a job that has not finished, for ``by`` (``PermissionDenied`` if they may not).

    A job still in the portal's queue, or claimed but not yet posted, is cancelled
    at once. One already at Krea is marked as being cancelled and a task asks Krea
    (``DELETE /jobs/{id}``), so no one waits on Krea in a request. One whose send's
    outcome is unknown is marked too; the cancel is applied once Krea's job list
    tells what became of the send (``reconcile``). Asking twice changes nothing.
    Returns the job.
    """
    _require_change(job, by)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not job.is_cancellable:
            raise JobNotCancellable(job)
        # job_send locks the row and posts only a job still submitting and not yet sent.
        unsent = job.status == JobStatus.SUBMITTING and job.submitted_at is None
        if job.status == JobStatus.PENDING or unsent:
            job.status = JobStatus.CANCELLED
            job.finished_at = timezone.now()
            job.error = ""  # "sends it again" no longer holds
            job.save(update_fields=["status", "finished_at", "error"])
            live.team_changed(job.team_id)
            _after_transition(job)
            return job
        if job.cancel_requested_at is None:
            job.cancel_requested_at = timezone.now()
            job.save(update_fields=["cancel_requested_at"])
            live.team_changed(job.team_id)
            job_pk = job.pk
            transaction.on_commit(lambda: tasks.enqueue_cancel(job_pk))
    return job


def job_send_not_received(*, job_id: int, submitted_at) -> None:
    """Krea's job list shows that the send started at ``submitted_at`` never reached Krea.

    The job is cancelled if a member asked for it, failed when it is older than
    Krea's longest time limit (both release the reservation), and otherwise goes
    back to the team's queue to be sent again: safe, since Krea has no job for it.
    Nothing changes if the job has moved on since (a Krea id, another send).
    """
    with transaction.atomic():
        job = _lock_unanswered_send(job_id, submitted_at)
        if job is None:
            return
        if job.cancel_requested_at:
            job_fail(job=job, error=NOT_SENT_CANCELLED, status=JobStatus.CANCELLED)
        elif job.created_at < timezone.now() - KREA_MAX_JOB_AGE:
            job_fail(job=job, error=NOT_SENT_FAILED)
        else:
            _requeue_after_429(job, message=NOT_SENT_RESENDING)


def job_cancel_on_krea(*, job_id: int) -> None:
    """Ask Krea to cancel a job the portal was asked to cancel, then look at its state.

    Krea documents only "delete a job": a job may stop and report ``cancelled``,
    finish anyway (and be billed), or vanish (404). So the portal never records a
    state Krea did not report: it keeps following the job (webhook, polls) until
    Krea reports an end, and the ledger follows that end. A 404 means Krea deleted
    it: cancelled, nothing charged (``job_refresh``). A job whose Krea id is not
    known yet is cancelled when its send is resolved (``reconcile``).
    """
    job = Job.objects.select_related("team").filter(pk=job_id).first()
    if job is None or job.is_terminal or not job.krea_job_id:
        return
    try:
        with team_krea_client(team=job.team) as client:
            client.delete_job(job.krea_job_id)
    except krea_errors.NotFound:
        pass  # Krea deleted it or never had it; the refresh below records it as cancelled
    job_refresh(job_id=job.pk)


class JobNotCancellable(Exception):
    def __init__(self, job: Job) -> None:
        super().__init__(f"This job is {job.get_status_display().lower()} and cannot be cancelled.")


def job_delete(*, job: Job, by: Membership) -> None:
    """Delete a finished job and its files, for ``by`` (``PermissionDenied`` if they may not).

    A running job must be cancelled first (``JobStillRunning``).
    """
    _require_change(job, by)
    if not job.is_terminal:
        raise JobStillRunning()
    for output in job.outputs.all():
        output.file.delete(save=False)
        if output.thumbnail:
            output.thumbnail.delete(save=False)
    job.delete()


def outputs_delete(*, outputs: list[Output], by: Membership) -> int:
    """Delete output files of finished jobs (the jobs stay), for ``by``: all or none.

    ``PermissionDenied`` when ``by`` may not change one of their jobs (the member who
    started it, or owners and admins). Returns how many were deleted.
    """
    for output in outputs:
        _require_change(output.job, by)
    for output in outputs:
        output.file.delete(save=False)
        if output.thumbnail:
            output.thumbnail.delete(save=False)
    Output.objects.filter(pk__in=[o.pk for o in outputs], team_id=by.team_id).delete()
    return len(outputs)


class JobStillRunning(Exception):
    def __init__(self) -> None:
        super().__init__("Cancel this job before deleting it.")


def output_input_url(*, membership: Membership, output: Output) -> str:
    """A URL Krea can fetch for ``output``, to give it to another model as its input.

    Krea's own URL of the file when it answers a HEAD now (Krea's file URLs can
    expire); else the portal's stored copy is uploaded as a team asset and that
    asset's URL is used. Never a portal URL: those are team-only, Krea cannot fetch
    them. Raises ``AssetError`` (the upload failed) and ``TeamHasNoToken``.
    """
    require_krea_token(membership.team)
    with krea_downloader() as downloader:
        if downloader.available(output.source_url):
            return output.source_url
    with output.file.open("rb") as file:
        asset = asset_upload(
            membership=membership,
            file=file,
            file_name=output_filename(output),
            description=f"Output {output.position + 1} of a {output.job.model_name} job",
        )
    return asset.krea_url


def workspace_preferences_set(*, membership: Membership, confirm_above_cu: Decimal) -> None:
    """Set the estimate above which ``membership``'s runs ask for a confirmation."""
    WorkspacePreferences.objects.update_or_create(
        membership=membership, defaults={"confirm_above_cu": confirm_above_cu}
    )
