"""The simulator's webhooks: once at the terminal state, with knobs for what goes wrong."""

import json

import httpx
import pytest

from krea_integration.simulator import WebhookPolicy
from tests.factories import FLUX
from tests.krea_integration.conftest import TOKEN

HOOK = "https://portal.example/api/webhooks/krea/abc/secret/"


pytestmark = pytest.mark.simulator(webhooks=True)


def test_delivered_once_at_the_terminal_state_with_the_job_json(sim, client, receiver):
    job = client.generate(FLUX, {"prompt": "hook"}, webhook_url=HOOK)
    sim.advance(9)
    assert receiver.calls == []
    sim.advance(1)
    assert len(receiver.calls) == 1
    url, payload, headers = receiver.calls[0]
    assert url == HOOK
    assert payload == client.get_job(job.job_id).raw
    assert payload["status"] == "completed" and payload["result"]["urls"]
    assert headers["Content-Type"] == "application/json"
    assert not any("signature" in name.lower() for name in headers)
    sim.advance(60)
    assert len(receiver.calls) == 1
    [delivery] = sim.webhooks
    assert delivery.state == "delivered" and delivery.status_code == 200


def test_reading_a_job_applies_its_state_but_only_tick_sends(sim, client, receiver):
    job = client.generate(FLUX, {"prompt": "hook"}, webhook_url=HOOK)
    sim.clock.advance(10)
    assert client.get_job(job.job_id).status == "completed"
    assert receiver.calls == []
    sim.tick()
    assert receiver.job_ids == [job.job_id]


def test_no_webhook_without_the_header(sim, client, receiver):
    client.generate(FLUX, {"prompt": "quiet"})
    sim.advance(20)
    assert receiver.calls == [] and sim.webhooks == []


def test_failed_and_cancelled_jobs_are_delivered_too(sim, client, receiver):
    failing = client._http.post(
        "/generate/" + FLUX,
        json={"prompt": "fails"},
        headers={"X-Webhook-URL": HOOK, "X-Simulator-Fault": "fail-at=sampling"},
    ).json()
    cancelled = client.generate(FLUX, {"prompt": "cancel"}, webhook_url=HOOK)
    client.delete_job(cancelled.job_id)
    sim.advance(10)
    by_id = {payload["job_id"]: payload for _, payload, _ in receiver.calls}
    assert by_id[cancelled.job_id]["status"] == "cancelled"
    assert by_id[failing["job_id"]]["status"] == "failed"
    assert "sampling" in by_id[failing["job_id"]]["result"]["error"]


def test_duplicate_sends_n_copies(sim, client, receiver):
    sim.set_webhook_policy(duplicate=3)
    job = client.generate(FLUX, {"prompt": "thrice"}, webhook_url=HOOK)
    sim.advance(10)
    assert receiver.job_ids == [job.job_id] * 3
    assert [d.copy for d in sim.webhooks] == [1, 2, 3]


def test_delay_waits_on_the_clock(sim, client, receiver):
    sim.set_webhook_policy(delay=30, token=TOKEN)
    client.generate(FLUX, {"prompt": "late"}, webhook_url=HOOK)
    sim.advance(39)
    assert receiver.calls == []
    sim.advance(1)
    assert len(receiver.calls) == 1


def test_reorder_delivers_a_batch_backwards(sim, client, receiver):
    sim.set_webhook_policy(WebhookPolicy(reorder=True))
    jobs = []
    for i in range(3):
        jobs.append(client.generate(FLUX, {"prompt": str(i)}, webhook_url=HOOK))
        sim.clock.advance(1)
    sim.advance(20)
    assert receiver.job_ids == [j.job_id for j in reversed(jobs)]


def test_drop_records_but_never_sends(sim, client, receiver):
    sim.set_webhook_policy(drop=True)
    client.generate(FLUX, {"prompt": "lost"}, webhook_url=HOOK)
    sim.advance(20)
    assert receiver.calls == []
    assert [d.state for d in sim.webhooks] == ["dropped"]


def test_knobs_per_request_through_the_fault_header(sim, client, receiver):
    response = client._http.post(
        "/generate/" + FLUX,
        json={"prompt": "twice, later"},
        headers={"X-Webhook-URL": HOOK, "X-Simulator-Fault": "webhook-duplicate=2,webhook-delay=5"},
    )
    assert response.status_code == 200
    sim.advance(10)
    assert receiver.calls == []
    sim.advance(5)
    assert len(receiver.calls) == 2


def test_a_failing_receiver_is_recorded_not_raised(sim, client):
    def broken(url, body, headers):
        raise httpx.ConnectError("refused")

    sim.webhook_sender = broken
    client.generate(FLUX, {"prompt": "x"}, webhook_url=HOOK)
    sim.advance(10)
    [delivery] = sim.webhooks
    assert delivery.state == "failed" and "refused" in delivery.error


def test_receiver_may_call_the_simulator_back(sim, client):
    confirmed = []

    def portal(url, body, headers):
        # The portal confirms the hint with GET /jobs/{id}, inside the delivery.
        confirmed.append(client.get_job(json.loads(body)["job_id"]).status)
        return 204

    sim.webhook_sender = portal
    client.generate(FLUX, {"prompt": "x"}, webhook_url=HOOK)
    sim.advance(10)
    assert confirmed == ["completed"]


def test_webhooks_can_be_routed_to_an_in_process_wsgi_app(sim, client):
    received = []

    def portal_app(environ, start_response):
        received.append((environ["PATH_INFO"], environ["wsgi.input"].read()))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    portal = httpx.Client(transport=httpx.WSGITransport(app=portal_app))
    sim.webhook_sender = lambda url, body, headers: (
        portal.post(url, content=body, headers=headers).status_code
    )
    job = client.generate(FLUX, {"prompt": "x"}, webhook_url=HOOK)
    sim.advance(10)
    assert received[0][0] == "/api/webhooks/krea/abc/secret/"
    assert json.loads(received[0][1])["job_id"] == job.job_id


def test_bad_webhook_url_is_400(sim, client):
    response = client._http.post(
        "/generate/" + FLUX, json={"prompt": "x"}, headers={"X-Webhook-URL": "not a url"}
    )
    assert response.status_code == 400
    assert "X-Webhook-URL" in response.json()["error"]
