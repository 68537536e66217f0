"""Reads of the model browser: the cards, filtered, with each member's favourites first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode

from krea_integration import catalogue
from studio.generation.models import Output
from studio.generation.selectors import GROUPS, model_price_label, team_outputs
from studio.teams.models import Membership, Team

from .models import FavouriteModel

# (key, label, lowest CU, highest CU): the cheapest way to run a model decides its band.
PRICE_BANDS = (
    ("low", "Up to 10 CU", 0, 10),
    ("medium", "10 to 100 CU", 10, 100),
    ("high", "Over 100 CU", 100, None),
    ("unpublished", "Price not published", None, None),
)
KINDS = GROUPS


@dataclass(frozen=True)
class ModelCard:
    """One model as the browser shows it."""

    model: catalogue.Model
    tags: list[tuple[str, str]]
    price_label: str
    price_band: str
    image_url: str
    # Whether the image is the team's own output of the model (else an illustration).
    team_output: bool
    favourite: bool

    @property
    def generate_url(self) -> str:
        return f"{reverse('generate')}?{urlencode({'model': self.model.id})}"


def price_band(model: catalogue.Model) -> str:
    """The price band of a model's cheapest run."""
    if model.price is None or not model.price.rows:
        return "unpublished"
    cheapest = min(row.cu for row in model.price.rows)
    for key, _, low, high in PRICE_BANDS:
        if low is not None and cheapest >= low and (high is None or cheapest <= high):
            return key
    return "unpublished"


def latest_output_images(*, team: Team, model_ids: Iterable[str]) -> dict[str, Output]:
    """The team's newest output with a picture (an image, a video's poster) per model."""
    newest = (
        team_outputs(team=team)
        .filter(job__model_id__in=list(model_ids))
        .exclude(thumbnail="")
        .order_by()
        .values("job__model_id")
        .annotate(newest=Max("id"))
        .values_list("newest", flat=True)
    )
    outputs = Output.objects.filter(id__in=list(newest)).select_related("job")
    return {output.job.model_id: output for output in outputs}


def favourite_model_ids(*, membership: Membership) -> set[str]:
    return set(
        FavouriteModel.objects.filter(membership=membership).values_list("model_id", flat=True)
    )


def model_cards(
    *,
    membership: Membership,
    query: str = "",
    tag: str = "",
    kind: str = "",
    price: str = "",
) -> list[ModelCard]:
    """Every model matching the filters, the member's favourites first, then by kind.

    ``query`` matches every word in the name, provider, summary or id; ``tag`` is a
    key of ``catalogue.TAGS``, ``kind`` a group, ``price`` a key of :data:`PRICE_BANDS`.
    """
    words = query.casefold().split()
    models = [
        model
        for model in catalogue.load()
        if all(
            w in f"{model.name} {model.provider} {model.summary} {model.id}".casefold()
            for w in words
        )
        and (not kind or model.group == kind)
        and (not tag or tag in catalogue.model_tags(model))
        and (not price or price_band(model) == price)
    ]
    favourites = favourite_model_ids(membership=membership)
    outputs = latest_output_images(team=membership.team, model_ids=[m.id for m in models])
    kinds = [key for key, _ in KINDS]
    cards = []
    for model in models:
        output = outputs.get(model.id)
        image = (
            reverse("output_thumbnail", args=[output.job.uuid, output.position])
            if output
            else static(f"img/model-{model.group}.svg")
        )
        cards.append(
            ModelCard(
                model=model,
                tags=[(t, catalogue.TAG_LABELS[t]) for t in catalogue.model_tags(model)],
                price_label=model_price_label(model),
                price_band=price_band(model),
                image_url=image,
                team_output=output is not None,
                favourite=model.id in favourites,
            )
        )
    cards.sort(key=lambda c: (not c.favourite, kinds.index(c.model.group), c.model.name))
    return cards
