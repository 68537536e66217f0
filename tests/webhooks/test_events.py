"""Events reach endpoints with the API's own representation: jobs, callback URLs, quotas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from studio.generation.models import JobStatus
from studio.usage.services import quota_set
from studio.webhooks import services
from studio.webhooks.models import WebhookMessage
from tests.factories import FLUX

pytestmark = pytest.mark.django_db

PROMPT = {"prompt": "a lighthouse at dusk"}


@pytest.fixture(autouse=True)
def _public_base(settings):
    # Output URLs in events are absolute on the portal's public address.
    settings.PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture
def submit(api_as, member, team_with_token, django_capture_on_commit_callbacks):
    def _submit(**extra):
        with django_capture_on_commit_callbacks(execute=True):
            return api_as(member).post(
                "/api/v1/jobs", {"model": FLUX, "params": PROMPT, **extra}, format="json"
            )

    return _submit


def test_a_completed_job_reaches_the_endpoint_as_the_api_shows_it(
    krea, submit, endpoint, receiver, api_as, member, django_capture_on_commit_callbacks
):
    created = submit()
    assert created.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        krea.advance(30)

    [request] = receiver.requests
    event = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert event["type"] == "job.completed"
    shown = api_as(member).get(created["Location"]).json()
    assert shown["status"] == "completed" and shown["outputs"]
    assert event["data"] == shown


def test_a_job_failing_or_cancelled_sends_its_own_event(
    submit, endpoint, receiver, api_as, member, django_capture_on_commit_callbacks
):
    job = submit().json()
    with django_capture_on_commit_callbacks(execute=True):
        api_as(member).post(f"/api/v1/jobs/{job['id']}/cancel")
    [event] = receiver.events()
    assert event["type"] == "job.cancelled"
    assert event["data"]["id"] == job["id"]
    assert event["data"]["status"] == JobStatus.CANCELLED


def test_an_endpoint_hears_only_what_it_subscribes_to(
    submit, endpoint, receiver, owner_membership, api_as, member, django_capture_on_commit_callbacks
):
    services.endpoint_update(endpoint=endpoint, by=owner_membership, events=["job.completed"])
    job = submit().json()
    with django_capture_on_commit_callbacks(execute=True):
        api_as(member).post(f"/api/v1/jobs/{job['id']}/cancel")
    assert receiver.requests == []


def test_a_callback_url_gets_the_jobs_end_signed_with_the_callback_secret(
    krea, submit, receiver, owner_membership, django_capture_on_commit_callbacks
):
    secret = services.callback_secret_rotate(by=owner_membership)
    created = submit(callback_url=receiver.url)
    assert created.status_code == 201, created.json()
    with django_capture_on_commit_callbacks(execute=True):
        krea.advance(30)

    [request] = receiver.requests
    event = Webhook(secret).verify(request["body"], request["headers"])
    assert event["type"] == "job.completed"
    assert event["data"]["id"] == created.json()["id"]


def test_a_callback_url_on_loopback_is_refused_without_the_development_setting(submit, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = submit(callback_url="https://127.0.0.1/hook")
    assert response.status_code == 400
    assert "loopback" in response.json()["fields"]["callback_url"][0]


def test_the_same_event_is_published_once(endpoint, make_job_for_events):
    from studio.generation.events import job_finished
    from studio.generation.models import Job

    job = make_job_for_events(status=JobStatus.FAILED)
    job_finished.send(sender=Job, job_id=job.pk)
    job_finished.send(sender=Job, job_id=job.pk)
    assert WebhookMessage.objects.filter(event_type="job.failed").count() == 1


def test_crossing_80_and_100_percent_of_a_quota_sends_quota_reached(
    submit, endpoint, receiver, team, owner
):
    quota_set(team=team, limit_cu=Decimal(3), period="month", actor=owner)
    assert submit().status_code == 201  # 3 CU of 3: both thresholds at once

    events = receiver.events()
    assert [e["type"] for e in events] == ["quota.reached", "quota.reached"]
    assert sorted(e["data"]["threshold"] for e in events) == [80, 100]
    assert events[0]["data"]["scope"] == "team"
    assert events[0]["data"]["limit"] == 3
    # The next refusal crosses nothing new.
    assert submit().status_code == 403
    assert len(receiver.requests) == 2


@pytest.fixture
def make_job_for_events(team, member):
    from studio.generation.models import Job

    def _make(status):
        return Job.objects.create(
            team=team,
            created_by=member,
            model_id=FLUX,
            model_name="Flux",
            group="image",
            params=PROMPT,
            prompt=PROMPT["prompt"],
            status=status,
            estimate_cu=3,
        )

    return _make


def test_a_new_asset_and_a_trained_style_reach_endpoints_subscribed_to_them(
    endpoint, receiver, owner_membership, owner, team, django_capture_on_commit_callbacks
):
    from studio.assets.events import asset_created
    from studio.assets.models import Asset
    from studio.styles.events import style_trained
    from studio.styles.models import Style
    from tests.factories import AssetFactory, StyleFactory

    services.endpoint_update(
        endpoint=endpoint, by=owner_membership, events=["asset.created", "style.trained"]
    )
    asset = AssetFactory(team=team, uploaded_by=owner)
    style = StyleFactory(team=team, trained_by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        asset_created.send(sender=Asset, asset_id=asset.pk)
        style_trained.send(sender=Style, style_id=style.pk)

    by_type = {event["type"]: event["data"] for event in receiver.events()}
    assert by_type["asset.created"]["id"] == str(asset.uuid)
    assert by_type["asset.created"]["uploaded_by"] == owner.email
    assert by_type["style.trained"]["id"] == str(style.uuid)
    assert by_type["style.trained"]["krea_style_id"] == style.krea_style_id
