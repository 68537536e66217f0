"""Krea's published OpenAPI spec, for conformance tests, and the simulator fixtures.

The spec is reference data kept outside the project (``../shared/krea/``); tests
that need it skip with a reason where it is absent. ``KREA_SPEC_PATH`` overrides
where it is looked for.
"""

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from krea_integration.client import KreaClient
from krea_integration.simulator import Clock, Simulator

SPEC_PATH = Path(
    os.environ.get(
        "KREA_SPEC_PATH",
        Path(__file__).resolve().parents[2].parent / "shared" / "krea" / "krea-api-openapi.json",
    )
)


@pytest.fixture(scope="session")
def krea_spec() -> dict:
    if not SPEC_PATH.exists():
        if os.environ.get("STUDIO_REQUIRE_SERVICES") == "1":
            pytest.fail(f"STUDIO_REQUIRE_SERVICES=1 but Krea's OpenAPI spec is not at {SPEC_PATH}")
        pytest.skip(f"Krea's OpenAPI spec is not at {SPEC_PATH}")
    return json.loads(SPEC_PATH.read_text())


@pytest.fixture(scope="session")
def krea_openapi(krea_spec):
    """An ``openapi_core.OpenAPI`` over the spec, to validate requests and responses."""
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(krea_spec)


# The simulator, one way for every module: a manual clock at START and 10-second jobs
# unless a module or test says otherwise with the `simulator` marker, e.g.
# `pytestmark = pytest.mark.simulator(job_seconds=0)` (instant jobs), or
# `@pytest.mark.simulator(webhooks=True)` (deliveries recorded by `receiver`).
START = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
BASE_URL = "https://api.krea.ai"
TOKEN = "token-a"
#: Tokens the simulator knows in these tests (like Krea, it refuses others with 401).
TOKENS = (TOKEN, "token-b", "token-c", "token-d")


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "simulator(job_seconds=10, clock=..., tokens=TOKENS, webhooks=False, **options): how "
        "the `sim` "
        "fixture builds the Krea simulator (options are Simulator's keyword arguments)",
    )


def make_simulator(
    *,
    job_seconds: Any = 10,
    clock: Clock | None = None,
    tokens: tuple[str, ...] = TOKENS,
    **options,
) -> Simulator:
    """A simulator for a test: manual clock at START unless ``clock`` is given."""
    return Simulator(
        clock=clock or Clock.manual(START), job_seconds=job_seconds, tokens=tokens, **options
    )


class Receiver:
    """A webhook sender that records what it is given and answers 200."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, dict]] = []

    def __call__(self, url, body, headers) -> int:
        self.calls.append((url, json.loads(body), dict(headers)))
        return 200

    @property
    def job_ids(self) -> list[str]:
        return [payload["job_id"] for _, payload, _ in self.calls]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def sim(request) -> Simulator:
    marker = request.node.get_closest_marker("simulator")
    options = dict(marker.kwargs) if marker else {}
    if options.pop("webhooks", False):
        options["webhook_sender"] = request.getfixturevalue("receiver")
    return make_simulator(**options)


def client_for(sim: Simulator, token: str = TOKEN) -> KreaClient:
    """The project's Krea client on ``sim``, without retries (tests see every answer)."""
    return KreaClient(token, transport=sim.transport(), max_attempts=1)


@pytest.fixture
def client(sim) -> KreaClient:
    return client_for(sim)


@pytest.fixture
def http(sim) -> httpx.Client:
    """Plain HTTP to ``sim`` as TOKEN, for what the client does not expose."""
    return httpx.Client(
        base_url=BASE_URL, transport=sim.transport(), headers={"Authorization": f"Bearer {TOKEN}"}
    )


def png_bytes(size: tuple[int, int] = (64, 48), colour: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


PUBLIC_IMAGES = "https://images.example/"


def public_images(url: str) -> bytes:
    """The tests' stand-in internet (a simulator ``fetcher``): every URL on a domain
    reserved for examples (``example.com``, ``*.example.com``, ``*.example``) is a PNG;
    nothing else can be reached, so an input Krea could not read fails the job."""
    host = (urlsplit(url).hostname or "").lower()
    if not (host == "example.com" or host.endswith((".example.com", ".example"))):
        raise httpx.ConnectError(f"cannot reach {url}")
    return png_bytes()
