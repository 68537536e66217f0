"""Prompt search ("Prompt contains") finds exactly what a case-insensitive substring
match finds, on SQLite and on PostgreSQL, where it is written differently so that the
trigram index is only asked about the words it answers cheaply (issue 15).

Run these on PostgreSQL too: DATABASE_URL=postgres://... pytest tests/generation/test_prompt_search.py
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from studio.generation import selectors
from studio.generation.models import Job, JobStatus
from tests.factories import JobFactory, OutputFactory

pytestmark = pytest.mark.django_db

# Twelve of the newest prompts hold "portrait", "of", "woman" and "number": common words.
COMMON = [f"Portrait of a woman, number {n}" for n in range(12)]
OTHERS = [
    "a PORTRAIT of a zebra",
    "100% cotton_shirt on a woman",
    "100 percent cotton shirt",
    "cotton-shirt, 100 %",
    "Café au lait ÉCLAIR",
    "a  portrait  with two spaces",
    "back\\slash portrait",
]
PHRASES = [
    "portrait",
    "PORTRAIT OF",
    "of a woman",
    "woman, number 1",
    "number 11",
    "portrait zebra",
    "woman portrait",
    "a zebra",
    "zebra",
    "nothing like it",
    "100%",
    "100% cotton_shirt",
    "cotton_",
    "_",
    "%",
    "cotton shirt",
    "café",
    "ÉCLAIR",
    "a  portrait",
    "k\\s",
    "back\\slash",
    "ortrai",
    "of",
]


@pytest.fixture
def prompts(team, other_team, member):
    """The prompts above in ``team`` (each with an output), and look-alikes elsewhere."""
    now = timezone.now()
    for n, prompt in enumerate(OTHERS + COMMON):
        job = JobFactory(
            team=team,
            created_by=member,
            params={"prompt": prompt},
            status=JobStatus.COMPLETED,
            created_at=now - timedelta(minutes=100 - n),
        )
        OutputFactory(job=job)
    OutputFactory(job=JobFactory(team=other_team, created_by=None, params={"prompt": "a zebra"}))


@pytest.mark.usefixtures("prompts")
@pytest.mark.parametrize("text", PHRASES)
def test_prompt_search_finds_exactly_the_prompts_holding_the_text_in_any_case(team, text):
    expected = set(
        Job.objects.filter(team=team, prompt__icontains=text).values_list("pk", flat=True)
    )

    jobs = selectors.team_jobs(team=team, filters={"q": text})
    outputs = selectors.team_outputs(team=team, filters={"q": text})

    assert {job.pk for job in jobs} == expected
    assert {output.job_id for output in outputs} == expected


@pytest.mark.usefixtures("prompts")
def test_prompt_search_takes_the_text_literally_and_whole(team):
    def found(text):
        return sorted(j.prompt for j in selectors.team_jobs(team=team, filters={"q": text}))

    assert found("100% cotton_shirt") == ["100% cotton_shirt on a woman"], (
        "% and _ are no wildcards"
    )
    assert found("portrait zebra") == [], "the words in this order, not each anywhere"
    assert found("a zebra") == ["a PORTRAIT of a zebra"], "another team's jobs are not searched"
    assert found("WOMAN, NUMBER 1") == [f"Portrait of a woman, number {n}" for n in (1, 10, 11)]


def _plan(team, text: str) -> str:
    """The plan of the search's own condition, without the team's or the list's order (with
    them, a small table is read by team or newest first whatever the search)."""
    queryset = Job.objects.filter(selectors.prompt_search_q(text, team=team)).values("id")
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.usefixtures("prompts")
def test_on_postgresql_only_the_words_rare_in_the_teams_newest_prompts_are_read_from_the_index(
    team,
):
    counts = selectors.prompt_sample_counts(team=team, texts=["Portrait", "woman", "zebra"])
    assert counts == {"Portrait": 15, "woman": 13, "zebra": 1}
    plan = _plan(team, "portrait of a zebra")
    assert "job_prompt_upper_trgm" in plan
    assert "%ZEBRA%" in plan and "%PORTRAIT" not in plan, plan
    # Only common words: nothing for the index; the list walks the team's newest jobs.
    assert "job_prompt_upper_trgm" not in _plan(team, "portrait of a woman")
    # Unless no newest prompt has them in this order: walking might read the whole team.
    assert "job_prompt_upper_trgm" in _plan(team, "woman portrait")


@pytest.mark.postgres
def test_on_postgresql_the_sample_is_the_teams_newest_prompts(team, other_team, member):
    now = timezone.now()
    old = [f"an old harbour {n}" for n in range(selectors.PROMPT_SAMPLE)]
    new = [f"a new lighthouse {n}" for n in range(selectors.PROMPT_SAMPLE)]
    Job.objects.bulk_create(
        JobFactory.build(
            team=team, created_by=member, params={"prompt": p}, created_at=now - timedelta(hours=n)
        )
        for n, p in enumerate(new + old)
    )
    JobFactory.create_batch(20, team=other_team, created_by=None, params={"prompt": "a castle"})

    counts = selectors.prompt_sample_counts(team=team, texts=["LIGHTHOUSE", "harbour", "castle"])
    assert counts == {"LIGHTHOUSE": selectors.PROMPT_SAMPLE, "harbour": 0, "castle": 0}
