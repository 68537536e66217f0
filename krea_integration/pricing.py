"""What a Krea request costs in compute units (CU), from the catalogue's price tables.

Krea's job objects never report what a job cost, so these estimates are the
portal's figures for quotas and usage. They follow Krea's published tables: the
request's parameters, with schema defaults filled in for the ones left out,
pick the row. A model without a published price, or a combination its table
does not list, raises a :class:`PriceUnknown` whose message can be shown as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .catalogue import Catalogue, Model, PriceTable, UnknownModel, load

__all__ = [
    "NoPriceForCombination",
    "NoPublishedPrice",
    "PriceUnknown",
    "estimate",
    "training_estimate",
]


class PriceUnknown(Exception):
    """No CU figure can be given; ``str()`` says why in a user's words."""

    def __init__(self, message: str, *, model_id: str) -> None:
        super().__init__(message)
        self.model_id = model_id


class NoPublishedPrice(PriceUnknown):
    """Krea publishes no price for this model (Topaz, SeedEdit, Aleph, node apps...)."""


class NoPriceForCombination(PriceUnknown):
    """The model's price table has no row for these parameters."""


def estimate(
    model: Model | str,
    params: Mapping[str, Any] | None = None,
    *,
    catalogue: Catalogue | None = None,
) -> Decimal:
    """CU that Krea charges for one completed request of ``model`` with ``params``.

    ``model`` is a :class:`Model` or its id/path, looked up in ``catalogue``
    (default: the checked-in one). Deprecated aliases are accepted; omitted (or
    null) parameters take the schema's default, so Veo 3.1 with ``{}`` is priced
    as 8 s, 720p, no audio. Approximate prices (``~44``) count at face value.

    Raises:
        UnknownModel: ``model`` is an id the catalogue does not have.
        NoPublishedPrice: Krea publishes no price for the model.
        NoPriceForCombination: the table lists no price for these parameters.
    """
    if isinstance(model, str):
        model = (catalogue or load()).get(model)
    if model.price is None:
        raise NoPublishedPrice(
            f"Krea publishes no price for {model.name}, so its cost cannot be estimated.",
            model_id=model.id,
        )
    effective = model.defaults()
    given = params or {}
    for name, value in given.items():
        field = model.aliases.get(name, name)
        # An alias sent beside its field is a validation error, not a pricing
        # one: price by the field so a form being filled in still gets a figure.
        if value is not None and (field == name or field not in given):
            effective[field] = value
    row = model.price.lookup(effective)
    if row is None:
        raise NoPriceForCombination(
            _no_row_message(model, model.price, effective), model_id=model.id
        )
    return row.cu


def training_estimate(
    train_model: str, steps: int, *, catalogue: Catalogue | None = None
) -> Decimal:
    """CU for training a style (LoRA) on ``train_model`` for ``steps`` steps.

    Krea prices training per step, by training model (``qwen``, ``flux_dev``...).

    Raises:
        ValueError: ``steps`` is not a positive whole number.
        UnknownModel: Krea does not train on ``train_model``.
        NoPublishedPrice: the model trains but Krea publishes no per-step price.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"Training steps must be a positive whole number, not {steps!r}.")
    training = (catalogue or load()).training
    if training is None or (
        train_model not in training.models and train_model not in training.step_prices
    ):
        raise UnknownModel(train_model)
    per_step = training.step_prices.get(train_model)
    if per_step is None:
        raise NoPublishedPrice(
            f"Krea publishes no training price for {train_model}, so its cost cannot be estimated.",
            model_id=train_model,
        )
    return per_step * steps


def _no_row_message(model: Model, price: PriceTable, params: Mapping[str, Any]) -> str:
    asked = ", ".join(f"{c.column} {c.describe(c.read(params))}" for c in price.columns)
    listed = []
    for index, column in enumerate(price.columns):
        values: list[str] = []
        for row in price.rows:
            cell = row.cells[index]
            shown = "any" if cell is None else column.describe(cell)
            if shown not in values:
                values.append(shown)
        listed.append(f"{column.column} {'/'.join(values)}")
    return (
        f"Krea publishes no price for {model.name} with {asked}. "
        f"Its price list covers: {'; '.join(listed)}."
    )
