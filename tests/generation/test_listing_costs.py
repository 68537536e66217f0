"""Listing pages cost the same however long the team's history (issue 15).

Every listing page (Jobs, Gallery, the asset library, the team's tab of the Styles
page) answers in as many queries for a handful of rows as for many, with each of its
filters; the model filter lists what the team used without reading every job; prompt
search finds the same jobs on SQLite and on PostgreSQL, where a trigram index serves it.
"""

import re
from datetime import timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studio.generation import selectors
from studio.generation.forms import JobFilterForm
from studio.generation.models import Job, JobStatus
from tests.factories import FLUX, AssetFactory, JobFactory, OutputFactory, StyleFactory
from tests.generation.conftest import VEO

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_job(team, member):
    """A job of ``team``, by ``member`` unless ``created_by`` is given."""

    def _make(**fields):
        return JobFactory(**{"team": team, "created_by": member, **fields})

    return _make


def queries_for(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params)
    return len(queries)


@pytest.fixture
def add_jobs(make_job, member, owner):
    """Add ``n`` finished jobs of two members and three models, each with an output."""
    made = {"n": 0}

    def _add(n: int) -> None:
        for _ in range(n):
            made["n"] += 1
            i = made["n"]
            model_id, name = [(FLUX, "Flux"), (VEO, "Veo"), ("image/old/retired", "Old one")][i % 3]
            job = make_job(
                model_id=model_id,
                model_name=name,
                status=JobStatus.FAILED if i % 4 == 0 else JobStatus.COMPLETED,
                created_by=owner if i % 2 else member,
                created_at=timezone.now() - timedelta(minutes=i),
            )
            if job.status == JobStatus.COMPLETED:
                OutputFactory(job=job)

    return _add


@pytest.mark.parametrize("page", ["jobs", "gallery"])
def test_jobs_and_gallery_cost_the_same_queries_with_3_or_40_jobs_whatever_the_filter(
    client, member, owner, add_jobs, page
):
    filters = [
        {},
        {"status": "completed"},
        {"model": VEO},
        {"member": str(owner.pk)},
        {"q": "lighthouse"},
        {"date_from": timezone.localdate().isoformat()},
    ]
    client.force_login(member)
    add_jobs(3)
    few = [queries_for(client, reverse(page), **f) for f in filters]
    add_jobs(37)
    many = [queries_for(client, reverse(page), **f) for f in filters]
    assert few == many
    if page == "gallery":
        # Unfiltered (a state is no gallery filter), the whole gallery also reads the
        # team's newest jobs, to add their outputs live: one query, whatever the number.
        many = [n - (f.keys() <= {"status"}) for n, f in zip(many, filters, strict=True)]
    if connection.vendor == "postgresql":
        # There prompt search first reads which of its words are common in the team's
        # newest prompts (selectors.prompt_search_q): one query, whatever the number.
        many = [n - ("q" in f) for n, f in zip(many, filters, strict=True)]
    assert len(set(many)) == 1, "a filter adds a query"


def test_the_next_page_of_jobs_costs_what_the_first_does(client, member, add_jobs):
    client.force_login(member)
    add_jobs(60)
    first = client.get(reverse("jobs"))
    cursor = re.search(r'href="/jobs/\?cursor=([^"&]+)"', first.content.decode()).group(1)
    assert queries_for(client, reverse("jobs")) == queries_for(
        client, reverse("jobs"), cursor=cursor
    )


def test_the_asset_library_costs_the_same_queries_with_3_or_40_assets(client, member, team):
    client.force_login(member)
    AssetFactory.create_batch(3, team=team, uploaded_by=member)
    few = [queries_for(client, reverse("asset_library"), **f) for f in ({}, {"q": "picture"})]
    AssetFactory.create_batch(37, team=team, uploaded_by=member)
    many = [queries_for(client, reverse("asset_library"), **f) for f in ({}, {"q": "picture"})]
    assert few == many


def test_the_teams_styles_tab_costs_the_same_queries_with_3_or_30_styles(
    client, member, owner, team
):
    client.force_login(member)
    StyleFactory.create_batch(3, team=team, trained_by=owner)
    few = queries_for(client, reverse("styles"), tab="team")
    StyleFactory.create_batch(27, team=team, trained_by=member)
    assert queries_for(client, reverse("styles"), tab="team") == few


# ------------------------------------------------------------------ the model filter


def test_the_model_filter_offers_the_catalogue_and_the_retired_models_the_team_used(
    team, other_team, make_job
):
    make_job(model_id="image/old/retired", model_name="Old one")
    make_job(model_id="image/old/retired", model_name="Old one")
    make_job(model_id=FLUX, model_name="Flux, as it was called then")
    make_job(team=other_team, created_by=None, model_id="image/theirs", model_name="Theirs")

    assert selectors.models_used(team=team) == [
        (FLUX, "Flux, as it was called then"),
        ("image/old/retired", "Old one"),
    ]
    choices = dict(selectors.filter_choices(team=team)["models"])
    assert choices["image/old/retired"] == "Old one"
    assert "image/theirs" not in choices
    assert choices[FLUX] == selectors.catalogue_model(FLUX).name, "the catalogue's name wins"


def test_a_team_without_jobs_has_used_no_model(team):
    assert selectors.models_used(team=team) == []


def test_the_filter_form_renders_the_same_select_as_django(member):
    """The filter's selects are written without a template per option: same markup."""

    form = JobFilterForm(
        {"model": VEO, "status": "nonsense"},
        models=[(FLUX, "Flux & co"), (VEO, 'Veo "3"')],
        members=[],
    )
    form.is_valid()

    def django_markup(name):
        return form[name].as_widget(widget=forms.Select(choices=form.fields[name].choices))

    for name in ("model", "status", "member"):
        ours = re.sub(r"\s+", " ", str(form[name]))
        theirs = re.sub(r"\s+", " ", str(django_markup(name)))
        assert ours.replace("> <", "><") == theirs.replace("> <", "><"), name
    assert '<option value="video/google/veo-3.1" selected>Veo &quot;3&quot;</option>' in str(
        form["model"]
    )
    assert 'aria-invalid="true"' in str(form["status"])


# ------------------------------------------------------------------ prompt search


def test_prompt_search_ignores_case_and_finds_words_inside_the_prompt(client, member, make_job):
    hit = make_job(params={"prompt": "A LightHouse at dusk"})
    make_job(params={"prompt": "a harbour at dawn"})
    client.force_login(member)
    page = client.get(reverse("jobs"), {"q": "ghthou"}).content.decode()
    assert re.findall(r'href="/jobs/([0-9a-f-]{36})/"', page)[0] == str(hit.uuid)
    assert "harbour" not in page


@pytest.mark.postgres
def test_prompt_search_on_postgresql_reads_the_trigram_index(team, make_job):
    make_job(params={"prompt": "a lighthouse at dusk"})
    # The filter's own condition, without the team's (a small table is read by team).
    # Unordered: with the list's order, the planner may walk the created_at index instead.
    queryset = Job.objects.filter(selectors.job_filter_q({"q": "lighthouse"}, team=team))
    queryset = queryset.order_by()
    queryset = queryset.values("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "job_prompt_upper_trgm" in plan, plan
