"""Estimates: Krea's published price, else the admin's price for the model, else the default."""

from decimal import Decimal

import pytest

from krea_integration import catalogue
from studio.usage.models import ModelPrice
from studio.usage.pricing import job_estimate, training_estimate

pytestmark = pytest.mark.django_db


def model(model_id):
    return catalogue.load().get(model_id)


def test_a_published_price_is_used():
    estimate = job_estimate(model("image/bfl/flux-1-dev"), {"prompt": "x"})
    assert estimate.cu == Decimal(3) and estimate.published
    assert estimate.describe() == "3 CU"


def test_an_unpriced_model_uses_the_admin_price(settings):
    ModelPrice.objects.create(model_id="image/bytedance/seededit", cu=Decimal(11))
    estimate = job_estimate(model("image/bytedance/seededit"), {"prompt": "x"})
    assert estimate.cu == Decimal(11) and not estimate.published
    assert "admins set 11 CU" in estimate.note


def test_failing_that_the_configured_default(settings):
    settings.USAGE_DEFAULT_PRICE_CU = 12.5
    estimate = job_estimate(model("video/runway/aleph"), {"prompt": "x"})
    assert estimate.cu == Decimal("12.5") and not estimate.published
    assert "Krea publishes no price for" in estimate.note
    assert estimate.describe().startswith("about 12.5 CU (estimate: ")


def test_training_is_cu_per_step_times_steps():
    estimate = training_estimate("flux_dev", 1000)
    assert estimate.cu == Decimal(3000) and estimate.published
    assert training_estimate("qwen", 10).cu == Decimal("83.0")


def test_training_refuses_nonsense_steps():
    with pytest.raises(ValueError):
        training_estimate("flux_dev", 0)
    with pytest.raises(catalogue.UnknownModel):
        training_estimate("no-such-trainer", 10)
