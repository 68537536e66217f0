"""Reads about teams. Everything here is already scoped to a user or a team."""

from __future__ import annotations

import hashlib

from django.db.models import Case, F, QuerySet, Value, When

from .models import Invitation, Membership, Role, Team


def current_membership(user) -> Membership | None:
    """The user's current team's membership: the one selected last, else the oldest.

    Remembered in the database (``Membership.selected_at``), so it follows the
    user across sessions and devices; leaving a team falls back to another.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(user=user)
        .select_related("team")
        .order_by(F("selected_at").desc(nulls_last=True), "created_at", "pk")
        .first()
    )


def memberships_for_user(user) -> QuerySet[Membership]:
    """Every team the user belongs to, by team name, for the switcher and the team list."""
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name", "pk")


def team_memberships(team: Team) -> QuerySet[Membership]:
    """The team's members, owners first."""
    return (
        Membership.objects.filter(team=team)
        .select_related("user")
        .annotate(
            role_order=Case(
                When(role=Role.OWNER, then=Value(0)),
                When(role=Role.ADMIN, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("role_order", "user__email")
    )


def owner_count(team: Team) -> int:
    return Membership.objects.filter(team=team, role=Role.OWNER).count()


def pending_invitations(team: Team) -> QuerySet[Invitation]:
    return team.invitations.pending().select_related("invited_by").order_by("-created_at")


def invitation_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_for_secret(secret: str) -> Invitation | None:
    """The invitation a link's secret opens, in any state, or None."""
    if not secret or len(secret) > 200:
        return None
    return (
        Invitation.objects.select_related("team", "invited_by")
        .filter(secret_digest=invitation_digest(secret))
        .first()
    )
