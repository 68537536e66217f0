"""The API keys page: a key is shown once, listed by its prefix, revocable by its owner."""

import hashlib
import re

import pytest
from django.urls import reverse

from studio.api.models import ApiKey
from studio.api.services import api_key_create

pytestmark = pytest.mark.django_db

PAGE = "/api/keys/"


def shown_key(response) -> str:
    match = re.search(r'value="(ks_live_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match, "the new key is not on the page"
    return match[1]


def test_the_page_is_in_the_navigation(member, client):
    client.force_login(member)
    response = client.get(reverse("dashboard"))
    assert f'href="{PAGE}"' in response.content.decode()
    assert "API keys" in response.content.decode()


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(member, client):
    client.force_login(member)
    response = client.post(PAGE, {"name": "CI renders", "expires": "30"})
    assert response.status_code == 201
    key = shown_key(response)
    assert "shown only this once" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")  # never cached

    api_key = ApiKey.objects.get()
    assert api_key.name == "CI renders"
    assert api_key.membership == member.memberships.get()
    assert api_key.digest == hashlib.sha256(key.encode()).hexdigest()
    assert api_key.prefix == key[:12] and key.startswith("ks_live_")
    assert len(key) >= 40
    assert api_key.expires_at is not None
    # Nowhere in the row is the key itself.
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert key not in repr(row)

    # The page lists it afterwards with its prefix only.
    listing = client.get(PAGE).content.decode()
    assert "CI renders" in listing
    assert api_key.prefix in listing
    assert key not in listing

    # And it works.
    assert client.get("/api/v1/usage", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_two_keys_are_different(member):
    membership = member.memberships.get()
    first = api_key_create(membership=membership, name="a").key
    second = api_key_create(membership=membership, name="b").key
    assert first != second


def test_a_key_needs_a_name(member, client):
    client.force_login(member)
    response = client.post(PAGE, {"name": "  ", "expires": ""})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()
    assert 'for="id_name"' in response.content.decode()  # labels are visible


def test_an_unknown_expiry_choice_is_refused(member, client):
    client.force_login(member)
    assert client.post(PAGE, {"name": "x", "expires": "99999"}).status_code == 400
    assert not ApiKey.objects.exists()


def test_revoking_a_key(member, client):
    created = api_key_create(membership=member.memberships.get(), name="old")
    client.force_login(member)
    response = client.post(reverse("api_key_revoke", args=[created.api_key.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    created.api_key.refresh_from_db()
    assert created.api_key.revoked_at is not None
    assert "Revoked" in response.content.decode()
    assert (
        client.get("/api/v1/usage", HTTP_AUTHORIZATION=f"Bearer {created.key}").status_code == 401
    )


def test_nobody_else_can_revoke_my_key(member, owner, client):
    created = api_key_create(membership=member.memberships.get(), name="mine")
    client.force_login(owner)
    response = client.post(reverse("api_key_revoke", args=[created.api_key.pk]))
    assert response.status_code == 404
    created.api_key.refresh_from_db()
    assert created.api_key.revoked_at is None


def test_the_page_lists_only_my_keys(member, owner, client):
    api_key_create(membership=owner.memberships.get(), name="owner's key")
    api_key_create(membership=member.memberships.get(), name="member's key")
    client.force_login(member)
    page = client.get(PAGE).content.decode()
    assert "member&#x27;s key" in page
    assert "owner&#x27;s key" not in page


def test_the_page_needs_a_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
