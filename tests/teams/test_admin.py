"""Django admin for operators: users, teams with members, invitations, the audit log."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from studio.audit.models import AuditEntry
from studio.teams.models import Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory, give_krea_token

pytestmark = pytest.mark.django_db

TOKEN = "krea-sk-admin-visible-never-1234"


@pytest.fixture
def operator(admin_client):
    return admin_client


@pytest.fixture
def tokened_team(owner):
    team = give_krea_token(TeamFactory(name="Tokened"), TOKEN)
    MembershipFactory(team=team, user=owner, role="owner")
    return team


def test_team_list_and_page_show_only_that_the_token_is_set(operator, tokened_team):
    listing = operator.get(reverse("admin:teams_team_changelist"))
    assertContains(listing, "set, ending in …1234")
    page = operator.get(reverse("admin:teams_team_change", args=[tokened_team.pk]))
    assertContains(page, "set, ending in …1234")
    for response in (listing, page):
        assertNotContains(response, TOKEN)
        assertNotContains(response, tokened_team.krea_token_ciphertext)


def test_team_search_by_member_email(operator, tokened_team, owner, other_team):
    listing = operator.get(reverse("admin:teams_team_changelist"), {"q": owner.email})
    assertContains(listing, "Tokened")
    assertNotContains(listing, "Globex Pictures")


def management_forms(client, url) -> dict:
    """The management forms of every inline on an admin page (other apps add inlines too)."""
    data = {}
    for inline in client.get(url).context["inline_admin_formsets"]:
        form = inline.formset.management_form
        data.update({f"{inline.formset.prefix}-{name}": form[name].value() for name in form.fields})
    return data


def _inline_post(client, team, rows):
    url = reverse("admin:teams_team_change", args=[team.pk])
    data = {
        **management_forms(client, url),
        "name": team.name,
        "time_zone": team.time_zone,
        "concurrency_limit": team.concurrency_limit,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for i, (membership, role, delete) in enumerate(rows):
        data.update(
            {
                f"memberships-{i}-id": membership.pk,
                f"memberships-{i}-team": team.pk,
                f"memberships-{i}-user": membership.user_id,
                f"memberships-{i}-role": role,
            }
        )
        if delete:
            data[f"memberships-{i}-DELETE"] = "on"
    return data


def test_admin_keeps_at_least_one_owner(operator, team, owner, member):
    om, mm = Membership.objects.get(user=owner), Membership.objects.get(user=member)
    url = reverse("admin:teams_team_change", args=[team.pk])
    response = operator.post(
        url, _inline_post(operator, team, [(om, "member", False), (mm, "member", False)])
    )
    assertContains(response, "at least one owner")
    assert Membership.objects.get(pk=om.pk).role == "owner"


def test_admin_membership_changes_are_audited(operator, team, owner, member, admin_user):
    om, mm = Membership.objects.get(user=owner), Membership.objects.get(user=member)
    url = reverse("admin:teams_team_change", args=[team.pk])
    response = operator.post(
        url, _inline_post(operator, team, [(om, "owner", False), (mm, "admin", False)])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="member.role_changed")
    assert entry.actor == admin_user and entry.details["by_operator"] is True
    operator.post(url, _inline_post(operator, team, [(om, "owner", False), (mm, "admin", True)]))
    assert AuditEntry.objects.filter(action="member.removed", subject_email=member.email).exists()


def test_teams_cannot_be_deleted_from_the_admin(operator, team):
    response = operator.get(reverse("admin:teams_team_delete", args=[team.pk]))
    assert response.status_code == 403


def test_invitation_list_filters_by_status_and_never_shows_the_secret(operator, team):
    pending = InvitationFactory(team=team, email="pending@example.com")
    InvitationFactory(team=team, email="gone@example.com", revoked_at="2026-01-01T00:00Z")
    listing = operator.get(reverse("admin:teams_invitation_changelist"), {"status": "pending"})
    assertContains(listing, "pending@example.com")
    assertNotContains(listing, "gone@example.com")
    page = operator.get(reverse("admin:teams_invitation_change", args=[pending.pk]))
    assertNotContains(page, pending.secret_digest)
    assertNotContains(page, pending.secret)


def test_resend_action_mails_a_new_link(operator, team, mailoutbox):
    invitation = InvitationFactory(team=team, email="again@example.com")
    response = operator.post(
        reverse("admin:teams_invitation_changelist"),
        {"action": "resend", "_selected_action": [invitation.pk]},
        follow=True,
    )
    assertContains(response, "1 invitation(s) resent")
    (mail,) = mailoutbox
    assert mail.to == ["again@example.com"]
    secret = re.search(r"/invitations/([^/\s]+)/", mail.body).group(1)
    assert secret != invitation.secret
    assert AuditEntry.objects.filter(action="invitation.resent").exists()


def test_revoke_action(operator, team):
    invitation = InvitationFactory(team=team)
    operator.post(
        reverse("admin:teams_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"


def test_audit_log_is_read_only_and_searchable(operator, team, owner):
    from studio.audit.services import audit_record

    audit_record(team=team, action="token.set", actor=owner, summary="Olivia set the Krea token.")
    listing = operator.get(reverse("admin:audit_auditentry_changelist"), {"q": "Olivia"})
    assertContains(listing, "Olivia set the Krea token.")
    entry = AuditEntry.objects.get()
    page = operator.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assertNotContains(page, 'name="_save"')
    assert operator.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        operator.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    )


def test_staff_who_are_not_superusers_do_not_see_the_audit_log(client, db):
    staff = get_user_model().objects.create_user(
        email="staff@example.com", password="x", is_staff=True
    )
    client.force_login(staff)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403


def test_user_admin_lists_search_and_adds_by_email(operator, owner, team):
    listing = operator.get(reverse("admin:accounts_user_changelist"), {"q": "Acme"})
    assertContains(listing, owner.email)
    page = operator.get(reverse("admin:accounts_user_change", args=[owner.pk]))
    assertContains(page, "Acme Studio")
    add_url = reverse("admin:accounts_user_add")
    response = operator.post(
        add_url,
        {
            **management_forms(operator, add_url),
            "email": "Added@Example.com",
            "name": "Added",
            "usable_password": "true",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_user_model().objects.filter(email="added@example.com").exists()
