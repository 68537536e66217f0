"""Schemathesis fuzzes every operation of the live schema: no 5xx, no answer the schema
does not describe, and meaningless values refused."""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from studio.generation.models import JobStatus
from tests.factories import JobFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Examples per operation, valid and invalid: enough to reach each operation's odd corners
# (empty, null, wrong types) on every run while the suite stays fast; each example costs
# some 30 ms, mostly in generating it. Explore deeper with e.g. SCHEMATHESIS_EXAMPLES=500.
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))

# The schema as the running portal serves it (public: reading it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app is called directly, not through Django's test client, so its end of
    request would close the database connection that holds the test's transaction (it does
    on PostgreSQL): do what the test client does and leave the connection alone."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def job(team_with_token, team, member):
    """A finished job of the member's team, with one output file."""
    return JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED, outputs=1)


@pytest.fixture
def auth(team_with_token, member, make_key):
    return {"Authorization": f"Bearer {make_key(member)}"}


@schema.parametrize()
@schema.given(existing=st.booleans())
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # The same examples every run: the suite stays repeatable; explore with more elsewhere.
    derandomize=True,
)
def test_every_operation_answers_as_its_schema_says(case, existing, job, auth):
    positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    if existing and positive and "job_id" in (case.path_parameters or {}):
        # Half the valid cases name a job that exists, so its query parameters are read too.
        existing_ids = {"job_id": str(job.uuid), "position": 0}
        case.path_parameters = {k: existing_ids.get(k, v) for k, v in case.path_parameters.items()}
    # A well-formed request can still name a model Krea does not have, or params its
    # model refuses (each model's schema is in GET /models, not in this one): a 400.
    excluded = [positive_data_acceptance]
    if case.media_type == "multipart/form-data":
        # A form field is text on the wire: an "integer" description arrives as the string
        # "5", which is a valid description, so that negative case cannot be refused.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers=auth, excluded_checks=excluded)
