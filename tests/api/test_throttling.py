"""Rate limits per key (API_THROTTLE_RATE): one busy key does not slow the others."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/minute"},
    }


def test_a_key_past_its_rate_gets_429_with_retry_after(three_a_minute, member, make_key, api_as):
    busy = api_as(member, key=make_key(member))
    assert [busy.get("/api/v1/usage").status_code for _ in range(3)] == [200, 200, 200]
    response = busy.get("/api/v1/usage")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert 0 < body["retry_after"] <= 60
    assert int(response["Retry-After"]) == body["retry_after"]


def test_each_key_has_its_own_count(three_a_minute, member, make_key, api_as):
    first = api_as(member, key=make_key(member))
    second = api_as(member, key=make_key(member))
    for _ in range(3):
        first.get("/api/v1/usage")
    assert first.get("/api/v1/usage").status_code == 429
    assert second.get("/api/v1/usage").status_code == 200


def test_a_browser_session_is_counted_per_user(three_a_minute, member):
    client = APIClient()
    client.force_login(member)
    codes = [client.get("/api/v1/usage").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_default_rate_is_generous(member, api_as, settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"] == "120/minute"
    client = api_as(member)
    assert all(client.get("/api/v1/usage").status_code == 200 for _ in range(20))


def test_krea_s_webhooks_are_never_throttled(three_a_minute, client, db):
    url = "/api/webhooks/krea/00000000-0000-0000-0000-000000000000/secret/"
    codes = {client.post(url, {}, content_type="application/json").status_code for _ in range(5)}
    assert codes == {404}


@pytest.mark.parametrize("rate", ["lots", "10/fortnight", "0/minute", "-1/s"])
def test_a_bad_rate_stops_the_portal_from_starting(rate):
    result = subprocess.run(
        [sys.executable, "-c", "import studio.settings"],
        cwd=ROOT,
        env={**os.environ, "API_THROTTLE_RATE": rate},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "API_THROTTLE_RATE" in result.stderr


def test_anonymous_requests_count_per_address_whatever_x_forwarded_for_says(three_a_minute, client):
    codes = [
        client.get("/api/v1/schema/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
