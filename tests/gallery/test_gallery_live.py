"""New outputs reach the open gallery without a reload (live.js, docs/architecture.md).

The whole gallery knows the team's newest jobs and keeps a hidden slot for each one still
running or having its files copied: the slot follows the job like a Jobs row does, and
is fetched again when it changes, coming back as the job's tiles once its files are in.
"""

import re

import pytest
from django.urls import reverse

from studio.generation.models import JobStatus
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def tiles_url(job) -> str:
    return reverse("gallery_job_tiles", args=[job.uuid])


def test_the_gallery_knows_the_newest_jobs_and_follows_the_running_ones(client, member, team):
    done = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED, outputs=1)
    running = JobFactory(team=team, created_by=member, status=JobStatus.SAMPLING)
    client.force_login(member)
    page = client.get(reverse("gallery")).content.decode()
    known = re.search(r'data-live-gallery="([^"]*)"', page).group(1).split(",")
    assert known == [str(running.uuid), str(done.uuid)]
    slot = re.search(r"<li class=\"tile-slot\"[^>]*>", page).group(0)
    assert f'data-live-job="{running.uuid}"' in slot and "hidden" in slot
    assert "data-live-follow" in slot and "data-live-active" not in slot  # not a watch
    assert f'hx-get="{tiles_url(running)}"' in slot and 'hx-trigger="studio:changed"' in slot
    assert page.count('class="tile"') + page.count('class="tile ') == 1  # the finished one


def test_an_empty_gallery_still_takes_new_outputs(client, member):
    client.force_login(member)
    page = client.get(reverse("gallery")).content.decode()
    assert 'id="gallery-list"' in page and 'data-live-gallery=""' in page
    assert "data-live-empty" in page and "No images or videos yet" in page


def test_a_filtered_gallery_or_a_later_page_takes_none(client, member, team):
    JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED, outputs=1)
    client.force_login(member)
    assert (
        "data-live-gallery"
        not in client.get(reverse("gallery"), {"kind": "video"}).content.decode()
    )
    later = client.get(reverse("gallery"), {"cursor": "x"}, **HTMX).content.decode()
    assert "data-live-gallery" not in later


def test_a_job_still_running_answers_its_slot_and_a_finished_one_its_tiles(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    client.force_login(member)
    slot = client.get(tiles_url(job), **HTMX).content.decode()
    assert f'id="gallery-job-{job.uuid}"' in slot and "data-live-follow" in slot
    assert "data-pswp-src" not in slot

    finished = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED, outputs=2)
    answer = client.get(tiles_url(finished), **HTMX).content.decode()
    assert answer.count("data-pswp-src=") == 2  # PhotoSwipe opens them like the others
    assert reverse("output_thumbnail", args=[finished.uuid, 0]) in answer
    assert "data-live-job" not in answer


def test_a_job_that_failed_leaves_nothing_behind(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.FAILED, error="No.")
    client.force_login(member)
    assert client.get(tiles_url(job), **HTMX).content.decode().strip() == ""


def test_another_teams_job_is_a_404(client, member, other_team, outsider):
    theirs = JobFactory(team=other_team, created_by=outsider, status=JobStatus.COMPLETED, outputs=1)
    client.force_login(member)
    assert client.get(tiles_url(theirs), **HTMX).status_code == 404
