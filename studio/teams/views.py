"""Team pages: thin views over studio.teams.services, scoped by studio.teams.scoping."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.audit.forms import AuditFilterForm
from studio.audit.selectors import audit_entries

from . import selectors, services, tokens
from .forms import InvitationForm, RoleForm, TeamForm, TokenForm
from .models import Invitation, Membership, Role
from .scoping import get_team_object_or_404, team_required
from .services import TeamRuleError


def _base_url(request: HttpRequest) -> str:
    """The portal's address for links in emails: PUBLIC_BASE_URL, else this request's host."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def _confirm(
    request: HttpRequest, *, title: str, message: str, button: str, cancel_url: str, danger=True
) -> HttpResponse:
    return render(
        request,
        "teams/confirm.html",
        {
            "title": title,
            "message": message,
            "button": button,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


# Teams ---------------------------------------------------------------------------------


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    """Every team the user is in, with a button to switch to each."""
    return render(
        request,
        "teams/team_list.html",
        {"memberships": selectors.memberships_for_user(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(
            user=request.user,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, f"{team.name} is created and is now your current team.")
        return redirect("team_home")
    return render(request, "teams/team_create.html", {"form": form})


@login_required
@require_POST
def team_switch(request: HttpRequest, team_id: int) -> HttpResponse:
    """Make another of the user's teams the current one (remembered across sessions)."""
    membership = get_object_or_404(Membership, team_id=team_id, user=request.user)
    services.membership_select(membership=membership)
    messages.success(request, f"You are now working in {membership.team.name}.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Stay on the same kind of page, but not on an object of the team just left.
        try:
            match = resolve(urlsplit(next_url).path)
        except Resolver404:
            match = None
        if match is not None and not match.kwargs:
            return redirect(next_url)
    return redirect("team_home")


@team_required()
@require_GET
def team_home(request: HttpRequest) -> HttpResponse:
    """The current team: your role, the token's state and what to do next."""
    return render(
        request,
        "teams/team_home.html",
        {
            "membership": request.membership,
            "member_count": request.team.memberships.count(),
        },
    )


@team_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def team_settings(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, instance=request.team)
    if request.method == "POST" and form.is_valid():
        services.team_update_settings(
            by=request.membership,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, "The team's settings are saved.")
        return redirect("team_home")
    return render(request, "teams/team_settings.html", {"form": form})


# Members -------------------------------------------------------------------------------


def _members_page(
    request: HttpRequest, *, invite_form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    membership = request.membership
    return render(
        request,
        "teams/members.html",
        {
            "membership": membership,
            "memberships": selectors.team_memberships(request.team),
            "invitations": selectors.pending_invitations(request.team)
            if membership.can_manage
            else [],
            "invite_form": invite_form or InvitationForm(can_invite_owners=membership.is_owner),
            "roles": Role.choices,
        },
        status=status,
    )


@team_required()
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    """Everyone in the team; owners and admins also see the controls and invitations."""
    return _members_page(request)


@team_required(role=Role.ADMIN)
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = get_team_object_or_404(
        request, Membership.objects.select_related("user"), pk=membership_id
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles listed.")
        return redirect("team_members")
    try:
        services.membership_change_role(
            by=request.membership, membership=target, role=form.cleaned_data["role"]
        )
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{target.user.display_name} is now {Role(form.cleaned_data['role']).label.lower()}.",
        )
    return redirect("team_members")


@team_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = get_team_object_or_404(
        request, Membership.objects.select_related("user"), pk=membership_id
    )
    if request.method == "GET":
        return _confirm(
            request,
            title=f"Remove {target.user.display_name}?",
            message=f"{target.user.email} will lose access to {request.team.name} at once. "
            "Their jobs and outputs stay with the team.",
            button=f"Remove {target.user.display_name}",
            cancel_url=reverse("team_members"),
        )
    try:
        services.membership_remove(by=request.membership, membership=target)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{target.user.display_name} was removed from the team.")
    return redirect("team_members")


@team_required(role=Role.OWNER)
@require_http_methods(["GET", "POST"])
def ownership_transfer(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = get_team_object_or_404(
        request, Membership.objects.select_related("user"), pk=membership_id
    )
    if request.method == "GET":
        return _confirm(
            request,
            title=f"Transfer ownership to {target.user.display_name}?",
            message=f"{target.user.email} becomes an owner of {request.team.name} and you "
            "become an admin. Only an owner can make you an owner again.",
            button=f"Make {target.user.display_name} the owner",
            cancel_url=reverse("team_members"),
        )
    try:
        services.ownership_transfer(by=request.membership, to=target)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{target.user.display_name} now owns the team; you are an admin."
        )
    return redirect("team_members")


@team_required()
@require_http_methods(["GET", "POST"])
def team_leave(request: HttpRequest) -> HttpResponse:
    team = request.team
    if request.method == "GET":
        return _confirm(
            request,
            title=f"Leave {team.name}?",
            message="You will lose access to the team's jobs, outputs and styles. "
            "Someone will have to invite you again to come back.",
            button=f"Leave {team.name}",
            cancel_url=reverse("team_home"),
        )
    try:
        services.membership_leave(membership=request.membership)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
        return redirect("team_home")
    messages.success(request, f"You left {team.name}.")
    return redirect("dashboard")


# Invitations ---------------------------------------------------------------------------


@team_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, can_invite_owners=request.membership.is_owner)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                by=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
            )
        except TeamRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works once and expires "
                f"in {settings.INVITATION_EXPIRY_DAYS} days.",
            )
            return redirect("team_members")
    if request.method == "POST":
        return _members_page(request, invite_form=form, status=400)
    return render(request, "teams/invitation_create.html", {"invite_form": form})


@team_required(role=Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_team_object_or_404(request, Invitation, pk=invitation_id)
    try:
        services.invitation_revoke(by=request.membership, invitation=invitation)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The invitation of {invitation.email} is revoked.")
    return redirect("team_members")


@team_required(role=Role.ADMIN)
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_team_object_or_404(request, Invitation, pk=invitation_id)
    try:
        services.invitation_resend(
            invitation=invitation, actor=request.user, base_url=_base_url(request)
        )
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"A new link was sent to {invitation.email}; the old one no longer works."
        )
    return redirect("team_members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    """The page an invitation link opens. The secret in the URL is the capability.

    Anonymous visitors are offered to sign up (email prefilled) or log in, and
    come back here; logged-in users join with one button.
    """
    invitation = selectors.invitation_for_secret(secret)
    if invitation is None:
        return render(request, "teams/invitation_invalid.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(request.path)
        try:
            membership = services.invitation_accept(user=request.user, invitation=invitation)
        except TeamRuleError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        messages.success(
            request,
            f"Welcome to {membership.team.name}! You joined as "
            f"{membership.get_role_display().lower()} and it is now your current team.",
        )
        return redirect("team_home")
    return render(
        request,
        "teams/invitation_accept.html",
        {
            "invitation": invitation,
            "email_matches": request.user.is_authenticated
            and request.user.email.lower() == invitation.email.lower(),
        },
    )


# The Krea token ------------------------------------------------------------------------


def _token_page(request: HttpRequest, *, form: TokenForm | None = None, status: int = 200):
    return render(
        request,
        "teams/token.html",
        {"form": form or TokenForm(), "team": request.team, "test_result": None},
        status=status,
    )


@team_required(role=Role.ADMIN)
@sensitive_post_parameters("token")
@sensitive_variables("form")
@require_http_methods(["GET", "POST"])
def token(request: HttpRequest) -> HttpResponse:
    """Set or replace the team's Krea token. Write-only: only its last four are ever shown."""
    if request.method == "GET":
        return _token_page(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        replacing = request.team.has_krea_token
        try:
            team = tokens.team_token_set(by=request.membership, token=form.cleaned_data["token"])
        except TeamRuleError as exc:
            form.add_error("token", str(exc))
        else:
            messages.success(
                request,
                f"The Krea token is {'replaced' if replacing else 'saved'} "
                f"(ending in …{team.krea_token_last4}). Use “Test token” to check it with Krea.",
            )
            return redirect("team_token")
    return _token_page(request, form=form, status=400)


@team_required(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def token_remove(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _confirm(
            request,
            title="Remove the Krea token?",
            message=f"{request.team.name} will not be able to generate anything until an owner "
            "or admin sets a new token. Jobs already running at Krea keep running.",
            button="Remove the Krea token",
            cancel_url=reverse("team_token"),
        )
    try:
        tokens.team_token_remove(by=request.membership)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The Krea token is removed.")
    return redirect("team_token")


@team_required(role=Role.ADMIN)
@require_POST
def token_test(request: HttpRequest) -> HttpResponse:
    """Ask Krea whether the token works; htmx gets the result box, others the whole page."""
    try:
        result = tokens.team_token_test(by=request.membership)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
        return redirect("team_token")
    context = {"form": TokenForm(), "team": request.team, "test_result": result}
    if request.htmx:
        return render(request, "teams/token.html#test-result", context)
    return render(request, "teams/token.html", context)


# The audit log ---------------------------------------------------------------------------
# A team page over the audit app's reads: the audit app sits below teams (teams write it).


@team_required(role=Role.ADMIN)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The team's audit log, filterable and paginated; htmx requests get just the results."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries(team=request.team, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    partial = request.htmx and not request.htmx.history_restore_request
    template = "audit/audit_log.html#results" if partial else "audit/audit_log.html"
    return render(request, template, context)
