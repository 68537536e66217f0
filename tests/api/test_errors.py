"""Bad input never makes a 500: every 4xx is JSON that names the problem."""

import json
from decimal import Decimal
from unittest import mock

import pytest

from studio.generation.models import Job, JobStatus
from studio.usage.services import QuotaExceeded
from tests.factories import FLUX, JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(member, api_as):
    return api_as(member)


def post_raw(client, url, body: bytes | str, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize("url", ["/api/v1/jobs", "/api/v1/estimate"])
@pytest.mark.parametrize(
    "body",
    ["{", "not json", '{"model": "x", "params": {}', "\xff\xfe", "[1, 2", '{"model": NaN}'],
)
def test_malformed_json_is_400(client, url, body):
    body = assert_json_error(post_raw(client, url, body), 400, "parse_error")
    assert "JSON parse error" in body["error"]
    assert body["fields"] == {"request": [body["error"]]}  # like every 400


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({}, {"model"}),
        ({"params": {"prompt": "x"}}, {"model"}),
        ({"model": None}, {"model"}),
        ({"model": ["a"]}, {"model"}),
        ({"model": {"a": 1}}, {"model"}),
        ({"model": "x" * 201}, {"model"}),
        ({"model": FLUX, "params": "a fox"}, {"params"}),
        ({"model": FLUX, "params": [1, 2]}, {"params"}),
        ({"model": FLUX, "params": None}, {"params"}),
        ([], {"request"}),
        ("a string", {"request"}),
        (42, {"request"}),
    ],
)
def test_wrong_types_and_missing_fields_are_400_naming_the_field(client, payload, fields):
    for url in ("/api/v1/estimate", "/api/v1/jobs"):
        body = assert_json_error(client.post(url, payload, format="json"), 400, "invalid")
        assert set(body["fields"]) == fields
        assert all(isinstance(m, str) for ms in body["fields"].values() for m in ms)


def test_params_of_the_wrong_types_are_400_per_field(client):
    body = assert_json_error(
        client.post(
            "/api/v1/estimate",
            {"model": FLUX, "params": {"prompt": 5, "width": "wide", "styles": {"id": 1}}},
            format="json",
        ),
        400,
        "invalid_generation",
    )
    assert set(body["fields"]) == {"prompt", "width", "styles"}


def test_a_body_that_is_too_big_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    payload = json.dumps({"model": FLUX, "params": {"prompt": "x" * 20_000}})
    assert_json_error(post_raw(client, "/api/v1/jobs", payload), 413, "payload_too_large")


def test_a_huge_prompt_within_the_body_limit_is_refused_by_the_schema(client):
    response = client.post(
        "/api/v1/estimate", {"model": FLUX, "params": {"prompt": "x" * 100_000}}, format="json"
    )
    body = assert_json_error(response, 400, "invalid_generation")
    assert list(body["fields"]) == ["prompt"]


def test_many_unknown_fields_are_refused_in_one_message(client):
    params = {f"field{i}": i for i in range(500)}
    response = client.post("/api/v1/estimate", {"model": FLUX, "params": params}, format="json")
    body = assert_json_error(response, 400, "invalid_generation")
    assert list(body["fields"]) == ["params"]
    assert "500 unknown fields (field0, field1, field10" in body["fields"]["params"][0]
    assert len(body["error"]) < 500


def test_deeply_nested_json_is_400(client):
    deep = "[" * 100_000 + "]" * 100_000
    assert_json_error(post_raw(client, "/api/v1/jobs", deep), 400, "parse_error")
    value = 1
    for _ in range(20):
        value = [value]
    nested = {"model": FLUX, "params": {"prompt": "x", "styles": value}}
    body = assert_json_error(client.post("/api/v1/jobs", nested, format="json"), 400, "invalid")
    assert list(body["fields"]) == ["params"]


def test_a_form_body_is_415(client):
    response = post_raw(client, "/api/v1/jobs", "model=x", "application/x-www-form-urlencoded")
    assert_json_error(response, 415, "unsupported_media_type")


def test_a_wrong_method_is_405(client):
    assert_json_error(client.put("/api/v1/jobs", {}, format="json"), 405, "method_not_allowed")
    assert_json_error(client.delete("/api/v1/models"), 405, "method_not_allowed")


def test_an_unknown_endpoint_is_404_json(client):
    assert_json_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_json_error(client.get("/api/v1/jobs/not-a-uuid"), 404, "not_found")
    body = assert_json_error(client.get("/api/v1/jobs/"), 404, "not_found")
    assert body["error"].endswith("no trailing slash: /api/v1/jobs")
    assert_json_error(client.get("/api/v1/"), 404, "not_found")
    assert_json_error(client.get("/api/v1/jobs/%s/cancel/" % ("0" * 32)), 404, "not_found")


def test_quota_exceeded_shape_from_the_service(team_with_token, client):
    """The handler's mapping of the domain error, whatever raised it."""
    refusal = QuotaExceeded(needed=Decimal("7.5"), left=Decimal("1.25"), scope="team")
    with mock.patch("studio.generation.services.usage_reserve", side_effect=refusal):
        response = client.post(
            "/api/v1/jobs", {"model": FLUX, "params": {"prompt": "x"}}, format="json"
        )
    body = assert_json_error(response, 403, "quota_exceeded")
    assert body["needed"] == 7.5 and body["left"] == 1.25 and body["scope"] == "team"


# Characters no database column can store: NUL, and lone UTF-16 surrogates (valid JSON
# escapes, but no encoding can write them).
UNSTORABLE = ["\x00", "\ud800", "\udfff"]


@pytest.mark.parametrize("url", ["/api/v1/jobs", "/api/v1/estimate"])
@pytest.mark.parametrize("char", UNSTORABLE)
@pytest.mark.parametrize(
    "params",
    [
        lambda c: {"prompt": f"a{c}b"},
        lambda c: {"prompt": "x", "styles": [{"id": c, "strength": 1}]},
        lambda c: {c: 1},
        lambda c: {"prompt": "x", f"a{c}b": 1},
    ],
    ids=["prompt", "nested value", "key", "unknown key"],
)
def test_unstorable_characters_in_params_are_400(team_with_token, client, url, char, params):
    # Sent as JSON text: the test client's renderer cannot encode a lone surrogate either.
    body = json.dumps({"model": FLUX, "params": params(char)})
    response = post_raw(client, url, body)
    body = assert_json_error(response, 400, "invalid")
    assert list(body["fields"]) == ["params"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("char", UNSTORABLE)
def test_unstorable_characters_in_the_model_and_filters_are_400(client, char):
    body = json.dumps({"model": f"a{char}b"})
    response = post_raw(client, "/api/v1/estimate", body)
    assert list(assert_json_error(response, 400, "invalid")["fields"]) == ["model"]


def test_nul_characters_in_filters_are_400(client):
    body = assert_json_error(client.get("/api/v1/jobs?model=a%00b&member=a%00@b.c"), 400, "invalid")
    assert set(body["fields"]) == {"model", "member"}


def test_an_output_position_out_of_range_is_404(client, team, member):
    job = JobFactory(team=team, created_by=member, outputs=1, status=JobStatus.COMPLETED)
    for position in ("99999", "99999999999999999999999"):
        response = client.get(f"/api/v1/jobs/{job.uuid}/outputs/{position}")
        assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/jobs?status=", "status"),
        ("/api/v1/jobs?model=", "model"),
        ("/api/v1/jobs?member=", "member"),
        ("/api/v1/jobs?status=completed&status=failed", "status"),
        ("/api/v1/models?group=", "group"),
        ("/api/v1/models?group=image&group=video", "group"),
        ("/api/v1/jobs?limit=", "limit"),
        ("/api/v1/jobs?limit=abc", "limit"),
        ("/api/v1/jobs?limit=0", "limit"),
        ("/api/v1/jobs?limit=-5", "limit"),
        ("/api/v1/jobs?limit=100000", "limit"),
        ("/api/v1/jobs?limit=%EF%BC%95", "limit"),  # a full-width 5
        ("/api/v1/jobs?limit=5&limit=6", "limit"),
        ("/api/v1/jobs?cursor=", "cursor"),
        ("/api/v1/jobs?cursor=" + "x" * 5000, "cursor"),
    ],
)
def test_meaningless_query_values_are_400_naming_the_parameter(client, url, field):
    """Empty, repeated or unreadable values are refused, not read as "not given"."""
    body = assert_json_error(client.get(url), 400, "invalid")
    assert list(body["fields"]) == [field]


def test_a_limit_within_range_pages(client, team, member):
    for _ in range(3):
        JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    body = client.get("/api/v1/jobs?limit=2").json()
    assert len(body["results"]) == 2 and body["next"]
