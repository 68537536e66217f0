"""Team pages: list, create, switch, home, settings, leave; and the header's switcher."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from studio.teams.models import Membership, Team
from studio.teams.selectors import current_membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_a_team(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("team_create"), {"name": "Night Shift", "time_zone": "Asia/Tokyo"}
    )
    assertRedirects(response, reverse("team_home"))
    team = Team.objects.get(name="Night Shift")
    assert team.time_zone == "Asia/Tokyo"
    assert Membership.objects.get(team=team, user=user).role == "owner"
    page = client.get(reverse("team_home"))
    assertContains(page, "Night Shift")
    assertContains(page, "Add the Krea token")


def test_create_a_team_with_bad_input_keeps_what_was_typed(client):
    client.force_login(UserFactory())
    response = client.post(reverse("team_create"), {"name": "Keep me", "time_zone": "Mars/Base"})
    assert response.status_code == 200
    assertContains(response, 'value="Keep me"')
    assertContains(response, "Select a valid choice")
    assert not Team.objects.exists()


def test_a_user_without_a_team_is_sent_to_create_one(client):
    client.force_login(UserFactory())
    assertRedirects(client.get(reverse("team_home")), reverse("team_create"))


def test_the_switcher_lists_the_users_teams_and_switches(client, owner, team, other_team):
    MembershipFactory(team=other_team, user=owner)
    client.force_login(owner)
    page = client.get(reverse("dashboard"))
    assertContains(page, "Switch to Globex Pictures")
    assertNotContains(page, "Switch to Acme Studio")  # the current one

    response = client.post(
        reverse("team_switch", args=[other_team.pk]), {"next": reverse("team_members")}
    )
    assertRedirects(response, reverse("team_members"))
    assert current_membership(owner).team == other_team
    assertContains(client.get(reverse("team_home")), "Globex Pictures")


def test_the_current_team_is_remembered_across_sessions(client, owner, team, other_team):
    MembershipFactory(team=other_team, user=owner)
    client.force_login(owner)
    client.post(reverse("team_switch", args=[other_team.pk]))
    client.logout()
    client.force_login(owner)
    assertContains(client.get(reverse("team_home")), "<h1>Globex Pictures</h1>", html=False)


def test_switching_to_a_team_you_are_not_in_is_404(client, owner, other_team):
    client.force_login(owner)
    assert client.post(reverse("team_switch", args=[other_team.pk])).status_code == 404


def test_switch_ignores_a_foreign_next_url(client, owner, team):
    client.force_login(owner)
    response = client.post(
        reverse("team_switch", args=[team.pk]), {"next": "https://evil.example/"}
    )
    assertRedirects(response, reverse("team_home"))


def test_team_list_shows_every_team_and_role(client, owner, team, other_team):
    MembershipFactory(team=other_team, user=owner, role="member")
    client.force_login(owner)
    page = client.get(reverse("team_list"))
    assertContains(page, "Acme Studio")
    assertContains(page, "Globex Pictures")
    assertContains(page, "Switch to Globex Pictures")


def test_admin_changes_settings(client, admin, team):
    client.force_login(admin)
    response = client.post(
        reverse("team_settings"), {"name": "Acme Renamed", "time_zone": "Europe/Paris"}
    )
    assertRedirects(response, reverse("team_home"))
    team.refresh_from_db()
    assert (team.name, team.time_zone) == ("Acme Renamed", "Europe/Paris")


def test_settings_require_admin(client, member):
    client.force_login(member)
    assert client.get(reverse("team_settings")).status_code == 403


def test_leave_asks_first_then_leaves(client, member, team):
    client.force_login(member)
    assertContains(client.get(reverse("team_leave")), "Leave Acme Studio")
    response = client.post(reverse("team_leave"))
    assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)
    assert not Membership.objects.filter(user=member, team=team).exists()


def test_the_last_owner_is_told_why_they_cannot_leave(client, owner, team):
    client.force_login(owner)
    response = client.post(reverse("team_leave"), follow=True)
    assertContains(response, "You are the only owner of Acme Studio")
    assert Membership.objects.filter(user=owner, team=team).exists()


def test_team_pages_need_login(client, team):
    response = client.get(reverse("team_home"))
    assertRedirects(response, f"{reverse('login')}?next={reverse('team_home')}")


def test_switch_does_not_return_to_an_object_of_the_team_left(client, owner, team, other_team):
    MembershipFactory(team=other_team, user=owner)
    client.force_login(owner)
    member_page = reverse(
        "team_member_remove", args=[Membership.objects.get(user=owner, team=team).pk]
    )
    response = client.post(reverse("team_switch", args=[other_team.pk]), {"next": member_page})
    assertRedirects(response, reverse("team_home"))
