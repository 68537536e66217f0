"""The simulator validates requests against the catalogue's schemas, like Krea (400)."""

import pytest

from krea_integration.errors import BadRequest
from tests.factories import FLUX

pytestmark = pytest.mark.simulator(job_seconds=0)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"prompt": "x", "colour": "red"}, "Unknown field colour"),
        ({"prompt": 42}, "prompt must be a string"),
        ({"prompt": "x", "steps": 0}, "steps must be at least 1"),
        ({"prompt": "x", "width": 9000}, "width must be at most 2368"),
        ({"width": 1024}, "prompt is required"),
        ({"prompt": "x", "steps": 2.5}, "steps must be a whole number"),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, body, words):
    with pytest.raises(BadRequest) as caught:
        client.generate(FLUX, body)
    assert caught.value.status_code == 400
    assert words in caught.value.message


def test_enum_and_video_schema_errors(client):
    with pytest.raises(BadRequest) as caught:
        client.generate("video/kling/kling-2.6", {"prompt": "x", "aspect_ratio": "4:3"})
    assert "aspect_ratio must be one of 16:9 or 9:16" in caught.value.message


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[1, 2]", b'"prompt"'],
)
def test_malformed_or_non_object_bodies_are_400(http, content):
    response = http.post(
        f"/generate/{FLUX}", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str) and response.json()["error"]


def test_nothing_is_created_by_a_rejected_request(client):
    with pytest.raises(BadRequest):
        client.generate(FLUX, {"prompt": "x", "bogus": 1})
    assert client.list_jobs().items == ()


def test_every_catalogue_model_has_a_route(sim, http):
    for model in sim.catalogue:
        response = http.post(model.path, json={"nonsense-field": 1})
        assert response.status_code == 400, model.id
        assert "Unknown field nonsense-field" in response.json()["error"]
