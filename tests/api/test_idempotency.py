"""Idempotency-Key: a retried POST answers again without running again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studio.api.models import IdempotencyKey
from studio.api.services import idempotency_keys_expire
from studio.api.worker import expire_idempotency_keys
from studio.generation.models import Job, JobStatus
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import FLUX

pytestmark = pytest.mark.django_db

BODY = {"model": FLUX, "params": {"prompt": "a lighthouse at dusk"}}


@pytest.fixture
def client(api_as, member, team_with_token):
    return api_as(member)


def _post(client, body=BODY, key="retry-1", path="/api/v1/jobs"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_creation_makes_one_job_and_answers_the_same(client):
    first = _post(client)
    again = _post(client)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Job.objects.count() == 1
    assert UsageEntry.objects.filter(kind=EntryKind.RESERVE).count() == 1


def test_the_same_json_in_another_key_order_is_the_same_request(client):
    first = _post(client)
    reordered = client.post(
        "/api/v1/jobs",
        '{"params": {"prompt": "a lighthouse at dusk"},   "model": "' + FLUX + '"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="retry-1",
    )
    assert reordered.json() == first.json()
    assert Job.objects.count() == 1


def test_another_body_with_the_same_key_is_refused_and_runs_nothing(client):
    _post(client)
    other = _post(client, body={"model": FLUX, "params": {"prompt": "a forest"}})

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "different body" in other.json()["error"]
    assert Job.objects.count() == 1


def test_the_same_key_on_another_endpoint_names_the_first_one(client):
    _post(client)
    job = Job.objects.get()
    other = _post(client, body={}, path=f"/api/v1/jobs/{job.uuid}/cancel")

    assert other.status_code == 422
    assert "POST /api/v1/jobs" in other.json()["error"]
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING  # not cancelled


def test_keys_belong_to_the_api_key(client, api_as, member):
    _post(client)
    second_key = api_as(member)
    assert _post(second_key).status_code == 201
    assert Job.objects.count() == 2


def test_without_the_header_each_post_runs(client):
    client.post("/api/v1/jobs", BODY, format="json")
    client.post("/api/v1/jobs", BODY, format="json")
    assert Job.objects.count() == 2


def test_a_refusal_is_replayed_too(client):
    bad = {"model": "image/nobody/nothing", "params": {}}
    first = _post(client, body=bad)
    again = _post(client, body=bad)
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_server_error_keeps_nothing_so_the_retry_runs(client, monkeypatch):
    from studio.generation import services

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "generation_submit", broken)
    client.raise_request_exception = False
    assert _post(client).status_code == 500
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert _post(client).status_code == 201


def test_while_the_first_request_runs_a_retry_gets_409(client, member):
    from studio.api.services import idempotency_key_claim

    first = _post(client, key="other")  # a real job, to own an API key row
    assert first.status_code == 201
    api_key = IdempotencyKey.objects.get().api_key
    idempotency_key_claim(
        api_key=api_key,
        key="running",
        method="POST",
        path="/api/v1/jobs",
        request_digest=IdempotencyKey.objects.get().request_digest,
    )
    response = _post(client, key="running")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert Job.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "problem"), [("", "non-empty"), ("é", "ASCII"), ("x" * 256, "255")]
)
def test_a_malformed_key_is_a_400_naming_the_header(client, key, problem):
    response = _post(client, key=key)
    assert response.status_code == 400
    assert problem in response.json()["fields"]["Idempotency-Key"][0]
    assert Job.objects.count() == 0


def test_keys_expire_after_24_hours_and_the_beat_task_removes_them(client):
    _post(client)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    # An expired key is free again: the same request runs anew.
    assert "Idempotent-Replayed" not in _post(client)
    assert Job.objects.count() == 2

    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert expire_idempotency_keys() == 1
    assert not IdempotencyKey.objects.exists()
    assert idempotency_keys_expire() == 0


def test_the_schema_documents_the_header_on_every_post(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert len(posts) >= 5
    for operation in posts:
        assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        assert {"409", "422"} <= set(operation["responses"])
