"""Team scoping: the one way every app reaches objects that a team owns.

How to use it in a view (jobs, assets, styles...)::

    from studio.teams.models import Role
    from studio.teams.scoping import get_team_object_or_404, team_required

    @team_required()                       # any member; login first
    @require_GET
    def job_detail(request, job_id: UUID) -> HttpResponse:
        job = get_team_object_or_404(request, Job, uuid=job_id)
        ...

    @team_required(role=Role.ADMIN)        # owners and admins only (403 for members)
    @team_required(needs_token=True)       # or: a page that calls Krea

- ``CurrentTeamMiddleware`` sets ``request.membership`` and ``request.team``
  (None when the user has no team) from the team the user selected last.
- ``team_required`` sends anonymous users to the login page, users without a
  team to the page that creates one, refuses a too-low role with 403 and,
  with ``needs_token=True``, shows a "this team has no Krea token yet" page
  instead of a view that cannot work.
- ``get_team_object_or_404`` / ``team_queryset`` filter by the current team:
  another team's object answers 404, as if it did not exist.

Put ``team_required`` outermost (above ``require_POST`` and friends), so
anonymous requests are redirected to log in whatever their method.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .models import Role
from .selectors import current_membership

M = TypeVar("M", bound=Model)


class CurrentTeamMiddleware:
    """Sets ``request.membership`` and ``request.team`` for logged-in users (else None).

    Must come after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request.user)
        request.membership = membership
        request.team = membership.team if membership else None
        return self.get_response(request)


def team_required(
    role: str = Role.MEMBER, *, needs_token: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view that works inside the current team.

    ``role``: the least role allowed (``Role.MEMBER``, ``Role.ADMIN``, ``Role.OWNER``);
    lower roles get 403. ``needs_token``: answer with the "add a Krea token"
    page while the team has none.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                # Objects of a team are 404 to people outside it; with no team at all,
                # a URL naming an object can only be someone else's.
                if kwargs:
                    raise Http404("No team.")
                return redirect("team_create")
            if not membership.has_role(role):
                raise PermissionDenied(
                    f"This page is for the team's {Role(role).label.lower()}s and above."
                )
            if needs_token and not membership.team.has_krea_token:
                return token_missing_response(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def token_missing_response(request: HttpRequest) -> HttpResponse:
    """The "this team has no Krea token yet" page, with what to do about it.

    A view that names an object in its URL looks the object up first (another
    team's id must answer 404) and then returns this when the team has no token.
    """
    return render(request, "teams/token_missing.html", {"membership": request.membership})


def team_queryset(request: HttpRequest, model_or_qs: type[M] | QuerySet[M], *, team_field="team"):
    """``model_or_qs`` narrowed to the current team (an empty queryset without one).

    ``team_field`` is the lookup from the model to its Team, e.g. ``"job__team"``
    for an Output that belongs to a Job.
    """
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    team = getattr(request, "team", None)
    if team is None:
        return qs.none()
    return qs.filter(**{team_field: team})


def get_team_object_or_404(
    request: HttpRequest,
    model_or_qs: type[M] | QuerySet[M],
    *,
    team_field: str = "team",
    **lookup,
) -> M:
    """The object of the current team matching ``lookup``, or 404.

    The single helper every app uses to fetch a team-owned object from a URL id:
    ``get_team_object_or_404(request, Job, uuid=job_id)``. Another team's object,
    a missing one and a user without a team all answer 404 alike, so outsiders
    learn nothing. Pass a queryset to add ``select_related`` or filters, and
    ``team_field`` when the team is reached through a relation.
    """
    return get_object_or_404(team_queryset(request, model_or_qs, team_field=team_field), **lookup)
