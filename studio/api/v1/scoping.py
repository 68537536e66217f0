"""Who an API request acts as: one membership, the API key's or the session's current team.

A request acts as one membership: the API key's (``Authorization: Bearer``) or,
for the browser's session, the member's current team (``CurrentTeamMiddleware``).
Single jobs and files are reached through the same selectors as the pages
(``job_for``, ``output_for``), so another team's job answers 404 exactly like a
job that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from studio.api.models import ApiKey
from studio.generation import selectors as generation_selectors
from studio.generation.models import Job
from studio.teams.models import Membership

NO_TEAM = "You are not a member of any team yet: create or join one in the portal first."


def api_membership(request: Request) -> Membership | None:
    """The membership the request acts as: its API key's, else the session's current team."""
    if isinstance(request.auth, ApiKey):
        return request.auth.membership
    return getattr(request._request, "membership", None)


class IsTeamMember(BasePermission):
    """Authenticated and acting in a team (any role)."""

    message = NO_TEAM

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and (
            api_membership(request) is not None
        )


def require_membership(request: Request) -> Membership:
    membership = api_membership(request)
    if membership is None:  # IsTeamMember stops these requests first
        raise PermissionDenied(NO_TEAM)
    return membership


def team_jobs(request: Request) -> QuerySet[Job]:
    """The requesting member's team's jobs, newest first, with what the job JSON shows."""
    return generation_selectors.team_jobs(team=require_membership(request).team)
