"""Conformance: every response the simulator gives validates against Krea's OpenAPI spec.

Each operation of the spec is exercised (every generation endpoint with its own
example body, and every other operation in its success and error answers); every
response is checked with openapi-core, and the test fails if an operation of the
spec was never answered successfully.
"""

import io
import re

import httpx
import pytest
from jsonschema import Draft202012Validator
from PIL import Image
from werkzeug.datastructures import Headers, ImmutableMultiDict

from krea_integration.simulator.media import render_video
from krea_integration.simulator.nodeapps import NODE_APPS
from tests.krea_integration.conftest import TOKEN, Receiver, make_simulator, public_images

BASE = "https://api.krea.ai"

# Training images are fetched from the stand-in internet.
# Webhooks go to a recording receiver: the examples' webhook host does not exist, and
# each delivery to it waited on a DNS lookup (10 s in each of two tests).
pytestmark = [
    pytest.mark.spec,
    pytest.mark.slow,
    pytest.mark.simulator(fetcher=public_images, webhooks=True),
]


class OpenAPIRequest:
    """An httpx request as openapi-core's Request protocol."""

    def __init__(self, request: httpx.Request):
        from openapi_core.datatypes import RequestParameters

        self.request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self):
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode()}"

    @property
    def path(self):
        return self.request.url.path

    @property
    def method(self):
        return self.request.method.lower()

    @property
    def body(self):
        return self.request.content or None

    @property
    def content_type(self):
        return self.request.headers.get("content-type", "").lower()


class OpenAPIResponse:
    """An httpx response as openapi-core's Response protocol."""

    def __init__(self, response: httpx.Response):
        self.response = response

    @property
    def status_code(self):
        return self.response.status_code

    @property
    def content_type(self):
        return self.response.headers.get("content-type", "").lower()

    @property
    def headers(self):
        return Headers(list(self.response.headers.items()))

    @property
    def data(self):
        return self.response.content


class Checker:
    """Sends requests to the simulator and validates each response against the spec."""

    def __init__(self, spec, openapi, sim):
        self.openapi = openapi
        self.sim = sim
        self.templates = [
            (method.upper(), path, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"))
            for path, item in spec["paths"].items()
            for method in item
            if method in ("get", "post", "patch", "delete", "put")
        ]
        self.answered: set[tuple[str, str, int]] = set()

    def client(self, token="token-a"):
        return httpx.Client(
            base_url=BASE,
            transport=self.sim.transport(),
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )

    def operation(self, request):
        matches = [
            (method, path)
            for method, path, pattern in self.templates
            if method == request.method and pattern.match(request.url.path)
        ]
        # The most literal template wins (/styles/train over /styles/{id}).
        return min(matches, key=lambda m: m[1].count("{")) if matches else None

    def __call__(self, response, *expected):
        assert response.status_code in expected, (response.status_code, response.text)
        self.openapi.validate_response(OpenAPIRequest(response.request), OpenAPIResponse(response))
        operation = self.operation(response.request)
        assert operation is not None, response.request.url
        self.answered.add((*operation, response.status_code))
        return response.json() if response.content else None


SCENARIOS = {}  # filled below


def sample(schema, url):
    """A value for ``schema`` (const, first choice, or a minimal value of its type)."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "array":
        return [sample(schema.get("items", {}), url)] * max(1, schema.get("minItems", 1))
    if kind == "object":
        return with_required(schema, {}, url)
    if kind in ("number", "integer"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return url if schema.get("format") == "uri" else "sample_value"


def with_required(schema, body, url):
    """``body`` plus a sample value for each required field it lacks."""
    filled = dict(body)
    for name in schema.get("required", []):
        if name not in filled:
            filled[name] = sample(schema.get("properties", {}).get(name, {}), url)
    return filled


@pytest.fixture
def check(krea_spec, krea_openapi, sim):
    return Checker(krea_spec, krea_openapi, sim)


def png(size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "PNG")
    return buffer.getvalue()


def scenario_generation_examples(check, sim, spec):
    sim.set_concurrency("token-a", 100)
    http = check.client()
    asset = check(http.post("/assets", files={"file": ("in.png", png(), "image/png")}), 200)
    clip = render_video("clip", seed=1, width=64, height=48, duration_s=1)
    video = check(http.post("/assets", files={"file": ("in.mp4", clip, "video/mp4")}), 200)
    created = []
    for path, item in spec["paths"].items():
        if not path.startswith("/generate/"):
            continue
        content = item["post"]["requestBody"]["content"]["application/json"]
        example = dict(content.get("example") or {})
        # Krea's example URLs are not reachable: the inputs are our own assets.
        if "image_url" in example:
            example["image_url"] = asset["image_url"]
        if "init_video" in example:
            example["init_video"] = video["image_url"]
        valid = not list(Draft202012Validator(content["schema"]).iter_errors(example))
        response = http.post(path, json=example, headers={"X-Webhook-URL": "http://h.example/"})
        body = check(response, 200 if valid else 400)
        if not valid:  # a few of the spec's own examples miss a required field
            completed = with_required(content["schema"], example, asset["image_url"])
            if "init_video" in completed:
                completed["init_video"] = video["image_url"]
            body = check(http.post(path, json=completed), 200)
        created.append(body["job_id"])
    assert len(created) == len([p for p in spec["paths"] if p.startswith("/generate/")])
    for seconds in (1, 2, 3, 5, 9, 30):
        sim.advance(seconds)
        for job_id in created:
            check(http.get(f"/jobs/{job_id}"), 200)
    assert {d.payload["status"] for d in sim.webhooks} == {"completed"}
    assert len(sim.webhooks) >= len(created) - 3


def scenario_generation_errors(check, sim, spec):
    http = check.client()
    flux = "/generate/image/bfl/flux-1-dev"
    check(http.post(flux, json={"prompt": "x", "nope": 1}), 400)
    check(http.post(flux, content=b"{", headers={"Content-Type": "application/json"}), 400)
    check(check.client(token=None).post(flux, json={"prompt": "x"}), 401)
    sim.set_concurrency("token-a", 1, backlog_cap=0)
    check(http.post(flux, json={"prompt": "x"}), 200)
    check(http.post(flux, json={"prompt": "x"}), 429)
    sim.set_credits("token-b", 0)
    check(check.client("token-b").post(flux, json={"prompt": "x"}), 402)


def scenario_jobs_operations(check, sim, spec):
    http = check.client()
    flux = "/generate/image/bfl/flux-1-dev"
    sim.set_concurrency("token-a", 1)
    ids = [check(http.post(flux, json={"prompt": str(i)}), 200)["job_id"] for i in range(3)]
    check(
        http.post(flux, json={"prompt": "f"}, headers={"X-Simulator-Fault": "fail-at=queued"}), 200
    )
    check(http.get("/jobs"), 200)
    check(http.get("/jobs", params={"limit": 1}), 200)
    check(http.get("/jobs", params={"status": "backlogged", "types": "flux"}), 200)
    check(http.get("/jobs", params={"limit": 0}), 400)
    check(http.get("/jobs", params={"cursor": "not-a-time"}), 400)
    check(check.client(token=None).get("/jobs"), 401)
    check(http.delete(f"/jobs/{ids[1]}"), 200)
    sim.advance(60)
    page = check(http.get("/jobs", params={"limit": 2}), 200)
    check(http.get("/jobs", params={"cursor": page["next_cursor"]}), 200)
    for job_id in ids:
        check(http.get(f"/jobs/{job_id}"), 200)
    check(http.delete(f"/jobs/{ids[0]}"), 200)
    check(http.get("/jobs/4d0e5f97-9721-4422-b88c-73a9032d7de1"), 404)
    check(http.delete("/jobs/4d0e5f97-9721-4422-b88c-73a9032d7de1"), 404)
    check(check.client("token-b").get(f"/jobs/{ids[0]}"), 404)


def scenario_assets_operations(check, sim, spec):
    http = check.client()
    asset = check(
        http.post(
            "/assets",
            files={"file": ("a.png", png(), "image/png")},
            data={"description": "orange"},
        ),
        200,
    )
    check(http.post("/assets", files={"file": ("a.txt", b"text", "text/plain")}), 400)
    check(check.client(token=None).post("/assets", files={"file": ("a.png", png())}), 401)
    check(http.get("/assets"), 200)
    check(http.get("/assets", params={"limit": 1, "cursor": asset["uploaded_at"]}), 200)
    check(check.client(token=None).get("/assets"), 401)
    check(http.get(f"/assets/{asset['id']}"), 200)
    check(check.client(token=None).get(f"/assets/{asset['id']}"), 401)
    check(check.client("token-b").get(f"/assets/{asset['id']}"), 404)
    check(check.client(token=None).delete(f"/assets/{asset['id']}"), 401)
    check(http.delete(f"/assets/{asset['id']}"), 200)
    check(http.delete(f"/assets/{asset['id']}"), 404)


def scenario_styles_operations(check, sim, spec):
    http = check.client()
    anonymous = check.client(token=None)
    urls = ["https://images.example/1.png"]
    job = check(http.post("/styles/train", json={"name": "S", "urls": urls}), 200)
    check(http.post("/styles/train", json={"model": "qwen", "name": "Q", "urls": urls}), 200)
    check(http.post("/styles/train", json={"urls": urls}), 400)
    check(anonymous.post("/styles/train", json={"name": "S", "urls": urls}), 401)
    sim.set_credits("token-c", 0)
    check(check.client("token-c").post("/styles/train", json={"name": "S", "urls": urls}), 402)
    sim.set_concurrency("token-d", 1, backlog_cap=0)
    check(check.client("token-d").post("/styles/train", json={"name": "S", "urls": urls}), 200)
    check(check.client("token-d").post("/styles/train", json={"name": "S", "urls": urls}), 429)
    sim.advance(30)
    style_id = check(http.get(f"/jobs/{job['job_id']}"), 200)["result"]["style_id"]

    for query in ({}, {"filter": "user"}, {"filter": "krea", "limit": 1}, {"ids": style_id}):
        check(http.get("/styles", params=query), 200)
    check(http.get("/styles", params={"filter": "bogus"}), 400)
    check(anonymous.get("/styles"), 401)
    check(http.get(f"/styles/{style_id}"), 200)
    check(anonymous.get(f"/styles/{style_id}"), 401)
    check(check.client("token-b").get(f"/styles/{style_id}"), 404)
    check(http.patch(f"/styles/{style_id}", json={"title": "T", "public": True}), 200)
    check(http.patch(f"/styles/{style_id}", json={}), 400)
    check(anonymous.patch(f"/styles/{style_id}", json={"title": "T"}), 401)
    check(check.client("token-b").patch(f"/styles/{style_id}", json={"title": "T"}), 404)
    check(http.get(f"/styles/{style_id}/share/link"), 201)
    check(http.get(f"/styles/{style_id}/share/link"), 200)
    check(anonymous.get(f"/styles/{style_id}/share/link"), 401)
    check(check.client("token-b").get(f"/styles/{style_id}/share/link"), 404)
    check(http.post(f"/styles/{style_id}/share/workspace"), 200)
    check(anonymous.post(f"/styles/{style_id}/share/workspace"), 401)
    check(check.client("token-b").post(f"/styles/{style_id}/share/workspace"), 403)
    check(http.post("/styles/a816d79d-55c9-43ee-81c3-8330ffe79e6c/share/workspace"), 404)
    check(check.client("token-b").delete(f"/styles/{style_id}/share/workspace"), 403)
    check(anonymous.delete(f"/styles/{style_id}/share/workspace"), 401)
    check(http.delete(f"/styles/{style_id}/share/workspace"), 200)
    check(http.delete(f"/styles/{style_id}/share/workspace"), 404)


def scenario_node_app_operations(check, sim, spec):
    http = check.client()
    app = check(http.get(f"/node-apps/{NODE_APPS[1].version_id}"), 200)
    check(http.get("/node-apps/missing"), 404)
    check(check.client(token=None).get(f"/node-apps/{app['last_version_id']}"), 401)
    path = f"/node-apps/{app['last_version_id']}/execute"
    check(http.post(path, json={"prompt": "a lamp", "variations": 2}), 200)
    check(http.post(path, json={"variations": 2}), 400)
    check(http.post("/node-apps/missing/execute", json={}), 404)
    check(check.client(token=None).post(path, json={"prompt": "x"}), 401)
    sim.set_credits("token-b", 0)
    check(check.client("token-b").post(path, json={"prompt": "x"}), 402)
    sim.set_concurrency("token-c", 1, backlog_cap=0)
    check(check.client("token-c").post(path, json={"prompt": "x", "variations": 2}), 429)


def test_webhook_payload_matches_the_job_schema(krea_spec, sim):
    http = httpx.Client(
        base_url=BASE, transport=sim.transport(), headers={"Authorization": f"Bearer {TOKEN}"}
    )
    http.post(
        "/generate/image/bfl/flux-1-dev",
        json={"prompt": "x"},
        headers={"X-Webhook-URL": "http://h.example/"},
    )
    sim.advance(10)
    schema = krea_spec["paths"]["/jobs/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    [delivery] = sim.webhooks
    Draft202012Validator(schema).validate(delivery.payload)


SCENARIOS.update(
    {
        "generation examples": scenario_generation_examples,
        "generation errors": scenario_generation_errors,
        "jobs": scenario_jobs_operations,
        "assets": scenario_assets_operations,
        "styles": scenario_styles_operations,
        "node apps": scenario_node_app_operations,
    }
)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_responses_validate(name, krea_spec, check, sim):
    SCENARIOS[name](check, sim, krea_spec)


def test_every_operation_of_the_spec_is_covered(krea_spec, krea_openapi):
    """All scenarios together answer every operation of the spec successfully,
    and only with statuses the spec documents for it."""
    sim = make_simulator(fetcher=public_images, webhook_sender=Receiver())
    check = Checker(krea_spec, krea_openapi, sim)
    for scenario in SCENARIOS.values():
        sim.reset()
        scenario(check, sim, krea_spec)
    succeeded = {(method, path) for method, path, status in check.answered if status < 300}
    missing = {(method, path) for method, path, _ in check.templates} - succeeded
    assert not missing, sorted(missing)
    documented = {
        (method.upper(), path, int(status))
        for path, item in krea_spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete")
        for status in op["responses"]
    }
    assert check.answered <= documented, sorted(check.answered - documented)
