"""The jobs endpoints: submit, list, read, cancel, delete and download, scoped to the team."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.generation.models import Job, JobStatus
from studio.usage.services import quota_set
from tests.factories import FLUX, KREA_TOKEN, JobFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PROMPT = {"prompt": "a lighthouse at dusk"}


@pytest.fixture
def public_url(settings):
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


@pytest.fixture
def submit(api_as, member, team_with_token, django_capture_on_commit_callbacks):
    """POST /api/v1/jobs as ``member`` (or ``client``), running what the commit enqueues."""

    def _submit(body=None, client=None):
        client = client or api_as(member)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/jobs", body or {"model": FLUX, "params": PROMPT}, format="json"
            )

    return _submit


# Submit and follow one job --------------------------------------------------------------


def test_submit_poll_and_download_a_job(
    krea, submit, api_as, member, public_url, django_capture_on_commit_callbacks
):
    response = submit()
    assert response.status_code == 201, response.json()
    job = response.json()
    assert response["Location"] == f"http://testserver/api/v1/jobs/{job['id']}"
    assert job["model"] == FLUX
    assert job["params"] == PROMPT
    assert job["created_by"] == member.email
    assert job["estimate_cu"] == 3
    assert job["status"] == "pending"  # the dispatch runs after the commit
    assert job["status_text"]
    assert job["outputs"] == []
    # Krea received exactly one generate request, with our params.
    [post] = [r for r in krea.requests if r.method == "POST" and r.path.startswith("/generate/")]
    assert post.body == PROMPT

    client = api_as(member)
    with django_capture_on_commit_callbacks(execute=True):
        krea.advance(30)
    polled = client.get(response["Location"]).json()
    assert polled["status"] == "completed"
    assert polled["charged_cu"] == 3
    assert polled["finished_at"]
    [output] = polled["outputs"]
    assert output["position"] == 0
    assert output["mime_type"].startswith("image/")
    assert output["width"] and output["height"] and output["size"]
    assert output["url"] == f"http://testserver/api/v1/jobs/{job['id']}/outputs/0"

    download = client.get(output["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == output["mime_type"]
    assert len(b"".join(download.streaming_content)) == output["size"]


def test_the_job_json_never_shows_internal_ids_or_secrets(submit):
    body = submit().json()
    job = Job.objects.get()
    text = str(body)
    assert job.webhook_secret not in text
    assert job.krea_job_id not in text
    assert "krea_job_id" not in body and "team" not in body
    assert KREA_TOKEN not in text


def test_submit_without_a_krea_token_is_409(team, member, api_as):
    response = api_as(member).post("/api/v1/jobs", {"model": FLUX, "params": PROMPT}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "krea_token_missing"
    assert not Job.objects.exists()


def test_submit_invalid_params_is_400_per_field(krea, submit):
    response = submit(
        {
            "model": FLUX,
            "params": {"steps": "many", "style_images": [{"strength": 9}], "colour": "red"},
        }
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_generation"
    assert set(body["fields"]) == {"prompt", "steps", "style_images", "colour"}
    assert any("style_images[0].strength" in m for m in body["fields"]["style_images"])
    assert body["fields"]["colour"] == ["Unknown field colour."]
    assert body["error"].startswith("The request is not valid")
    assert not Job.objects.exists()
    assert not [r for r in krea.requests if r.method == "POST"]


def test_submit_an_unknown_model_is_400_naming_model(submit):
    response = submit({"model": "image/nobody/nothing", "params": PROMPT})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["model"]


def test_submit_over_the_quota_is_403_with_the_figures(team_with_token, member, submit):
    quota_set(team=team_with_token, user=member, limit_cu=Decimal(2), period="month")
    response = submit()
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "quota_exceeded"
    assert body["needed"] == 3
    assert body["left"] == 2
    assert body["scope"] == "member"
    assert body["resets_at"]
    assert "3 CU" in body["error"]
    assert not Job.objects.exists()


def test_the_team_quota_counts_every_member(team_with_token, owner, member, api_as, submit):
    quota_set(team=team_with_token, limit_cu=Decimal(4), period="day")
    assert submit(client=api_as(owner)).status_code == 201
    response = submit()
    assert response.status_code == 403
    assert response.json()["scope"] == "team"
    assert response.json()["left"] == 1


# Listing ------------------------------------------------------------------------------


def test_the_list_shows_the_team_s_jobs_newest_first(
    member, owner, outsider, other_team, api_as, team
):
    older = JobFactory(team=team, created_by=owner, status=JobStatus.COMPLETED)
    newer = JobFactory(team=team, created_by=member, outputs=2, status=JobStatus.COMPLETED)
    JobFactory(created_by=outsider, team=other_team, status=JobStatus.COMPLETED)
    response = api_as(member).get("/api/v1/jobs")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [j["id"] for j in results] == [str(newer.uuid), str(older.uuid)]
    assert [o["position"] for o in results[0]["outputs"]] == [0, 1]


def test_filters(member, owner, api_as, team):
    done = JobFactory(team=team, created_by=owner, status=JobStatus.COMPLETED)
    failed = JobFactory(team=team, created_by=member, status=JobStatus.FAILED, model_id="video/x/y")
    client = api_as(member)

    def ids(query):
        response = client.get(f"/api/v1/jobs?{query}")
        assert response.status_code == 200, response.json()
        return [j["id"] for j in response.json()["results"]]

    assert ids("status=failed") == [str(failed.uuid)]
    assert ids("model=video/x/y") == [str(failed.uuid)]
    assert ids(f"member={owner.email.upper()}") == [str(done.uuid)]
    assert ids("member=nobody@example.com") == []


def test_bad_filters_are_400(member, api_as):
    response = api_as(member).get("/api/v1/jobs?status=finished&member=not-an-email")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "member"}


def test_cursor_pagination(member, api_as, team):
    jobs = [JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED) for _ in range(5)]
    client = api_as(member)
    seen = []
    url = "/api/v1/jobs?limit=2"
    pages = 0
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [j["id"] for j in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert seen == [str(j.uuid) for j in reversed(jobs)]


def test_a_broken_cursor_is_400(member, api_as):
    response = api_as(member).get("/api/v1/jobs?cursor=garbage")
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/jobs?limit=50").status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_or_30_jobs(member, owner, api_as, team):
    client = api_as(member)
    client.get("/api/v1/usage")  # the key's first use is recorded once, not measured here
    for _ in range(5):
        JobFactory(team=team, created_by=owner, outputs=1, status=JobStatus.COMPLETED)
    five = _list_queries(client)
    for _ in range(25):
        JobFactory(team=team, created_by=member, outputs=2, status=JobStatus.COMPLETED)
    thirty = _list_queries(client)
    assert five == thirty
    assert thirty <= 5


# One job ------------------------------------------------------------------------------


def test_read_one_job(member, owner, api_as, team):
    job = JobFactory(team=team, created_by=owner, outputs=1, status=JobStatus.COMPLETED)
    body = api_as(member).get(f"/api/v1/jobs/{job.uuid}").json()
    assert body["id"] == str(job.uuid)
    assert body["created_by"] == owner.email
    assert body["status"] == "completed" and body["status_text"] == "Completed"


def test_an_unknown_job_is_404(member, api_as):
    response = api_as(member).get(f"/api/v1/jobs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_another_team_s_job_and_output_are_404(other_team, outsider, member, api_as, client, team):
    job = JobFactory(team=team, created_by=member, outputs=1, status=JobStatus.COMPLETED)
    foreign = api_as(outsider)
    for request in (
        lambda c: c.get(f"/api/v1/jobs/{job.uuid}"),
        lambda c: c.get(f"/api/v1/jobs/{job.uuid}/outputs/0"),
        lambda c: c.post(f"/api/v1/jobs/{job.uuid}/cancel"),
        lambda c: c.delete(f"/api/v1/jobs/{job.uuid}"),
    ):
        response = request(foreign)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "in your team" in response.json()["error"]
    assert foreign.get("/api/v1/jobs").json()["results"] == []
    # By session too.
    client.force_login(outsider)
    assert client.get(f"/api/v1/jobs/{job.uuid}").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.uuid}/outputs/0").status_code == 404
    assert Job.objects.filter(pk=job.pk).exists()


def test_a_key_works_in_its_own_team_only(member, other_team, make_key, api_as, team):
    """A member of two teams: each key sees its own team's jobs, whatever the session says."""
    MembershipFactory(team=other_team, user=member)
    here = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    there = JobFactory(created_by=member, team=other_team, status=JobStatus.COMPLETED)
    client = api_as(member, key=make_key(member, other_team))
    assert client.get(f"/api/v1/jobs/{here.uuid}").status_code == 404
    assert client.get(f"/api/v1/jobs/{there.uuid}").status_code == 200


# Outputs ------------------------------------------------------------------------------


def test_download_an_output(member, api_as, team):
    job = JobFactory(team=team, created_by=member, outputs=2, status=JobStatus.COMPLETED)
    response = api_as(member).get(f"/api/v1/jobs/{job.uuid}/outputs/1", HTTP_ACCEPT="image/*")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    with job.outputs.get(position=1).file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    attachment = api_as(member).get(f"/api/v1/jobs/{job.uuid}/outputs/1?download=1")
    assert attachment["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "download, attached",
    [("true", True), ("1", True), ("false", False), ("0", False), (None, False)],
)
def test_download_says_inline_or_attachment(member, api_as, download, attached, team):
    job = JobFactory(team=team, created_by=member, outputs=1, status=JobStatus.COMPLETED)
    query = f"?download={download}" if download is not None else ""
    response = api_as(member).get(f"/api/v1/jobs/{job.uuid}/outputs/0{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment" if attached else "inline")


@pytest.mark.parametrize("query", ["download=null", "download=", "download=yes-please"])
def test_a_meaningless_download_value_is_400(member, api_as, query, team):
    job = JobFactory(team=team, created_by=member, outputs=1, status=JobStatus.COMPLETED)
    response = api_as(member).get(f"/api/v1/jobs/{job.uuid}/outputs/0?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["download"]


def test_a_missing_output_is_404_json_even_for_an_image_client(member, api_as, team):
    job = JobFactory(team=team, created_by=member, outputs=1, status=JobStatus.COMPLETED)
    response = api_as(member).get(f"/api/v1/jobs/{job.uuid}/outputs/5", HTTP_ACCEPT="image/png")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Cancel and delete --------------------------------------------------------------------


def test_cancel_a_running_job(krea, submit, api_as, member, django_capture_on_commit_callbacks):
    job = submit().json()
    client = api_as(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert response.status_code == 202, response.json()
    assert response.json()["cancel_requested"] is True
    assert [r for r in krea.requests if r.method == "DELETE"]
    after = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert after["status"] == "cancelled"
    assert after["cancel_requested"] is False


def test_a_cancel_krea_finishes_anyway_ends_completed_and_charged_what_krea_billed(
    krea, submit, api_as, member, public_url, django_capture_on_commit_callbacks
):
    krea.configure_account(KREA_TOKEN, cancel_mode="finish-late")
    credits = krea.credits(KREA_TOKEN)
    job = submit().json()
    krea.advance(3)  # sampling: too late to stop in this mode
    client = api_as(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert response.status_code == 202
    during = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert (during["status"], during["cancel_requested"]) == ("sampling", True)

    with django_capture_on_commit_callbacks(execute=True):
        krea.advance(10)  # Krea finishes it and calls back
    after = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert (after["status"], after["cancel_requested"]) == ("completed", False)
    assert Decimal(str(after["charged_cu"])) == credits - krea.credits(KREA_TOKEN) > 0
    assert len(after["outputs"]) == 1


def test_cancel_a_job_whose_send_outcome_is_unknown_is_recorded(member, api_as, team):
    # Krea may or may not have the job: the cancel waits until Krea's job list tells.
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.SUBMITTING,
        submitted_at=timezone.now(),
        krea_job_id="",
        needs_attention=True,
    )
    response = api_as(member).post(f"/api/v1/jobs/{job.uuid}/cancel")
    assert response.status_code == 202, response.json()
    assert response.json()["cancel_requested"] is True
    job.refresh_from_db()
    assert job.cancel_requested_at is not None and job.status == JobStatus.SUBMITTING


def test_cancel_a_finished_job_is_409(member, api_as, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    response = api_as(member).post(f"/api/v1/jobs/{job.uuid}/cancel")
    assert response.status_code == 409
    assert response.json() == {
        "error": "This job is completed and cannot be cancelled.",
        "code": "job_not_cancellable",
    }


def test_delete_a_finished_job(member, api_as, team):
    job = JobFactory(team=team, created_by=member, outputs=1, status=JobStatus.COMPLETED)
    response = api_as(member).delete(f"/api/v1/jobs/{job.uuid}")
    assert response.status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()


def test_delete_a_running_job_is_409(member, api_as, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    response = api_as(member).delete(f"/api/v1/jobs/{job.uuid}")
    assert response.status_code == 409
    assert response.json()["code"] == "job_still_running"
    assert Job.objects.filter(pk=job.pk).exists()


def test_a_member_cannot_cancel_or_delete_someone_else_s_job(member, owner, api_as, team):
    job = JobFactory(team=team, created_by=owner, status=JobStatus.PENDING)
    client = api_as(member)
    for response in (
        client.post(f"/api/v1/jobs/{job.uuid}/cancel"),
        client.delete(f"/api/v1/jobs/{job.uuid}"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert "owners and admins" in response.json()["error"]
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_an_admin_may_cancel_and_delete_anyone_s_job(member, admin, api_as, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PENDING)
    client = api_as(admin)
    assert client.post(f"/api/v1/jobs/{job.uuid}/cancel").json()["status"] == "cancelled"
    assert client.delete(f"/api/v1/jobs/{job.uuid}").status_code == 204


def test_a_deprecated_alias_is_renamed_for_krea_and_the_response_says_so(krea, submit):
    # Krea (and the simulator, on today's clock) refuses aspectRatio since 2026-06-19.
    params = {"prompt": "a kite", "aspectRatio": "9:16"}

    response = submit({"model": "video/kling/kling-2.6", "params": params})
    plain = submit({"model": FLUX, "params": PROMPT})

    assert response.status_code == 201, response.json()
    job = response.json()
    assert job["params"] == {"prompt": "a kite", "aspect_ratio": "9:16"}
    [warning] = job["warnings"]
    assert warning.startswith("aspectRatio is a deprecated name of aspect_ratio (Krea stopped")
    assert "send aspect_ratio instead" in warning
    [post, _] = [r for r in krea.requests if r.method == "POST" and r.path.startswith("/generate/")]
    assert post.body == {"prompt": "a kite", "aspect_ratio": "9:16"}
    assert Job.objects.get(uuid=job["id"]).status != JobStatus.FAILED
    assert "warnings" not in plain.json()
