"""Invitations: send by email, single use, expiring, for a role; revoke and resend; accept."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from studio.audit.models import AuditEntry
from studio.teams.models import Invitation, Membership
from studio.teams.selectors import current_membership
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def link_in(mail) -> str:
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.body).group(1)


def test_an_admin_invites_by_email(client, admin, team, mailoutbox):
    client.force_login(admin)
    response = client.post(
        reverse("team_invitation_create"), {"email": "New.Person@Example.com", "role": "member"}
    )
    assertRedirects(response, reverse("team_members"))
    invitation = Invitation.objects.get(team=team)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@example.com",
        "member",
        admin,
    )
    (mail,) = mailoutbox
    assert mail.to == ["new.person@example.com"]
    assert "Acme Studio" in mail.subject
    secret = link_in(mail).split("/")[2]
    assert secret not in invitation.secret_digest  # only a digest is stored
    assert AuditEntry.objects.filter(
        action="member.invited", subject_email=invitation.email
    ).exists()
    page = client.get(reverse("team_members"))
    assertContains(page, "new.person@example.com")
    assertContains(page, "Revoke invitation of new.person@example.com")
    assertNotContains(page, secret)


def test_invitation_form_errors_keep_the_input(client, admin, member, mailoutbox):
    client.force_login(admin)
    response = client.post(
        reverse("team_invitation_create"), {"email": member.email, "role": "member"}
    )
    assert response.status_code == 400
    assertContains(response, "is already a member", status_code=400)
    assertContains(response, f'value="{member.email}"', status_code=400)
    response = client.post(
        reverse("team_invitation_create"), {"email": "not-an-email", "role": "admin"}
    )
    assertContains(response, "Enter a valid email address", status_code=400)
    assertContains(response, 'value="not-an-email"', status_code=400)
    assert mailoutbox == []


def test_admins_cannot_invite_owners_but_owners_can(client, admin, owner, mailoutbox):
    client.force_login(admin)
    response = client.post(
        reverse("team_invitation_create"), {"email": "x@example.com", "role": "owner"}
    )
    assert response.status_code == 400
    client.force_login(owner)
    client.post(reverse("team_invitation_create"), {"email": "x@example.com", "role": "owner"})
    assert Invitation.objects.get(email="x@example.com").role == "owner"


def test_a_second_pending_invitation_for_the_same_email_is_refused(client, owner, team):
    InvitationFactory(team=team, email="twice@example.com")
    client.force_login(owner)
    response = client.post(
        reverse("team_invitation_create"), {"email": "twice@example.com", "role": "member"}
    )
    assertContains(response, "already has a pending invitation", status_code=400)


def test_members_cannot_invite(client, member):
    client.force_login(member)
    response = client.post(
        reverse("team_invitation_create"), {"email": "x@example.com", "role": "member"}
    )
    assert response.status_code == 403


def test_revoke(client, owner, team):
    invitation = InvitationFactory(team=team)
    client.force_login(owner)
    assertRedirects(
        client.post(reverse("team_invitation_revoke", args=[invitation.pk])),
        reverse("team_members"),
    )
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert client.get(reverse("invitation_accept", args=[invitation.secret])).status_code == 200
    assertContains(client.get(reverse("invitation_accept", args=[invitation.secret])), "withdrawn")


def test_revoke_and_resend_check_team(client, owner, other_team):
    invitation = InvitationFactory(team=other_team)
    client.force_login(owner)
    assert client.post(reverse("team_invitation_revoke", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("team_invitation_resend", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_resend_sends_a_new_link_and_the_old_one_stops_working(client, owner, team, mailoutbox):
    invitation = InvitationFactory(team=team, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(owner)
    client.post(reverse("team_invitation_resend", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.is_pending
    (mail,) = mailoutbox
    assert client.get(reverse("invitation_accept", args=[invitation.secret])).status_code == 404
    assert client.get(link_in(mail)).status_code == 200


def test_a_new_user_signs_up_from_the_invitation_and_joins(client, team, mailoutbox):
    invitation = InvitationFactory(team=team, email="newbie@example.com", role="admin")
    url = reverse("invitation_accept", args=[invitation.secret])
    page = client.get(url)
    assertContains(page, "Sign up to join")
    signup = client.get(f"{reverse('signup')}?email=newbie%40example.com&next={url}")
    assertContains(signup, 'value="newbie@example.com"')
    response = client.post(
        reverse("signup"),
        {
            "email": "newbie@example.com",
            "name": "Newbie",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": url,
        },
    )
    assertRedirects(response, url)
    response = client.post(url)
    assertRedirects(response, reverse("team_home"))
    user = Membership.objects.get(team=team, user__email="newbie@example.com")
    assert user.role == "admin"
    assert current_membership(user.user).team == team
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by == user.user
    assert AuditEntry.objects.filter(
        action="member.joined", subject_email="newbie@example.com"
    ).exists()


def test_an_existing_user_logs_in_and_joins(client, team, other_team):
    user = UserFactory(email="known@example.com")
    Membership.objects.create(team=other_team, user=user, role="owner")
    invitation = InvitationFactory(team=team, email="Known@Example.com")
    client.force_login(user)
    url = reverse("invitation_accept", args=[invitation.secret])
    assertContains(client.get(url), "Join Acme Studio")
    client.post(url)
    assert current_membership(user).team == team
    assert user.teams.count() == 2


def test_an_invitation_works_only_once(client, team):
    user = UserFactory(email="once@example.com")
    invitation = InvitationFactory(team=team, email="once@example.com")
    client.force_login(user)
    url = reverse("invitation_accept", args=[invitation.secret])
    client.post(url)
    Membership.objects.filter(user=user).delete()
    response = client.post(url, follow=True)
    assertContains(response, "already been used")
    assert not Membership.objects.filter(user=user).exists()


def test_an_expired_invitation_is_refused(client, team):
    user = UserFactory(email="late@example.com")
    invitation = InvitationFactory(
        team=team, email="late@example.com", expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(user)
    url = reverse("invitation_accept", args=[invitation.secret])
    assertContains(client.get(url), "has expired")
    assertContains(client.post(url, follow=True), "has expired")
    assert not Membership.objects.filter(user=user).exists()


def test_someone_else_cannot_use_a_forwarded_link(client, team):
    invitation = InvitationFactory(team=team, email="right@example.com")
    client.force_login(UserFactory(email="wrong@example.com"))
    url = reverse("invitation_accept", args=[invitation.secret])
    assertContains(client.get(url), "This invitation is for right@example.com")
    assertContains(client.post(url, follow=True), "This invitation is for right@example.com")
    assert not Membership.objects.filter(team=team, user__email="wrong@example.com").exists()


def test_an_unknown_link_is_404(client, db):
    response = client.get(reverse("invitation_accept", args=["no-such-secret"]))
    assertContains(response, "This invitation link does not work", status_code=404)


def test_anonymous_post_does_not_join(client, team):
    invitation = InvitationFactory(team=team)
    url = reverse("invitation_accept", args=[invitation.secret])
    assertRedirects(client.post(url), url)
    assert invitation.team.memberships.count() == 0
