"""What a job is expected to cost, in compute units.

First Krea's published price (the catalogue's tables); failing that, the price an
admin set for the model (``ModelPrice``); failing that, the configured default
``USAGE_DEFAULT_PRICE_CU``. The last two are marked unpublished so pages can say
the figure is the portal's own estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from krea_integration import pricing
from krea_integration.catalogue import Model

from .models import ModelPrice, format_cu

TRAINING_PREFIX = "styles/train/"
NODE_APP_PRICE_NOTE = "Krea publishes no price for node apps."


@dataclass(frozen=True)
class Estimate:
    cu: Decimal
    published: bool
    """False when Krea publishes no price for this model or combination and the
    figure is the portal's own (an admin-set price, or the configured default)."""
    note: str = ""

    def describe(self) -> str:
        """“3 CU”, or “about 10 CU (estimate: …)” when the figure is the portal's own."""
        if self.published:
            return f"{format_cu(self.cu)} CU"
        return f"about {format_cu(self.cu)} CU (estimate: {self.note})"


def _default_price() -> Decimal:
    return Decimal(str(settings.USAGE_DEFAULT_PRICE_CU))


def _portal_price(model_id: str, name: str, why: str) -> tuple[Decimal, str]:
    """The admin-set price for ``model_id``, else the default, with a note saying which."""
    price = ModelPrice.objects.filter(model_id=model_id).first()
    if price is not None:
        return price.cu, f"{why} The portal's admins set {format_cu(price.cu)} CU for {name}."
    default = _default_price()
    return default, f"{why} The portal counts its default of {format_cu(default)} CU."


def job_estimate(model: Model, params: Mapping[str, Any]) -> Estimate:
    """The CU estimate for running ``model`` with ``params`` (schema defaults applied)."""
    try:
        return Estimate(cu=pricing.estimate(model, dict(params)), published=True)
    except pricing.PriceUnknown as unknown:
        cu, note = _portal_price(model.id, model.name, str(unknown))
        return Estimate(cu=cu, published=False, note=note)


def training_estimate(train_model: str, steps: int) -> Estimate:
    """The CU estimate for training a style on ``train_model`` for ``steps`` steps.

    Krea prices training per step. For a training model without a published
    per-step price, the admin-set price of ``styles/train/<model>`` (per step), or
    the default (per step), is used. Raises ValueError for steps that are not a
    positive whole number and ``UnknownModel`` for a model Krea does not train.
    """
    try:
        return Estimate(cu=pricing.training_estimate(train_model, steps), published=True)
    except pricing.NoPublishedPrice as unknown:
        per_step, note = _portal_price(
            f"{TRAINING_PREFIX}{train_model}", f"{train_model} training, per step,", str(unknown)
        )
        return Estimate(cu=per_step * steps, published=False, note=note)


def node_app_estimate(model_id: str, name: str) -> Estimate:
    """The CU held and charged for one run of a node app (``node-apps/<version id>``).

    Krea publishes no price for node apps: the admin-set price of ``model_id`` per
    run, else the default, always marked as the portal's own figure.
    """
    cu, note = _portal_price(model_id, f"each run of {name}", NODE_APP_PRICE_NOTE)
    return Estimate(cu=cu, published=False, note=note)
