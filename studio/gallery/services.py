"""Writes of the gallery: favourites, collections and what a selection does.

Callers pass objects found through ``selectors`` (the member's team); each
service checks again that they are the member's team's and that the member may
change what they change, and raises ``PermissionDenied`` otherwise.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from studio.generation.models import Output
from studio.teams.models import Membership

from . import selectors
from .models import Collection, CollectionItem, Favourite


def _same_team(membership: Membership, outputs: list[Output]) -> None:
    if any(o.team_id != membership.team_id for o in outputs):
        raise PermissionDenied(selectors.OUTPUTS_NOT_FOUND)


def favourite_set(*, membership: Membership, output: Output, favourite: bool) -> None:
    """Mark or unmark ``output`` as one of the member's favourites (idempotent)."""
    _same_team(membership, [output])
    if favourite:
        Favourite.objects.get_or_create(membership=membership, output=output)
    else:
        Favourite.objects.filter(membership=membership, output=output).delete()


def collection_create(*, membership: Membership, name: str, shared: bool = False) -> Collection:
    """A new collection of the member's team, private to them unless ``shared``."""
    return Collection.objects.create(
        team_id=membership.team_id, created_by=membership.user, name=name, shared=shared
    )


def _require_change(collection: Collection, by: Membership) -> None:
    if collection.team_id != by.team_id or not selectors.collection_may_change(
        collection=collection, membership=by
    ):
        raise PermissionDenied(selectors.COLLECTION_CHANGE_REFUSED)


def collection_update(
    *, collection: Collection, by: Membership, name: str, shared: bool
) -> Collection:
    """Rename a collection, and share it with the team or take it back."""
    _require_change(collection, by)
    collection.name = name
    collection.shared = shared
    collection.updated_at = timezone.now()
    collection.save(update_fields=["name", "shared", "updated_at"])
    return collection


def collection_delete(*, collection: Collection, by: Membership) -> None:
    """Delete a collection; its outputs stay in the gallery."""
    _require_change(collection, by)
    collection.delete()


def _require_visible(collection: Collection, by: Membership) -> None:
    if collection.team_id != by.team_id or not (
        collection.shared or collection.created_by_id == by.user_id
    ):
        raise PermissionDenied(selectors.COLLECTION_NOT_FOUND)


@transaction.atomic
def collection_add(*, collection: Collection, by: Membership, outputs: list[Output]) -> int:
    """Add outputs to a collection the member sees; returns how many were not in it yet."""
    _require_visible(collection, by)
    _same_team(by, outputs)
    present = set(
        CollectionItem.objects.filter(collection=collection, output__in=outputs).values_list(
            "output_id", flat=True
        )
    )
    new = [o for o in outputs if o.pk not in present]
    CollectionItem.objects.bulk_create(
        [CollectionItem(collection=collection, output=o, added_by=by.user) for o in new],
        ignore_conflicts=True,
    )
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    return len(new)


@transaction.atomic
def collection_remove(*, collection: Collection, by: Membership, outputs: list[Output]) -> int:
    """Take outputs out of a collection the member sees (the files stay in the gallery)."""
    _require_visible(collection, by)
    removed, _ = CollectionItem.objects.filter(collection=collection, output__in=outputs).delete()
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    return removed
