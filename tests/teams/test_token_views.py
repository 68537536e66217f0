"""The team's Krea token: set, replace, remove, test; write-only; owners and admins only."""

import httpx
import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from studio.audit.models import AuditEntry
from studio.teams.models import Team
from studio.teams.tokens import decrypt_token
from tests.factories import TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db

TOKEN = "krea-sk-0123456789abcdefWXYZ"


def test_an_owner_sets_the_token_and_sees_only_its_last_four(client, owner, team):
    client.force_login(owner)
    response = client.post(reverse("team_token"), {"token": TOKEN}, follow=True)
    assertContains(response, "…WXYZ")
    assertNotContains(response, TOKEN)
    assertNotContains(response, TOKEN[:-4])
    team.refresh_from_db()
    assert TOKEN not in team.krea_token_ciphertext
    assert decrypt_token(team.krea_token_ciphertext) == TOKEN
    assert team.krea_token_last4 == "WXYZ"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_SET)
    assert entry.actor == owner and TOKEN not in str(entry.details) + entry.summary


def test_an_admin_replaces_the_token_and_it_is_logged_as_replaced(client, admin, team):
    client.force_login(admin)
    client.post(reverse("team_token"), {"token": TOKEN})
    client.post(reverse("team_token"), {"token": "krea-sk-new-token-9876"})
    team.refresh_from_db()
    assert decrypt_token(team.krea_token_ciphertext) == "krea-sk-new-token-9876"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REPLACED).count() == 1


def test_a_bad_token_gets_a_form_error_and_is_not_echoed(client, owner, team):
    client.force_login(owner)
    bad = "has spaces in it"
    response = client.post(reverse("team_token"), {"token": bad})
    assert response.status_code == 400
    assertContains(response, "no spaces", status_code=400)
    assertNotContains(response, bad, status_code=400)
    team.refresh_from_db()
    assert not team.has_krea_token


def test_the_token_field_is_labelled_and_never_prefilled(client, owner):
    client.force_login(owner)
    page = client.get(reverse("team_token"))
    assertContains(page, '<label for="id_token">Krea API token</label>', html=True)
    assertContains(page, 'type="password"')


def test_remove_asks_first_then_removes(client, owner):
    team = give_krea_token(TeamFactory(), TOKEN)
    from tests.factories import MembershipFactory

    MembershipFactory(team=team, user=owner, role="owner")
    client.force_login(owner)
    client.post(reverse("team_switch", args=[team.pk]))
    assertContains(client.get(reverse("team_token_remove")), "Remove the Krea token")
    assertRedirects(client.post(reverse("team_token_remove")), reverse("team_token"))
    team.refresh_from_db()
    assert not team.has_krea_token and team.krea_token_last4 == ""
    assert AuditEntry.objects.filter(team=team, action=AuditEntry.Action.TOKEN_REMOVED).exists()


@pytest.mark.parametrize("url_name", ["team_token", "team_token_remove"])
def test_members_cannot_see_or_change_the_token(client, member, url_name):
    client.force_login(member)
    assert client.get(reverse(url_name)).status_code == 403
    assert client.post(reverse(url_name), {"token": TOKEN}).status_code == 403
    assert client.post(reverse("team_token_test")).status_code == 403


@pytest.fixture
def team_token(owner, team) -> Team:
    from studio.teams.models import Membership
    from studio.teams.tokens import team_token_set

    return team_token_set(by=Membership.objects.get(user=owner, team=team), token=TOKEN)


def test_test_token_valid(client, owner, team_token, krea_stub):
    client.force_login(owner)
    response = client.post(reverse("team_token_test"))
    assertContains(response, "The token works")
    (request,) = krea_stub.requests
    assert request.method == "GET" and request.url.path == "/jobs"
    assert request.url.params["limit"] == "1"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assertNotContains(response, TOKEN)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_TESTED)
    assert entry.details["token_test_outcome"] == "valid"


def test_test_token_invalid(client, owner, team_token, krea_stub):
    krea_stub.status = 401
    client.force_login(owner)
    response = client.post(reverse("team_token_test"))
    assertContains(response, "Krea refused this token")
    assert AuditEntry.objects.get(action="token.tested").details["token_test_outcome"] == "invalid"


@pytest.mark.parametrize(
    "error", [httpx.ConnectTimeout("slow"), httpx.ConnectError("refused")], ids=["timeout", "down"]
)
def test_test_token_unreachable(client, owner, team_token, krea_stub, error):
    krea_stub.error = error
    client.force_login(owner)
    response = client.post(reverse("team_token_test"))
    assertContains(response, "Krea could not be reached")


def test_test_token_server_error(client, owner, team_token, krea_stub):
    krea_stub.status = 503
    client.force_login(owner)
    assertContains(
        client.post(reverse("team_token_test")), "Krea answered with an error (HTTP 503)"
    )


def test_test_token_answers_htmx_with_just_the_result(client, owner, team_token, krea_stub):
    client.force_login(owner)
    response = client.post(reverse("team_token_test"), headers={"HX-Request": "true"})
    assert response.content.decode().strip().startswith('<div id="token-test-result"')
    assertContains(response, "The token works")


def test_test_token_without_a_token_says_so(client, owner, krea_stub):
    client.force_login(owner)
    response = client.post(reverse("team_token_test"), follow=True)
    assertContains(response, "has no Krea token yet")
    assert krea_stub.requests == []


def test_test_token_with_an_undecryptable_token_says_to_set_it_again(
    client, owner, team_token, krea_stub, settings
):
    from cryptography.fernet import Fernet

    settings.KREA_TOKEN_KEYS = [Fernet.generate_key().decode()]
    client.force_login(owner)
    response = client.post(reverse("team_token_test"))
    assertContains(response, "cannot be decrypted")
    assert krea_stub.requests == []


def test_the_generate_page_of_a_team_without_a_token_is_a_call_to_action(client, owner, member):
    client.force_login(owner)
    page = client.get(reverse("generate"))
    assertContains(page, "has no Krea token yet")
    assertContains(page, "Add the Krea token")
    client.force_login(member)
    page = client.get(reverse("generate"))
    assertContains(page, "Only owners and admins can add it")
    assertContains(page, owner.email)
