"""Live updates: the events endpoint open pages poll, and the refresh of watched jobs.

A member's page asks about once a second what changed; running jobs on screen are
refreshed from Krea by a task, at most every 3 s per job whoever watches them.
"""

import time
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studio.generation.live import WATCH_REFRESH_SECONDS
from studio.generation.models import JobStatus
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db

LIVE = reverse("live_events")


def krea_gets(krea, job) -> int:
    """GET /jobs/{id} calls Krea received for ``job``."""
    return sum(
        1 for r in krea.requests if r.method == "GET" and r.path == f"/jobs/{job.krea_job_id}"
    )


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def later(seconds: float):
    """The cache's clock, ``seconds`` from now (the watch lock expires by it)."""
    now = time.time() + seconds
    return mock.patch("django.core.cache.backends.locmem.time.time", return_value=now)


def test_a_watched_job_is_refreshed_from_krea_at_most_every_3_seconds_whoever_watches(
    submit, krea, owner, member
):
    job = submit()
    assert job.status == JobStatus.QUEUED and job.krea_job_id
    sent = krea_gets(krea, job)
    tabs = [browser(owner), browser(member), browser(member)]  # two members, three tabs
    krea.advance(2)  # processing at Krea
    for _ in range(3):
        for tab in tabs:
            assert tab.get(LIVE, {"watch": str(job.uuid)}).status_code == 200
    assert krea_gets(krea, job) == sent + 1  # one refresh for nine looks
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING

    krea.advance(2)
    with later(WATCH_REFRESH_SECONDS + 0.1):
        for tab in tabs:
            tab.get(LIVE, {"watch": str(job.uuid)})
    assert krea_gets(krea, job) == sent + 2
    job.refresh_from_db()
    assert job.status == JobStatus.SAMPLING


def test_a_job_nobody_watches_is_not_refreshed_by_open_pages(submit, krea, member):
    job = submit()
    sent = krea_gets(krea, job)
    tab = browser(member)
    krea.advance(2)
    for _ in range(3):
        assert tab.get(LIVE).status_code == 200
    assert krea_gets(krea, job) == sent
    assert type(job).objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_nothing_changed_is_an_empty_answer_that_reads_no_job(member, team):
    JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    tab = browser(member)
    version = tab.get(LIVE).json()["version"]
    with CaptureQueriesContext(connection) as queries:
        response = tab.get(LIVE, {"v": version})
    assert response.status_code == 204 and response.content == b""
    assert not [q for q in queries if "generation_job" in q["sql"]]


def test_a_change_gives_a_new_version_and_the_state_the_page_compares(
    submit, krea, member, owner, django_capture_on_commit_callbacks
):
    tab = browser(member)
    version = tab.get(LIVE).json()["version"]
    job = submit()  # created (the API submits through the same service), sent, queued
    answer = tab.get(LIVE, {"v": version}).json()
    assert answer["version"] != version
    assert [j["uuid"] for j in answer["newest"]] == [str(job.uuid)]
    assert answer["newest"][0]["url"] == reverse("job_detail", args=[job.uuid])
    (mine,) = answer["jobs"]  # the member's running job, without being asked for it
    assert mine["uuid"] == str(job.uuid) and mine["mine"] and not mine["terminal"]
    assert mine["label"] == "Queued at Krea" and mine["tone"] == "busy"

    # The row the Jobs page shows carries the same state, so it is up to date.
    page = tab.get(reverse("jobs")).content.decode()
    assert f'data-live-state="{mine["state"]}"' in page
    assert f'id="job-row-{job.uuid}"' in page and "data-live-list" in page

    # The owner's view of it: not theirs, so no toast on their page.
    assert browser(owner).get(LIVE, {"watch": str(job.uuid)}).json()["jobs"][0]["mine"] is False


def test_a_finished_job_of_the_member_is_reported_once_its_files_are_in(
    public_url, submit, krea, member, django_capture_on_commit_callbacks
):
    tab = browser(member)
    job = submit()
    version = tab.get(LIVE).json()["version"]
    with django_capture_on_commit_callbacks(execute=True):
        krea.advance(60)  # completed: Krea's webhook, the confirmation, the files
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED and job.outputs.count() == 1
    answer = tab.get(LIVE, {"v": version, "mine": str(job.uuid)}).json()
    (done,) = answer["jobs"]
    assert done["terminal"] and done["label"] == "Completed" and done["tone"] == "ok"
    assert done["state"].startswith("completed.1.")  # one output: the row shows it
    assert tab.get(LIVE, {"v": answer["version"]}).status_code == 204


def test_another_teams_jobs_are_neither_refreshed_nor_reported(submit, krea, outsider):
    job = submit()
    sent = krea_gets(krea, job)
    tab = browser(outsider)
    krea.advance(2)
    answer = tab.get(LIVE, {"watch": str(job.uuid), "mine": str(job.uuid)}).json()
    assert answer["jobs"] == [] and answer["newest"] == []
    assert krea_gets(krea, job) == sent


@pytest.mark.parametrize("name", ["watch", "follow", "mine"])
def test_a_bad_job_id_is_a_400_naming_the_field(member, name):
    response = browser(member).get(LIVE, {name: "not-a-uuid"})
    assert response.status_code == 400
    assert "job ids" in response.json()[name]


def test_the_events_need_a_logged_in_member(client):
    response = client.get(LIVE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_live_list_fetches_one_row_of_a_job(member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.SAMPLING)
    response = browser(member).get(
        reverse("job_detail", args=[job.uuid]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"job-row-{job.uuid}",
    )
    row = response.content.decode().strip()
    assert row.startswith(f'<li class="job-row" id="job-row-{job.uuid}"')
    assert ">Sampling<" in row and "data-live-active" in row
    assert 'hx-trigger="studio:changed"' in row


def test_a_running_card_follows_the_job_live_instead_of_polling(member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    card = (
        browser(member)
        .get(reverse("job_detail", args=[job.uuid]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert f'data-live-job="{job.uuid}"' in card and "data-live-active" in card
    assert 'hx-trigger="studio:changed"' in card and "every" not in card


def test_a_filtered_jobs_list_does_not_take_new_jobs(member, team):
    JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    page = browser(member).get(reverse("jobs"), {"status": "completed"}).content.decode()
    assert "data-live-list" not in page


def test_a_completed_card_shows_krea_s_image_while_the_portal_copies_it(settings, member, team):
    settings.KREA_DOWNLOAD_HOSTS = [".krea.ai"]
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.COMPLETED,
        result_urls=["https://gen.krea.ai/result.png", "https://elsewhere.example/x.png"],
        finished_at=timezone.now(),
    )
    card = (
        browser(member)
        .get(reverse("job_detail", args=[job.uuid]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'src="https://gen.krea.ai/result.png"' in card
    assert "elsewhere.example" not in card  # only from the hosts outputs come from
    assert "Copying the files" in card and "data-live-follow" in card


def test_the_newest_jobs_say_which_are_the_members_own(submit, member, owner):
    job = submit()  # by member
    assert browser(member).get(LIVE).json()["newest"][0] == {
        "uuid": str(job.uuid),
        "url": reverse("job_detail", args=[job.uuid]),
        "mine": True,  # followed even if it ends before a page sees it running
    }
    assert browser(owner).get(LIVE).json()["newest"][0]["mine"] is False
