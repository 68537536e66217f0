"""The Jobs page: the team's work, filtered, paged by keyset, in a fixed number of queries
(the Gallery's own tests are in tests/gallery)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studio.generation.models import JobStatus
from studio.paging import PAGE_SIZE
from tests.factories import JobFactory, OutputFactory
from tests.generation.conftest import VEO

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def job_links(page: str) -> list[str]:
    """The job uuids a list links to, in order (each row links its job twice)."""
    seen = []
    for uuid in re.findall(r'href="/jobs/([0-9a-f-]{36})/"', page):
        if uuid not in seen:
            seen.append(uuid)
    return seen


def output_links(page: str) -> list[str]:
    return re.findall(r'class="output__link" href="(/jobs/[0-9a-f-]{36}/outputs/\d+/)"', page)


# ------------------------------------------------------------------ jobs


def test_the_jobs_page_lists_the_teams_jobs_newest_first(
    client, member, other_team, outsider, team
):
    now = timezone.now()
    old = JobFactory(team=team, created_by=member, created_at=now - timedelta(hours=2))
    new = JobFactory(
        team=team, created_by=member, created_at=now - timedelta(minutes=1), status=JobStatus.FAILED
    )
    JobFactory(team=other_team, created_by=outsider, prompt="not ours")
    client.force_login(member)
    response = client.get(reverse("jobs"))
    page = response.content.decode()
    assert response.status_code == 200
    assert job_links(page) == [str(new.uuid), str(old.uuid)]
    assert "not ours" not in page
    assert ">Failed<" in page and ">Queued at Krea<" in page and "Mia Member" in page


def test_an_empty_team_is_invited_to_generate(client, member):
    client.force_login(member)
    page = client.get(reverse("jobs")).content.decode()
    assert "The team has no jobs yet." in page and f'href="{reverse("generate")}"' in page


def test_jobs_filter_by_state_model_member_dates_and_prompt(client, member, owner, team):
    now = timezone.now()
    flux_done = JobFactory(
        team=team, created_by=member, status=JobStatus.COMPLETED, params={"prompt": "a red fox"}
    )
    veo = JobFactory(
        team=team,
        created_by=member,
        model_id=VEO,
        model_name="Veo 3.1",
        params={"prompt": "a blue whale"},
    )
    by_owner = JobFactory(team=team, created_by=owner, params={"prompt": "a green owl"})
    last_week = JobFactory(
        team=team,
        created_by=member,
        created_at=now - timedelta(days=7),
        params={"prompt": "an old fox"},
    )
    client.force_login(member)

    def listed(**filters):
        return set(job_links(client.get(reverse("jobs"), filters).content.decode()))

    assert listed(status="completed") == {str(flux_done.uuid)}
    assert listed(model=VEO) == {str(veo.uuid)}
    assert listed(member=owner.pk) == {str(by_owner.uuid)}
    assert listed(q="FOX") == {str(flux_done.uuid), str(last_week.uuid)}
    day = (now - timedelta(days=7)).date().isoformat()
    assert listed(date_from=day, date_to=day) == {str(last_week.uuid)}
    assert str(last_week.uuid) not in listed(date_from=now.date().isoformat())
    assert listed(q="fox", date_from=now.date().isoformat()) == {str(flux_done.uuid)}


def test_the_filter_form_keeps_its_values_and_explains_a_backwards_range(client, member, team):
    JobFactory(team=team, created_by=member)
    client.force_login(member)
    page = client.get(
        reverse("jobs"), {"q": "lighthouse", "date_from": "2026-05-02", "date_to": "2026-05-01"}
    ).content.decode()
    assert 'name="q" value="lighthouse"' in page
    assert "The end date is before the start date." in page


@pytest.mark.parametrize("url_name", ["jobs", "gallery"])
@pytest.mark.parametrize(
    "dates",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    ],
)
def test_dates_the_portal_cannot_place_in_time_are_a_form_error(
    client, member, url_name, dates, team
):
    JobFactory(team=team, created_by=member)
    client.force_login(member)
    response = client.get(reverse(url_name), dates)
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01 and 2999-12-31." in response.content.decode()


def test_filtering_with_htmx_answers_with_the_results_alone(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    JobFactory(team=team, created_by=member)
    client.force_login(member)
    response = client.get(
        reverse("jobs"), {"status": "completed"}, HTTP_HX_TARGET="job-results", **HTMX
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="job-results"')
    assert "<html" not in page and 'role="search"' not in page
    assert job_links(page) == [str(job.uuid)]


def test_jobs_page_by_keyset_with_load_more_and_a_plain_link_fallback(client, member, team):
    moment = timezone.now() - timedelta(minutes=5)
    # Several jobs share a timestamp: the id breaks the tie, nothing is skipped or repeated.
    jobs = [
        JobFactory(team=team, created_by=member, created_at=moment - timedelta(seconds=i // 3))
        for i in range(PAGE_SIZE + 7)
    ]
    expected = [str(j.uuid) for j in sorted(jobs, key=lambda j: (j.created_at, j.id), reverse=True)]
    client.force_login(member)

    first = client.get(reverse("jobs"), {"q": "lighthouse"}).content.decode()
    assert job_links(first) == expected[:PAGE_SIZE]
    more = re.search(r'<li id="job-more".*?href="([^"]+)" hx-get="([^"]+)"', first, re.S)
    href, hx_get = more.groups()
    assert href == hx_get and "q=lighthouse" in href and "cursor=" in href
    href = href.replace("&amp;", "&")

    fragment = client.get(href, HTTP_HX_TARGET="job-more", **HTMX).content.decode()
    assert "<html" not in fragment and "<ol" not in fragment
    assert job_links(fragment) == expected[PAGE_SIZE:]
    assert 'id="job-more"' not in fragment

    plain = client.get(href).content.decode()
    assert "<html" in plain and job_links(plain) == expected[PAGE_SIZE:]


def test_a_broken_cursor_starts_from_the_top(client, member, team):
    job = JobFactory(team=team, created_by=member)
    client.force_login(member)
    page = client.get(reverse("jobs"), {"cursor": "!!not-a-cursor"}).content.decode()
    assert job_links(page) == [str(job.uuid)]


def count_queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_the_jobs_page_costs_the_same_queries_for_5_or_50_jobs(client, member, owner, team):
    def add(n):
        for i in range(n):
            job = JobFactory(
                team=team, status=JobStatus.COMPLETED, created_by=owner if i % 2 else member
            )
            OutputFactory(job=job)

    client.force_login(member)
    add(5)
    few = count_queries(client, reverse("jobs"))
    add(45)
    many = count_queries(client, reverse("jobs"))
    filtered = count_queries(client, reverse("jobs"), q="lighthouse", status="completed")
    # On PostgreSQL prompt search first reads which of its words are common in the team's
    # newest prompts (selectors.prompt_search_q): one query, whatever the number of jobs.
    sample = 1 if connection.vendor == "postgresql" else 0
    assert few == many == filtered - sample


def test_lists_need_a_team_member(client, outsider, team, member):
    JobFactory(team=team, created_by=member)
    client.force_login(outsider)
    assert job_links(client.get(reverse("jobs")).content.decode()) == []
    assert client.get(reverse("gallery")).status_code == 200
    client.logout()
    assert client.get(reverse("jobs")).status_code == 302
