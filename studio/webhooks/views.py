"""The Webhooks page (owners and admins): endpoints, their secrets, test events, the log."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from studio.teams.models import Role
from studio.teams.scoping import team_required

from . import selectors, services
from .forms import EndpointForm


def _save(form: EndpointForm, save) -> bool:
    """Run ``save`` with the form's data; a refusal becomes the field's error."""
    if not form.is_valid():
        return False
    try:
        save(**form.cleaned_data)
    except services.InvalidEndpoint as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return False
    return True


@team_required(Role.ADMIN)
@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    """The team's endpoints and the form that adds one (its secret is shown once, here)."""
    membership = request.membership
    form = EndpointForm(request.POST or None)
    created, secret, status = None, None, 200

    def create(**data):
        nonlocal created, secret
        created, secret = services.endpoint_create(by=membership, **data)

    if request.method == "POST":
        if _save(form, create):
            form, status = EndpointForm(), 201
        else:
            status = 400
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "form": form,
            "created": created,
            "secret": secret,
            "endpoints": selectors.team_endpoints(membership),
        },
        status=status,
    )


@team_required(Role.ADMIN)
@never_cache
@sensitive_variables("secret")
@require_POST
def callback_secret(request: HttpRequest) -> HttpResponse:
    secret = services.callback_secret_rotate(by=request.membership)
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "form": EndpointForm(),
            "callback_secret": secret,
            "endpoints": selectors.team_endpoints(request.membership),
        },
    )


def _detail(request: HttpRequest, endpoint, *, form=None, secret=None, status=200):
    if form is None:
        form = EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
            }
        )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "secret": secret,
            "deliveries": selectors.endpoint_deliveries(endpoint),
        },
        status=status,
    )


@team_required(Role.ADMIN)
@never_cache
@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, endpoint_uuid: UUID) -> HttpResponse:
    """One endpoint: edit it, and its delivery log."""
    endpoint = selectors.endpoint_for(request.membership, endpoint_uuid)
    if request.method == "GET":
        return _detail(request, endpoint)
    form = EndpointForm(request.POST)

    def update(**data):
        services.endpoint_update(endpoint=endpoint, by=request.membership, **data)

    if _save(form, update):
        messages.success(request, "The endpoint is saved.")
        return redirect("webhooks:endpoint", endpoint.uuid)
    endpoint.refresh_from_db()
    return _detail(request, endpoint, form=form, status=400)


@team_required(Role.ADMIN)
@require_POST
def endpoint_test(request: HttpRequest, endpoint_uuid: UUID) -> HttpResponse:
    endpoint = selectors.endpoint_for(request.membership, endpoint_uuid)
    services.endpoint_send_test(endpoint=endpoint, by=request.membership)
    messages.success(request, "A test event is on its way: its attempt appears in the log below.")
    return redirect("webhooks:endpoint", endpoint.uuid)


@team_required(Role.ADMIN)
@never_cache
@sensitive_variables("secret")
@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_uuid: UUID) -> HttpResponse:
    endpoint = selectors.endpoint_for(request.membership, endpoint_uuid)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, by=request.membership)
    return _detail(request, endpoint, secret=secret)


@team_required(Role.ADMIN)
@require_POST
def endpoint_enable(request: HttpRequest, endpoint_uuid: UUID) -> HttpResponse:
    """Enable (``enabled=1``) or disable (``enabled=0``) the endpoint."""
    endpoint = selectors.endpoint_for(request.membership, endpoint_uuid)
    enabled = request.POST.get("enabled") == "1"
    services.endpoint_update(endpoint=endpoint, by=request.membership, enabled=enabled)
    messages.success(
        request,
        "The endpoint is enabled: new events go to it again."
        if enabled
        else "The endpoint is disabled: no events go to it until you enable it.",
    )
    return redirect("webhooks:endpoint", endpoint.uuid)


@team_required(Role.ADMIN)
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_uuid: UUID) -> HttpResponse:
    endpoint = selectors.endpoint_for(request.membership, endpoint_uuid)
    services.endpoint_delete(endpoint=endpoint, by=request.membership)
    messages.success(request, f"The endpoint {endpoint.url} and its log are deleted.")
    return redirect("webhooks:list")


@team_required(Role.ADMIN)
@require_POST
def delivery_resend(request: HttpRequest, endpoint_uuid: UUID, delivery_uuid: UUID) -> HttpResponse:
    endpoint = selectors.endpoint_for(request.membership, endpoint_uuid)
    delivery = selectors.delivery_for(endpoint, delivery_uuid)
    services.delivery_resend(delivery=delivery, by=request.membership)
    messages.success(request, f"The {delivery.message.event_type} event is sent again.")
    return redirect("webhooks:endpoint", endpoint.uuid)
