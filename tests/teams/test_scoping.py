"""The team-scoping API other apps use: middleware, team_required, get_team_object_or_404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from studio.teams.models import Invitation, Membership, Role
from studio.teams.scoping import (
    CurrentTeamMiddleware,
    get_team_object_or_404,
    team_queryset,
    team_required,
)
from tests.factories import InvitationFactory, TeamFactory, UserFactory, give_krea_token

pytestmark = pytest.mark.django_db


def request_for(user, path="/somewhere/"):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    CurrentTeamMiddleware(lambda r: HttpResponse())(request)
    return request


@team_required()
def any_member_view(request, **kwargs):
    return HttpResponse("ok")


@team_required(role=Role.ADMIN)
def admin_view(request):
    return HttpResponse("ok")


@team_required(needs_token=True)
def generate_view(request):
    return HttpResponse("generate form")


def test_middleware_sets_the_current_team_and_membership(owner, team):
    request = request_for(owner)
    assert request.team == team
    assert request.membership == Membership.objects.get(user=owner, team=team)


def test_middleware_sets_none_for_anonymous_and_teamless_users(db):
    assert request_for(None).team is None
    request = request_for(UserFactory())
    assert request.team is None and request.membership is None


def test_team_required_redirects_anonymous_users_to_login(db):
    response = any_member_view(request_for(None, "/jobs/"))
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/jobs/"


def test_team_required_sends_teamless_users_to_create_a_team_and_404s_object_urls(db):
    request = request_for(UserFactory())
    assert any_member_view(request).url == "/teams/new/"
    with pytest.raises(Http404):
        any_member_view(request, job_id=1)


def test_team_required_refuses_a_lower_role_with_403(member):
    with pytest.raises(PermissionDenied):
        admin_view(request_for(member))


def test_team_required_lets_the_role_and_above_in(owner, admin):
    assert admin_view(request_for(owner)).content == b"ok"
    assert admin_view(request_for(admin)).content == b"ok"


def test_needs_token_shows_a_call_to_action_to_admins(owner):
    response = generate_view(request_for(owner))
    body = response.content.decode()
    assert "has no Krea token yet" in body and "Add the Krea token" in body
    assert "generate form" not in body


def test_needs_token_tells_members_whom_to_ask(member, owner):
    body = generate_view(request_for(member)).content.decode()
    assert "Ask one of them" in body and owner.email in body
    assert "Add the Krea token" not in body


def test_needs_token_passes_when_the_team_has_one(db):
    team = give_krea_token(TeamFactory())
    user = Membership.objects.create(team=team, user=UserFactory(), role="member").user
    assert generate_view(request_for(user)).content == b"generate form"


def test_get_team_object_or_404_finds_own_and_hides_others(owner, team, other_team):
    mine = InvitationFactory(team=team)
    theirs = InvitationFactory(team=other_team)
    request = request_for(owner)
    assert get_team_object_or_404(request, Invitation, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_team_object_or_404(request, Invitation, pk=theirs.pk)
    with pytest.raises(Http404):
        get_team_object_or_404(request_for(UserFactory()), Invitation, pk=mine.pk)


def test_team_queryset_follows_a_relation(owner, team, other_team):
    request = request_for(owner)
    InvitationFactory(team=team)
    InvitationFactory(team=other_team)
    qs = team_queryset(request, Membership.objects.all())
    assert {m.team_id for m in qs} == {team.pk}
    assert team_queryset(request, Invitation).count() == 1
    assert team_queryset(request, Membership, team_field="team__invitations__team").exists()
