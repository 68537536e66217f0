"""Reads for styles: one style of the team, the team's styles, Krea's lists, estimates.

``style_for`` is the one way pages and the API reach a style from an id in a URL:
another team's style does not exist for this one (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from krea_integration import catalogue
from krea_integration import errors as krea_errors
from krea_integration import types as krea_types
from studio.assets.models import Asset, AssetKind
from studio.assets.selectors import team_assets
from studio.generation.models import Job
from studio.teams.models import Membership, Team
from studio.teams.tokens import TeamHasNoToken, team_krea_client
from studio.usage.pricing import Estimate, training_estimate
from studio.usage.selectors import Allowance, allowance_for

from .models import Style

STYLE_NOT_FOUND = "There is no style with this id in your team."
STYLE_CHANGE_REFUSED = (
    "Only the member who trained this style, or the team's owners and admins, may change it."
)

# Steps the portal sends when the member does not choose (Krea's spec gives no default),
# so the estimate shown is the exact charge.
DEFAULT_STEPS = {
    "flux_dev": 1000,
    "flux_schnell": 800,
    "wan": 1000,
    "wan22": 1000,
    "qwen": 600,
    "z-image": 800,
}
FALLBACK_STEPS = 1000
MIN_TRAINING_IMAGES = 2

# Krea's lists of styles change slowly; a short cache keeps browsing from hammering Krea.
KREA_LIST_SECONDS = 60
KREA_PAGE_SIZE = 48
# Where a browse tab's styles come from: Krea's ``GET /styles`` filter for each tab.
KREA_TABS = {"workspace": "shared", "public": "public", "community": "community"}
# A job may carry up to this many styles (Krea's schemas allow at most 10).
MAX_STYLES_PER_JOB = 10


def default_steps(base_model: str) -> int:
    return DEFAULT_STEPS.get(base_model, FALLBACK_STEPS)


def style_may_change(*, style: Style, membership: Membership) -> bool:
    """Who may change a style's sharing: the member who trained it, or owners and admins."""
    return style.trained_by_id == membership.user_id or membership.can_manage


def style_for(membership: Membership, uuid: UUID, *, to_change: bool = False) -> Style:
    """The style ``uuid`` of ``membership``'s team.

    Raises ``Http404`` when the team has no such style (another team's style does
    not exist for this one) and, with ``to_change``, ``PermissionDenied`` when the
    member may not change its sharing (``style_may_change``).
    """
    style = (
        Style.objects.filter(team_id=membership.team_id, uuid=uuid)
        .select_related("trained_by", "team", "training_job")
        .first()
    )
    if style is None:
        raise Http404(STYLE_NOT_FOUND)
    if to_change and not style_may_change(style=style, membership=membership):
        raise PermissionDenied(STYLE_CHANGE_REFUSED)
    return style


def team_styles(*, team: Team, query: str = "", base_models: list[str] | None = None) -> QuerySet:
    """The team's styles, newest first, narrowed by name or trigger word and base model."""
    styles = Style.objects.filter(team=team).select_related("trained_by")
    for word in query.split():
        styles = styles.filter(Q(name__icontains=word) | Q(trigger_word__icontains=word))
    if base_models is not None:
        styles = styles.filter(base_model__in=base_models)
    return styles.order_by("-created_at", "-id")


def cover_assets(*, style: Style, limit: int = 24) -> list[Asset]:
    """The team's newest images offered as the style's cover (beside its previews)."""
    images = team_assets(team=style.team, filters={"kind": AssetKind.IMAGE})
    return list(images.exclude(krea_url=style.cover_url)[:limit])


def jobs_using_style(style: Style) -> QuerySet[Job]:
    """The team's jobs that asked Krea for this style, newest first."""
    used = Q()
    for position in range(MAX_STYLES_PER_JOB):
        used |= Q(**{f"params__styles__{position}__id": style.krea_style_id})
    return (
        Job.objects.filter(team_id=style.team_id)
        .filter(used)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def job_styles(job: Job) -> list[dict[str, Any]]:
    """The styles a job asked for, with the team's own style (``style``) when it is one."""
    wanted = [s for s in (job.params or {}).get("styles") or [] if isinstance(s, dict)]
    ids = [str(s.get("id")) for s in wanted]
    known = {
        style.krea_style_id: style
        for style in Style.objects.filter(team_id=job.team_id, krea_style_id__in=ids)
    }
    return [
        {"id": style_id, "strength": s.get("strength"), "style": known.get(style_id)}
        for style_id, s in zip(ids, wanted, strict=True)
    ]


@dataclass(frozen=True)
class KreaStyles:
    """One tab of Krea's styles: what Krea listed (this page), or why nothing could be read."""

    items: list[krea_types.Style]
    next_cursor: str | None = None
    error: str = ""
    refused: bool = False  # Krea refused the request (a 400: e.g. a cursor it never gave)


def krea_styles(
    *, team: Team, tab: str, model: str = "", cursor: str = "", query: str = ""
) -> KreaStyles:
    """A page of the workspace's, Krea's public or the community's styles, cached briefly.

    Krea's ``GET /styles`` has no text search: ``query`` narrows what was loaded by
    title. Raises ``KeyError`` for an unknown tab; Krea's failures come back as
    ``error`` (the page still shows the team's own styles).
    """
    krea_filter = KREA_TABS[tab]
    key = f"krea-styles:{team.pk}:{krea_filter}:{model}:{cursor}"
    page = cache.get(key)
    if page is None:
        try:
            with team_krea_client(team=team) as client:
                page = client.list_styles(
                    filter=krea_filter,
                    model=model or None,
                    cursor=cursor or None,
                    limit=KREA_PAGE_SIZE,
                )
        except (krea_errors.KreaError, TeamHasNoToken) as exc:
            return KreaStyles(
                items=[],
                error=f"Krea's styles could not be read: {exc}",
                refused=isinstance(exc, krea_errors.BadRequest),
            )
        cache.set(key, page, KREA_LIST_SECONDS)
    words = query.casefold().split()
    items = [
        style
        for style in page.items
        if all(word in f"{style.title or ''} {style.prompt}".casefold() for word in words)
    ]
    return KreaStyles(items=items, next_cursor=page.next_cursor)


def krea_public_style(*, team: Team, krea_style_id: str) -> krea_types.Style | None:
    """A style Krea shows this team (public, or shared with its workspace), or None."""
    key = f"krea-style:{team.pk}:{krea_style_id}"
    style = cache.get(key)
    if style is None:
        try:
            with team_krea_client(team=team) as client:
                style = client.get_style(krea_style_id)
        except (krea_errors.NotFound, krea_errors.BadRequest):
            return None
        cache.set(key, style, KREA_LIST_SECONDS)
    return style


@dataclass(frozen=True)
class TrainingEstimate:
    """The figures shown beside the train button."""

    estimate: Estimate
    allowance: Allowance
    steps: int

    @property
    def fits(self) -> bool:
        return self.allowance.allows(self.estimate.cu)


def training_estimate_for(
    *, membership: Membership, base_model: str, steps: int | None
) -> TrainingEstimate | None:
    """What training on ``base_model`` for ``steps`` (or the portal's default) would cost."""
    steps = steps or default_steps(base_model)
    try:
        estimate = training_estimate(base_model, steps)
    except (catalogue.UnknownModel, ValueError):
        return None
    return TrainingEstimate(
        estimate=estimate, allowance=allowance_for(membership=membership), steps=steps
    )


# ------------------------------------------------------------------ the generate page's picker


@dataclass(frozen=True)
class StyleChoice:
    """A style the generate page's picker offers or shows as picked."""

    id: str
    name: str
    cover_url: str
    source: str  # "team" (trained here) or "public" (Krea's public styles)
    trigger_word: str = ""
    bases: tuple[str, ...] = ()


def _team_choice(style: Style) -> StyleChoice:
    return StyleChoice(
        id=style.krea_style_id,
        name=style.name,
        cover_url=style.cover_url,
        source="team",
        trigger_word=style.trigger_word,
        bases=tuple(style.compatible_bases),
    )


def _krea_choice(style: krea_types.Style) -> StyleChoice:
    return StyleChoice(
        id=style.id,
        name=style.title or "Untitled style",
        cover_url=style.cover_url or "",
        source="public",
        bases=tuple(style.models),
    )


def picker_styles(*, team: Team, model_id: str, query: str = "") -> list[StyleChoice]:
    """The styles ``model_id`` can load: the team's (newest first), then Krea's public ones.

    Compatibility comes from the catalogue's map of generation models to training base
    models; a model missing from it offers none (the refresh command reports it).
    Krea's list is read through the same short cache as the Styles page; a failure
    there leaves the team's own styles.
    """
    bases = set(catalogue.style_bases(model_id))
    if not bases:
        return []
    own = [
        _team_choice(style)
        for style in team_styles(team=team, query=query)[:200]
        if bases & set(style.compatible_bases)
    ]
    seen = {choice.id for choice in own}
    public = [
        _krea_choice(style)
        for style in krea_styles(team=team, tab="public", query=query).items
        if bases & set(style.models) and style.id not in seen
    ]
    return own + public


def picked_styles(*, team: Team, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The styles a form already holds (``?style=``, a remix), named when the team knows them.

    ``rows`` are the form's rows (``{"id": ..., "strength": ...}``, as typed); the others
    keep their id as their name (a public style picked by id).
    """
    ids = [str(row.get("id") or "").strip() for row in rows]
    known = {
        style.krea_style_id: style
        for style in Style.objects.filter(team=team, krea_style_id__in=[i for i in ids if i])
    }
    picked = []
    for style_id, row in zip(ids, rows, strict=True):
        if not style_id:
            continue
        style = known.get(style_id)
        choice = _team_choice(style) if style else StyleChoice(style_id, style_id, "", "public")
        picked.append({"choice": choice, "strength": row.get("strength", "")})
    return picked
