"""Endpoints and the delivery log through the API: owners and admins only."""

import pytest

from studio.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints"


@pytest.fixture
def owner_api(api_as, owner):
    return api_as(owner)


def test_add_list_change_and_delete_an_endpoint(owner_api, public_dns):
    created = owner_api.post(
        URL,
        {"url": "https://hooks.example.com/a", "events": ["job.completed"], "description": "CMS"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["enabled"] is True

    listed = owner_api.get(URL).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]  # shown once

    changed = owner_api.patch(
        f"{URL}/{body['id']}", {"enabled": False, "events": ["job.failed"]}, format="json"
    ).json()
    assert changed["enabled"] is False and changed["events"] == ["job.failed"]

    assert owner_api.delete(f"{URL}/{body['id']}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_a_refused_url_is_a_400_naming_the_field(owner_api):
    response = owner_api.post(
        URL, {"url": "https://127.0.0.1/", "events": ["job.completed"]}, format="json"
    )
    assert response.status_code == 400
    assert "loopback" in response.json()["fields"]["url"][0]


def test_members_get_403(api_as, member):
    response = api_as(member).get(URL)
    assert response.status_code == 403
    assert "owners and admins" in response.json()["error"]


def test_test_event_delivery_log_and_resend(
    owner_api, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = owner_api.post(f"{URL}/{endpoint.uuid}/test")
    assert sent.status_code == 202
    log = owner_api.get(f"{URL}/{endpoint.uuid}/deliveries").json()["results"]
    [delivery] = log
    assert delivery["event_type"] == "webhook.test"
    assert delivery["status"] == "succeeded"
    [attempt] = delivery["attempts"]
    assert attempt["response_status"] == 200 and attempt["latency_ms"] >= 0
    assert delivery["event"]["type"] == "webhook.test"

    with django_capture_on_commit_callbacks(execute=True):
        resent = owner_api.post(f"{URL}/{endpoint.uuid}/deliveries/{delivery['id']}/resend")
    assert resent.status_code == 202
    assert resent.json()["webhook_id"] == delivery["webhook_id"]
    assert len(receiver.requests) == 2
    assert (
        receiver.requests[0]["headers"]["webhook-id"]
        == receiver.requests[1]["headers"]["webhook-id"]
    )


def test_rotate_secret_and_callback_secret(owner_api, endpoint):
    rotated = owner_api.post(f"{URL}/{endpoint.uuid}/rotate-secret").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint.secret
    callback = owner_api.post("/api/v1/webhook-callback-secret").json()
    assert callback["secret"].startswith("whsec_")
