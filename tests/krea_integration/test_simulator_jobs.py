"""The simulator's jobs: states on the clock, concurrency, credits, cancelling, listing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import httpx
import pytest

from krea_integration.errors import (
    ConcurrencyLimit,
    InsufficientCredits,
    NotFound,
    Unauthorized,
)
from krea_integration.simulator import Clock
from krea_integration.simulator.nodeapps import NODE_APPS
from tests.factories import FLUX
from tests.krea_integration.conftest import START, TOKEN, client_for, make_simulator


def test_job_walks_through_every_state_on_the_manual_clock(sim, client):
    job = client.generate(FLUX, {"prompt": "a red fox"})
    assert job.status == "queued"
    assert job.raw["completed_at"] is None and job.raw["result"] is None
    seen = []
    for step in (0.5, 1, 2.5, 3.5, 2):
        sim.advance(step)
        seen.append(client.get_job(job.job_id))
    assert [j.status for j in seen] == [
        "queued",
        "scheduled",
        "processing",
        "sampling",
        "intermediate-complete",
    ]
    preview = seen[-1]
    assert preview.result is not None and len(preview.result.urls) == 1
    assert preview.completed_at is None

    sim.advance(0.5)
    done = client.get_job(job.job_id)
    assert done.status == "completed"
    assert done.completed_at == datetime(2026, 8, 1, 12, 0, 10, tzinfo=UTC)
    assert done.result.urls and done.result.urls[0] != preview.result.urls[0]


def test_non_terminal_job_omits_completed_at_and_result(sim, client):
    job = client.generate(FLUX, {"prompt": "x"})
    body = client.get_job(job.job_id).raw
    assert set(body) == {"job_id", "status", "created_at"}


def test_instant_mode_completes_on_first_read():
    sim = make_simulator(job_seconds=0)
    client = client_for(sim)
    job = client.generate(FLUX, {"prompt": "instant"})
    assert job.status == "queued"
    assert client.get_job(job.job_id).status == "completed"


def test_default_durations_keep_image_under_ten_seconds_and_video_longer():
    sim = make_simulator(job_seconds=None, clock=Clock.real())
    assert 0 < sim.durations["image"] < 10
    assert sim.durations["video"] > sim.durations["image"]


def test_excess_jobs_are_backlogged_and_start_when_a_slot_frees(sim, client):
    sim.set_concurrency("token-a", 2)
    first = client.generate(FLUX, {"prompt": "1"})
    sim.advance(4)
    second = client.generate(FLUX, {"prompt": "2"})
    third = client.generate(FLUX, {"prompt": "3"})
    assert (first.status, second.status, third.status) == ("queued", "queued", "backlogged")

    sim.advance(5)  # t=9: the first is still running
    assert client.get_job(third.job_id).status == "backlogged"
    sim.advance(1)  # t=10: the first completes, the third takes its slot
    assert client.get_job(first.job_id).status == "completed"
    assert client.get_job(third.job_id).status == "queued"
    sim.advance(10)
    assert client.get_job(third.job_id).completed_at == datetime(2026, 8, 1, 12, 0, 20, tzinfo=UTC)


def test_backlog_starts_in_order_within_one_long_advance(sim, client):
    sim.set_concurrency("token-a", 1)
    jobs = [client.generate(FLUX, {"prompt": str(i)}) for i in range(3)]
    sim.advance(100)
    done = [client.get_job(j.job_id) for j in jobs]
    assert [j.completed_at.second for j in done] == [10, 20, 30]


def test_429_past_the_backlog_cap_creates_nothing(sim, client):
    sim.set_concurrency("token-a", 1, backlog_cap=1)
    client.generate(FLUX, {"prompt": "runs"})
    client.generate(FLUX, {"prompt": "waits"})
    with pytest.raises(ConcurrencyLimit) as caught:
        client.generate(FLUX, {"prompt": "refused"})
    assert caught.value.status_code == 429
    assert "concurrent" in caught.value.message
    assert len(client.list_jobs().items) == 2


def test_raising_the_limit_starts_backlogged_jobs(sim, client):
    sim.set_concurrency("token-a", 1)
    client.generate(FLUX, {"prompt": "runs"})
    waiting = client.generate(FLUX, {"prompt": "waits"})
    sim.set_concurrency("token-a", 2)
    assert client.get_job(waiting.job_id).status == "queued"


def test_402_when_the_estimate_does_not_fit_counting_running_jobs(sim, client):
    sim.set_credits("token-a", 5)  # flux-1-dev costs ~3 CU
    client.generate(FLUX, {"prompt": "fits"})
    with pytest.raises(InsufficientCredits) as caught:
        client.generate(FLUX, {"prompt": "does not fit beside the first"})
    assert caught.value.status_code == 402
    assert sim.credits("token-a") == Decimal(5)


def test_only_completed_jobs_are_debited(sim, client):
    sim.set_credits("token-a", 100)
    done = client.generate(FLUX, {"prompt": "done"})
    cancelled = client.generate(FLUX, {"prompt": "cancelled"})
    also_done = client.generate(FLUX, {"prompt": "also done"})
    sim.queue_fault("fail-at=processing", token="token-a")
    failing = client.generate(FLUX, {"prompt": "fails"})
    client.delete_job(cancelled.job_id)
    assert sim.credits("token-a") == Decimal(100)
    sim.advance(10)
    assert client.get_job(failing.job_id).status == "failed"
    assert client.get_job(done.job_id).status == "completed"
    assert client.get_job(also_done.job_id).status == "completed"
    assert sim.credits("token-a") == Decimal(100) - 2 * Decimal(3)


def test_cancel_a_running_job_frees_its_slot(sim, client):
    sim.set_concurrency("token-a", 1)
    running = client.generate(FLUX, {"prompt": "running"})
    waiting = client.generate(FLUX, {"prompt": "waiting"})
    sim.advance(3)
    client.delete_job(running.job_id)
    cancelled = client.get_job(running.job_id)
    assert cancelled.status == "cancelled"
    assert cancelled.completed_at == datetime(2026, 8, 1, 12, 0, 3, tzinfo=UTC)
    assert client.get_job(waiting.job_id).status == "queued"


def test_cancel_a_backlogged_job(sim, client):
    sim.set_concurrency("token-a", 1)
    client.generate(FLUX, {"prompt": "running"})
    waiting = client.generate(FLUX, {"prompt": "waiting"})
    client.delete_job(waiting.job_id)
    sim.advance(30)
    assert client.get_job(waiting.job_id).status == "cancelled"


def test_cancelling_a_terminal_job_answers_200_and_changes_nothing(sim, client):
    job = client.generate(FLUX, {"prompt": "done"})
    sim.advance(10)
    client.delete_job(job.job_id)
    after = client.get_job(job.job_id)
    assert after.status == "completed"
    assert after.result.urls


@pytest.mark.simulator(job_seconds=0)
def test_completed_at_is_never_before_created_at(sim, client):
    # Jobs created in one instant get distinct creation times a millisecond apart.
    jobs = [client.generate(FLUX, {"prompt": f"burst {i}"}) for i in range(4)]
    cancelled = client.generate(FLUX, {"prompt": "cancelled at once"})
    client.delete_job(cancelled.job_id)
    for job in [*jobs, cancelled]:
        done = client.get_job(job.job_id)
        assert done.status in ("completed", "cancelled")
        assert done.completed_at >= done.created_at


# DELETE /jobs/{id} can play each outcome Krea's spec leaves open (issue 16): the job
# stops; a job already sampling finishes anyway and is billed; the job is deleted.


def test_finish_late_mode_lets_a_sampling_job_complete_and_bills_it(sim, client, http):
    control = http.post("/_simulator/accounts", json={"token": TOKEN, "cancel_mode": "finish-late"})
    assert control.json()["cancel_mode"] == "finish-late"
    credits = sim.credits(TOKEN)
    job = client.generate(FLUX, {"prompt": "too late to stop"})
    sim.advance(5)  # sampling (45-80 % of 10 s)
    assert client.get_job(job.job_id).status == "sampling"
    assert http.delete(f"/jobs/{job.job_id}").status_code == 200
    assert client.get_job(job.job_id).status == "sampling"
    sim.advance(5)
    done = client.get_job(job.job_id)
    assert done.status == "completed" and done.result.urls
    assert sim.credits(TOKEN) == credits - Decimal(3)


def test_finish_late_mode_still_stops_a_job_before_sampling(sim, client):
    sim.configure_account(TOKEN, cancel_mode="finish-late")
    credits = sim.credits(TOKEN)
    job = client.generate(FLUX, {"prompt": "early"})
    sim.advance(2)  # processing
    client.delete_job(job.job_id)
    sim.advance(10)
    assert client.get_job(job.job_id).status == "cancelled"
    assert sim.credits(TOKEN) == credits


def test_delete_mode_forgets_the_job_unbilled_and_frees_its_slot(sim, client, http):
    sim.configure_account(TOKEN, cancel_mode="delete", concurrency_limit=1)
    credits = sim.credits(TOKEN)
    job = client.generate(FLUX, {"prompt": "gone"})
    waiting = client.generate(FLUX, {"prompt": "next"})
    sim.advance(8.5)  # intermediate-complete, with a preview
    [preview] = client.get_job(job.job_id).result.urls
    assert http.get(preview).status_code == 200
    assert http.delete(f"/jobs/{job.job_id}").status_code == 200
    assert http.get(f"/jobs/{job.job_id}").status_code == 404
    assert http.delete(f"/jobs/{job.job_id}").status_code == 404
    assert job.job_id not in {j.job_id for j in client.list_jobs().items}
    assert http.get(preview).status_code == 404
    assert client.get_job(waiting.job_id).status == "queued"
    sim.advance(20)
    assert sim.credits(TOKEN) == credits - Decimal(3)  # only the second job


def test_the_fault_header_picks_the_cancel_mode_for_one_request(sim, client, http):
    first = client.generate(FLUX, {"prompt": "one"})
    second = client.generate(FLUX, {"prompt": "two"})
    sim.advance(5)
    late = {"X-Simulator-Fault": "cancel-mode=finish-late"}
    assert http.delete(f"/jobs/{first.job_id}", headers=late).status_code == 200
    assert http.delete(f"/jobs/{second.job_id}").status_code == 200  # the account's: cancel
    sim.advance(5)
    assert client.get_job(first.job_id).status == "completed"
    assert client.get_job(second.job_id).status == "cancelled"
    gone = http.post(f"/generate/{FLUX}", json={"prompt": "three"}).json()["job_id"]
    deleted = http.delete(f"/jobs/{gone}", headers={"X-Simulator-Fault": "cancel-mode=delete"})
    assert deleted.status_code == 200
    assert http.get(f"/jobs/{gone}").status_code == 404


def test_an_unknown_cancel_mode_is_refused(http):
    response = http.post("/_simulator/accounts", json={"token": TOKEN, "cancel_mode": "maybe"})
    assert response.status_code == 400
    assert "cancel_mode must be one of cancel, finish-late, delete" in response.json()["error"]
    bad = http.delete("/jobs/x", headers={"X-Simulator-Fault": "cancel-mode=later"})
    assert bad.status_code == 400


def test_tokens_are_isolated(sim, client):
    other = client_for(sim, "token-b")
    job = client.generate(FLUX, {"prompt": "mine"})
    with pytest.raises(NotFound):
        other.get_job(job.job_id)
    with pytest.raises(NotFound):
        other.delete_job(job.job_id)
    assert other.list_jobs().items == ()
    assert client.get_job(job.job_id).status == "queued"


def test_missing_or_empty_token_is_401(sim):
    http = httpx.Client(base_url="https://api.krea.ai", transport=sim.transport())
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
        response = http.get("/jobs", headers=headers)
        assert response.status_code == 401
        assert isinstance(response.json()["error"], str)


def test_unknown_tokens_get_401_on_every_resource_until_registered(http):
    stranger = {"Authorization": "Bearer krea-sk-mistyped"}
    version = NODE_APPS[0].version_id
    for method, path in [
        ("POST", f"/generate/{FLUX}"),
        ("GET", "/jobs"),
        ("DELETE", "/jobs/4d0e5f97-9721-4422-b88c-73a9032d7de1"),
        ("GET", "/assets"),
        ("GET", "/styles"),
        ("POST", "/styles/train"),
        ("GET", f"/node-apps/{version}"),
        ("POST", f"/node-apps/{version}/execute"),
    ]:
        response = http.request(method, path, headers=stranger, json={"prompt": "x"})
        assert (method, path, response.status_code) == (method, path, 401)
        assert response.json() == {"error": "Invalid API token."}
    assert http.post("/_simulator/accounts", json={"token": "krea-sk-mistyped"}).status_code == 200
    assert http.get("/jobs", headers=stranger).json() == {"items": [], "next_cursor": None}


def test_allow_list_rejects_other_tokens():
    sim = make_simulator(tokens=["good"], job_seconds=0)
    assert client_for(sim, "good").list_jobs().items == ()
    with pytest.raises(Unauthorized):
        client_for(sim, "bad").list_jobs()


def test_list_jobs_pages_with_a_timestamp_cursor(sim, client):
    created = [client.generate(FLUX, {"prompt": str(i)}) for i in range(5)]
    page = client.list_jobs(limit=2)
    assert [j.job_id for j in page.items] == [created[4].job_id, created[3].job_id]
    assert page.next_cursor == page.items[-1].raw["created_at"]
    everything = list(client.iter_jobs(limit=2))
    assert [j.job_id for j in everything] == [j.job_id for j in reversed(created)]
    last = client.list_jobs(cursor=created[1].raw["created_at"])
    assert [j.job_id for j in last.items] == [created[0].job_id]
    assert last.next_cursor is None


def test_list_jobs_filters_by_status_and_type(sim, client):
    sim.set_concurrency("token-a", 1)
    image = client.generate(FLUX, {"prompt": "image"})
    video = client.generate("video/kling/kling-2.6", {"prompt": "video"})
    assert [j.job_id for j in client.list_jobs(status="backlogged").items] == [video.job_id]
    assert [j.job_id for j in client.list_jobs(types="flux").items] == [image.job_id]
    assert [j.job_id for j in client.list_jobs(types=["externalVideo"]).items] == [video.job_id]
    assert len(client.list_jobs(types="flux,externalVideo").items) == 2


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=1001", "limit=ten", "cursor=yesterday", "status=done"],
)
def test_list_jobs_rejects_bad_query_parameters(http, query):
    response = http.get(f"/jobs?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_model_is_404(sim, client):
    with pytest.raises(NotFound):
        client.generate("image/nobody/no-such-model", {"prompt": "x"})


def test_a_model_added_to_the_catalogue_is_served_without_code(sim):
    from dataclasses import replace

    from krea_integration.catalogue import load

    base = load()
    flux = base.get(FLUX)
    krea2 = replace(flux, id="image/krea/krea-2-medium", path="/generate/image/krea/krea-2-medium")
    catalogue = replace(base, models=(*base.models, krea2))
    sim = make_simulator(catalogue=catalogue, job_seconds=0)
    client = client_for(sim)
    job = client.generate("image/krea/krea-2-medium", {"prompt": "new model"})
    assert client.get_job(job.job_id).status == "completed"
    assert [j.job_id for j in client.list_jobs(types="k1").items] == [job.job_id]


def test_every_answer_carries_krea_s_clock_in_its_date_header(sim, client, http):
    # Like Krea's: the portal reads Krea's clock from it when no known job can tell.
    assert client.list_jobs().server_time == START.replace(microsecond=0)
    sim.advance(90.7)
    later = START.replace(microsecond=0) + timedelta(seconds=90)
    assert client.list_jobs().server_time == later
    assert http.get("/jobs/no-such-job").headers["Date"] == format_datetime(later, usegmt=True)
