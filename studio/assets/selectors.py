"""Reads of the asset library: one asset by id, the team's assets filtered, picker choices.

Every query starts from the member's team: another team's asset does not exist
for them (404), on pages, fragments, files and the API alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from krea_integration import catalogue
from krea_integration.media_inputs import field_for
from studio.teams.models import Membership, Team

from .models import Asset

ASSET_NOT_FOUND = "There is no asset with this id in your team."
ASSET_CHANGE_REFUSED = (
    "Only the member who uploaded this asset, or the team's owners and admins, may change it."
)


def asset_change_allowed(*, asset: Asset, membership: Membership) -> bool:
    """Who may edit or delete an asset: its uploader, or owners and admins.

    Every member uploads assets and uses anyone's; imported assets have no
    uploader, so only owners and admins change them.
    """
    return (
        asset.uploaded_by_id is not None and asset.uploaded_by_id == membership.user_id
    ) or membership.can_manage


def asset_for(membership: Membership, uuid: UUID, *, to_change: bool = False) -> Asset:
    """The asset ``uuid`` of ``membership``'s team.

    Raises ``Http404`` when the team has no such asset (another team's does not
    exist for this one) and, with ``to_change``, ``PermissionDenied`` when the
    member may not edit or delete it.
    """
    asset = (
        Asset.objects.filter(team_id=membership.team_id, uuid=uuid)
        .select_related("uploaded_by")
        .first()
    )
    if asset is None:
        raise Http404(ASSET_NOT_FOUND)
    if to_change and not asset_change_allowed(asset=asset, membership=membership):
        raise PermissionDenied(ASSET_CHANGE_REFUSED)
    return asset


def team_assets(*, team: Team, filters: Mapping[str, Any] | None = None) -> QuerySet[Asset]:
    """The team's assets, newest first: ``kind``, ``uploader`` (a user id), ``q`` (words
    in the description or file name)."""
    filters = filters or {}
    assets = Asset.objects.filter(team=team).select_related("uploaded_by")
    if filters.get("kind"):
        assets = assets.filter(kind=filters["kind"])
    if filters.get("uploader"):
        assets = assets.filter(uploaded_by_id=filters["uploader"])
    return assets.filter(asset_search_q(filters.get("q"))).order_by("-created_at", "-id")


def asset_search_q(text: str | None) -> Q:
    """Assets whose description or file name holds every word of ``text``, in any case
    (served on PostgreSQL by trigram indexes, migration 0002)."""
    found = Q()
    for word in str(text or "").split():
        found &= Q(description__icontains=word) | Q(file_name__icontains=word)
    return found


def uploader_choices(*, team: Team) -> list[Membership]:
    """The team's members, for the uploader filter."""
    return list(
        Membership.objects.filter(team=team).select_related("user").order_by("user__name", "pk")
    )


def asset_jobs(*, asset: Asset, limit: int = 20) -> list[Any]:
    """The newest jobs that took ``asset`` as an input."""
    return list(asset.jobs.select_related("created_by").order_by("-created_at", "-id")[:limit])


# (catalogue, kind) -> its models taking that kind: the catalogue is read once per
# process, and the gallery asks on every page (its Upscale and Animate actions).
_models_taking: dict[tuple[int, str], tuple[catalogue.Catalogue, list[catalogue.Model]]] = {}


def models_taking(*, kind: str) -> list[catalogue.Model]:
    """The catalogue's models with a field for a file of ``kind``, by group then name."""
    current = catalogue.load()
    known = _models_taking.get((id(current), kind))
    if known is None or known[0] is not current:
        models = [m for m in current.models if field_for(m, kind)]
        known = (current, sorted(models, key=lambda m: (m.group, m.name.casefold())))
        _models_taking[(id(current), kind)] = known
    return list(known[1])


def param_strings(params: Any) -> set[str]:
    """Every string in a job's params, however nested: the URLs of the files it takes."""
    found: set[str] = set()
    stack = [params]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found
