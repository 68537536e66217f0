"""Listing rows are rendered once and kept (``studio.fragments``): what members see stays
exactly what a fresh rendering shows, a change to a row shows at once, and nothing of
one member's (their CSRF token, their favourites) reaches another."""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from studio.generation.models import JobStatus
from tests.factories import AssetFactory, JobFactory, MembershipFactory, StyleFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LIVE_TOKEN = re.compile(r'data-live-token="[^"]*"')
ANY_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token, wherever the page puts it


def _without_tokens(page: str) -> str:
    """The page less what differs per request anyway: CSRF tokens, the signed live token."""
    return LIVE_TOKEN.sub("", ANY_TOKEN.sub("", page))


def _page(client, name: str) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def finished_jobs(team, member):
    AssetFactory(team=team, uploaded_by=member)
    StyleFactory(team=team, trained_by=member)
    return [
        JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED, outputs=1)
        for _ in range(3)
    ]


@pytest.mark.parametrize("name", ["jobs", "gallery", "asset_library", "styles"])
def test_a_page_served_from_kept_rows_is_the_page_rendered_afresh(
    client, member, finished_jobs, name
):
    client.force_login(member)
    caches["fragments"].clear()
    fresh = _page(client, name)
    kept = _page(client, name)
    assert _without_tokens(kept) == _without_tokens(fresh)


def test_a_changed_job_shows_its_change_at_once(client, member, finished_jobs):
    client.force_login(member)
    job = finished_jobs[0]
    assert "a red kite over the fells" not in _page(client, "jobs")

    job.prompt = "a red kite over the fells"
    job.save(update_fields=["prompt"])
    member.name = "Mia Renamed"
    member.save(update_fields=["name"])

    page = _page(client, "jobs")
    assert "a red kite over the fells" in page and "Mia Renamed" in page
    assert "a red kite over the fells" in _page(client, "gallery")


def test_each_member_gets_their_own_csrf_token_and_favourites(team, member, finished_jobs):
    other = MembershipFactory(team=team, role="member").user
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(member)
    second.force_login(other)
    output = finished_jobs[0].outputs.get()
    favourite = reverse("output_favourite", args=[finished_jobs[0].uuid, output.position])

    token = TOKEN.search(_page(first, "gallery")).group(1)
    answer = first.post(favourite, {"favourite": "1", "csrfmiddlewaretoken": token})
    assert answer.status_code in (200, 302)

    mine, theirs = _page(first, "gallery"), _page(second, "gallery")
    assert mine.count('aria-pressed="true"') == 1
    assert theirs.count('aria-pressed="true"') == 0
    # The second member's forms carry a token of their own session, which it accepts.
    tokens = set(TOKEN.findall(theirs))
    assert len(tokens) == 1 and tokens != set(TOKEN.findall(mine))
    answer = second.post(favourite, {"favourite": "1", "csrfmiddlewaretoken": tokens.pop()})
    assert answer.status_code in (200, 302)


@pytest.mark.parametrize("name", ["jobs", "gallery", "asset_library"])
def test_the_kept_filters_show_each_request_s_own_values_choices_and_errors(
    client, team, member, finished_jobs, name
):
    client.force_login(member)
    url = reverse(name)

    def filters(query: str = "") -> str:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return response.content.decode().split('aria-label="Filters"')[1].split("</form>")[0]

    assert 'value="lighthouse"' in filters("q=lighthouse")
    assert 'value="harbour"' in filters("q=harbour")
    assert "lighthouse" not in filters("q=harbour")
    assert "Zoe Newcomer" not in filters()
    MembershipFactory(team=team, user__name="Zoe Newcomer")
    assert "Zoe Newcomer" in filters()  # a member, or an uploader in the asset library
    if name != "asset_library":  # which has no dates
        assert "Enter a valid date" not in filters("date_from=2026-01-01")
        assert "Enter a valid date" in filters("date_from=not-a-day")
