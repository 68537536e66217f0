"""Fault injection (header and queued) and the control API under /_simulator/."""

import time
from datetime import timedelta

import httpx
import pytest

from krea_integration.client import KreaClient
from krea_integration.errors import KreaConnectionError, KreaTimeout, ServerError
from krea_integration.simulator import parse_faults
from krea_integration.simulator.faults import InvalidFault
from tests.factories import FLUX
from tests.krea_integration.conftest import START

BODY = {"prompt": "faulty"}


def post(http, fault, body=BODY):
    return http.post(f"/generate/{FLUX}", json=body, headers={"X-Simulator-Fault": fault})


def test_status_fault_answers_it_and_creates_nothing(client, http):
    response = post(http, "500")
    assert response.status_code == 500
    assert response.json() == {"error": "Simulated error 500"}
    assert post(http, "503").status_code == 503
    assert client.list_jobs().items == ()


def test_slow_fault_waits_then_answers(http):
    started = time.monotonic()
    response = post(http, "slow=0.3")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_timeout_fault_raises_a_read_timeout_and_creates_nothing(sim, client, http):
    with pytest.raises(httpx.ReadTimeout):
        post(http, "timeout")
    assert client.list_jobs().items == ()
    sim.queue_fault("timeout", token="token-a")
    with pytest.raises(KreaTimeout) as caught:
        client.generate(FLUX, BODY)
    assert caught.value.outcome_unknown
    assert sim.requests[-1].fault == "timeout" and sim.requests[-1].status is None


def test_fail_at_runs_until_the_state_then_fails(sim, client, http):
    job_id = post(http, "fail-at=processing").json()["job_id"]
    sim.advance(2)
    assert client.get_job(job_id).status == "processing"
    sim.advance(2.5)
    failed = client.get_job(job_id)
    assert failed.status == "failed"
    assert failed.completed_at == START + timedelta(seconds=4.5)
    assert "processing" in failed.result.error


def test_lost_response_creates_and_bills_the_job_but_answers_502(sim, client, http):
    sim.set_credits("token-a", 100)
    response = post(http, "lost-response")
    assert response.status_code == 502
    [job] = client.list_jobs().items
    sim.advance(10)
    assert client.get_job(job.job_id).status == "completed"
    assert sim.credits("token-a") == 97
    assert sim.requests[0].status == 200 and sim.requests[0].fault == "lost-response"


def test_lost_response_drop_disconnects(sim, client):
    sim.queue_fault("lost-response=drop", token="token-a")
    with pytest.raises(KreaConnectionError) as caught:
        client.generate(FLUX, BODY)
    assert caught.value.outcome_unknown
    assert len(client.list_jobs().items) == 1


def test_queued_faults_are_consumed_per_matching_request(sim, client):
    sim.queue_fault("500", token="token-a", times=2, method="GET", path="/jobs")
    other = KreaClient("token-b", transport=sim.transport(), max_attempts=1)
    assert other.list_jobs().items == ()
    job = client.generate(FLUX, BODY)  # a POST: not matched
    with pytest.raises(ServerError):
        client.get_job(job.job_id)
    with pytest.raises(ServerError):
        client.list_jobs()
    assert client.get_job(job.job_id).status == "queued"
    assert sim.queued_faults() == []


def test_client_retries_gets_through_a_transient_fault(sim):
    sim.queue_fault("503", times=1)
    client = KreaClient("token-a", transport=sim.transport(), sleep=lambda s: None)
    assert client.list_jobs().items == ()
    assert [r.status for r in sim.requests] == [503, 200]


def test_invalid_fault_header_is_400(http):
    response = post(http, "explode")
    assert response.status_code == 400
    assert "X-Simulator-Fault" in response.json()["error"]


@pytest.mark.parametrize(
    "text",
    ["999", "slow", "slow=-1", "fail-at=completed", "lost-response=maybe", "webhook-duplicate=0"],
)
def test_parse_faults_rejects_nonsense(text):
    with pytest.raises(InvalidFault):
        parse_faults(text)


def test_parse_faults_combines_items():
    plan = parse_faults("slow=0.5, fail-at=sampling ; webhook-drop")
    assert (plan.slow_seconds, plan.fail_at, plan.webhook_drop) == (0.5, "sampling", True)


# -- control API -----------------------------------------------------------------------


@pytest.fixture
def control(sim):
    return httpx.Client(base_url="http://sim/_simulator", transport=sim.transport())


def test_control_status_and_advance(sim, client, control):
    assert control.get("").json()["manual_clock"] is True
    job = client.generate(FLUX, BODY, webhook_url="http://hooks.example/h")
    sim.webhook_sender = lambda url, body, headers: 200
    response = control.post("/advance", json={"seconds": 10})
    assert response.status_code == 200
    assert [d["job_id"] for d in response.json()["webhooks"]] == [job.job_id]
    assert client.get_job(job.job_id).status == "completed"
    assert control.post("/advance", json={"seconds": -1}).status_code == 400
    assert control.post("/tick").json()["webhooks"] == []


def test_control_accounts(sim, client, control):
    response = control.post(
        "/accounts",
        json={"token": "token-a", "credits": "12.5", "concurrency_limit": 1, "backlog_cap": 0},
    )
    assert response.status_code == 200
    account = response.json()
    assert account["credits"] == "12.5" and account["concurrency_limit"] == 1
    assert "token-a" not in response.text
    client.generate(FLUX, BODY)
    [listed] = control.get("/accounts").json()["items"]
    assert listed["running"] == 1 and listed["reserved"] == "3"
    assert control.post("/accounts", json={"credits": 1}).status_code == 400


def test_control_faults(sim, client, control):
    queued = control.post("/faults", json={"fault": "502", "token": "token-a", "times": 1})
    assert queued.status_code == 201
    assert control.get("/faults").json()["items"][0]["fault"] == "502"
    with pytest.raises(ServerError):
        client.generate(FLUX, BODY)
    control.post("/faults", json={"fault": "500"})
    assert control.delete("/faults").status_code == 200
    assert client.generate(FLUX, BODY).status == "queued"
    assert control.post("/faults", json={"fault": "nonsense"}).status_code == 400


def test_control_webhook_policy_and_deliveries(sim, client, control):
    sent = []
    sim.webhook_sender = lambda url, body, headers: sent.append(url) or 200
    assert control.post("/webhooks/policy", json={"duplicate": 2}).json()["duplicate"] == 2
    client.generate(FLUX, BODY, webhook_url="http://hooks.example/h")
    control.post("/advance", json={"seconds": 10})
    items = control.get("/webhooks").json()["items"]
    assert [d["state"] for d in items] == ["delivered", "delivered"]
    assert len(sent) == 2
    assert control.post("/webhooks/policy", json={"duplicate": 0}).status_code == 400


def test_control_request_log_hides_tokens(sim, client, control):
    client.generate(FLUX, BODY)
    items = control.get("/requests").json()["items"]
    assert items[0]["method"] == "POST" and items[0]["path"] == f"/generate/{FLUX}"
    assert items[0]["body"] == BODY and items[0]["status"] == 200
    assert items[0]["token_hash"] and "token-a" not in str(items)
    assert control.get("/requests", params={"token_hash": "nobody"}).json()["items"] == []


def test_control_reset(sim, client, control):
    client.generate(FLUX, BODY)
    sim.set_credits("token-a", 1)
    assert control.post("/reset").status_code == 200
    assert client.list_jobs().items == ()
    assert sim.credits("token-a") == sim.default_credits
    assert len(sim.requests) == 1  # the list_jobs after the reset


def test_unknown_routes_are_json_404_and_405(http):
    response = http.get("/nothing-here")
    assert response.status_code == 404 and response.json()["error"]
    response = http.put("/jobs")
    assert response.status_code == 405 and response.json()["error"]
