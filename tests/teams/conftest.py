"""A Krea stand-in for the token tests: answers with a chosen status or fault, records requests.

The suite's ``krea`` fixture (tests/conftest.py) is the full simulator; this one makes
401s, 5xx and network failures trivial to set up.
"""

import httpx
import pytest


class KreaStub:
    """Answers every request with ``status`` (or raises ``error``), and records them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status = 200
        self.error: Exception | None = None
        self.answer: httpx.Response | None = None  # a canned response, instead of `status`

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        if self.answer is not None:
            return self.answer
        if self.status == 200:
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return httpx.Response(self.status, json={"error": f"status {self.status}"})


@pytest.fixture
def krea_stub(settings) -> KreaStub:
    """Route every team's KreaClient to a recording stub (no network)."""
    stub = KreaStub()
    settings.KREA_API_BASE_URL = "http://krea.test"
    settings.KREA_TRANSPORT = httpx.MockTransport(stub)
    return stub
