"""Members page: roles, removal and ownership transfer, each with works / ownership / role tests."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from studio.teams.models import Membership

pytestmark = pytest.mark.django_db


def m(user, team):
    return Membership.objects.get(user=user, team=team)


def test_every_member_sees_the_members_but_only_managers_see_controls(
    client, owner, admin, member, team
):
    client.force_login(member)
    page = client.get(reverse("team_members"))
    for person in (owner, admin, member):
        assertContains(page, person.email)
    assertNotContains(page, "Change role")
    assertNotContains(page, "Invite someone")

    client.force_login(owner)
    page = client.get(reverse("team_members"))
    assertContains(page, "Change role")
    assertContains(page, "Send invitation")
    assertContains(page, f"Transfer ownership to {member.display_name}")


def test_role_change_works(client, owner, member, team):
    client.force_login(owner)
    response = client.post(
        reverse("team_member_role", args=[m(member, team).pk]), {"role": "admin"}, follow=True
    )
    assertContains(response, "is now admin")
    assert m(member, team).role == "admin"


def test_role_change_of_the_last_owner_is_refused_with_a_clear_message(client, owner, team):
    client.force_login(owner)
    response = client.post(
        reverse("team_member_role", args=[m(owner, team).pk]), {"role": "member"}, follow=True
    )
    assertContains(response, "is the only owner of Acme Studio")
    assert m(owner, team).role == "owner"


def test_role_change_checks_team(client, owner, outsider, other_team):
    client.force_login(owner)
    url = reverse("team_member_role", args=[m(outsider, other_team).pk])
    assert client.post(url, {"role": "member"}).status_code == 404
    assert m(outsider, other_team).role == "owner"


def test_role_change_requires_admin(client, member, owner, team):
    client.force_login(member)
    url = reverse("team_member_role", args=[m(owner, team).pk])
    assert client.post(url, {"role": "member"}).status_code == 403


def test_remove_asks_then_removes(client, admin, member, team):
    client.force_login(admin)
    url = reverse("team_member_remove", args=[m(member, team).pk])
    assertContains(client.get(url), f"Remove {member.display_name}")
    assertRedirects(client.post(url), reverse("team_members"))
    assert not Membership.objects.filter(user=member, team=team).exists()


def test_remove_checks_team(client, owner, outsider, other_team):
    client.force_login(owner)
    url = reverse("team_member_remove", args=[m(outsider, other_team).pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_remove_requires_admin(client, member, admin, team):
    client.force_login(member)
    assert client.post(reverse("team_member_remove", args=[m(admin, team).pk])).status_code == 403


def test_admin_cannot_remove_an_owner(client, admin, owner, team):
    client.force_login(admin)
    response = client.post(reverse("team_member_remove", args=[m(owner, team).pk]), follow=True)
    assertContains(response, "Only owners can remove an owner")


def test_transfer_ownership_works(client, owner, member, team):
    client.force_login(owner)
    url = reverse("team_ownership_transfer", args=[m(member, team).pk])
    assertContains(client.get(url), f"Make {member.display_name} the owner")
    client.post(url)
    assert m(member, team).role == "owner" and m(owner, team).role == "admin"


def test_transfer_ownership_requires_owner(client, admin, member, team):
    client.force_login(admin)
    url = reverse("team_ownership_transfer", args=[m(member, team).pk])
    assert client.post(url).status_code == 403


def test_transfer_ownership_checks_team(client, owner, outsider, other_team):
    client.force_login(owner)
    url = reverse("team_ownership_transfer", args=[m(outsider, other_team).pk])
    assert client.post(url).status_code == 404
