"""POST /api/v1/batches: the workspace's "Generate xN" and seed lock for API clients. A batch
is 1 to 4 jobs of one request, each with its own seed, reserved together or refused as a
whole; an Idempotency-Key retry answers the same batch."""

import uuid
from decimal import Decimal

import pytest

from studio.generation.models import Job, JobStatus
from studio.usage.models import EntryKind, UsageEntry
from studio.usage.services import quota_set
from studio.webhooks import targets
from studio.webhooks.models import JobCallback
from tests.factories import FLUX, JobFactory
from tests.generation.conftest import VEO

pytestmark = pytest.mark.django_db

PROMPT = {"prompt": "a lighthouse at dusk"}


@pytest.fixture
def client(api_as, member, team_with_token):
    return api_as(member)


def create(client, key=None, **body):
    body = {"model": FLUX, "params": PROMPT, **body}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/batches", body, format="json", **headers)


def reserves():
    return UsageEntry.objects.filter(kind=EntryKind.RESERVE)


def test_a_batch_of_three_is_three_reserved_jobs_with_their_own_random_seeds(client, member):
    response = create(client, count=3)

    assert response.status_code == 201, response.json()
    batch = response.json()
    assert response["Location"] == f"http://testserver/api/v1/batches/{batch['id']}"
    assert (batch["model"], batch["count"], batch["seed_locked"]) == (FLUX, 3, False)
    assert batch["varies_on_its_own"] is False
    jobs = batch["jobs"]
    seeds = [job["params"]["seed"] for job in jobs]
    assert len(set(seeds)) == 3
    assert all(job["batch"] == batch["id"] for job in jobs)
    assert all(job["params"]["prompt"] == PROMPT["prompt"] for job in jobs)
    assert all(job["created_by"] == member.email and job["estimate_cu"] == 3 for job in jobs)
    # Each job is its own, reserved on its own, and reachable alone.
    stored = Job.objects.filter(uuid__in=[job["id"] for job in jobs])
    assert stored.count() == 3 and {str(j.batch) for j in stored} == {batch["id"]}
    assert sorted(reserves().values_list("job_id", flat=True)) == sorted(j.pk for j in stored)
    one = client.get(f"/api/v1/jobs/{jobs[1]['id']}").json()
    assert one["batch"] == batch["id"] and one["params"]["seed"] == seeds[1]

    # The batch follows its jobs, first first.
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert [job["id"] for job in again.json()["jobs"]] == [job["id"] for job in jobs]


def test_a_locked_seed_starts_the_batch_and_the_others_count_up(client):
    response = create(client, count=3, seed_locked=True, params={**PROMPT, "seed": 41})
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["seed_locked"] is True
    assert [job["params"]["seed"] for job in batch["jobs"]] == [41, 42, 43]


def test_a_locked_batch_without_a_seed_draws_one_and_keeps_counting_up(client):
    batch = create(client, count=2, seed_locked=True).json()
    first, second = (job["params"]["seed"] for job in batch["jobs"])
    assert isinstance(first, int) and second == first + 1


def test_a_seed_without_the_lock_is_refused_naming_the_field(client):
    response = create(client, count=2, params={**PROMPT, "seed": 41})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "seed_locked" in body["fields"] and "seed" in body["fields"]["seed_locked"][0]
    assert not Job.objects.exists()


@pytest.mark.parametrize("count", [0, 5, "many", None])
def test_a_count_outside_one_to_four_is_refused_naming_it(client, count):
    body = {} if count is None else {"count": count}
    response = create(client, **body)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["count"]
    assert not Job.objects.exists()


def test_a_batch_over_the_quota_is_refused_as_a_whole_naming_count(client, team_with_token, member):
    quota_set(team=team_with_token, user=member, limit_cu=Decimal(10), period="month")
    response = create(client, count=4)  # 4 x 3 CU

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "quota_exceeded"
    assert (body["needed"], body["left"], body["scope"]) == (12, 10, "member")
    assert "needs 12 CU" in body["fields"]["count"][0]
    assert not Job.objects.exists() and not reserves().exists()
    assert create(client, count=3).status_code == 201  # 9 CU fit
    assert reserves().count() == 3


def test_a_model_without_a_seed_runs_the_same_parameters_and_says_so(client):
    response = create(client, model=VEO, count=2, params={"prompt": "a whale"})
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["varies_on_its_own"] is True and batch["seed_locked"] is False
    assert [job["params"] for job in batch["jobs"]] == [batch["jobs"][0]["params"]] * 2
    assert "seed" not in batch["jobs"][0]["params"]


def test_invalid_params_are_refused_before_any_job(client):
    response = create(client, count=2, params={"prompt": "x", "steps": "many"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_generation"
    assert "steps" in response.json()["fields"]
    assert not Job.objects.exists()


def test_a_retry_with_the_same_key_answers_the_same_batch(client):
    first = create(client, key="batch-1", count=4)
    again = create(client, key="batch-1", count=4)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 4 and reserves().count() == 4
    other = create(client, key="batch-1", count=3)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Job.objects.count() == 4


def test_a_callback_url_is_set_on_every_job_of_the_batch(client, monkeypatch):
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.215.14"])  # no DNS here
    response = create(client, count=2, callback_url="https://hooks.example.com/done")
    assert response.status_code == 201, response.json()
    ids = [job["id"] for job in response.json()["jobs"]]
    callbacks = JobCallback.objects.filter(job__uuid__in=ids)
    assert sorted(c.url for c in callbacks) == ["https://hooks.example.com/done"] * 2


def test_another_teams_batch_does_not_exist(client, other_team, outsider):
    theirs = JobFactory(team=other_team, created_by=outsider, batch=uuid.uuid4())
    assert client.get(f"/api/v1/batches/{theirs.batch}").status_code == 404
    assert client.get(f"/api/v1/batches/{uuid.uuid4()}").status_code == 404


def test_a_team_without_a_token_cannot_start_a_batch(api_as, member, team):
    response = create(api_as(member), count=2)
    assert response.status_code == 409
    assert response.json()["code"] == "krea_token_missing"
    assert not Job.objects.exists()


def test_a_workspace_batch_can_be_followed_through_the_api(client, member, team_with_token):
    batch = uuid.uuid4()
    for _ in range(2):
        JobFactory(team=team_with_token, created_by=member, batch=batch, status=JobStatus.COMPLETED)
    body = client.get(f"/api/v1/batches/{batch}").json()
    assert body["count"] == 2 and {job["status"] for job in body["jobs"]} == {"completed"}


def test_the_schema_describes_the_batch_its_seed_rule_and_refusals(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/batches"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][request.rsplit("/", 1)[-1]]
    assert body["properties"]["count"]["minimum"] == 1
    assert body["properties"]["count"]["maximum"] == 4
    assert "count" in body["required"] and "model" in body["required"]
    assert "seed_locked" not in body.get("required", [])
    assert "count up" in body["properties"]["seed_locked"]["description"]
    assert {"201", "400", "403", "409", "422"} <= set(operation["responses"])
    assert "fields.count" in operation["responses"]["403"]["description"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    batch = schema["components"]["schemas"][created.rsplit("/", 1)[-1]]
    assert {"id", "count", "seed_locked", "varies_on_its_own", "jobs"} <= set(batch["properties"])
    job = schema["components"]["schemas"]["Job"]
    assert job["properties"]["batch"]["nullable"] is True
