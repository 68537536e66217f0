"""What a job is expected to cost, in compute units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from krea_integration import pricing
from krea_integration.catalogue import Model


@dataclass(frozen=True)
class Estimate:
    cu: Decimal
    published: bool
    """False when Krea publishes no price for this model or combination and the
    figure is the portal's own (an admin-set price, or the configured default)."""
    note: str = ""


def job_estimate(model: Model, params: Mapping[str, Any]) -> Estimate:
    """The CU estimate for running ``model`` with ``params`` (schema defaults applied)."""
    try:
        return Estimate(cu=pricing.estimate(model, dict(params)), published=True)
    except pricing.PriceUnknown as unknown:
        return Estimate(
            cu=Decimal(str(settings.USAGE_DEFAULT_PRICE_CU)), published=False, note=str(unknown)
        )
