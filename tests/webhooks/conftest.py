"""A real HTTP receiver on 127.0.0.1 for webhook deliveries, and endpoints that point at it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from studio.webhooks import services, targets
from tests.api.conftest import api_as, make_key  # noqa: F401  (fixtures)


class Receiver:
    """Records each POST (headers, body) and answers ``status`` (200 unless told)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer = b'{"ok": true}'
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def receiver(allow_private):
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def public_dns(monkeypatch):
    """Names resolve to a public address (the test run has no DNS)."""
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def owner_membership(owner, team):
    return owner.memberships.get(team=team)


@pytest.fixture
def endpoint(receiver, owner_membership):
    """An endpoint of ``team`` on the receiver, for every event; ``endpoint.secret`` set."""
    endpoint, secret = services.endpoint_create(
        by=owner_membership,
        url=receiver.url,
        events=["job.completed", "job.failed", "job.cancelled", "quota.reached"],
    )
    endpoint.secret = secret
    return endpoint
