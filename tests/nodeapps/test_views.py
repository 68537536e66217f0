"""Node app pages: the team's apps, adding one by its version id, the inputs form, a run's card."""

import re
from decimal import Decimal

import pytest

from studio.generation.models import JobStatus
from studio.nodeapps.models import NodeApp, NodeAppRun
from studio.usage.models import ModelPrice
from tests.factories import NodeAppFactory

from .conftest import PRODUCT_SHOT

pytestmark = pytest.mark.django_db


def test_the_empty_page_explains_node_apps_and_offers_adding_to_admins(client, admin, member, team):
    client.force_login(admin)
    page = client.get("/node-apps/").content.decode()
    assert "node editor" in page
    assert "Add a node app" in page
    client.force_login(member)
    page = client.get("/node-apps/").content.decode()
    assert "Add a node app" not in page
    assert "Ask an owner or admin" in page
    assert 'href="/node-apps/"' in page, "in the main navigation"


def test_an_admin_previews_then_saves_an_app_by_its_version_id(client, admin, team_with_token):
    client.force_login(admin)
    preview = client.post("/node-apps/add/", {"version_id": PRODUCT_SHOT, "_intent": "preview"})
    assert preview.status_code == 200
    assert "Product shot" in preview.content.decode()
    assert "Save for the team" in preview.content.decode()
    assert not NodeApp.objects.exists()
    saved = client.post("/node-apps/add/", {"version_id": PRODUCT_SHOT, "_intent": "save"})
    app = NodeApp.objects.get(team=team_with_token)
    assert saved.status_code == 302 and saved.url == f"/node-apps/{app.uuid}/"


def test_an_unknown_version_id_is_a_message_beside_the_field(client, admin, team_with_token):
    client.force_login(admin)
    page = client.post("/node-apps/add/", {"version_id": "no-such-app", "_intent": "save"})
    assert page.status_code == 200
    assert "Krea has no node app version “no-such-app”" in page.content.decode()
    assert not NodeApp.objects.exists()


def test_members_may_not_add_refresh_or_remove(client, member, team_with_token):
    app = NodeAppFactory(team=team_with_token)
    client.force_login(member)
    assert client.get("/node-apps/add/").status_code == 403
    assert client.post(f"/node-apps/{app.uuid}/refresh/").status_code == 403
    assert client.post(f"/node-apps/{app.uuid}/remove/").status_code == 403
    assert NodeApp.objects.filter(pk=app.pk).exists()


def test_an_owner_removes_an_app_after_confirming(client, owner, team_with_token):
    app = NodeAppFactory(team=team_with_token)
    client.force_login(owner)
    assert "Remove" in client.get(f"/node-apps/{app.uuid}/remove/").content.decode()
    assert client.post(f"/node-apps/{app.uuid}/remove/").url == "/node-apps/"
    assert not NodeApp.objects.exists()


def test_the_app_page_builds_its_form_and_says_the_price_is_assumed(
    client, member, add_app, settings
):
    settings.USAGE_DEFAULT_PRICE_CU = 9
    app = add_app()
    client.force_login(member)
    page = client.get(f"/node-apps/{app.uuid}/").content.decode()
    for label in ("Prompt", "Product Image Url", "Background", "Variations"):
        assert re.search(label, page, re.IGNORECASE), label
    assert "9 CU per run (assumed)" in page
    ModelPrice.objects.create(model_id=app.model_id, cu=Decimal(14))
    page = client.get(f"/node-apps/{app.uuid}/").content.decode()
    assert "14 CU per run" in page and "admins set 14 CU" in page


def test_inputs_the_schema_refuses_get_field_errors(client, member, add_app, krea):
    app = add_app()
    client.force_login(member)
    page = client.post(
        f"/node-apps/{app.uuid}/", {"prompt": "", "variations": "9", "product_image_url": "nope"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_variations_error"' in html
    assert 'id="id_product_image_url_error"' in html
    assert not NodeAppRun.objects.exists()


def test_running_an_app_leads_to_its_card_which_follows_its_jobs(
    client, member, add_app, advance, django_capture_on_commit_callbacks
):
    app = add_app()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/node-apps/{app.uuid}/", {"prompt": "a watch", "variations": "2"})
    run = NodeAppRun.objects.get()
    assert response.url == f"/node-apps/runs/{run.uuid}/"
    card = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    # Followed live: each job carries its state, and a change fetches the card again.
    assert 'hx-trigger="studio:changed"' in card and "every" not in card
    assert card.count('class="run-job"') == 2 and card.count("data-live-active") == 2
    for job in run.jobs.all():
        assert f'data-live-job="{job.uuid}"' in card
    advance(60)
    assert set(run.jobs.values_list("status", flat=True)) == {JobStatus.COMPLETED}
    card = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in card
    assert card.count('class="output"') == 2
    assert "2 of 2 jobs completed" in card
    # Its jobs are in Jobs, their pictures in the gallery.
    assert client.get("/jobs/").content.decode().count("Product shot") >= 2
    assert client.get("/gallery/").content.decode().count('class="tile__media"') == 2


def test_a_run_s_job_page_leads_back_to_its_run(client, member, run_app):
    run = run_app()
    job = run.jobs.first()
    client.force_login(member)
    page = client.get(f"/jobs/{job.uuid}/").content.decode()
    assert f'href="/node-apps/runs/{run.uuid}/"' in page
    assert "Remix" not in page
