"""The “API keys” page: members create, see and revoke their own keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from studio.teams.scoping import team_required

from . import selectors, services
from .forms import ApiKeyForm


@team_required()
@never_cache
@sensitive_variables("created")
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """Your keys in every team; a new key is made in the current team and shown once."""
    form = ApiKeyForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created = services.api_key_create(
                membership=request.membership,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
            form = ApiKeyForm()
            status = 201
        else:
            status = 400
    return render(
        request,
        "api/keys.html",
        {
            "form": form,
            "created": created,
            "api_keys": selectors.api_keys_for_user(request.user),
            "membership": request.membership,
        },
        status=status,
    )


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(selectors.api_keys_for_user(request.user), pk=key_id)
    services.api_key_revoke(api_key=api_key)
    messages.success(request, f"The key “{api_key.name}” is revoked; it no longer works.")
    return redirect("api_keys")
