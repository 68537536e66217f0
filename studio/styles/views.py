"""Styles pages: browse (team, workspace, Krea's public and community), train, one style.

Thin views over ``services`` (writes) and ``selectors`` (reads). A style of the
team is reached only through ``selectors.style_for``: another team's style is a
404, a member who may not change it gets 403 on the actions.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from krea_integration import catalogue
from krea_integration import errors as krea_errors
from studio.teams.scoping import team_required, token_missing_response
from studio.teams.tokens import TeamHasNoToken
from studio.usage.services import QuotaExceeded

from . import selectors, services
from .forms import training_form_class, training_initial
from .models import Style

TABS = (
    ("team", "Trained by the team"),
    ("workspace", "Shared with the workspace"),
    ("public", "Public"),
    ("community", "Community"),
)
KREA_UNREACHABLE = "Krea could not be reached; nothing changed. Try again in a moment."


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@team_required()
@require_GET
def style_list(request: HttpRequest) -> HttpResponse:
    """The Styles page: the team's styles, or a page of Krea's, searched by name."""
    tab = request.GET.get("tab", "team")
    if tab not in dict(TABS):
        tab = "team"
    query = request.GET.get("q", "").strip()[:200]
    context: dict[str, Any] = {"tabs": TABS, "tab": tab, "query": query}
    if tab == "team":
        context["styles"] = list(selectors.team_styles(team=request.team, query=query)[:200])
    else:
        page = selectors.krea_styles(
            team=request.team, tab=tab, query=query, cursor=request.GET.get("cursor", "")[:100]
        )
        context["krea"] = page
        if tab == "workspace" and not page.error and not query and not request.GET.get("cursor"):
            services.styles_reconcile_workspace(
                team=request.team,
                shared_ids={s.id for s in page.items},
                complete=page.next_cursor is None,
            )
        known = {
            s.krea_style_id: s
            for s in Style.objects.filter(
                team=request.team, krea_style_id__in=[s.id for s in page.items]
            )
        }
        context["krea_cards"] = [
            (item, known.get(item.id), generate_url(item.id, list(item.models)))
            for item in page.items
        ]
        if page.next_cursor:
            context["next_url"] = "?" + urlencode(
                {"tab": tab, "q": query, "cursor": page.next_cursor}
            )
    if request.htmx and request.htmx.target == "style-results":
        return render(request, "styles/style_list.html#style-results", context)
    return render(request, "styles/style_list.html", context)


@team_required()
@require_GET
def style_picker(request: HttpRequest) -> HttpResponse:
    """The generate page's styles picker: the styles ``?model=`` loads, searched by ``?q=``.

    A fragment (``styles/_styles_picker.html#results``), fetched when the picker opens
    and as the member types.
    """
    model_id = request.GET.get("model", "").strip()[:200]
    query = request.GET.get("q", "").strip()[:200]
    context = {
        "choices": selectors.picker_styles(team=request.team, model_id=model_id, query=query),
        "query": query,
        "mapped": bool(catalogue.style_bases(model_id)),
    }
    return render(request, "styles/_styles_picker.html#results", context)


def _train_context(request: HttpRequest, *, base_model: str, form) -> dict[str, Any]:
    steps = None
    if form.is_bound and hasattr(form, "cleaned_data"):
        steps = form.cleaned_data.get("max_train_steps")
    elif not form.is_bound:
        steps = form.initial.get("max_train_steps")
    training = catalogue.load().training
    return {
        "form": form,
        "base_model": base_model,
        "base_models": [(name, training.step_prices.get(name)) for name in training.models]
        if training
        else [],
        "form_url": f"{reverse('style_train')}?{urlencode({'model': base_model})}",
        "estimate": selectors.training_estimate_for(
            membership=request.membership, base_model=base_model, steps=steps
        ),
        "min_images": selectors.MIN_TRAINING_IMAGES,
    }


@team_required(needs_token=True)
@require_http_methods(["GET", "POST"])
def style_train(request: HttpRequest) -> HttpResponse:
    """Train a style: name, trigger word, kind, base model, steps, images from assets.

    ``?model=`` picks the base model (its form shows only what it takes); POST
    with ``_intent=estimate`` (htmx, on every change) answers with the estimate.
    """
    base_model = request.GET.get("model") or request.POST.get("base_model") or "flux_dev"
    try:
        form_class = training_form_class(base_model)
    except catalogue.UnknownModel:
        messages.error(request, f"Krea does not train styles on “{base_model}”.")
        return redirect("style_train")
    if request.method == "GET":
        form = form_class(team=request.team, initial=training_initial(base_model))
        return render(
            request,
            "styles/style_train.html",
            _train_context(request, base_model=base_model, form=form),
        )
    form = form_class(request.POST, team=request.team)
    if request.POST.get("_intent") == "estimate":
        form.is_valid()
        context = _train_context(request, base_model=base_model, form=form)
        return render(request, "styles/style_train.html#estimate", context)
    if form.is_valid():
        try:
            job = services.style_train(membership=request.membership, body=form.params())
        except TeamHasNoToken:
            return token_missing_response(request)
        except services.InvalidTraining as exc:
            for error in exc.errors:
                field = "images" if error.field.startswith("urls") else error.field
                form.add_error(field if field in form.fields else None, error.message)
        except QuotaExceeded as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The training is queued; its card shows how it goes.")
            return _redirect(request, reverse("job_detail", args=[job.uuid]))
    context = _train_context(request, base_model=base_model, form=form)
    return render(request, "styles/style_train.html", context)


def generate_url(krea_style_id: str, bases: list[str], trigger_word: str = "") -> str:
    """The generate page with a model that loads the style, the style picked."""
    params = {"style": krea_style_id}
    if trigger_word:
        params["prompt"] = trigger_word
    models = catalogue.style_generation_models(bases)
    if models:
        params["model"] = models[0]
    return f"{reverse('generate')}?{urlencode(params)}"


@team_required()
@require_http_methods(["GET", "POST"])
def style_detail(request: HttpRequest, style_uuid: UUID) -> HttpResponse:
    """A style: previews, facts, training images, sharing, the jobs that used it.

    POST ``action`` changes its sharing (``share_link``, ``workspace_share``,
    ``workspace_unshare``, ``make_public``, ``make_private``, ``rename``,
    ``cover``), for the member who trained it and the team's owners and admins.
    """
    if request.method == "POST":
        style = selectors.style_for(request.membership, style_uuid, to_change=True)
        return _style_action(request, style)
    style = selectors.style_for(request.membership, style_uuid)
    jobs = selectors.jobs_using_style(style)
    return render(
        request,
        "styles/style_detail.html",
        {
            "style": style,
            "may_change": selectors.style_may_change(style=style, membership=request.membership),
            "cover_assets": selectors.cover_assets(style=style),
            "jobs": list(jobs[:20]),
            "usage_count": jobs.count(),
            "generate_url": generate_url(
                style.krea_style_id, style.compatible_bases, style.trigger_word
            ),
        },
    )


def _style_action(request: HttpRequest, style: Style) -> HttpResponse:
    action = request.POST.get("action", "")
    by = request.membership
    try:
        if action == "share_link":
            services.style_share_link(style=style, by=by)
            messages.success(request, "The share link is ready: copy it below.")
        elif action in ("workspace_share", "workspace_unshare"):
            shared = action == "workspace_share"
            services.style_share_workspace(style=style, by=by, shared=shared)
            messages.success(
                request,
                "Shared with the Krea workspace." if shared else "Removed from the Krea workspace.",
            )
        elif action in ("make_public", "make_private"):
            public = action == "make_public"
            services.style_update(style=style, by=by, public=public)
            messages.success(request, "The style is public." if public else "The style is private.")
        elif action == "rename":
            services.style_update(style=style, by=by, title=request.POST.get("title", ""))
            messages.success(request, "The style is renamed.")
        elif action == "cover":
            services.style_update(style=style, by=by, cover_url=request.POST.get("cover_url", ""))
            messages.success(request, "The cover is changed.")
        else:
            messages.error(request, "Nothing to do: choose an action on the page.")
    except services.InvalidTraining as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
    except services.StyleRefused as exc:
        messages.error(request, str(exc))
    except (krea_errors.KreaError, TeamHasNoToken):
        messages.error(request, KREA_UNREACHABLE)
    except PermissionDenied:
        raise
    return _redirect(request, reverse("style_detail", args=[style.uuid]))


@team_required()
@require_POST
def style_refresh(request: HttpRequest, style_uuid: UUID) -> HttpResponse:
    """Read the style again from Krea (its previews, likes and public state)."""
    style = selectors.style_for(request.membership, style_uuid)
    if not services.style_sync(style=style):
        messages.error(request, KREA_UNREACHABLE)
    return _redirect(request, reverse("style_detail", args=[style.uuid]))
