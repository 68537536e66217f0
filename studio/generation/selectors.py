"""Reads for generation: the model picker, estimates, filtered jobs and outputs, one job.

Every queryset here starts from a team. ``job_for`` and ``output_for`` are the
one way pages and the API reach a single job or file from an id in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.http import Http404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from krea_integration import catalogue
from krea_integration.media_inputs import field_for, media_fields
from studio.assets.models import Asset
from studio.assets.selectors import param_strings, team_assets
from studio.downloads import download_allowed_here
from studio.teams.models import Membership, Team
from studio.usage.models import format_cu
from studio.usage.pricing import Estimate, job_estimate
from studio.usage.selectors import Allowance, allowance_for

from .models import (
    DEFAULT_CONFIRM_ABOVE_CU,
    TERMINAL,
    Job,
    JobKind,
    JobStatus,
    Output,
    WorkspacePreferences,
)

GROUPS = (("image", "Image"), ("video", "Video"), ("enhance", "Enhance"))


# ------------------------------------------------------------------ the model picker


def model_price_label(model: catalogue.Model) -> str:
    """``"3 CU"``, ``"from 458 CU"`` (priced by parameters), or ``"price not published"``."""
    if model.price is None or not model.price.rows:
        return "price not published"
    cheapest = min(row.cu for row in model.price.rows)
    approximate = any(row.approximate for row in model.price.rows)
    figure = f"{'~' if approximate else ''}{format_cu(cheapest)} CU"
    return figure if model.price.is_flat else f"from {figure}"


@dataclass(frozen=True)
class ModelGroup:
    key: str
    label: str
    models: list[catalogue.Model]


def catalogue_groups(*, query: str = "") -> list[ModelGroup]:
    """Every model of the catalogue by group, narrowed to those matching ``query``.

    A model matches when every word of the query is in its name, provider,
    summary or id (case-insensitive).
    """
    words = query.casefold().split()
    groups = []
    for key, label in GROUPS:
        models = []
        for model in catalogue.load().by_group(key):
            haystack = f"{model.name} {model.provider} {model.summary} {model.id}".casefold()
            if all(word in haystack for word in words):
                models.append(model)
        groups.append(ModelGroup(key=key, label=label, models=models))
    return groups


def catalogue_model(model_id: str) -> catalogue.Model | None:
    try:
        return catalogue.load().get(model_id)
    except catalogue.UnknownModel:
        return None


def generation_warnings(*, model_id: str, params: Mapping[str, Any]) -> list[str]:
    """What an API client should change in a request the portal accepted.

    Krea refuses its deprecated camelCase aliases after their sunset; the portal
    still renames them to their fields for scripts that send them, and says so.
    """
    model = catalogue_model(model_id)
    return [alias.notice() for alias in catalogue.aliases_sent(model, params)] if model else []


@dataclass(frozen=True)
class GenerationEstimate:
    """The figures shown beside the submit button."""

    estimate: Estimate
    allowance: Allowance

    @property
    def fits(self) -> bool:
        return self.allowance.allows(self.estimate.cu)


def generation_estimate(
    *, membership: Membership, model: catalogue.Model, params: Mapping[str, Any]
) -> GenerationEstimate:
    """What running ``model`` with ``params`` would cost, and what the member has left."""
    return GenerationEstimate(
        estimate=job_estimate(model, params), allowance=allowance_for(membership=membership)
    )


@dataclass(frozen=True)
class AssetChoice:
    """A file a URL field can take: a team asset (its Krea URL) or a job's output."""

    url: str
    label: str
    thumbnail_url: str
    kind: str
    link: str = ""


def _asset_choice(asset: Asset) -> AssetChoice:
    if asset.thumbnail:
        thumbnail = reverse("asset_thumbnail", args=[asset.uuid])
    else:
        thumbnail = static(f"img/asset-{asset.kind}.svg")
    return AssetChoice(
        url=asset.krea_url,
        label=asset.label,
        thumbnail_url=thumbnail,
        kind=asset.kind,
        link=reverse("asset_detail", args=[asset.uuid]),
    )


def team_asset_choices(*, team: Team, limit: int = 60) -> list[AssetChoice]:
    """The team's newest assets, offered by the picker beside every file field."""
    return [_asset_choice(asset) for asset in team_assets(team=team)[:limit]]


@dataclass(frozen=True)
class OutputChoice:
    """A recent output the picker offers. It carries no URL for Krea: the one Krea can fetch
    is worked out when it is picked (``services.output_input_url`` behind ``resolve_url``)."""

    label: str
    thumbnail_url: str
    kind: str
    resolve_url: str  # POST: answers {"url": <a URL Krea can fetch>}
    use_url: str  # the "Use as input" page, for browsers without JS


def recent_output_choices(*, team: Team, limit: int = 24) -> dict[str, list[OutputChoice]]:
    """The team's newest image and video outputs, by kind, for the picker's second section."""
    choices: dict[str, list[OutputChoice]] = {}
    for output in team_outputs(team=team)[:limit]:
        kind = "video" if output.is_video else "image" if output.is_image else ""
        if not kind:
            continue
        args = [output.job.uuid, output.position]
        prompt = " ".join(output.job.prompt.split())
        label = f"Output {output.position + 1} of {output.job.model_name}"
        choices.setdefault(kind, []).append(
            OutputChoice(
                label=f"{label}: {prompt[:60]}" if prompt else label,
                thumbnail_url=(
                    reverse("output_thumbnail", args=args)
                    if output.thumbnail
                    else static(f"img/asset-{kind}.svg")
                ),
                kind=kind,
                resolve_url=reverse("output_input", args=args),
                use_url=reverse("output_use", args=args),
            )
        )
    return choices


def mark_media_fields(form: Any) -> None:
    """Tell each file field of a generate form which kind of file it takes, and how many
    (``media_kind``, ``max_items``): the picker shows the team's assets of that kind."""
    for media_field in media_fields(form.catalogue_model):
        field = form.fields.get(media_field.name)
        if field is not None:
            field.media_kind = media_field.kind
            field.max_items = media_field.max_items if media_field.many else 1


def input_initial(
    model: catalogue.Model,
    *,
    kind: str,
    url: str,
    width: int | None = None,
    height: int | None = None,
) -> dict[str, Any]:
    """Initial form values putting the file at ``url`` into the model's field for ``kind``.

    Enhancers also take the input's size, so ``width`` and ``height`` fill theirs.
    """
    field = field_for(model, kind)
    if field is None:
        return {}
    value: Any = url
    if field.part:
        schema = model.request_schema["properties"][field.name]
        schema = schema["items"] if field.many else schema
        row: dict[str, Any] = {field.part: [url] if field.part_many else url}
        if "strength" in (schema.get("properties") or {}):
            row["strength"] = 1
        value = [row] if field.many else row
    elif field.many:
        value = [url]
    initial: dict[str, Any] = {field.name: value}
    properties = model.request_schema.get("properties") or {}
    if width and height and "width" in properties and "height" in properties:
        initial.update(width=width, height=height)
    return initial


@dataclass(frozen=True)
class JobParameter:
    """One parameter of a job as the job page lists it: its label and its value in words."""

    name: str
    label: str
    value: str


def _param_text(value: Any, part_labels: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "; ".join(_param_text(item, part_labels) for item in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{part_labels.get(k) or catalogue.words_from_name(k)}: {_param_text(v, {})}"
            for k, v in value.items()
        )
    return str(value)


def job_parameters(job: Job) -> list[JobParameter]:
    """The job's parameters labelled in the catalogue's words, in the model's field order."""
    model = catalogue_model(job.model_id)
    schema = model.request_schema if model else {}
    properties = schema.get("properties") or {}
    order = list(properties)
    names = sorted(job.params, key=lambda n: (order.index(n) if n in order else len(order), n))
    model_id = model.id if model else ""
    found = []
    for name in names:
        prop = properties.get(name)
        words = catalogue.field_words(name, model_id=model_id, schema=prop)
        parts = (
            {
                path.rsplit(".", 1)[-1]: catalogue.field_words(path, model_id=model_id).label
                for path, _ in catalogue.field_paths({"properties": {name: prop}})
                if "." in path
            }
            if isinstance(prop, Mapping)
            else {}
        )
        found.append(JobParameter(name, words.label, _param_text(job.params[name], parts)))
    return found


def job_inputs(job: Job) -> list[AssetChoice]:
    """The files a job took as inputs: the team's assets and outputs named in its params."""
    urls = param_strings(job.params)
    inputs = [_asset_choice(asset) for asset in job.input_assets.all()]
    outputs = Output.objects.filter(team_id=job.team_id, source_url__in=urls).select_related("job")
    for output in outputs:
        inputs.append(
            AssetChoice(
                url=output.source_url,
                label=f"Output {output.position + 1} of {output.job.model_name}",
                thumbnail_url=reverse("output_thumbnail", args=[output.job.uuid, output.position]),
                kind="video" if output.is_video else "image",
                link=reverse("job_detail", args=[output.job.uuid]),
            )
        )
    return inputs


# ------------------------------------------------------------------ filters


# Prompt search on PostgreSQL: how many of the team's newest prompts are read to tell
# a common word, and in how many of them a word must be to count as common.
PROMPT_SAMPLE = 200
COMMON_IN_SAMPLE = 10


def _indexable(word: str) -> bool:
    """Whether the trigram index can look ``word`` up: pg_trgm takes trigrams from runs of
    letters and digits, and a shorter run gives it none (it would read the whole index)."""
    return re.search(r"[^\W_]{3}", word) is not None


def prompt_sample_counts(*, team: Team, texts: list[str]) -> dict[str, int]:
    """In how many of the team's PROMPT_SAMPLE newest prompts each of ``texts`` is found
    (case-insensitive, as the search), on PostgreSQL: one query over ``job_team_newest``.

    Written in SQL: the ORM took some 5 ms to compile this aggregate over a subquery,
    for a query that runs in under one.
    """
    table = connection.ops.quote_name(Job._meta.db_table)
    counts = ", ".join(
        "COUNT(*) FILTER (WHERE STRPOS(UPPER(prompt), UPPER(%s)) > 0)" for _ in texts
    )
    sql = f"""
        SELECT {counts} FROM (
            SELECT prompt FROM {table} WHERE team_id = %s
            ORDER BY created_at DESC, id DESC LIMIT %s
        ) AS newest
    """  # noqa: S608 (the table name is the model's own; the texts are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*texts, team.pk, PROMPT_SAMPLE])
        return dict(zip(texts, cursor.fetchone(), strict=True))


def prompt_search_q(text: str, *, team: Team, prefix: str = "") -> Q:
    """Jobs whose prompt holds ``text`` in any case: ``icontains``, on any database.

    PostgreSQL serves ``icontains`` by a trigram index on ``UPPER(prompt)`` (migration
    0006), which is slow for a word in most prompts: the index reads a posting list as
    long as the history for each of its trigrams ("number 999989" over a million
    "scene number N": 28 ms, against under 1 for "999989"), and a search for such words
    alone fetches and sorts most of the team where walking its jobs newest first fills
    a page after a few dozen. So there the whole text is matched by ``STRPOS``
    (literally, as ``icontains``, which escapes ``%`` and ``_``; no index serves it),
    and only the words that are not common in the team's newest prompts are also given
    to the index, each as ``icontains``: a prompt holding the text holds each of its
    words, so the result is the same. With no such word the planner walks the team's
    jobs newest first, unless the text itself is in none of those prompts: common
    words in an order few prompts have would make that walk read the whole team (2 s
    for "number scene" at a million jobs), and plain ``icontains`` of the text, whose
    rarity the planner estimates, lets the index intersect their lists (0.9 s).

    Common is in 1 in 20 of the newest prompts: walking then fills a page of 24 after
    some 500 rows (about a millisecond), where the index would read lists of 50,000
    entries or more at a million jobs. For rarer words the planner, which knows how
    common they are across the table, still chooses.
    """
    field = f"{prefix}prompt"
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__icontains": text})
    words = list(dict.fromkeys(w for w in text.split() if _indexable(w)))
    counts = prompt_sample_counts(team=team, texts=[text, *words]) if words else {}
    rare = [w for w in words if counts[w] < COMMON_IN_SAMPLE]
    if words and not rare and not counts[text]:
        return Q(**{f"{field}__icontains": text})
    found = Q(GreaterThan(StrIndex(Upper(field), Upper(Value(text))), 0))
    for word in sorted(rare):
        found &= Q(**{f"{field}__icontains": word})
    return found


def job_filter_q(filters: Mapping[str, Any], *, team: Team, prefix: str = "") -> Q:
    """The Jobs/Gallery filters of ``team``'s list as one Q; ``prefix="job__"`` applies
    them to outputs."""
    q = Q()
    if filters.get("status"):
        q &= Q(**{f"{prefix}status": filters["status"]})
    if filters.get("model"):
        q &= Q(**{f"{prefix}model_id": filters["model"]})
    if filters.get("member"):
        q &= Q(**{f"{prefix}created_by_id": filters["member"]})
    if filters.get("q"):
        q &= prompt_search_q(filters["q"], team=team, prefix=prefix)
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.combine(filters["date_from"], time.min, tzinfo=zone)
        q &= Q(**{f"{prefix}created_at__gte": start})
    if filters.get("date_to"):
        end = datetime.combine(filters["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
        q &= Q(**{f"{prefix}created_at__lt": end})
    return q


def models_used(*, team: Team) -> list[tuple[str, str]]:
    """Every model the team's jobs ran, as ``(model_id, model_name)``, by id.

    A loose index scan over ``job_team_model``: one index probe per distinct model
    instead of a ``SELECT DISTINCT`` over every job, so its cost follows how many
    models the team used, not how many jobs it ran. (The ORM cannot say this; the
    SQL is standard and runs the same on PostgreSQL and SQLite.)
    """
    table = connection.ops.quote_name(Job._meta.db_table)
    sql = f"""
        WITH RECURSIVE used(model_id) AS (
            SELECT (SELECT model_id FROM {table} WHERE team_id = %s
                    ORDER BY model_id LIMIT 1)
            UNION ALL
            SELECT (SELECT model_id FROM {table} WHERE team_id = %s AND model_id > used.model_id
                    ORDER BY model_id LIMIT 1)
            FROM used WHERE used.model_id IS NOT NULL
        )
        SELECT model_id, (SELECT model_name FROM {table} WHERE team_id = %s
                          AND model_id = used.model_id ORDER BY model_name LIMIT 1)
        FROM used WHERE model_id IS NOT NULL
    """  # noqa: S608 (the table name is the model's own; the team id is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [team.pk, team.pk, team.pk])
        return [(model_id, name) for model_id, name in cursor.fetchall()]


def filter_choices(*, team: Team) -> dict[str, Any]:
    """Choices of the filter form: the team's members, and the models it has used or may use."""
    members = list(
        Membership.objects.filter(team=team).select_related("user").order_by("user__name", "pk")
    )
    models = {m.id: m.name for m in catalogue.load().models}
    for model_id, name in models_used(team=team):
        models.setdefault(model_id, name)
    model_choices = sorted(models.items(), key=lambda item: (item[1].casefold(), item[0]))
    return {"members": members, "models": model_choices}


def team_jobs(*, team: Team, filters: Mapping[str, Any] | None = None) -> QuerySet[Job]:
    """The team's jobs, newest first, with what a list row shows (member, first thumbnail)."""
    return (
        Job.objects.filter(team=team)
        .filter(job_filter_q(filters or {}, team=team))
        .select_related("created_by")
        .prefetch_related("outputs")
        .order_by("-created_at", "-id")
    )


def team_outputs(*, team: Team, filters: Mapping[str, Any] | None = None) -> QuerySet[Output]:
    """The team's output files, newest first, filtered by their jobs."""
    return (
        Output.objects.filter(team=team)
        .filter(job_filter_q(filters or {}, team=team, prefix="job__"))
        .select_related("job", "job__created_by")
        .order_by("-created_at", "-id")
    )


# ------------------------------------------------------------------ live updates

LIVE_NEWEST = 10


def live_jobs(*, membership: Membership, uuids: Iterable[UUID]) -> list[Job]:
    """For a page's live update: the team's jobs among ``uuids`` (those the page shows,
    those it last saw running for the member) and the member's running jobs."""
    running = Q(created_by_id=membership.user_id) & ~Q(status__in=TERMINAL)
    return list(
        Job.objects.filter(team_id=membership.team_id)
        .filter(Q(uuid__in=list(uuids)) | running)
        .annotate(output_count=Count("outputs"))
        .only(
            "uuid",
            "status",
            "model_name",
            "prompt",
            "created_by_id",
            "preview_urls",
            "needs_attention",
            "cancel_requested_at",
            "error",
        )
    )


def newest_jobs(*, team_id: int) -> list[tuple[UUID, int | None]]:
    """The team's newest jobs as (uuid, created_by_id), newest first: a live list adds
    those it does not show yet, and a page follows the member's own among them."""
    return list(
        Job.objects.filter(team_id=team_id)
        .order_by("-created_at", "-id")
        .values_list("uuid", "created_by_id")[:LIVE_NEWEST]
    )


# ------------------------------------------------------------------ one job

BATCH_NOT_FOUND = "There is no batch with this id in your team."
JOB_NOT_FOUND = "There is no job with this id in your team."
OUTPUT_NOT_FOUND = "This job has no output at this position in your team."
JOB_CHANGE_REFUSED = (
    "Only the member who started this job, or the team's owners and admins, may change it."
)


def job_may_change(*, job: Job, membership: Membership) -> bool:
    """Who may cancel or delete a job: the member who started it, or owners and admins."""
    return job.created_by_id == membership.user_id or membership.can_manage


def job_for(membership: Membership, uuid: UUID, *, to_change: bool = False) -> Job:
    """The job ``uuid`` of ``membership``'s team, with what its page and its JSON show.

    Raises ``Http404`` when the team has no such job (another team's job does not
    exist for this one) and, with ``to_change``, ``PermissionDenied`` when the
    member may not cancel or delete it (``job_may_change``).
    """
    job = (
        Job.objects.filter(team_id=membership.team_id, uuid=uuid)
        .select_related("created_by", "team")
        .prefetch_related("outputs")
        .first()
    )
    if job is None:
        raise Http404(JOB_NOT_FOUND)
    if to_change and not job_may_change(job=job, membership=membership):
        raise PermissionDenied(JOB_CHANGE_REFUSED)
    return job


def output_for(membership: Membership, job_uuid: UUID, position: int) -> Output:
    """File ``position`` of the job ``job_uuid`` of ``membership``'s team; ``Http404`` if none."""
    output = (
        Output.objects.filter(team_id=membership.team_id, job__uuid=job_uuid, position=position)
        .select_related("job")
        .first()
    )
    if output is None:
        raise Http404(OUTPUT_NOT_FOUND)
    return output


def job_results_at_krea(job: Job) -> list[str]:
    """A completed job's result URLs at Krea, shown while the portal copies the files in
    (the image is on screen a moment sooner); only from the hosts outputs come from."""
    if job.status != JobStatus.COMPLETED:
        return []
    return [
        url for url in job.result_urls or [] if isinstance(url, str) and download_allowed_here(url)
    ]


# A completed job's files are copied in by a task just after it completes: its card
# keeps polling for them this long, then stops (a reload shows them later).
OUTPUT_WAIT_SECONDS = 600


@dataclass(frozen=True)
class JobCard:
    """What a job's live card shows: on the job page and in the workspace."""

    job: Job
    outputs: list[Output]
    previews: list[str]
    waiting_for_files: bool
    trained_style: Any

    @property
    def polling(self) -> bool:
        return not self.job.is_terminal or self.waiting_for_files


def job_card(job: Job) -> JobCard:
    outputs = list(job.outputs.all())
    # A training's result is a style, recorded just after it completes (no files).
    # The reverse accessor of the styles app's Style.training_job (no import of that app).
    trained_style = getattr(job, "trained_style", None) if job.kind == JobKind.TRAINING else None
    waiting_for_files = (
        job.status == JobStatus.COMPLETED
        and not outputs
        and not trained_style
        and not job.error
        and job.finished_at is not None
        and (timezone.now() - job.finished_at).total_seconds() < OUTPUT_WAIT_SECONDS
    )
    return JobCard(
        job=job,
        outputs=outputs,
        previews=job_previews(job),
        waiting_for_files=waiting_for_files,
        trained_style=trained_style,
    )


def job_previews(job: Job) -> list[str]:
    """Krea's preview URLs of a running job, only from the hosts outputs are fetched from."""
    if job.is_terminal:
        return []
    return [
        url for url in job.preview_urls or [] if isinstance(url, str) and download_allowed_here(url)
    ]


# ------------------------------------------------------------------ the workspace


@dataclass(frozen=True)
class JobGroup:
    """Jobs one submit started together (``Job.batch``), shown side by side, first run first."""

    key: str
    jobs: list[Job]

    @property
    def first(self) -> Job:
        return self.jobs[0]

    @property
    def varies_on_its_own(self) -> bool:
        """Several runs of a model without a seed: the page says they vary anyway."""
        return len(self.jobs) > 1 and all(job.seed is None for job in self.jobs)


def job_groups(jobs: list[Job]) -> list[JobGroup]:
    """``jobs`` (newest first) gathered by batch, groups in the order of their newest job."""
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(str(job.batch or job.uuid), []).append(job)
    return [
        JobGroup(key=key, jobs=sorted(members, key=lambda j: (j.created_at, j.id)))
        for key, members in groups.items()
    ]


# What Generate opens on for a member who has not generated yet: fast, cheap, takes styles.
FIRST_MODEL_ID = "image/bfl/flux-1-dev"


def starting_model(*, membership: Membership) -> catalogue.Model | None:
    """The model Generate opens on: the member's last one while Krea offers it, else Flux."""
    last = (
        Job.objects.filter(
            team_id=membership.team_id,
            created_by_id=membership.user_id,
            kind=JobKind.GENERATION,
        )
        .order_by("-created_at", "-id")
        .values_list("model_id", flat=True)
        .first()
    )
    return (last and catalogue_model(last)) or catalogue_model(FIRST_MODEL_ID)


def batch_for(membership: Membership, batch: UUID) -> JobGroup:
    """The jobs one submit of ``membership``'s team started together (``Job.batch``).

    Raises ``Http404`` when the team has no job of that batch.
    """
    jobs = list(
        Job.objects.filter(team_id=membership.team_id, batch=batch)
        .select_related("created_by", "team")
        .prefetch_related("outputs")
        .order_by("created_at", "id")
    )
    if not jobs:
        raise Http404(BATCH_NOT_FOUND)
    return JobGroup(key=str(batch), jobs=jobs)


def workspace_groups(*, membership: Membership, limit: int = 24) -> list[JobGroup]:
    """The member's own recent generations in this team, by group, for the workspace."""
    jobs = list(
        Job.objects.filter(
            team_id=membership.team_id,
            created_by_id=membership.user_id,
            kind=JobKind.GENERATION,
        )
        .select_related("team")
        .prefetch_related("outputs")
        .order_by("-created_at", "-id")[:limit]
    )
    return job_groups(jobs)


def prompt_history(*, membership: Membership, query: str = "", limit: int = 20) -> list[str]:
    """The member's recent distinct prompts in this team, newest first; ``query`` narrows them."""
    prompts = (
        Job.objects.filter(team_id=membership.team_id, created_by_id=membership.user_id)
        .exclude(prompt="")
        .order_by("-created_at", "-id")
    )
    for word in query.split():
        prompts = prompts.filter(prompt__icontains=word)
    seen: list[str] = []
    for prompt in prompts.values_list("prompt", flat=True)[:500]:
        if prompt not in seen:
            seen.append(prompt)
            if len(seen) == limit:
                break
    return seen


def confirm_above(*, membership: Membership) -> Decimal:
    """The estimate above which a run asks ``membership`` to confirm it first."""
    figure = (
        WorkspacePreferences.objects.filter(membership=membership)
        .values_list("confirm_above_cu", flat=True)
        .first()
    )
    return DEFAULT_CONFIRM_ABOVE_CU if figure is None else figure


@dataclass(frozen=True)
class Confirmation:
    """A run above the member's threshold, waiting for their yes."""

    cu: Decimal
    threshold: Decimal


def confirmation_needed(*, membership: Membership, cu: Decimal) -> Confirmation | None:
    """A ``Confirmation`` when a run estimated at ``cu`` is above the member's threshold."""
    threshold = confirm_above(membership=membership)
    return Confirmation(cu=cu, threshold=threshold) if cu > threshold else None
