"""API keys in Django admin: listed and revoked, never created there, the key never shown."""

import hashlib

import pytest

from studio.api.models import ApiKey
from studio.api.selectors import api_key_for_secret
from studio.api.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_digest_and_prefix(member):
    created = api_key_create(membership=member.memberships.get(), name="ci")
    assert created.key.startswith("ks_live_") and len(created.key) >= 40
    row = ApiKey.objects.filter(pk=created.api_key.pk).values().get()
    assert row["digest"] == hashlib.sha256(created.key.encode()).hexdigest()
    assert row["prefix"] == created.key[:12]
    assert created.key not in repr(row)


def test_revoking_keeps_the_first_time(member):
    created = api_key_create(membership=member.memberships.get(), name="ci")
    api_key_revoke(api_key=created.api_key)
    first = ApiKey.objects.get().revoked_at
    api_key_revoke(api_key=ApiKey.objects.get())
    assert ApiKey.objects.get().revoked_at == first
    assert ApiKey.objects.get().status == "revoked"
    assert api_key_for_secret(created.key) is None


# Admin ---------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser(
        email="root@example.com", password="root-password-123"
    )
    client.force_login(admin_user)
    return client


def test_the_admin_lists_keys_without_the_key(staff_client, member):
    created = api_key_create(membership=member.memberships.get(), name="ci")
    page = staff_client.get("/admin/api/apikey/").content.decode()
    assert "ci" in page and created.api_key.prefix in page
    assert created.key not in page
    detail = staff_client.get(f"/admin/api/apikey/{created.api_key.pk}/change/").content.decode()
    assert created.key not in detail
    assert created.api_key.digest not in detail
    assert staff_client.get("/admin/api/apikey/add/").status_code == 403


def test_the_admin_revokes_keys(staff_client, member):
    created = api_key_create(membership=member.memberships.get(), name="ci")
    response = staff_client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [created.api_key.pk]},
        follow=True,
    )
    assert "1 API key(s) revoked" in response.content.decode()
    created.api_key.refresh_from_db()
    assert created.api_key.revoked_at is not None
