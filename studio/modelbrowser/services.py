"""Writes of the model browser: marking a model as a favourite, or not."""

from __future__ import annotations

from krea_integration import catalogue
from studio.teams.models import Membership

from .models import FavouriteModel


def model_favourite_set(*, membership: Membership, model_id: str, favourite: bool) -> None:
    """Pin ``model_id`` first for this member (or unpin it); doing it twice changes nothing.

    Raises:
        catalogue.UnknownModel: the catalogue has no such model.
    """
    model = catalogue.load().get(model_id)
    if favourite:
        FavouriteModel.objects.get_or_create(membership=membership, model_id=model.id)
    else:
        FavouriteModel.objects.filter(membership=membership, model_id=model.id).delete()
