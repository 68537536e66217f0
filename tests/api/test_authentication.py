"""Who may call the API: a working key, or a logged-in member; everyone else gets 401 JSON."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from studio.api.models import ApiKey
from studio.api.services import api_key_create, api_key_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/usage"


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_401(response, words: str):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] in ("not_authenticated", "authentication_failed")
    assert words in body["error"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_key_acts_as_its_member_in_its_team(member, make_key):
    response = bearer(make_key(member)).get(URL)
    assert response.status_code == 200
    assert response.json()["left"] is None  # no quota yet


def test_no_key_is_401(db):
    assert_401(APIClient().get(URL), "credentials were not provided")


def test_an_unknown_key_is_401(member, make_key):
    make_key(member)
    assert_401(bearer("ks_live_" + "x" * 43).get(URL), "unknown, revoked or expired")
    assert_401(bearer("not-even-a-key").get(URL), "unknown, revoked or expired")


def test_a_malformed_authorization_header_is_401(member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two words")
    assert_401(client.get(URL), "Bearer <key>")
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert_401(client.get(URL), "Bearer <key>")
    client.credentials(HTTP_AUTHORIZATION="Bearer ks_live_é".encode().decode("latin-1"))
    assert client.get(URL).status_code == 401


def test_a_revoked_key_is_401(member):
    created = api_key_create(membership=member.memberships.get(), name="ci")
    assert bearer(created.key).get(URL).status_code == 200
    api_key_revoke(api_key=created.api_key)
    assert_401(bearer(created.key).get(URL), "unknown, revoked or expired")


def test_an_expired_key_is_401(member):
    created = api_key_create(
        membership=member.memberships.get(),
        name="ci",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert bearer(created.key).get(URL).status_code == 200
    ApiKey.objects.filter(pk=created.api_key.pk).update(expires_at=timezone.now())
    assert_401(bearer(created.key).get(URL), "unknown, revoked or expired")


def test_a_bad_key_is_401_even_with_a_valid_session(member, client):
    client.force_login(member)
    response = client.get(URL, HTTP_AUTHORIZATION="Bearer ks_live_wrong")
    assert response.status_code == 401


def test_a_removed_member_s_keys_stop_working(member, make_key):
    key = make_key(member)
    member.memberships.get().delete()
    assert bearer(key).get(URL).status_code == 401


def test_a_disabled_account_s_key_is_401(member, make_key):
    key = make_key(member)
    member.is_active = False
    member.save()
    assert_401(bearer(key).get(URL), "disabled")


def test_the_browser_session_works_too(member, client):
    client.force_login(member)
    response = client.get(URL)
    assert response.status_code == 200


def test_a_session_post_needs_the_csrf_token(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/api/v1/estimate", {"model": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]


def test_a_user_in_no_team_is_403(db, client):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "not a member of any team" in response.json()["error"]


def test_using_a_key_records_when_it_was_last_used(member):
    created = api_key_create(membership=member.memberships.get(), name="ci")
    assert created.api_key.last_used_at is None
    bearer(created.key).get(URL)
    created.api_key.refresh_from_db()
    assert created.api_key.last_used_at is not None
    assert timezone.now() - created.api_key.last_used_at < timedelta(seconds=5)
