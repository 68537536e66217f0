"""Every change to teams, memberships and invitations (the Krea token: ``tokens.py``).

Views, the admin, the API and management commands call these functions; each
checks the acting member's role, keeps the rules (at least one owner, single-use
invitations), and writes the audit log. A refusal raises :class:`TeamRuleError`
whose message is meant for the person who asked.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from studio.audit.models import AuditEntry
from studio.audit.services import audit_record

from .models import Invitation, Membership, Role, Team
from .selectors import invitation_digest

logger = logging.getLogger(__name__)

Action = AuditEntry.Action


class TeamRuleError(Exception):
    """A change the team's rules refuse. ``str(error)`` is shown to the user as is."""


def require_manager(by: Membership) -> None:
    """Refuse (``TeamRuleError``) unless ``by`` is one of the team's owners or admins."""
    if not by.can_manage:
        raise TeamRuleError("Only the team's owners and admins can do that.")


def _require_same_team(by: Membership, other) -> None:
    # Views look objects up through the current team; this guards every other caller.
    if other.team_id != by.team_id:
        raise TeamRuleError("That belongs to another team.")


def lock_team(team_id: int) -> Team:
    """Serialize membership changes of one team, so two owners can't demote each other at once."""
    return Team.objects.select_for_update().get(pk=team_id)


def _other_owners(membership: Membership) -> int:
    return (
        Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


# Teams ---------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, user, name: str, time_zone: str = "UTC") -> Team:
    """Create a team owned by ``user`` and make it their current team."""
    team = Team.objects.create(name=name.strip(), created_by=user, time_zone=time_zone)
    Membership.objects.create(team=team, user=user, role=Role.OWNER, selected_at=timezone.now())
    audit_record(
        team=team, action=Action.TEAM_CREATED, actor=user, summary=f"{user} created the team."
    )
    return team


def membership_select(*, membership: Membership) -> Membership:
    """Make this membership's team the user's current team (remembered across sessions)."""
    membership.selected_at = timezone.now()
    membership.save(update_fields=["selected_at"])
    return membership


@transaction.atomic
def team_update_settings(*, by: Membership, name: str, time_zone: str) -> Team:
    """Rename the team or change its time zone (owners and admins)."""
    require_manager(by)
    team = lock_team(by.team_id)
    changes = {}
    if team.name != name.strip():
        changes["name"] = [team.name, name.strip()]
        team.name = name.strip()
    if team.time_zone != time_zone:
        changes["time_zone"] = [team.time_zone, time_zone]
        team.time_zone = time_zone
    if changes:
        team.full_clean()
        team.save(update_fields=list(changes))
        audit_record(
            team=team,
            action=Action.TEAM_SETTINGS_CHANGED,
            actor=by.user,
            summary=f"{by.user} changed {', '.join(changes)}.",
            details={"changes": changes},
        )
    by.team = team
    return team


# Invitations ---------------------------------------------------------------------------


def invitation_url(*, base_url: str, secret: str) -> str:
    return base_url.rstrip("/") + reverse("invitation_accept", kwargs={"secret": secret})


def _send_invitation(*, invitation: Invitation, secret: str, base_url: str) -> None:
    context = {
        "invitation": invitation,
        "team": invitation.team,
        "inviter": invitation.invited_by,
        "url": invitation_url(base_url=base_url, secret=secret),
    }
    subject = render_to_string("teams/email/invitation_subject.txt", context).strip()
    body = render_to_string("teams/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Invitation email to team %s could not be sent: %s", invitation.team_id, exc)
        raise TeamRuleError(
            "The invitation email could not be sent. Nothing was saved; please try again."
        ) from exc


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, invitation_digest(secret)


def _expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_EXPIRY_DAYS)


@transaction.atomic
def invitation_create(*, by: Membership, email: str, role: str, base_url: str) -> Invitation:
    """Invite ``email`` to ``by``'s team with ``role`` and email them a single-use link.

    Admins invite members and admins; only owners invite owners. ``base_url`` is
    the portal's address as people reach it (for the link in the email).
    """
    require_manager(by)
    role = Role(role)
    email = email.strip().lower()
    if role == Role.OWNER and not by.is_owner:
        raise TeamRuleError("Only owners can invite another owner.")
    team = lock_team(by.team_id)
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise TeamRuleError(f"{email} is already a member of {team.name}.")
    if team.invitations.pending().filter(email__iexact=email).exists():
        raise TeamRuleError(
            f"{email} already has a pending invitation. Resend or revoke it below instead."
        )
    secret, digest = _new_secret()
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        secret_digest=digest,
        invited_by=by.user,
        expires_at=_expiry(),
    )
    audit_record(
        team=team,
        action=Action.MEMBER_INVITED,
        actor=by.user,
        subject_email=email,
        summary=f"{by.user} invited {email} as {role.label.lower()}.",
        details={"role": role.value, "invitation_id": invitation.pk},
    )
    _send_invitation(invitation=invitation, secret=secret, base_url=base_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, by: Membership, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation (owners and admins): its link stops working at once."""
    require_manager(by)
    _require_same_team(by, invitation)
    return invitation_withdraw(invitation=invitation, actor=by.user)


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor) -> Invitation:
    """Withdraw a pending invitation; ``actor`` is whoever asked (a team manager or an operator).

    Callers check permissions: views through ``invitation_revoke``, the admin by its own.
    """
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    if not invitation.is_pending:
        raise TeamRuleError(
            f"The invitation of {invitation.email} is {invitation.get_status_display().lower()} "
            "and can no longer be revoked."
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        team=invitation.team,
        action=Action.INVITATION_REVOKED,
        actor=actor,
        subject_email=invitation.email,
        summary=f"{actor or 'An operator'} revoked the invitation of {invitation.email}.",
        details={"invitation_id": invitation.pk},
    )
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor, base_url: str) -> Invitation:
    """Email a fresh link (the old one stops working) and restart the expiry.

    Works for pending and expired invitations, not for accepted or revoked ones.
    ``actor`` is the owner/admin or the operator (admin site) who asked.
    """
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise TeamRuleError(
            f"The invitation of {invitation.email} is {invitation.get_status_display().lower()}; "
            "send a new one instead."
        )
    secret, invitation.secret_digest = _new_secret()
    invitation.expires_at = _expiry()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["secret_digest", "expires_at", "sent_at"])
    audit_record(
        team=invitation.team,
        action=Action.INVITATION_RESENT,
        actor=actor,
        subject_email=invitation.email,
        summary=f"{actor or 'An operator'} resent the invitation of {invitation.email}.",
        details={"invitation_id": invitation.pk},
    )
    _send_invitation(invitation=invitation, secret=secret, base_url=base_url)
    return invitation


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation) -> Membership:
    """Join the invitation's team with its role; the team becomes the user's current team.

    The invitation is for one email address: a user logged in with another
    address is refused, so a forwarded or leaked link lets nobody else in.
    """
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise TeamRuleError("This invitation has already been used. Ask for a new one.")
    if status == Invitation.Status.REVOKED:
        raise TeamRuleError("This invitation was withdrawn. Ask the team for a new one.")
    if status == Invitation.Status.EXPIRED:
        raise TeamRuleError("This invitation has expired. Ask the team to send it again.")
    if user.email.lower() != invitation.email.lower():
        raise TeamRuleError(
            f"This invitation is for {invitation.email}, but you are logged in as {user.email}. "
            "Log out and sign up or log in with the invited address."
        )
    team = lock_team(invitation.team_id)
    if Membership.objects.filter(team=team, user=user).exists():
        raise TeamRuleError(f"You are already a member of {team.name}.")
    now = timezone.now()
    membership = Membership.objects.create(
        team=team, user=user, role=invitation.role, selected_at=now
    )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        team=team,
        action=Action.MEMBER_JOINED,
        actor=user,
        subject_email=user.email,
        summary=f"{user} joined as {membership.get_role_display().lower()}.",
        details={"role": membership.role, "invitation_id": invitation.pk},
    )
    return membership


# Members -------------------------------------------------------------------------------


@transaction.atomic
def membership_change_role(*, by: Membership, membership: Membership, role: str) -> Membership:
    """Change a member's role. Admins cannot touch owners or make owners; one owner remains."""
    require_manager(by)
    _require_same_team(by, membership)
    role = Role(role)
    lock_team(by.team_id)
    membership = Membership.objects.select_related("user", "team").get(pk=membership.pk)
    if membership.role == role:
        return membership
    if not by.is_owner and (membership.is_owner or role == Role.OWNER):
        raise TeamRuleError("Only owners can change an owner's role or make someone an owner.")
    if membership.is_owner and _other_owners(membership) == 0:
        raise TeamRuleError(
            f"{membership.user} is the only owner of {membership.team.name}. "
            "Make someone else an owner first, or transfer ownership."
        )
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        team=membership.team,
        action=Action.MEMBER_ROLE_CHANGED,
        actor=by.user,
        subject_email=membership.user.email,
        summary=f"{by.user} changed {membership.user}'s role from {Role(old).label.lower()} "
        f"to {role.label.lower()}.",
        details={"from": old, "to": role.value},
    )
    return membership


@transaction.atomic
def membership_remove(*, by: Membership, membership: Membership) -> None:
    """Remove someone from the team. Admins cannot remove owners; the last owner stays."""
    require_manager(by)
    _require_same_team(by, membership)
    lock_team(by.team_id)
    membership = Membership.objects.select_related("user", "team").get(pk=membership.pk)
    if membership.pk == by.pk:
        raise TeamRuleError("To remove yourself, use “Leave team”.")
    if membership.is_owner and not by.is_owner:
        raise TeamRuleError("Only owners can remove an owner.")
    if membership.is_owner and _other_owners(membership) == 0:
        raise TeamRuleError(f"{membership.user} is the only owner and cannot be removed.")
    audit_record(
        team=membership.team,
        action=Action.MEMBER_REMOVED,
        actor=by.user,
        subject_email=membership.user.email,
        summary=f"{by.user} removed {membership.user} ({membership.get_role_display().lower()}).",
        details={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """Leave the team. The last owner must transfer ownership or name another owner first."""
    lock_team(membership.team_id)
    membership = Membership.objects.select_related("user", "team").get(pk=membership.pk)
    if membership.is_owner and _other_owners(membership) == 0:
        raise TeamRuleError(
            f"You are the only owner of {membership.team.name}. Transfer ownership or make "
            "another member an owner before leaving."
        )
    audit_record(
        team=membership.team,
        action=Action.MEMBER_LEFT,
        actor=membership.user,
        subject_email=membership.user.email,
        summary=f"{membership.user} left the team.",
        details={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def ownership_transfer(*, by: Membership, to: Membership) -> Membership:
    """Make ``to`` an owner and ``by`` (an owner) an admin, in one step."""
    _require_same_team(by, to)
    lock_team(by.team_id)
    by = Membership.objects.select_related("user", "team").get(pk=by.pk)
    to = Membership.objects.select_related("user").get(pk=to.pk)
    if not by.is_owner:
        raise TeamRuleError("Only an owner can transfer ownership.")
    if to.pk == by.pk:
        raise TeamRuleError("You already own this team; choose another member.")
    old_role = to.role
    to.role = Role.OWNER
    to.save(update_fields=["role"])
    by.role = Role.ADMIN
    by.save(update_fields=["role"])
    audit_record(
        team=by.team,
        action=Action.OWNERSHIP_TRANSFERRED,
        actor=by.user,
        subject_email=to.user.email,
        summary=f"{by.user} transferred ownership to {to.user} and is now an admin.",
        details={"previous_role": old_role},
    )
    return to
