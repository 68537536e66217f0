"""The API's team scoping, in one place: who is asking, in which team, and what they reach.

A request acts as one membership: the API key's (``Authorization: Bearer``) or,
for the browser's session, the member's current team (``CurrentTeamMiddleware``).
Every job the API touches comes from :func:`team_jobs`, so another team's job
answers 404 exactly like a job that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from studio.api.models import ApiKey
from studio.generation import selectors as generation_selectors
from studio.generation.models import Job, Output
from studio.generation.services import job_change_allowed
from studio.teams.models import Membership

NO_TEAM = "You are not a member of any team yet: create or join one in the portal first."
JOB_NOT_FOUND = "There is no job with this id in your team."


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


def get_team_job(request: Request, job_id: UUID) -> Job:
    """The team's job with this uuid, or 404 (for another team's job too)."""
    job = team_jobs(request).filter(uuid=job_id).first()
    if job is None:
        raise NotFound(JOB_NOT_FOUND)
    return job


def get_team_output(request: Request, job_id: UUID, position: int) -> Output:
    """One file of one of the team's jobs, or 404."""
    team = require_membership(request).team
    output = (
        generation_selectors.team_outputs(team=team)
        .filter(job__uuid=job_id, position=position)
        .first()
    )
    if output is None:
        raise NotFound("This job has no output at this position in your team.")
    return output


def require_job_control(request: Request, job: Job) -> None:
    """Cancelling or deleting a job: its creator, or the team's owners and admins (else 403)."""
    membership = require_membership(request)
    if job_change_allowed(job=job, membership=membership):
        return
    raise PermissionDenied(
        "Only the member who started this job, or the team's owners and admins, may change it."
    )
