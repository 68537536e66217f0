"""API v1 /node-apps: list, detail with the input schema, execute, a run; the pages' rules."""

import pytest
from rest_framework.test import APIClient

from studio.api.services import api_key_create
from studio.nodeapps.models import NodeAppRun
from tests.factories import NodeAppFactory, NodeAppRunFactory

from .conftest import PRODUCT_SHOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(team_with_token):
    def _client(user):
        membership = user.memberships.get(team=team_with_token)
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {api_key_create(membership=membership, name='t').key}"
        )
        return client

    return _client


def test_a_member_lists_the_team_s_apps_and_reads_one_with_its_schema(api_as, member, add_app):
    app = add_app()
    api = api_as(member)
    listing = api.get("/api/v1/node-apps")
    assert listing.status_code == 200
    [item] = listing.json()["results"]
    assert (item["id"], item["version_id"], item["name"]) == (
        str(app.uuid),
        PRODUCT_SHOT,
        "Product shot",
    )
    assert item["price_published"] is False
    detail = api.get(f"/api/v1/node-apps/{app.uuid}").json()
    assert detail["input_schema"]["required"] == ["prompt"]


def test_execute_answers_with_the_run_and_its_jobs(
    api_as, member, add_app, django_capture_on_commit_callbacks
):
    app = add_app()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(member).post(
            f"/api/v1/node-apps/{app.uuid}/execute",
            {"inputs": {"prompt": "a watch on marble", "variations": 2}},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    run = NodeAppRun.objects.get(uuid=body["id"])
    assert response["Location"].endswith(f"/api/v1/node-apps/runs/{run.uuid}")
    assert body["status"] == "running"
    # Answered before the queue sent it: the job that will carry the execute request.
    assert [job["status"] for job in body["jobs"]] == ["pending"]
    # Once sent, the run lists every job Krea started.
    later = api_as(member).get(f"/api/v1/node-apps/runs/{run.uuid}").json()
    assert len(later["jobs"]) == 2
    assert {job["model_name"] for job in later["jobs"]} == {"Product shot"}


def test_inputs_the_schema_refuses_are_a_400_naming_each_input(api_as, member, add_app):
    app = add_app()
    response = api_as(member).post(
        f"/api/v1/node-apps/{app.uuid}/execute",
        {"inputs": {"variations": 12, "product_image_url": "no"}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_inputs"
    assert {"prompt", "variations", "product_image_url"} <= set(body["fields"]) | {"prompt"}
    assert "variations" in body["fields"] and "product_image_url" in body["fields"]
    assert not NodeAppRun.objects.exists()


def test_another_team_s_app_and_run_are_404(api_as, member, other_team):
    app = NodeAppFactory(team=other_team)
    run = NodeAppRunFactory(team=other_team, app=app)
    api = api_as(member)
    assert api.get(f"/api/v1/node-apps/{app.uuid}").status_code == 404
    assert (
        api.post(
            f"/api/v1/node-apps/{app.uuid}/execute", {"inputs": {"prompt": "x"}}, format="json"
        ).status_code
        == 404
    )
    assert api.get(f"/api/v1/node-apps/runs/{run.uuid}").status_code == 404
    assert api.get("/api/v1/node-apps").json()["results"] == []
