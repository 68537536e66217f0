"""The model browser page, its cards as an htmx partial, and the favourite toggle.

``?chooser=1`` answers with the browser alone, for the model chooser dialog of the
generate page; every card links to its model's generate page.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from krea_integration import catalogue
from studio.teams.scoping import team_required

from . import selectors, services
from .forms import ModelFilterForm


@team_required()
@require_GET
def model_browser(request: HttpRequest) -> HttpResponse:
    """Every model as a card, filtered by tag, kind and price, favourites first."""
    form = ModelFilterForm(request.GET or None)
    cards = selectors.model_cards(membership=request.membership, **_filters(form))
    context = {"form": form, "cards": cards, "chooser": bool(request.GET.get("chooser"))}
    if request.htmx and request.htmx.target == "model-cards":
        return render(request, "modelbrowser/browser.html#model-cards", context)
    if request.htmx or context["chooser"]:
        return render(request, "modelbrowser/browser.html#browser", context)
    return render(request, "modelbrowser/browser.html", context)


def _filters(form: ModelFilterForm) -> dict[str, str]:
    found = form.filters()
    return {"query": found.get("q", ""), **{k: found.get(k, "") for k in ("tag", "kind", "price")}}


@team_required()
@require_POST
def model_favourite(request: HttpRequest) -> HttpResponse:
    """Pin a model first for this member (``favourite=1``) or unpin it (``favourite=0``)."""
    model_id = request.POST.get("model", "")
    try:
        services.model_favourite_set(
            membership=request.membership,
            model_id=model_id,
            favourite=request.POST.get("favourite") == "1",
        )
    except catalogue.UnknownModel:
        raise Http404("Krea has no such model.") from None
    if request.htmx:
        form = ModelFilterForm(request.GET or None)
        cards = selectors.model_cards(membership=request.membership, **_filters(form))
        context = {"form": form, "cards": cards, "chooser": bool(request.GET.get("chooser"))}
        return render(request, "modelbrowser/browser.html#model-cards", context)
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect("model_browser")
