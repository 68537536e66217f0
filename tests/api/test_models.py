"""GET /api/v1/models and /api/v1/models/<id>: the catalogue, with schemas and prices."""

import pytest

from krea_integration import catalogue
from tests.factories import FLUX

pytestmark = pytest.mark.django_db


def test_every_model_is_listed_with_what_a_client_needs(member, api_as):
    response = api_as(member).get("/api/v1/models")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(catalogue.load())
    flux = next(m for m in results if m["id"] == FLUX)
    assert flux["group"] == "image"
    assert flux["name"] and flux["provider"] and flux["summary"]
    assert flux["request_schema"]["required"] == ["prompt"]
    assert flux["price"]["published"] is True
    assert flux["price"]["rows"][0]["cu"] == "3"


def test_a_model_without_a_published_price_says_so(member, api_as):
    unpriced = next(m for m in catalogue.load() if m.price is None)
    response = api_as(member).get(f"/api/v1/models/{unpriced.id}")
    assert response.status_code == 200
    price = response.json()["price"]
    assert price["published"] is False
    assert price["rows"] == []
    assert price["note"]


def test_filter_by_group(member, api_as):
    results = api_as(member).get("/api/v1/models?group=video").json()["results"]
    assert results and {m["group"] for m in results} == {"video"}


def test_an_unknown_group_is_400(member, api_as):
    response = api_as(member).get("/api/v1/models?group=audio")
    assert response.status_code == 400
    assert "group" in response.json()["fields"]


def test_one_model_by_its_id(member, api_as):
    response = api_as(member).get(f"/api/v1/models/{FLUX}")
    assert response.status_code == 200
    assert response.json()["id"] == FLUX


def test_an_unknown_model_is_404(member, api_as):
    response = api_as(member).get("/api/v1/models/image/nobody/nothing")
    assert response.status_code == 404
    assert response.json() == {
        "error": "Krea has no model 'image/nobody/nothing' in this catalogue.",
        "code": "not_found",
    }


def test_models_need_authentication(db, client):
    assert client.get("/api/v1/models").status_code == 401
