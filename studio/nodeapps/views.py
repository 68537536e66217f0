"""Node app pages: the team's apps, add one, an app with its inputs form, a run's live card.

Thin views over ``services`` (writes) and ``selectors`` (reads); every app and run
is reached through ``selectors.node_app_for`` / ``selectors.run_for``, as in the
API: another team's is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from krea_integration import errors as krea_errors
from studio.generation import selectors as generation_selectors
from studio.teams.scoping import team_required, token_missing_response
from studio.teams.tokens import TeamHasNoToken
from studio.usage.services import QuotaExceeded

from . import selectors, services
from .forms import AddNodeAppForm, inputs_form_class, schema_defaults
from .models import NodeApp

KREA_UNAVAILABLE = "Krea could not be reached just now; try again in a moment."


@team_required()
@require_GET
def node_app_list(request: HttpRequest) -> HttpResponse:
    """The team's saved node apps as cards, or an empty state that says what they are."""
    context = {
        "apps": selectors.team_node_apps(team=request.team),
        "may_change": selectors.node_app_may_change(membership=request.membership),
    }
    return render(request, "nodeapps/list.html", context)


@team_required()
@require_http_methods(["GET", "POST"])
def node_app_add(request: HttpRequest) -> HttpResponse:
    """Paste a version id, see what Krea says of the app, save it for the team.

    POST with ``_intent=save`` saves; any other POST shows the preview.
    """
    if not selectors.node_app_may_change(membership=request.membership):
        raise PermissionDenied(selectors.NODE_APP_CHANGE_REFUSED)
    form = AddNodeAppForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        version_id = form.cleaned_data["version_id"]
        try:
            if request.POST.get("_intent") == "save":
                app = services.node_app_add(membership=request.membership, version_id=version_id)
                messages.success(request, f"{app.name} is now one of the team's node apps.")
                return redirect("node_app_detail", app.uuid)
            preview = services.node_app_fetch(membership=request.membership, version_id=version_id)
        except TeamHasNoToken:
            return token_missing_response(request)
        except services.NodeAppUnknown as exc:
            form.add_error("version_id", str(exc))
        except krea_errors.KreaError:
            form.add_error(None, KREA_UNAVAILABLE)
    return render(request, "nodeapps/add.html", {"form": form, "preview": preview})


def _mark_image_inputs(form) -> None:
    """A node app's URL inputs take images (the picker's kind): Krea's node app schemas
    carry no catalogue data saying otherwise, and a typed URL of any kind still works."""
    for field in form.fields.values():
        if getattr(field, "accepts", None) == "uri":
            field.media_kind, field.max_items = "image", 1


def _detail_context(request: HttpRequest, app: NodeApp, form) -> dict[str, Any]:
    _mark_image_inputs(form)
    price, allowance = selectors.run_estimate_view(membership=request.membership, app=app)
    return {
        "app": app,
        "form": form,
        "price": price,
        "allowance": allowance,
        "fits": allowance.allows(price.cu),
        "assets": generation_selectors.team_asset_choices(team=request.team),
        "runs": selectors.app_runs(app=app),
        "may_change": selectors.node_app_may_change(membership=request.membership),
    }


@team_required()
@require_http_methods(["GET", "POST"])
def node_app_detail(request: HttpRequest, app_uuid: UUID) -> HttpResponse:
    """An app: description, example outputs, its inputs form; POST runs it."""
    app = selectors.node_app_for(request.membership, app_uuid)
    form_class = inputs_form_class(app)
    if request.method == "GET":
        form = form_class(initial=schema_defaults(app.input_schema or {}))
        return render(request, "nodeapps/detail.html", _detail_context(request, app, form))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run = services.node_app_run(
                membership=request.membership, app=app, inputs=form.params()
            )
        except TeamHasNoToken:
            return token_missing_response(request)
        except services.InvalidNodeAppInputs as exc:
            form.add_param_errors(exc.errors)
        except QuotaExceeded as exc:
            form.add_error(None, str(exc))
        else:
            url = reverse("node_app_run", args=[run.uuid])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        # Every problem at once: what the form could read, checked against the schema too.
        try:
            services.node_app_check_inputs(app=app, inputs=form.params())
        except services.InvalidNodeAppInputs as exc:
            form.add_param_errors(
                [e for e in exc.errors if e.field.split("[")[0] not in form.errors]
            )
    return render(request, "nodeapps/detail.html", _detail_context(request, app, form))


@team_required()
@require_POST
def node_app_refresh(request: HttpRequest, app_uuid: UUID) -> HttpResponse:
    """Fetch the app's latest details from Krea (owners and admins)."""
    app = selectors.node_app_for(request.membership, app_uuid, to_change=True)
    try:
        services.node_app_refresh(app=app, by=request.membership)
    except TeamHasNoToken:
        return token_missing_response(request)
    except services.NodeAppUnknown:
        messages.error(request, "Krea no longer knows this version of the app; remove it.")
    except krea_errors.KreaError:
        messages.error(request, KREA_UNAVAILABLE)
    else:
        messages.success(request, f"{app.name} is up to date with Krea.")
    return redirect("node_app_detail", app.uuid)


@team_required()
@require_http_methods(["GET", "POST"])
def node_app_remove(request: HttpRequest, app_uuid: UUID) -> HttpResponse:
    """Remove the app from the team, after confirmation; its runs and outputs stay."""
    app = selectors.node_app_for(request.membership, app_uuid, to_change=True)
    if request.method == "POST":
        services.node_app_remove(app=app, by=request.membership)
        messages.success(request, f"{app.name} was removed. Its runs and outputs stay.")
        return redirect("node_apps")
    context = {
        "title": f"Remove {app.name}?",
        "message": "Members will no longer be able to run it. Its runs, jobs and outputs stay.",
        "button": "Remove",
        "danger": True,
        "cancel_url": reverse("node_app_detail", args=[app.uuid]),
    }
    return render(request, "teams/confirm.html", context)


@team_required()
@require_GET
def node_app_run(request: HttpRequest, run_uuid: UUID) -> HttpResponse:
    """A run: one card following all its jobs live (fetched again when one changes)."""
    run = selectors.run_for(request.membership, run_uuid)
    services.run_watch(run=run)
    state = selectors.run_state(run)
    context = {
        "run": run,
        "state": state,
        "polling": not state.finished or state.waiting_for_files,
    }
    template = "nodeapps/run.html#run-card" if request.htmx else "nodeapps/run.html"
    response = render(request, template, context)
    # One URL, two bodies: a browser's back button must not show the card alone.
    patch_vary_headers(response, ("HX-Request",))
    return response
