"""Every URL of the project, called with another team's ids, answers 404 (or asks to log in).

The test walks the whole URLconf, so a new view cannot forget its team scoping:
its URL is called by `owner` (of `team`) with the ids of `other_team`'s objects,
with GET and POST. No method may reveal the object: each answers 404, or 405 when
the view takes only the other method, and at least one of them reaches the
lookup and answers 404. Logged out, pages redirect to the login page (or answer
405 for a method they do not take) and API endpoints answer 401.

A new URL keyword needs an entry in OTHER_TEAM_VALUES (a real object of
other_team, so the 404 comes from scoping and not from a missing row); a route
that is public by design needs an entry in PUBLIC with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from uuid import uuid4

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from studio.teams.models import Membership
from tests.factories import (
    ApiKeyFactory,
    InvitationFactory,
    JobFactory,
    OutputFactory,
    QuotaFactory,
    give_krea_token,
)

pytestmark = pytest.mark.django_db

# Routes (by URL name, or by prefix for whole sites) that are not team pages, and why.
PUBLIC: dict[str, str] = {
    "admin:": "Django admin: staff only, with its own login; operators see every team",
    "healthz": "health check for load balancers, no data",
    "login": "the login page",
    "logout": "logging out is always allowed",
    "signup": "creating an account",
    "password_reset": "password reset: asked for while logged out",
    "password_reset_done": "password reset: asked for while logged out",
    "password_reset_confirm": "password reset: the emailed token is the credential",
    "password_reset_complete": "password reset: asked for while logged out",
    "invitation_accept": "the emailed invitation secret is the capability; shown to new users",
    "krea-webhook": "Krea's webhook: no session, the per-job secret in the URL authenticates",
    "api-v1:schema": "the public API's OpenAPI description",
    "api-v1:docs": "the public API's documentation page",
    "api-v1:not-found": "the API's catch-all 404 for unknown paths",
}

# URL keywords that do not name a team's object: the route must still require login,
# but a logged-in user of any team may see it.
GLOBAL_KWARGS: dict[str, str] = {
    "model_id": "Krea's model catalogue is the same for every team",
}


def _job_with_output(other_team, outsider):
    from studio.generation.models import JobStatus

    job = JobFactory(team=other_team, created_by=outsider, status=JobStatus.COMPLETED)
    # A file name only: the walk never gets as far as reading it.
    OutputFactory(job=job, file="outputs/secret.png", thumbnail="")
    return job


def _quota(other_team, outsider):
    return QuotaFactory(team=other_team, limit_cu=Decimal(100)).pk


def _api_key(other_team, outsider):
    membership = Membership.objects.get(team=other_team, user=outsider)
    return ApiKeyFactory(membership=membership, name="theirs").pk


def _asset(other_team, outsider):
    from tests.factories import AssetFactory

    return AssetFactory(
        team=other_team, uploaded_by=outsider, file="assets/secret.png", thumbnail="assets/t.jpg"
    )


def _style(other_team, outsider):
    from tests.factories import StyleFactory

    return StyleFactory(team=other_team, trained_by=outsider).uuid


def _node_app(other_team, outsider):
    from tests.factories import NodeAppFactory

    return NodeAppFactory(team=other_team, added_by=outsider).uuid


def _node_app_run(other_team, outsider):
    from tests.factories import NodeAppRunFactory

    return NodeAppRunFactory(team=other_team, created_by=outsider).uuid


def _webhook_delivery(other_team, outsider):
    from studio.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage

    endpoint = WebhookEndpoint.objects.get_or_create(
        team=other_team,
        url="https://hooks.example.com/theirs",
        defaults={"events": ["job.completed"], "secret_encrypted": "x"},
    )[0]
    message = WebhookMessage.objects.create(team=other_team, event_type="job.completed", payload={})
    return WebhookDelivery.objects.create(team=other_team, message=message, endpoint=endpoint)


def _collection(other_team, outsider):
    from studio.gallery.services import collection_create

    membership = Membership.objects.get(team=other_team, user=outsider)
    return collection_create(membership=membership, name="Theirs", shared=True).uuid


# keyword -> a value naming a real object of other_team (built once per test).
OTHER_TEAM_VALUES: dict[str, Callable] = {
    "team_id": lambda team, user: team.pk,
    "membership_id": lambda team, user: Membership.objects.get(team=team, user=user).pk,
    "invitation_id": lambda team, user: InvitationFactory(team=team).pk,
    "quota_id": _quota,
    "job_uuid": lambda team, user: _job_with_output(team, user).uuid,
    "job_id": lambda team, user: _job_with_output(team, user).uuid,
    "position": lambda team, user: 0,
    "key_id": _api_key,
    "asset_uuid": lambda team, user: _asset(team, user).uuid,
    "asset_id": lambda team, user: _asset(team, user).uuid,
    "style_id": _style,
    "style_uuid": _style,
    "app_uuid": _node_app,
    "node_app_id": _node_app,
    "run_uuid": _node_app_run,
    "run_id": _node_app_run,
    "endpoint_uuid": lambda team, user: _webhook_delivery(team, user).endpoint.uuid,
    "endpoint_id": lambda team, user: _webhook_delivery(team, user).endpoint.uuid,
    "delivery_uuid": lambda team, user: _webhook_delivery(team, user).uuid,
    "delivery_id": lambda team, user: _webhook_delivery(team, user).uuid,
    "collection_uuid": _collection,
    "batch_id": lambda team, user: JobFactory(team=team, created_by=user, batch=uuid4()).batch,
}

# Routes that act on a selection of outputs named in the query or the form (``output=<id>``):
# another team's output among them is a 404 too.
SELECTION_ROUTES: dict[str, str] = {
    "gallery_download": "get",
    "gallery_delete": "post",
    "gallery_collect": "post",
}


def _routes(patterns, prefix="", namespace="") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}", pattern


def _public_reason(name: str) -> str | None:
    for key, reason in PUBLIC.items():
        if name == key or (key.endswith(":") and name.startswith(key)):
            return reason
    return None


def team_routes() -> list[tuple[str, str]]:
    routes = []
    for route, name, _pattern in _routes(get_resolver().url_patterns):
        if _public_reason(name) is None:
            routes.append((route, name))
    return routes


def _keywords(route: str) -> list[str]:
    return list(RoutePattern(route).converters)


def _fill(route: str, values: dict) -> str:
    path = route
    for keyword in _keywords(route):
        start = path.index("<")
        end = path.index(">", start)
        path = path[:start] + str(values[keyword]) + path[end + 1 :]
    return "/" + path


def test_every_route_is_classified():
    """Every keyword is known, and every route is either a team route or public with a reason."""
    unknown = {
        (name, keyword)
        for route, name in team_routes()
        for keyword in _keywords(route)
        if keyword not in OTHER_TEAM_VALUES and keyword not in GLOBAL_KWARGS
    }
    assert not unknown, (
        f"Add these URL keywords to OTHER_TEAM_VALUES (a real object of other_team): {unknown}"
    )
    assert all("^" not in route for route, _ in team_routes()), "regex routes need a PUBLIC entry"


def _is_api(route: str) -> bool:
    return route.startswith("api/v1/")


@pytest.mark.parametrize(("route", "name"), team_routes(), ids=[n for _, n in team_routes()])
def test_logged_out_visitors_are_asked_to_log_in(client, route, name, other_team, outsider):
    values = {
        k: OTHER_TEAM_VALUES[k](other_team, outsider)
        for k in _keywords(route)
        if k in OTHER_TEAM_VALUES
    }
    values.update({k: "image/bfl/flux-1-dev" for k in _keywords(route) if k in GLOBAL_KWARGS})
    path = _fill(route, values)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if _is_api(route):
            assert response.status_code == 401, (method, path, response.status_code)
        elif not _refuses_the_method(response, method):
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.url.startswith("/accounts/login/"), (method, path, response.url)


def _refuses_the_method(response, method: str) -> bool:
    """A 405 that names the methods the view takes, and not this one."""
    if response.status_code != 405:
        return False
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert method.upper() not in allowed, (method, response["Allow"])
    return True


KEYED_ROUTES = [(r, n) for r, n in team_routes() if set(_keywords(r)) - set(GLOBAL_KWARGS)]


@pytest.mark.parametrize(("route", "name"), KEYED_ROUTES, ids=[n for _, n in KEYED_ROUTES])
def test_another_teams_objects_answer_404(client, route, name, owner, team, other_team, outsider):
    values = {
        k: OTHER_TEAM_VALUES[k](other_team, outsider)
        for k in _keywords(route)
        if k in OTHER_TEAM_VALUES
    }
    values.update({k: "image/bfl/flux-1-dev" for k in _keywords(route) if k in GLOBAL_KWARGS})
    path = _fill(route, values)
    # With a token, so pages that need one reach their lookup (without one they show the
    # same "add a token" page whatever the id, which reveals nothing either).
    give_krea_token(team)
    client.force_login(owner)
    responses = {method: getattr(client, method)(path) for method in ("get", "post")}
    statuses = {method: r.status_code for method, r in responses.items()}
    # Each method reaches the lookup (404) or is one the view does not take (405): a 405
    # may not hide a view that does take it, and one of the two must reach the lookup.
    for method, response in responses.items():
        assert response.status_code == 404 or _refuses_the_method(response, method), (
            path,
            statuses,
        )
    assert 404 in statuses.values(), (path, statuses)


@pytest.mark.parametrize(("name", "method"), sorted(SELECTION_ROUTES.items()))
def test_a_selection_with_another_teams_output_answers_404(
    client, name, method, owner, team, other_team, outsider
):
    from django.urls import reverse

    from studio.generation.models import Output

    theirs = Output.objects.get(job=_job_with_output(other_team, outsider))
    client.force_login(owner)
    response = getattr(client, method)(reverse(name), {"output": [theirs.pk], "name": "Board"})
    assert response.status_code == 404, (name, response.status_code)
