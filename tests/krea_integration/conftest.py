"""Krea's published OpenAPI spec, for conformance tests.

The spec is reference data kept outside the project (``../shared/krea/``); tests
that need it skip with a reason where it is absent. ``KREA_SPEC_PATH`` overrides
where it is looked for.
"""

import json
import os
from pathlib import Path

import pytest

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
