"""Krea stand-ins for the teams tests: an httpx transport that records what Krea received."""

import httpx
import pytest

from studio.teams import services


class KreaStandIn:
    """Answers every request with ``status`` (or raises ``error``), and records them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status = 200
        self.error: Exception | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        if self.status == 200:
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return httpx.Response(self.status, json={"error": f"status {self.status}"})


@pytest.fixture
def krea(monkeypatch) -> KreaStandIn:
    """Route every team's KreaClient to a recording stand-in (no network, no retries' sleep)."""
    stand_in = KreaStandIn()
    original = services.team_krea_client

    def client_with_stand_in(*, team, **kwargs):
        kwargs.setdefault("transport", httpx.MockTransport(stand_in))
        kwargs.setdefault("sleep", lambda seconds: None)
        return original(team=team, **kwargs)

    monkeypatch.setattr(services, "team_krea_client", client_with_stand_in)
    return stand_in
