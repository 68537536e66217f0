"""What one POST /api/v1/jobs costs the database: the submit rate of a team rests on it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio.generation.models import Job
from studio.usage.models import EntryKind, UsageEntry
from studio.usage.services import quota_set
from tests.factories import FLUX

pytestmark = pytest.mark.django_db

BODY = {"model": FLUX, "params": {"prompt": "a lighthouse at dusk"}}


@pytest.fixture
def client(api_as, member, team_with_token):
    client = api_as(member)
    client.get("/api/v1/usage")  # the key's first use is recorded once, not measured here
    return client


def _submit_statements(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/jobs", BODY, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["outputs"] == []
    # Savepoints are left out: the test's own transaction turns the submit's into one.
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


def test_a_quota_checked_submit_reads_the_key_quotas_and_ledger_once_and_writes_two_rows(
    client, team, member, owner
):
    quota_set(team=team, limit_cu=Decimal(100), period="month", actor=owner)
    quota_set(team=team, user=member, limit_cu=Decimal(50), period="week", actor=owner)

    statements = _submit_statements(client)

    # The key (with its member and team), the job, the team's lock and time zone, the
    # quotas, one sum of the ledger for both, the reservation: nothing is read back.
    assert len(statements) == 6, statements
    assert not any("generation_output" in sql for sql in statements)
    assert sum("INSERT" in sql for sql in statements) == 2
    job = Job.objects.get()
    assert UsageEntry.objects.get(job_id=job.pk).kind == EntryKind.RESERVE


def test_a_submit_without_quotas_sums_nothing(client):
    statements = _submit_statements(client)
    assert len(statements) == 5, statements
    assert not any("SUM(" in sql for sql in statements)


def test_the_one_sum_counts_the_whole_team_for_its_quota_and_only_the_member_for_theirs(
    client, team, member, owner
):
    quota_set(team=team, limit_cu=Decimal(10), period="month", actor=owner)
    quota_set(team=team, user=member, limit_cu=Decimal(3), period="month", actor=owner)
    UsageEntry.objects.create(
        team=team, user=owner, kind=EntryKind.ADJUST, cu=Decimal("4.00"), reason="owner's"
    )

    # 3 CU: the member's 3 are untouched by the owner's 4; the team has 6 left.
    assert client.post("/api/v1/jobs", BODY, format="json").status_code == 201
    refused = client.post("/api/v1/jobs", BODY, format="json").json()
    assert (refused["scope"], refused["left"]) == ("member", 0)
    assert client.get("/api/v1/usage").json()["team_left"] == 3
