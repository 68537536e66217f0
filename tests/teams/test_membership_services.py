"""Roles and the one-owner rule: changing roles, removing, leaving, transferring ownership."""

import pytest

from studio.audit.models import AuditEntry
from studio.teams import services
from studio.teams.models import Membership, Role, Team
from studio.teams.selectors import current_membership
from studio.teams.services import TeamRuleError
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def m(user, team) -> Membership:
    return Membership.objects.get(user=user, team=team)


def test_team_create_makes_the_creator_owner_and_current(outsider):
    team = services.team_create(user=outsider, name="  New Team ")
    assert team.name == "New Team"
    assert m(outsider, team).role == Role.OWNER
    assert current_membership(outsider).team == team
    assert AuditEntry.objects.get(team=team).action == AuditEntry.Action.TEAM_CREATED


def test_a_user_can_belong_to_several_teams_and_the_current_one_is_remembered(
    owner, team, other_team
):
    MembershipFactory(team=other_team, user=owner)
    services.membership_select(membership=m(owner, other_team))
    assert current_membership(owner).team == other_team
    services.membership_select(membership=m(owner, team))
    assert current_membership(owner).team == team


def test_the_current_team_falls_back_when_the_user_leaves_it(owner, team, other_team):
    MembershipFactory(team=other_team, user=owner)
    services.membership_select(membership=m(owner, other_team))
    services.membership_leave(membership=m(owner, other_team))
    assert current_membership(owner).team == team


def test_admin_changes_a_members_role_and_it_is_logged(admin, member, team):
    services.membership_change_role(by=m(admin, team), membership=m(member, team), role="admin")
    assert m(member, team).role == Role.ADMIN
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_ROLE_CHANGED)
    assert entry.actor == admin and entry.subject_email == member.email
    assert entry.details == {"from": "member", "to": "admin"}


def test_members_cannot_manage_anyone(member, admin, team):
    with pytest.raises(TeamRuleError, match="owners and admins"):
        services.membership_change_role(
            by=m(member, team), membership=m(admin, team), role="member"
        )
    with pytest.raises(TeamRuleError):
        services.membership_remove(by=m(member, team), membership=m(admin, team))


def test_admins_cannot_touch_owners_or_make_owners(admin, owner, member, team):
    with pytest.raises(TeamRuleError, match="Only owners"):
        services.membership_change_role(by=m(admin, team), membership=m(owner, team), role="member")
    with pytest.raises(TeamRuleError, match="Only owners"):
        services.membership_change_role(by=m(admin, team), membership=m(member, team), role="owner")
    with pytest.raises(TeamRuleError, match="Only owners"):
        services.membership_remove(by=m(admin, team), membership=m(owner, team))
    assert m(owner, team).role == Role.OWNER


def test_the_last_owner_cannot_be_demoted(owner, team):
    with pytest.raises(TeamRuleError, match="only owner"):
        services.membership_change_role(by=m(owner, team), membership=m(owner, team), role="admin")
    assert m(owner, team).role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(owner, member, team):
    services.membership_change_role(by=m(owner, team), membership=m(member, team), role="owner")
    services.membership_change_role(by=m(owner, team), membership=m(owner, team), role="member")
    assert m(owner, team).role == Role.MEMBER and m(member, team).role == Role.OWNER


def test_the_last_owner_cannot_leave(owner, team):
    with pytest.raises(TeamRuleError, match="Transfer ownership"):
        services.membership_leave(membership=m(owner, team))
    assert Membership.objects.filter(team=team, user=owner).exists()


def test_a_member_leaves_and_it_is_logged(member, team):
    services.membership_leave(membership=m(member, team))
    assert not Membership.objects.filter(team=team, user=member).exists()
    assert AuditEntry.objects.filter(
        team=team, action=AuditEntry.Action.MEMBER_LEFT, subject_email=member.email
    ).exists()


def test_an_owner_removes_a_member_and_it_is_logged(owner, member, team):
    services.membership_remove(by=m(owner, team), membership=m(member, team))
    assert not Membership.objects.filter(team=team, user=member).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_REMOVED)
    assert entry.actor == owner and entry.subject_email == member.email


def test_removing_yourself_points_to_leave(owner, team):
    with pytest.raises(TeamRuleError, match="Leave team"):
        services.membership_remove(by=m(owner, team), membership=m(owner, team))


def test_an_owner_can_remove_another_owner(owner, team):
    second = MembershipFactory(team=team, role="owner")
    services.membership_remove(by=m(owner, team), membership=second)
    assert team.memberships.filter(role="owner").count() == 1


def test_ownership_transfer_swaps_roles_and_is_logged(owner, member, team):
    services.ownership_transfer(by=m(owner, team), to=m(member, team))
    assert m(member, team).role == Role.OWNER
    assert m(owner, team).role == Role.ADMIN
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OWNERSHIP_TRANSFERRED)
    assert entry.actor == owner and entry.subject_email == member.email


def test_only_an_owner_transfers_ownership(admin, member, team):
    with pytest.raises(TeamRuleError, match="Only an owner"):
        services.ownership_transfer(by=m(admin, team), to=m(member, team))


def test_services_refuse_another_teams_membership(owner, team, outsider, other_team):
    with pytest.raises(TeamRuleError, match="another team"):
        services.membership_remove(by=m(owner, team), membership=m(outsider, other_team))
    with pytest.raises(TeamRuleError, match="another team"):
        services.ownership_transfer(by=m(owner, team), to=m(outsider, other_team))
    assert Membership.objects.filter(team=other_team, user=outsider, role="owner").exists()


def test_team_settings_are_changed_by_admins_and_logged(admin, member, team):
    services.team_update_settings(by=m(admin, team), name="Acme 2", time_zone="Europe/Berlin")
    team.refresh_from_db()
    assert (team.name, team.time_zone) == ("Acme 2", "Europe/Berlin")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TEAM_SETTINGS_CHANGED).exists()
    with pytest.raises(TeamRuleError):
        services.team_update_settings(by=m(member, team), name="Nope", time_zone="UTC")


def test_new_teams_have_defaults_later_issues_need(db):
    team = services.team_create(user=UserFactory(), name="Defaults")
    team = Team.objects.get(pk=team.pk)
    assert team.time_zone == "UTC" and team.concurrency_limit == 4
