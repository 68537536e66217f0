"""Reads of the gallery: the team's outputs as a member sees them (their favourites
marked), the collections a member may see, and one access helper per object kind."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from studio.assets.selectors import models_taking
from studio.generation.live import job_followed
from studio.generation.models import Job, Output
from studio.generation.selectors import LIVE_NEWEST, team_outputs
from studio.teams.models import Membership

from .models import Collection, CollectionItem, Favourite

COLLECTION_NOT_FOUND = "There is no collection with this id in your team."
OUTPUTS_NOT_FOUND = "One of the chosen files is not in your team any more."
COLLECTION_CHANGE_REFUSED = (
    "Only the member who made this collection, or the team's owners and admins, may change it."
)
# "Upscale" opens this enhancer; "Animate" the first of these image-to-video models
# that the catalogue has (each takes the image as its start image).
UPSCALE_MODEL = "enhance/topaz/standard-enhance"
ANIMATE_MODELS = ("video/kling/kling-2.5", "video/google/veo-3.1-fast", "video/runway/gen-4-video")
# More files than this in one zip is a job for the API, not a click.
ZIP_LIMIT = 200


# ------------------------------------------------------------------ outputs


def job_tiles(*, membership: Membership, job: Job) -> list[Output]:
    """The gallery's tiles of one of the team's jobs (its outputs, favourites marked)."""
    return list(gallery_outputs(membership=membership).filter(job=job))


def gallery_live(*, membership: Membership) -> tuple[list[UUID], list[Job]]:
    """For the open gallery to add new outputs live: the team's newest job ids (the page
    knows them already) and those of them it still waits for (running, or their files
    being copied), each as a hidden slot that follows the job (``job_followed``)."""
    # Outputs counted per job by a subquery, not a join and GROUP BY: that grouped every
    # job of the team before keeping ten (4 s at a million jobs).
    outputs = (
        Output.objects.filter(job=OuterRef("pk"))
        .order_by()
        .values("job")
        .annotate(n=Count("pk"))
        .values("n")
    )
    jobs = list(
        Job.objects.filter(team_id=membership.team_id)
        .annotate(output_count=Coalesce(Subquery(outputs), 0))
        .order_by("-created_at", "-id")[:LIVE_NEWEST]
    )
    return [job.uuid for job in jobs], [job for job in jobs if job_followed(job)]


def gallery_outputs(
    *, membership: Membership, filters: Mapping[str, Any] | None = None
) -> QuerySet[Output]:
    """The team's outputs, newest first, filtered, each with ``is_favourite`` for this member.

    Filters: those of every list (``ListFilterForm``), ``kind`` (image/video),
    ``favourites`` (this member's) and ``collection`` (a uuid the member may see).
    """
    filters = filters or {}
    outputs = team_outputs(team=membership.team, filters=filters).annotate(
        is_favourite=Exists(
            Favourite.objects.filter(membership=membership, output_id=OuterRef("pk"))
        )
    )
    if filters.get("kind") in ("image", "video"):
        outputs = outputs.filter(mime_type__startswith=f"{filters['kind']}/")
    if filters.get("favourites"):
        outputs = outputs.filter(is_favourite=True)
    if filters.get("collection"):
        outputs = outputs.filter(
            Exists(
                CollectionItem.objects.filter(
                    collection__in=visible_collections(membership=membership).filter(
                        uuid=filters["collection"]
                    ),
                    output_id=OuterRef("pk"),
                )
            )
        )
    return outputs


def outputs_for(membership: Membership, ids: Iterable[Any]) -> list[Output]:
    """The outputs ``ids`` (primary keys) of the member's team, in the order given.

    ``Http404`` if one of them is not the team's (or not a number): a selection
    never acts on part of what the member picked.
    """
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError):
        raise Http404(OUTPUTS_NOT_FOUND) from None
    found = {
        o.pk: o
        for o in Output.objects.filter(team_id=membership.team_id, pk__in=wanted).select_related(
            "job", "job__created_by"
        )
    }
    if len(found) != len(wanted):
        raise Http404(OUTPUTS_NOT_FOUND)
    return [found[pk] for pk in wanted]


def output_actions(output: Output) -> dict[str, Any]:
    """What the gallery offers on one output: which of upscale and animate apply."""
    return {"upscale": output.is_image, "animate": output.is_image}


def upscale_model_id() -> str | None:
    return next((m.id for m in models_taking(kind="image") if m.id == UPSCALE_MODEL), None)


def animate_model_id() -> str | None:
    """The image-to-video model "Animate" opens: the first of ``ANIMATE_MODELS`` that the
    catalogue has, else any video model that takes an image."""
    video_models = [m.id for m in models_taking(kind="image") if m.group == "video"]
    preferred = [m for m in ANIMATE_MODELS if m in video_models]
    return (preferred or video_models or [None])[0]


# ------------------------------------------------------------------ collections


def collection_may_change(*, collection: Collection, membership: Membership) -> bool:
    """Who may rename, share or delete a collection: its maker, or owners and admins."""
    return collection.created_by_id == membership.user_id or membership.can_manage


def visible_collections(*, membership: Membership) -> QuerySet[Collection]:
    """The team's shared collections and the member's own, most recently changed first."""
    return Collection.objects.filter(team_id=membership.team_id).filter(
        Q(shared=True) | Q(created_by_id=membership.user_id)
    )


def collection_for(
    membership: Membership, uuid: UUID | str, *, to_change: bool = False
) -> Collection:
    """The collection ``uuid`` as ``membership`` may see it.

    ``Http404`` for another team's collection, or another member's unshared one;
    with ``to_change``, ``PermissionDenied`` unless the member may change it
    (``collection_may_change``). Adding to and removing from a collection need only
    that the member sees it.
    """
    collection = (
        visible_collections(membership=membership)
        .filter(uuid=uuid)
        .select_related("created_by")
        .first()
    )
    if collection is None:
        raise Http404(COLLECTION_NOT_FOUND)
    if to_change and not collection_may_change(collection=collection, membership=membership):
        raise PermissionDenied(COLLECTION_CHANGE_REFUSED)
    return collection


def collection_list(*, membership: Membership) -> QuerySet[Collection]:
    """The collections page: each visible collection with its size and latest output
    (the cover), in one query."""
    latest = CollectionItem.objects.filter(collection_id=OuterRef("pk")).order_by(
        "-added_at", "-id"
    )
    return (
        visible_collections(membership=membership)
        .select_related("created_by")
        .annotate(
            size=Count("items"),
            cover_job=Subquery(latest.values("output__job__uuid")[:1]),
            cover_position=Subquery(latest.values("output__position")[:1]),
        )
        .order_by("-updated_at", "-id")
    )


def collection_choices(*, membership: Membership) -> list[tuple[str, str]]:
    """(uuid, name) of the collections the member sees, for the filter and "Add to"."""
    return [
        (str(uuid), name)
        for uuid, name in visible_collections(membership=membership)
        .order_by("name", "pk")
        .values_list("uuid", "name")
    ]
