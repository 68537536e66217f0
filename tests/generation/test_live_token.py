"""The cheap "nothing changed" answer of the live endpoint.

Open pages ask every 0.25 s while a job they follow is in flight, so the usual answer
(nothing changed) must cost next to nothing: with the page's live token (signed for
the member's team by an answer that checked the session) it is an empty 204 from one
cache read, without the session, the user or the membership. Anything the token does
not vouch for goes through the full, session-checked answer.
"""

import re
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from studio.generation import live
from studio.generation.live import LIVE_TOKEN_SECONDS, TOKEN_HEADER
from studio.generation.models import JobStatus
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db

LIVE = reverse("live_events")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_token(tab: Client) -> str:
    """The live token the member's pages carry."""
    page = tab.get(reverse("jobs")).content.decode()
    return re.search(r'data-live-token="([^"]+)"', page).group(1)


def krea_gets(krea, job) -> int:
    return sum(
        1 for r in krea.requests if r.method == "GET" and r.path == f"/jobs/{job.krea_job_id}"
    )


def test_nothing_changed_with_the_page_token_costs_no_query_and_no_session(
    member, team, django_assert_num_queries
):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    tab = browser(member)
    token = page_token(tab)
    version = tab.get(LIVE).json()["version"]
    with django_assert_num_queries(0):
        response = tab.get(LIVE, {"v": version, "t": token, "follow": str(job.uuid)})
    assert response.status_code == 204 and response.content == b""
    assert "Cookie" not in response.get("Vary", "")  # the session was not even read


def a_change(team, capture) -> None:
    """One of the team's jobs changed (the services tell the pages after the commit)."""
    with capture(execute=True):
        live.team_changed(team.pk)


def test_the_token_alone_answers_only_nothing_changed(
    member, team, django_capture_on_commit_callbacks
):
    token = page_token(browser(member))
    stranger = Client()  # no session: the token is all it has
    version = browser(member).get(LIVE).json()["version"]
    assert stranger.get(LIVE, {"v": version, "t": token}).status_code == 204
    a_change(team, django_capture_on_commit_callbacks)  # the answer would name jobs now
    response = stranger.get(LIVE, {"v": version, "t": token})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_forged_or_expired_token_goes_through_the_session_checked_answer(member):
    tab = browser(member)
    token = page_token(tab)
    version = tab.get(LIVE).json()["version"]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(LIVE, {"v": version, "t": forged}).status_code == 302
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 60):
        assert Client().get(LIVE, {"v": version, "t": token}).status_code == 204
    later = time.time() + LIVE_TOKEN_SECONDS + 1
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert Client().get(LIVE, {"v": version, "t": token}).status_code == 302
        renewed = tab.get(LIVE, {"v": version, "t": token})  # the member's page renews it
        assert renewed.status_code == 204 and renewed[TOKEN_HEADER]
        assert Client().get(LIVE, {"v": version, "t": renewed[TOKEN_HEADER]}).status_code == 204


def test_a_change_is_answered_with_the_jobs_and_a_fresh_token(
    member, team, django_capture_on_commit_callbacks
):
    tab = browser(member)
    token = page_token(tab)
    version = tab.get(LIVE).json()["version"]
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    a_change(team, django_capture_on_commit_callbacks)
    answer = tab.get(LIVE, {"v": version, "t": token}).json()
    assert answer["version"] != version and answer["token"]
    assert [j["uuid"] for j in answer["newest"]] == [str(job.uuid)]


def test_a_running_job_on_screen_is_still_refreshed_through_the_cheap_answer(submit, krea, member):
    job = submit()
    tab = browser(member)
    token = page_token(tab)
    version = tab.get(LIVE).json()["version"]
    sent = krea_gets(krea, job)
    krea.advance(2)
    for _ in range(3):
        tab.get(LIVE, {"v": version, "t": token, "watch": str(job.uuid)})
    assert krea_gets(krea, job) == sent + 1  # once per 3 s, however often it asks
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING


def test_a_token_of_one_team_tells_nothing_of_another(member, outsider, other_team):
    token = page_token(browser(member))
    their_version = browser(outsider).get(LIVE).json()["version"]
    # The member's token names the member's team: another team's version never matches.
    response = Client().get(LIVE, {"v": their_version, "t": token})
    assert response.status_code == 302
