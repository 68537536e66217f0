"""The client speaks Krea's published API: checked against Krea's OpenAPI spec.

For every operation in the spec (every generation endpoint, and every jobs,
assets, styles and node-apps operation), the requests the client sends are
validated with openapi-core, and response bodies built from the spec's response
schemas are fed back through the client's parsers. A new operation in Krea's
spec fails ``test_every_operation_in_the_spec_is_covered`` until the client
(and this table) learn it.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import jsonschema
import pytest
from jsonschema.validators import extend
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import RequestValidationError
from openapi_core.validation.request.validators import V31RequestValidator
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30ReadValidator, OAS31Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from krea_integration.client import KreaClient
from tests.krea_integration.conftest import SPEC_PATH

pytestmark = pytest.mark.spec

TOKEN = "conformance-token"
WEBHOOK = "https://studio.example/api/webhooks/krea/7c9e6679-7425-40de-944b-e07fc1f90ae7/s3cr3t/"
JOB_ID = "4d0e5f97-9721-4422-b88c-73a9032d7de1"
ASSET_ID = "0b7c0f4e-2f5c-4f36-9f7a-3b1c2b9f6a10"
STYLE_ID = "a816d79d-55c9-43ee-81c3-8330ffe79e6c"
APP_ID = "f1e2d3c4-b5a6-4789-8abc-def012345678"
IMAGE = "https://gen.krea.ai/images/0424f602-2999-4d0c-a46e-39cbf0ef384b.png"

# Read at import time only to name the parametrized cases; the tests themselves
# take the ``krea_spec`` fixture, which skips (with its reason) where the spec is absent.
_SPEC: dict[str, Any] = json.loads(SPEC_PATH.read_text()) if SPEC_PATH.exists() else {}
GENERATION_PATHS = sorted(path for path in _SPEC.get("paths", {}) if path.startswith("/generate/"))


def _or_placeholder(cases: list[Any], arity: int) -> list[Any]:
    """Without the spec, one case that reaches ``krea_spec`` (which skips, or fails in CI)."""
    return cases or [pytest.param(*([None] * arity), id="no-spec")]


# -- openapi-core over httpx -----------------------------------------------------------


class HttpxOpenAPIRequest:
    """An ``httpx.Request`` seen through openapi-core's request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(request.url.query.decode(), keep_blank_values=True)),
            header=Headers(request.headers.multi_items()),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.content or None

    @property
    def content_type(self) -> str:
        return self.request.headers.get("content-type", "")


class HttpxOpenAPIResponse:
    """An ``httpx.Response`` seen through openapi-core's response protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return self.response.headers.get("content-type", "")

    @property
    def headers(self) -> Headers:
        return Headers(self.response.headers.multi_items())

    @property
    def data(self) -> bytes | None:
        return self.response.content or None


# openapi-core parses a multipart file part to ``bytes``, which OAS 3.1's
# ``type: string`` rejects (python-openapi/openapi-core#854); Krea's spec still
# uses the OAS 3.0 idiom ``format: binary``. Count bytes as a string so an upload
# validates; JSON bodies never produce bytes, so nothing else is loosened.
_OAS31WithBinary = extend(
    OAS31Validator,
    type_checker=OAS31Validator.TYPE_CHECKER.redefine(
        "string", lambda _checker, instance: isinstance(instance, str | bytes)
    ),
)


class KreaRequestValidator(V31RequestValidator):
    schema_validators_factory = SchemaValidatorsFactory(
        _OAS31WithBinary, format_checker=OAS30ReadValidator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def request_validator(krea_openapi) -> KreaRequestValidator:
    return KreaRequestValidator(krea_openapi.spec)


# -- values from schemas ---------------------------------------------------------------

_STRING_FORMATS = {
    "uri": IMAGE,
    "date-time": "2026-08-01T12:00:00.000Z",
    "uuid": "9b2e3f9a-5a5e-4a8e-8b43-1f7c2d3e4f50",
}


def instance_of(schema: Mapping[str, Any], *, full: bool) -> Any:
    """A value valid for ``schema``: only required fields, or (``full``) every field.

    The minimal variant also picks ``null`` wherever the schema allows it, so
    parsers meet both the sparsest and the richest bodies Krea may send.
    """
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return instance_of(schema[combinator][0], full=full)
    types = schema.get("type")
    if isinstance(types, list):
        if not full and "null" in types:
            return None
        types = next(kind for kind in types if kind != "null")
    if types is None:
        return {"anything": ["goes", 1]} if full else {}
    if types == "null":
        return None
    if types == "object":
        properties = schema.get("properties", {})
        keys = list(properties) if full else schema.get("required", [])
        return {key: instance_of(properties.get(key, {}), full=full) for key in keys}
    if types == "array":
        count = max(schema.get("minItems", 0), 1 if full else 0)
        return [instance_of(schema.get("items", {}), full=full) for _ in range(count)]
    if types == "string":
        if schema.get("format") in _STRING_FORMATS:
            return _STRING_FORMATS[schema["format"]]
        # "ref" also fits the spec's patterns (^[a-z][a-z0-9_-]+$).
        text = "ref".ljust(schema.get("minLength", 0), "x")
        return text[: schema.get("maxLength", len(text))]
    if types in ("number", "integer"):
        value = schema.get("minimum", 1)
        return value if types == "number" or isinstance(value, int) else int(value) + 1
    if types == "boolean":
        return True
    raise AssertionError(f"no value for schema {schema}")


def assert_valid(instance: Any, schema: Mapping[str, Any], what: str) -> None:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [error.message for error in validator.iter_errors(instance)]
    assert not errors, f"{what} is not valid for its schema: {errors}"


def request_body_schema(spec: Mapping[str, Any], method: str, path: str) -> Mapping[str, Any]:
    return spec["paths"][path][method.lower()]["requestBody"]["content"]["application/json"][
        "schema"
    ]


def generation_body(spec: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    """Krea's example body for a generation endpoint, or the minimal valid one.

    A few of Krea's examples miss a field their own schema requires; those are
    completed with the minimal required values so the request is one Krea accepts.
    """
    media = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    minimal = instance_of(media["schema"], full=False)
    body = minimal if kind == "minimal" else {**minimal, **media["example"]}
    assert_valid(body, media["schema"], f"the {kind} body for {path}")
    return body


# -- the client's calls, per operation -------------------------------------------------


def upload_path(client: KreaClient, tmp_path: Path) -> Any:
    path = tmp_path / "cat.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nfake pixels")
    return client.upload_asset(path, description="A cat on a mat")


CALLS: dict[tuple[str, str], list[Callable[[KreaClient, Path], Any]]] = {
    ("GET", "/jobs"): [
        lambda c, _: c.list_jobs(),
        lambda c, _: c.list_jobs(
            cursor=datetime(2026, 8, 1, 12, tzinfo=UTC),
            limit=1000,
            types=["flux", "k1", "externalImage"],
            status="intermediate-complete",
        ),
        lambda c, _: c.list_jobs(cursor="2026-08-01T12:00:00.000Z", limit=1, status="completed"),
        lambda c, _: next(c.iter_jobs(limit=50, types="flux", status="failed"), None),
    ],
    ("GET", "/jobs/{id}"): [lambda c, _: c.get_job(JOB_ID)],
    ("DELETE", "/jobs/{id}"): [lambda c, _: c.delete_job(JOB_ID)],
    ("POST", "/assets"): [
        upload_path,
        lambda c, _: c.upload_asset(io.BytesIO(b"RIFF....WEBPVP8 "), filename="still.webp"),
    ],
    ("GET", "/assets"): [
        lambda c, _: c.list_assets(),
        lambda c, _: c.list_assets(cursor=datetime(2026, 8, 1, tzinfo=UTC), limit=1000),
        lambda c, _: next(c.iter_assets(limit=10), None),
    ],
    ("GET", "/assets/{id}"): [lambda c, _: c.get_asset(ASSET_ID)],
    ("DELETE", "/assets/{id}"): [lambda c, _: c.delete_asset(ASSET_ID)],
    ("POST", "/styles/train"): [
        lambda c, _: c.train_style({"name": "Ada", "urls": [IMAGE]}),
        lambda c, _: c.train_style(
            {
                "model": "wan22",
                "type": "Character",
                "name": "Ada",
                "urls": [IMAGE, IMAGE],
                "trigger_word": "ada_person",
                "learning_rate": 0.0001,
                "max_train_steps": 2000,
                "batch_size": 2,
            },
            webhook_url=WEBHOOK,
        ),
        lambda c, _: c.train_style(
            {"model": "z-image", "type": "Style", "name": "Ink", "urls": [IMAGE]},
            webhook_url=WEBHOOK,
        ),
    ],
    ("GET", "/styles"): [
        lambda c, _: c.list_styles(),
        lambda c, _: c.list_styles(
            filter="shared",
            cursor="opaque-cursor",
            limit=20,
            ids=[STYLE_ID, "b816d79d-55c9-43ee-81c3-8330ffe79e6c"],
            liked=True,
            user="9b2e3f9a-5a5e-4a8e-8b43-1f7c2d3e4f50",
            model="flux_dev",
        ),
        lambda c, _: c.list_styles(filter="user", liked=False),
        lambda c, _: next(c.iter_styles(filter="krea", limit=5), None),
    ],
    ("GET", "/styles/{id}"): [lambda c, _: c.get_style(STYLE_ID)],
    ("PATCH", "/styles/{id}"): [
        lambda c, _: c.update_style(STYLE_ID, public=False),
        lambda c, _: c.update_style(
            STYLE_ID, public=True, title="Watercolour", urls=[IMAGE], cover_url=IMAGE
        ),
    ],
    ("GET", "/styles/{id}/share/link"): [lambda c, _: c.style_share_link(STYLE_ID)],
    ("POST", "/styles/{id}/share/workspace"): [lambda c, _: c.share_style_with_workspace(STYLE_ID)],
    ("DELETE", "/styles/{id}/share/workspace"): [
        lambda c, _: c.unshare_style_from_workspace(STYLE_ID)
    ],
    ("GET", "/node-apps/{id}"): [lambda c, _: c.get_node_app(APP_ID)],
    ("POST", "/node-apps/{id}/execute"): [
        lambda c, _: c.execute_node_app(APP_ID, {}),
        lambda c, _: c.execute_node_app(APP_ID, {"product": IMAGE, "prompt": "on a table"}),
    ],
}

REQUEST_CASES = [
    pytest.param(method, path, index, id=f"{method} {path} #{index}")
    for (method, path), calls in CALLS.items()
    for index in range(len(calls))
]
GENERATION_CASES = _or_placeholder(
    [
        pytest.param(path, kind, webhook, id=f"{path} {kind}{' +webhook' if webhook else ''}")
        for path in GENERATION_PATHS
        for kind, webhook in (("example", True), ("minimal", False))
    ],
    3,
)


def template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


class Recorder:
    """Plays Krea: records requests and answers with a body valid for the operation."""

    def __init__(self, spec: Mapping[str, Any], *, full: bool = True, status: str | None = None):
        self.spec = spec
        self.full = full
        self.status = status
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    def operation_of(self, request: httpx.Request) -> tuple[str, Mapping[str, Any]]:
        for template, operations in self.spec["paths"].items():
            method = request.method.lower()
            if method in operations and template_regex(template).match(request.url.path):
                return template, operations[method]
        raise AssertionError(f"{request.method} {request.url.path} is no operation of the spec")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        _, operation = self.operation_of(request)
        status = self.status or next(code for code in operation["responses"] if code[0] == "2")
        content = operation["responses"][status].get("content")
        if content is None:
            response = httpx.Response(int(status))
        else:
            schema = content["application/json"]["schema"]
            body = instance_of(schema, full=self.full)
            if isinstance(body, list) and self.full:
                body = body * 2
            assert_valid(body, schema, f"the {status} body built for {request.url.path}")
            response = httpx.Response(int(status), json=body)
        self.responses.append(response)
        return response


def make_client(recorder: Recorder) -> KreaClient:
    return KreaClient(TOKEN, transport=httpx.MockTransport(recorder), max_attempts=1)


def assert_conforms(
    spec: Mapping[str, Any],
    validator: KreaRequestValidator,
    request: httpx.Request,
    method: str,
    template: str,
) -> None:
    """The request is the intended operation, and valid for it in every part."""
    assert request.method == method
    assert template_regex(template).match(request.url.path), request.url.path
    validator.validate(HttpxOpenAPIRequest(request))

    operation = spec["paths"][template][method.lower()]
    declared = {(p["in"], p["name"].lower()) for p in operation.get("parameters", [])}
    # openapi-core ignores parameters a spec does not declare; Krea may not.
    for name in request.url.params:
        assert ("query", name.lower()) in declared, f"{name!r} is not a query parameter"
    if "x-webhook-url" in request.headers:
        assert ("header", "x-webhook-url") in declared, "this operation takes no webhook"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


# -- requests ---------------------------------------------------------------------------


def test_every_operation_in_the_spec_is_covered(krea_spec):
    in_spec = {
        (method.upper(), path)
        for path, operations in krea_spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    generation = {(method, path) for method, path in in_spec if path.startswith("/generate/")}
    assert generation == {("POST", path) for path in GENERATION_PATHS}
    assert in_spec - generation == set(CALLS)


@pytest.mark.parametrize(("path", "kind", "webhook"), GENERATION_CASES)
def test_generation_requests_conform(krea_spec, request_validator, path, kind, webhook):
    body = generation_body(krea_spec, path, kind)
    recorder = Recorder(krea_spec)
    with make_client(recorder) as client:
        # Half the calls name the model by id, half by path: both reach the same URL.
        model = path if kind == "example" else path.removeprefix("/generate/")
        job = client.generate(model, copy.deepcopy(body), webhook_url=WEBHOOK if webhook else None)

    (request,) = recorder.requests
    assert_conforms(krea_spec, request_validator, request, "POST", path)
    assert json.loads(request.content) == body
    assert request.headers.get("x-webhook-url") == (WEBHOOK if webhook else None)
    assert_mirrors(job, recorder.responses[0].json())


@pytest.mark.parametrize(("method", "path", "index"), REQUEST_CASES)
def test_requests_conform(krea_spec, request_validator, tmp_path, method, path, index):
    recorder = Recorder(krea_spec)
    with make_client(recorder) as client:
        CALLS[(method, path)][index](client, tmp_path)

    assert recorder.requests, "the client sent nothing"
    for request in recorder.requests:
        assert_conforms(krea_spec, request_validator, request, method, path)


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (
            # A deprecated camelCase alias: Krea's schemas forbid unknown fields.
            lambda c: c.generate("image/bfl/flux-1-dev", {"prompt": "x", "imageUrl": IMAGE}),
            "'imageUrl' was unexpected",
        ),
        (lambda c: c.generate("image/bfl/flux-1-dev", {"steps": 10}), "'prompt' is a required"),
        (lambda c: c.list_jobs(status="done"), "'done' is not one of"),
        (lambda c: c.get_asset("not-a-uuid"), "is not a 'uuid'"),
        (lambda c: c.train_style({"name": "x"}), "valid under"),
    ],
    ids=["alias", "missing-prompt", "bad-status", "bad-asset-id", "train-without-urls"],
)
def test_the_validator_rejects_what_krea_would_reject(krea_spec, request_validator, call, problem):
    """The checks above can fail: a request outside the spec does not pass."""
    recorder = Recorder(krea_spec)
    with make_client(recorder) as client:
        call(client)
    (request,) = recorder.requests
    with pytest.raises(RequestValidationError) as caught:
        request_validator.validate(HttpxOpenAPIRequest(request))
    assert problem in repr(caught.value.__cause__)


def test_the_validator_rejects_an_upload_without_a_file(request_validator):
    no_file = httpx.Request(
        "POST",
        "https://api.krea.ai/assets",
        files={"image": ("a.png", b"x", "image/png")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    no_file.read()
    with pytest.raises(RequestValidationError) as caught:
        request_validator.validate(HttpxOpenAPIRequest(no_file))
    assert "'file' is a required property" in repr(caught.value.__cause__)


# -- responses --------------------------------------------------------------------------

RENAMED = {"input_schema": "input_openapi_schema", "output_schema": "output_openapi_schema"}


def assert_mirrors(parsed: Any, body: Any) -> None:
    """Every field of a parsed object equals what Krea sent, and ``raw`` is the body."""
    if isinstance(parsed, list | tuple) and not dataclasses.is_dataclass(parsed):
        assert isinstance(body, list)
        assert len(parsed) == len(body)
        for item, item_body in zip(parsed, body, strict=True):
            assert_mirrors(item, item_body)
        return
    if not dataclasses.is_dataclass(parsed):
        if isinstance(parsed, datetime):
            assert parsed == datetime.fromisoformat(body)
        elif body is None:
            assert parsed in (None, ())
        else:
            assert parsed == body
        return
    if hasattr(parsed, "raw"):
        assert parsed.raw == body
    for field in dataclasses.fields(parsed):
        if field.name == "raw":
            continue
        key = RENAMED.get(field.name, field.name)
        value = getattr(parsed, field.name)
        if key == "items":
            assert_mirrors(list(value), body[key])
        elif isinstance(value, tuple) and not dataclasses.is_dataclass(value):
            assert list(value) == (body.get(key) or [])
        else:
            assert_mirrors(value, body.get(key))


RESPONSE_CASES = _or_placeholder(
    [
        pytest.param(method, path, status, full, id=f"{method} {path} {status} {variant}")
        for (method, path) in CALLS
        if _SPEC
        for status in _SPEC["paths"][path][method.lower()]["responses"]
        if status.startswith("2")
        for full, variant in ((True, "full"), (False, "minimal"))
    ],
    4,
)


@pytest.mark.parametrize(("method", "path", "status", "full"), RESPONSE_CASES)
def test_responses_from_the_spec_parse(
    krea_spec, krea_openapi, tmp_path, method, path, status, full
):
    recorder = Recorder(krea_spec, full=full, status=status)
    with make_client(recorder) as client:
        result = CALLS[(method, path)][0](client, tmp_path)

    (request,) = recorder.requests
    (response,) = recorder.responses
    krea_openapi.validate_response(HttpxOpenAPIRequest(request), HttpxOpenAPIResponse(response))
    if response.content == b"" or (method == "DELETE" and result is None):
        assert result is None
        return
    if path == "/styles/{id}/share/link":
        link, created = result
        assert created is (status == "201")
        result = link
    assert_mirrors(result, response.json())


@pytest.mark.parametrize("path", GENERATION_PATHS or [pytest.param(None, id="no-spec")])
def test_generation_responses_from_the_spec_parse(krea_spec, krea_openapi, path):
    recorder = Recorder(krea_spec)
    with make_client(recorder) as client:
        job = client.generate(path, generation_body(krea_spec, path, "minimal"))
    krea_openapi.validate_response(
        HttpxOpenAPIRequest(recorder.requests[0]), HttpxOpenAPIResponse(recorder.responses[0])
    )
    assert_mirrors(job, recorder.responses[0].json())
    assert job.completed_at is None
    assert job.result is None
