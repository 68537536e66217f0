"""POST /api/v1/estimate: what a job would cost and what the member has left."""

from decimal import Decimal

import pytest

from studio.usage.services import quota_set
from tests.factories import FLUX

pytestmark = pytest.mark.django_db


def test_an_estimate_without_a_quota(member, api_as):
    response = api_as(member).post(
        "/api/v1/estimate", {"model": FLUX, "params": {"prompt": "a fox"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "model": FLUX,
        "cu": 3,
        "published": True,
        "note": "",
        "left": None,
    }


def test_an_estimate_shows_what_is_left(team, member, api_as):
    quota_set(team=team, user=member, limit_cu=Decimal(50), period="month")
    response = api_as(member).post(
        "/api/v1/estimate", {"model": FLUX, "params": {"prompt": "a fox"}}, format="json"
    )
    assert response.json()["left"] == 50


def test_an_unpublished_price_is_flagged(member, api_as, settings):
    settings.USAGE_DEFAULT_PRICE_CU = 12.5
    response = api_as(member).post(
        "/api/v1/estimate",
        {
            "model": "enhance/topaz/standard-enhance",
            "params": {
                "image_url": "https://x.krea.ai/a.png",
                "model": "Standard V2",
                "width": 1024,
                "height": 1024,
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["published"] is False
    assert response.json()["note"]


def test_an_invalid_estimate_names_the_fields(member, api_as):
    response = api_as(member).post(
        "/api/v1/estimate", {"model": FLUX, "params": {"steps": 1000}}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"prompt", "steps"}


def test_an_unknown_model_is_400_naming_model(member, api_as):
    response = api_as(member).post(
        "/api/v1/estimate", {"model": "image/x/y", "params": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"model": ["There is no Krea model 'image/x/y'."]}


def test_a_url_that_is_not_one_is_400_naming_the_field(member, api_as):
    params = {"prompt": "a fox", "image_url": "not a url"}
    response = api_as(member).post(
        "/api/v1/estimate", {"model": FLUX, "params": params}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["image_url"]
    assert "must be a full URL" in response.json()["fields"]["image_url"][0]


def test_a_deprecated_alias_is_estimated_under_its_field_with_a_warning(member, api_as):
    params = {"prompt": "a kite", "aspectRatio": "9:16"}
    response = api_as(member).post(
        "/api/v1/estimate", {"model": "video/kling/kling-2.6", "params": params}, format="json"
    )
    assert response.status_code == 200
    [warning] = response.json()["warnings"]
    assert warning.startswith("aspectRatio is a deprecated name of aspect_ratio")
    assert "docs.krea.ai/developers/deprecations" in warning
