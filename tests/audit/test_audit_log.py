"""The audit log: append-only entries, never a secret, a filterable page for owners and admins."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from studio.audit.models import AuditEntry
from studio.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(team, owner, member, other_team, outsider):
    audit_record(
        team=team,
        action="member.invited",
        actor=owner,
        subject_email="new@example.com",
        summary="Olivia invited new@example.com as member.",
    )
    audit_record(
        team=team,
        action="token.set",
        actor=owner,
        summary="Olivia set the Krea token (ending in …abcd).",
        details={"token_last4": "abcd"},
    )
    old = audit_record(
        team=team,
        action="member.removed",
        actor=owner,
        subject_email=member.email,
        summary="Olivia removed Mia.",
    )
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    audit_record(
        team=other_team,
        action="token.set",
        actor=outsider,
        summary="Oscar set another team's token.",
    )


def test_owners_and_admins_read_their_teams_log(client, owner, admin, entries):
    for user in (owner, admin):
        client.force_login(user)
        page = client.get(reverse("audit_log"))
        assertContains(page, "Olivia invited new@example.com as member.")
        assertContains(page, "Krea token set")
        assertNotContains(page, "Oscar set another team")


def test_members_cannot_read_the_log(client, member, entries):
    client.force_login(member)
    assert client.get(reverse("audit_log")).status_code == 403


def test_filter_by_action(client, owner, entries):
    client.force_login(owner)
    page = client.get(reverse("audit_log"), {"action": "token.set"})
    assertContains(page, "Olivia set the Krea token")
    assertNotContains(page, "Olivia invited")


def test_filter_by_person_matches_actor_or_subject(client, owner, member, entries):
    client.force_login(owner)
    page = client.get(reverse("audit_log"), {"person": "new@"})
    assertContains(page, "Olivia invited new@example.com")
    assertNotContains(page, "Olivia removed Mia")


def test_filter_by_dates(client, owner, entries):
    client.force_login(owner)
    since = (timezone.now() - timedelta(days=7)).date().isoformat()
    page = client.get(reverse("audit_log"), {"since": since})
    assertNotContains(page, "Olivia removed Mia")
    assertContains(page, "Olivia invited")
    until = (timezone.now() - timedelta(days=30)).date().isoformat()
    page = client.get(reverse("audit_log"), {"until": until})
    assertContains(page, "Olivia removed Mia")
    assertNotContains(page, "Olivia invited")


def test_bad_filters_show_errors_and_keep_the_input(client, owner, entries):
    client.force_login(owner)
    page = client.get(
        reverse("audit_log"), {"since": "2026-05-02", "until": "2026-05-01", "person": "olivia"}
    )
    assertContains(page, "must be on or after")
    assertContains(page, 'value="olivia"')


@pytest.mark.parametrize("dates", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_dates_out_of_range_are_a_form_error_in_any_time_zone(
    client, owner, entries, settings, dates, zone
):
    settings.TIME_ZONE = zone
    client.force_login(owner)
    page = client.get(reverse("audit_log"), dates)
    assertContains(page, "Enter a date between 1900-01-01 and 2999-12-31.")


def test_htmx_gets_only_the_results(client, owner, entries):
    client.force_login(owner)
    response = client.get(
        reverse("audit_log"), {"action": "token.set"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode().strip()
    assert body.startswith('<div id="audit-results">')
    assert "<html" not in body


def test_every_filter_field_has_a_label(client, owner):
    client.force_login(owner)
    page = client.get(reverse("audit_log"))
    for field_id in ("id_action", "id_person", "id_since", "id_until"):
        assertContains(page, f'<label for="{field_id}">')


def test_entries_are_append_only(team, owner):
    entry = audit_record(team=team, action="token.removed", actor=owner, summary="removed")
    entry.summary = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "removed"


@pytest.mark.parametrize("key", ["token", "api_token", "password", "secret", "Authorization"])
def test_details_refuse_secret_looking_keys(team, key):
    with pytest.raises(ValueError, match="never carry secrets"):
        audit_record(team=team, action="token.set", summary="x", details={key: "value"})


def test_entries_outlive_the_people_they_mention(team, owner):
    entry = audit_record(
        team=team, action="member.left", actor=owner, subject_email=owner.email, summary="left"
    )
    email = owner.email
    owner.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_email == email


def test_every_kind_of_change_is_logged(client, owner, admin, member, team, mailoutbox, krea_stub):
    """One pass through the portal writes one entry of each kind the issue lists."""
    from studio.teams.models import Invitation, Membership
    from studio.teams.services import invitation_accept
    from tests.factories import UserFactory

    client.force_login(owner)
    client.post(reverse("team_token"), {"token": "krea-sk-first-1111"})
    client.post(reverse("team_token"), {"token": "krea-sk-second-2222"})
    client.post(reverse("team_token_test"))
    client.post(reverse("team_token_remove"))
    client.post(
        reverse("team_invitation_create"), {"email": "joiner@example.com", "role": "member"}
    )
    invitation_accept(
        user=UserFactory(email="joiner@example.com"), invitation=Invitation.objects.get()
    )
    member_m = Membership.objects.get(user=member)
    client.post(reverse("team_member_role", args=[member_m.pk]), {"role": "admin"})
    client.post(reverse("team_member_remove", args=[Membership.objects.get(user=admin).pk]))
    client.post(reverse("team_ownership_transfer", args=[member_m.pk]))
    logged = set(AuditEntry.objects.filter(team=team).values_list("action", flat=True))
    assert {
        "token.set",
        "token.replaced",
        "token.tested",
        "token.removed",
        "member.invited",
        "member.joined",
        "member.role_changed",
        "member.removed",
        "ownership.transferred",
    } <= logged
    for entry in AuditEntry.objects.all():
        assert entry.actor_email and entry.created_at
        assert "krea-sk-" not in f"{entry.summary} {entry.details}"
