"""The Webhooks page: owners and admins add, edit, disable, test and delete endpoints."""

import pytest
from django.urls import reverse

from studio.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_the_empty_page_says_what_webhooks_are_and_how_to_add_one(owner_client):
    page = owner_client.get(reverse("webhooks:list")).content.decode()
    assert "No endpoints yet" in page
    assert "Add endpoint" in page
    assert "Only these events are sent to this endpoint." in page  # help text
    keys = owner_client.get(reverse("api_keys")).content.decode()
    assert 'href="/webhooks/"' in keys  # reached from the API keys page


def test_adding_an_endpoint_shows_its_secret_once(owner_client, public_dns):
    response = owner_client.post(
        reverse("webhooks:list"),
        {"url": "https://hooks.example.com/x", "events": ["job.completed", "job.failed"]},
    )
    assert response.status_code == 201
    page = response.content.decode()
    assert "whsec_" in page and "shown only this once" in page
    assert "whsec_" not in owner_client.get(reverse("webhooks:list")).content.decode()
    assert WebhookEndpoint.objects.get().events == ["job.completed", "job.failed"]


def test_a_refused_url_is_a_form_error(owner_client):
    response = owner_client.post(
        reverse("webhooks:list"), {"url": "https://10.0.0.1/", "events": ["job.completed"]}
    )
    assert response.status_code == 400
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_no_event_chosen_is_a_form_error(owner_client, public_dns):
    response = owner_client.post(reverse("webhooks:list"), {"url": "https://hooks.example.com/"})
    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()


def test_send_test_event_then_the_log_shows_the_attempt_and_resend(
    owner_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("webhooks:test", args=[endpoint.uuid]))
    page = owner_client.get(reverse("webhooks:endpoint", args=[endpoint.uuid])).content.decode()
    assert "webhook.test" in page
    assert "{&quot;ok&quot;: true}" in page  # the answer's first bytes
    assert "Resend this event" in page

    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("webhooks:resend", args=[endpoint.uuid, delivery.uuid]))
    assert len(receiver.requests) == 2


def test_edit_disable_enable_rotate_and_delete(owner_client, endpoint, receiver):
    url = reverse("webhooks:endpoint", args=[endpoint.uuid])
    owner_client.post(url, {"url": endpoint.url, "description": "Farm", "events": ["job.failed"]})
    endpoint.refresh_from_db()
    assert endpoint.description == "Farm" and endpoint.events == ["job.failed"]

    owner_client.post(reverse("webhooks:enable", args=[endpoint.uuid]), {"enabled": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.is_enabled
    assert "Enable endpoint" in owner_client.get(url).content.decode()
    owner_client.post(reverse("webhooks:enable", args=[endpoint.uuid]), {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.is_enabled

    rotated = owner_client.post(reverse("webhooks:rotate", args=[endpoint.uuid]))
    assert "whsec_" in rotated.content.decode()

    owner_client.post(reverse("webhooks:delete", args=[endpoint.uuid]))
    assert not WebhookEndpoint.objects.exists()


def test_members_may_not_open_the_page_nor_see_a_link_to_it(client, member):
    client.force_login(member)
    assert client.get(reverse("webhooks:list")).status_code == 403
    assert 'href="/webhooks/"' not in client.get(reverse("dashboard")).content.decode()
    assert 'href="/webhooks/"' not in client.get(reverse("api_keys")).content.decode()
