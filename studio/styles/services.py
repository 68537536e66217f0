"""Writes for styles: train one (a job of kind training), record it, change its sharing.

Training goes through the generation pipeline unchanged (queue, reservation, one
POST, webhook or poll, charge); ``style_record_trained`` runs when the job
completes. Sharing changes are short Krea calls made for the member who asked,
each recorded in the team's audit log. Krea's refusals (a 4xx) become
``StyleRefused`` with Krea's message; pages show it, the API answers 400.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from krea_integration import catalogue
from krea_integration import errors as krea_errors
from krea_integration import types as krea_types
from krea_integration.client import KreaClient
from studio.assets.models import Asset, AssetKind
from studio.audit.models import AuditEntry
from studio.audit.services import audit_record
from studio.generation.models import Job, JobKind, JobStatus
from studio.generation.services import job_queue, require_krea_token
from studio.teams.models import Membership, Team
from studio.teams.tokens import team_krea_client
from studio.usage.pricing import TRAINING_PREFIX, training_estimate

from . import selectors
from .events import style_trained
from .models import Style, StyleKind

logger = logging.getLogger(__name__)


class InvalidTraining(Exception):
    """A training the portal will not send: each problem names its field."""

    def __init__(self, errors: list[catalogue.ParamError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field or 'body'}: {e.message}" for e in errors))


class StyleRefused(Exception):
    """Krea refused a change to a style (its 4xx answer, in its words)."""


# ------------------------------------------------------------------ training


def training_body(params: Mapping[str, Any]) -> dict[str, Any]:
    """Krea's ``POST /styles/train`` body from what a member gave, in Krea's field names.

    Blank values are left out, texts trimmed, the base model defaults to flux_dev,
    and ``max_train_steps`` is always set (the portal's default for the base model),
    so the estimate is the exact charge.
    """
    body: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "", [], {}):
            body[key] = value
    body.setdefault("model", "flux_dev")
    if isinstance(body["model"], str):
        body.setdefault("max_train_steps", selectors.default_steps(body["model"]))
    return body


def training_check(body: dict[str, Any]) -> None:
    """Raise ``InvalidTraining`` unless Krea's schema for the base model takes ``body``.

    Beyond the schema: only the fields the base model's shape lists (Krea's shapes
    do not forbid others, but would ignore them), a name, and at least two images
    (one image trains nothing useful, and Krea bills the steps anyway).
    """
    training = catalogue.load().training
    errors: list[catalogue.ParamError] = []
    if training is None:
        raise InvalidTraining([catalogue.ParamError("model", "Krea offers no style training.")])
    try:
        shape = training.schema_for(body.get("model", ""))
    except catalogue.UnknownModel:
        choices = ", ".join(training.models)
        raise InvalidTraining(
            [catalogue.ParamError("model", f"Krea trains styles on {choices}.")]
        ) from None
    taken = shape.get("properties") or {}
    for key in body:
        if key not in taken:
            errors.append(catalogue.ParamError(key, f"{body['model']} does not take {key}."))
    if not str(body.get("name") or "").strip():
        errors.append(catalogue.ParamError("name", "Give the style a name."))
    if len(body.get("urls") or []) < selectors.MIN_TRAINING_IMAGES:
        errors.append(
            catalogue.ParamError(
                "urls",
                f"Pick at least {selectors.MIN_TRAINING_IMAGES} images to train on.",
            )
        )
    errors += [
        e
        for e in catalogue.validate_against(shape, body)
        if not any(e.field == known.field for known in errors)
    ]
    if errors:
        raise InvalidTraining(errors)


def style_train(*, membership: Membership, body: Mapping[str, Any]) -> Job:
    """Queue a style training for ``membership``'s team: check, reserve its CU, write the job.

    ``body`` is Krea's training body (see ``training_body``). The job is of kind
    ``training`` and runs through the generation pipeline; its style is recorded
    when it completes. Raises ``TeamHasNoToken``, ``InvalidTraining`` and
    ``QuotaExceeded``.
    """
    require_krea_token(membership.team)
    body = training_body(body)
    training_check(body)
    base_model = body["model"]
    return job_queue(
        membership=membership,
        kind=JobKind.TRAINING,
        model_id=f"{TRAINING_PREFIX}{base_model}",
        model_name=f"Style training ({base_model})",
        group="training",
        params=body,
        prompt=body["name"],
        estimate=training_estimate(base_model, body["max_train_steps"]),
    )


def style_record_trained(*, job_id: int) -> Style | None:
    """Record the style a completed training job made (once), then read it from Krea.

    Safe to run twice: the style is unique per team and Krea id. Returns the style,
    or None when the job is not a completed training or carries no style id.
    """
    job = Job.objects.filter(pk=job_id, kind=JobKind.TRAINING, status=JobStatus.COMPLETED).first()
    style_id = job.result_style_id if job else ""
    if job is None or not style_id:
        if job is not None:
            Job.objects.filter(pk=job.pk).update(
                error="Krea completed the training but named no style."
            )
        return None
    params = job.params or {}
    defaults = {
        "training_job": job,
        "trained_by_id": job.created_by_id,
        "name": str(params.get("name") or "Untitled style")[:200],
        "trigger_word": str(params.get("trigger_word") or "")[:100],
        "kind": params.get("type") or StyleKind.STYLE,
        "base_model": str(params.get("model") or ""),
        "training_urls": list(params.get("urls") or []),
        "steps": params.get("max_train_steps"),
        "cost_cu": job.charged_cu if job.charged_cu is not None else job.estimate_cu,
        "created_at": job.finished_at or timezone.now(),
    }
    try:
        style, created = Style.objects.get_or_create(
            team_id=job.team_id, krea_style_id=style_id, defaults=defaults
        )
    except IntegrityError:  # another worker recorded it first
        style, created = Style.objects.get(team_id=job.team_id, krea_style_id=style_id), False
    if created:
        audit_record(
            team=job.team,
            action=AuditEntry.Action.STYLE_TRAINED,
            actor=job.created_by,
            summary=f"Style “{style.name}” trained on {style.base_model}",
            details={"style": str(style.uuid), "krea_style_id": style_id},
        )
    style_sync(style=style)
    if created:
        style_pk = style.pk
        transaction.on_commit(lambda: style_trained.send_robust(sender=Style, style_id=style_pk))
    return style


def _apply_krea_style(style: Style, krea_style: krea_types.Style) -> None:
    style.public = krea_style.public
    style.cover_url = krea_style.cover_url or ""
    style.preview_urls = list(krea_style.urls)
    style.models_supported = list(krea_style.models)
    style.prompt = krea_style.prompt
    style.like_count = int(krea_style.like_count)
    if krea_style.title:
        style.name = krea_style.title[:200]
    style.synced_at = timezone.now()
    style.save(
        update_fields=[
            "public",
            "cover_url",
            "preview_urls",
            "models_supported",
            "prompt",
            "like_count",
            "name",
            "synced_at",
        ]
    )


def style_sync(*, style: Style) -> bool:
    """Refresh what the portal shows of a style from Krea (``GET /styles/{id}``).

    Returns False, changing nothing, when Krea cannot be asked; the style keeps
    what the portal last knew.
    """
    try:
        with team_krea_client(team=style.team) as client:
            krea_style = client.get_style(style.krea_style_id)
    except (krea_errors.KreaError, PermissionDenied) as exc:
        logger.info("Style %s not refreshed from Krea: %s", style.uuid, exc)
        return False
    except Exception:
        logger.exception("Style %s not refreshed from Krea", style.uuid)
        return False
    _apply_krea_style(style, krea_style)
    return True


# ------------------------------------------------------------------ sharing


def _require_change(style: Style, by: Membership) -> None:
    if style.team_id != by.team_id or not selectors.style_may_change(style=style, membership=by):
        raise PermissionDenied(selectors.STYLE_CHANGE_REFUSED)


@contextmanager
def _krea_for(style: Style) -> Iterator[KreaClient]:
    """The team's Krea client; Krea's 4xx answers become ``StyleRefused``."""
    try:
        with team_krea_client(team=style.team) as client:
            yield client
    except (krea_errors.BadRequest, krea_errors.Forbidden) as exc:
        raise StyleRefused(f"Krea refused: {exc.message}") from exc
    except krea_errors.NotFound as exc:
        raise StyleRefused(
            "Krea no longer knows this style, or the team's token does not own it."
        ) from exc


def _audit(style: Style, by: Membership, action: str, summary: str, **details: Any) -> None:
    audit_record(
        team=style.team,
        action=action,
        actor=by.user,
        summary=summary,
        details={"style": str(style.uuid), **details},
    )


COVER_REFUSED = (
    "Choose the cover among the style's previews and training images or the team's images."
)


def _cover_allowed(style: Style, url: str) -> bool:
    """A cover is one of the style's own pictures or one of the team's image assets: Krea
    shows it to whoever sees the style, so it must be a picture the team chose to put there."""
    if url in (style.preview_urls or []) or url in (style.training_urls or []):
        return True
    return Asset.objects.filter(team_id=style.team_id, kind=AssetKind.IMAGE, krea_url=url).exists()


def style_update(
    *,
    style: Style,
    by: Membership,
    title: str | None = None,
    cover_url: str | None = None,
    public: bool | None = None,
) -> Style:
    """Rename a style, choose its cover, or make it public or private (``PATCH`` at Krea).

    Only what is given changes. ``PermissionDenied`` unless ``by`` trained it or
    manages the team; ``StyleRefused`` with Krea's reason; ``InvalidTraining``
    naming ``title`` for an empty name, ``cover_url`` for a cover that is neither
    the style's own picture nor one of the team's images.
    """
    _require_change(style, by)
    if title is not None:
        title = title.strip()
        if not title:
            raise InvalidTraining([catalogue.ParamError("title", "A style needs a name.")])
    if cover_url is not None and not _cover_allowed(style, cover_url):
        raise InvalidTraining([catalogue.ParamError("cover_url", COVER_REFUSED)])
    changes = {
        key: value
        for key, value in (("title", title), ("cover_url", cover_url), ("public", public))
        if value is not None
    }
    if not changes:
        return style
    with _krea_for(style) as client:
        krea_style = client.update_style(style.krea_style_id, **changes)
    before = {"title": style.name, "cover_url": style.cover_url, "public": style.public}
    _apply_krea_style(style, krea_style)
    if title is not None:
        style.name = title[:200]
        style.save(update_fields=["name"])
    if "public" in changes and changes["public"] != before["public"]:
        _audit(
            style,
            by,
            AuditEntry.Action.STYLE_VISIBILITY_CHANGED,
            f"Style “{style.name}” made {'public' if public else 'private'}",
            public=bool(public),
        )
    if "title" in changes and title != before["title"]:
        _audit(
            style,
            by,
            AuditEntry.Action.STYLE_RENAMED,
            f"Style “{before['title']}” renamed to “{style.name}”",
            before=before["title"],
            after=style.name,
        )
    if "cover_url" in changes and cover_url != before["cover_url"]:
        _audit(
            style,
            by,
            AuditEntry.Action.STYLE_COVER_CHANGED,
            f"Cover of style “{style.name}” changed",
            cover_url=cover_url,
        )
    return style


def style_share_link(*, style: Style, by: Membership) -> str:
    """The style's share link (Krea makes one the first time); recorded on the style."""
    _require_change(style, by)
    with _krea_for(style) as client:
        link, created = client.style_share_link(style.krea_style_id)
    if link.share_link != style.share_link:
        style.share_link = link.share_link
        style.save(update_fields=["share_link"])
    if created:
        _audit(
            style,
            by,
            AuditEntry.Action.STYLE_LINK_CREATED,
            f"Share link made for style “{style.name}”",
        )
    return style.share_link


def style_share_workspace(*, style: Style, by: Membership, shared: bool) -> Style:
    """Share the style with the team's Krea workspace (``shared``), or take it back."""
    _require_change(style, by)
    with _krea_for(style) as client:
        if shared:
            client.share_style_with_workspace(style.krea_style_id)
        else:
            # Not shared at Krea already: the portal's record was stale.
            with suppress(krea_errors.NotFound):
                client.unshare_style_from_workspace(style.krea_style_id)
    if style.shared_with_workspace != shared:
        style.shared_with_workspace = shared
        style.save(update_fields=["shared_with_workspace"])
    _audit(
        style,
        by,
        AuditEntry.Action.STYLE_WORKSPACE_SHARED
        if shared
        else AuditEntry.Action.STYLE_WORKSPACE_UNSHARED,
        f"Style “{style.name}” {'shared with' if shared else 'removed from'} the Krea workspace",
    )
    return style


def styles_reconcile_workspace(*, team: Team, shared_ids: set[str], complete: bool) -> int:
    """Mark the team's styles Krea lists as shared with the workspace (``filter=shared``).

    With the ``complete`` list, styles missing from it are marked unshared too.
    Returns how many styles changed.
    """
    changed = Style.objects.filter(
        team=team, krea_style_id__in=shared_ids, shared_with_workspace=False
    ).update(shared_with_workspace=True)
    if complete:
        changed += (
            Style.objects.filter(team=team, shared_with_workspace=True)
            .exclude(krea_style_id__in=shared_ids)
            .update(shared_with_workspace=False)
        )
    return changed
