"""Gallery pages: the team's outputs to work with, favourites, collections, and what a
selection does (zip, add to a collection, delete).

Thin views over ``selectors`` (reads) and ``services`` (writes). Outputs are
reached through ``generation.selectors.output_for`` (one) or
``selectors.outputs_for`` (a selection), collections through
``selectors.collection_for``: another team's object is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.generation import selectors as generation_selectors
from studio.generation import services as generation_services
from studio.generation.live import job_followed
from studio.generation.selectors import filter_choices, output_for
from studio.paging import keyset_page
from studio.teams.scoping import team_required

from . import selectors, services
from .downloads import outputs_zip, zip_filename
from .forms import CollectionForm, GalleryFilterForm
from .models import Collection


def _back(request: HttpRequest, default: str) -> str:
    """Where a form sends the member back to: its ``next`` field when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _listing(
    request: HttpRequest,
    *,
    template: str,
    url: str,
    collection: Collection | None = None,
    extra: dict[str, Any] | None = None,
    live: bool = False,
) -> HttpResponse:
    """The outputs grid: filtered, keyset-paged; htmx gets the next page or the results."""
    collections = selectors.collection_choices(membership=request.membership)
    data = {k: v for k, v in request.GET.items() if k != "cursor"}
    form = GalleryFilterForm(
        data or None, collections=collections, **filter_choices(team=request.team)
    )
    filters = form.filters()
    if collection is not None:
        filters["collection"] = str(collection.uuid)
    page = keyset_page(
        selectors.gallery_outputs(membership=request.membership, filters=filters),
        cursor=request.GET.get("cursor", ""),
    )
    next_url = f"{url}?{form.query_string(cursor=page.next_cursor)}" if page.next_cursor else ""
    context = {
        "form": form,
        "page": page,
        "next_url": next_url,
        "collections": collections,
        "collection": collection,
        "upscale_model": selectors.upscale_model_id(),
        "animate_model": selectors.animate_model_id(),
        "here": request.get_full_path(),
        **(extra or {}),
    }
    if live and not filters and not request.GET.get("cursor"):
        # The whole gallery's first page takes new outputs at the top as jobs finish.
        context["live_gallery"] = True
        context["live_known"], context["live_pending"] = selectors.gallery_live(
            membership=request.membership
        )
    if request.htmx and request.htmx.target == "gallery-more":
        return render(request, "gallery/_grid.html#gallery-page", context)
    if request.htmx and request.htmx.target == "gallery-results":
        return render(request, "gallery/_grid.html#gallery-results", context)
    return render(request, template, context)


@team_required()
@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    """The team's outputs as a masonry wall, newest first, with filters for outputs."""
    return _listing(request, template="gallery/gallery.html", url=reverse("gallery"), live=True)


@team_required()
@require_GET
def gallery_job_tiles(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    """One job's place in the open gallery (``live.js``): while it runs or its files are
    copied, a hidden slot following it; then the tiles of its outputs."""
    job = generation_selectors.job_for(request.membership, job_uuid)
    if job_followed(job):
        return render(request, "gallery/_pending.html", {"job": job})
    context = {
        "outputs": selectors.job_tiles(membership=request.membership, job=job),
        "upscale_model": selectors.upscale_model_id(),
        "animate_model": selectors.animate_model_id(),
        "here": reverse("gallery"),
    }
    return render(request, "gallery/_tiles.html", context)


@team_required()
@require_POST
def output_favourite(request: HttpRequest, job_uuid: UUID, position: int) -> HttpResponse:
    """Mark (``favourite=1``) or unmark (``favourite=0``) an output as the member's favourite."""
    output = output_for(request.membership, job_uuid, position)
    favourite = request.POST.get("favourite") == "1"
    services.favourite_set(membership=request.membership, output=output, favourite=favourite)
    if request.htmx:
        output.is_favourite = favourite
        return render(request, "gallery/_favourite.html", {"output": output})
    return redirect(_back(request, reverse("gallery")))


def _selection(request: HttpRequest):
    ids = (
        request.POST.getlist("output")
        if request.method == "POST"
        else request.GET.getlist("output")
    )
    return selectors.outputs_for(request.membership, ids)


@team_required()
@require_GET
def gallery_download(request: HttpRequest) -> HttpResponse:
    """The selected outputs (``?output=<id>&output=<id>``) as one zip, streamed."""
    outputs = _selection(request)
    if not outputs:
        messages.error(request, "Select the files to download first.")
        return redirect(_back(request, reverse("gallery")))
    if len(outputs) > selectors.ZIP_LIMIT:
        messages.error(request, f"A zip holds at most {selectors.ZIP_LIMIT} files: select fewer.")
        return redirect(_back(request, reverse("gallery")))
    response = StreamingHttpResponse(outputs_zip(outputs), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, zip_filename(len(outputs)))
    response["Cache-Control"] = "private, no-store"
    return response


@team_required()
@require_POST
def gallery_delete(request: HttpRequest) -> HttpResponse:
    """Delete the selected outputs, after a confirmation page (``confirmed=1`` deletes)."""
    outputs = _selection(request)
    back = _back(request, reverse("gallery"))
    if not outputs:
        messages.error(request, "Select the files to delete first.")
        return redirect(back)
    refused = [
        o
        for o in outputs
        if not generation_selectors.job_may_change(job=o.job, membership=request.membership)
    ]
    if request.POST.get("confirmed") != "1" or refused:
        context = {"outputs": outputs, "refused": refused, "back": back}
        return render(request, "gallery/delete.html", context, status=403 if refused else 200)
    count = generation_services.outputs_delete(outputs=outputs, by=request.membership)
    messages.success(request, f"Deleted {count} file{'s' if count != 1 else ''}.")
    return redirect(back)


@team_required()
@require_POST
def gallery_collect(request: HttpRequest) -> HttpResponse:
    """Add the selected outputs to a collection (``collection=<uuid>``), or to a new one
    (``name=``)."""
    outputs = _selection(request)
    back = _back(request, reverse("gallery"))
    if not outputs:
        messages.error(request, "Select the files to add first.")
        return redirect(back)
    if request.POST.get("collection"):
        collection = selectors.collection_for(request.membership, request.POST["collection"])
    else:
        form = CollectionForm({"name": request.POST.get("name", "")})
        if not form.is_valid():
            messages.error(request, "Pick a collection, or name a new one.")
            return redirect(back)
        collection = services.collection_create(
            membership=request.membership, name=form.cleaned_data["name"]
        )
    added = services.collection_add(collection=collection, by=request.membership, outputs=outputs)
    messages.success(
        request,
        f"Added {added} file{'s' if added != 1 else ''} to “{collection.name}”."
        if added
        else f"Those files are in “{collection.name}” already.",
    )
    return redirect(back)


# ------------------------------------------------------------------ collections


@team_required()
@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest) -> HttpResponse:
    """The collections the member sees (the team's shared ones and their own); POST makes one."""
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        collection = services.collection_create(
            membership=request.membership,
            name=form.cleaned_data["name"],
            shared=form.cleaned_data["shared"],
        )
        messages.success(request, f"Collection “{collection.name}” created.")
        return redirect("collection_detail", collection_uuid=collection.uuid)
    context = {
        "form": form,
        "collections": selectors.collection_list(membership=request.membership),
    }
    return render(request, "gallery/collections.html", context, status=400 if form.errors else 200)


@team_required()
@require_GET
def collection_detail(request: HttpRequest, collection_uuid: UUID) -> HttpResponse:
    """One collection: its outputs as in the gallery, and (for its maker) rename and share."""
    collection = selectors.collection_for(request.membership, collection_uuid)
    may_change = selectors.collection_may_change(
        collection=collection, membership=request.membership
    )
    edit = CollectionForm(initial={"name": collection.name, "shared": collection.shared})
    return _listing(
        request,
        template="gallery/collection.html",
        url=reverse("collection_detail", args=[collection.uuid]),
        collection=collection,
        extra={"may_change": may_change, "edit_form": edit},
    )


@team_required()
@require_POST
def collection_edit(request: HttpRequest, collection_uuid: UUID) -> HttpResponse:
    """Rename a collection and share it with the team (or take it back)."""
    collection = selectors.collection_for(request.membership, collection_uuid, to_change=True)
    form = CollectionForm(request.POST)
    if form.is_valid():
        services.collection_update(
            collection=collection,
            by=request.membership,
            name=form.cleaned_data["name"],
            shared=form.cleaned_data["shared"],
        )
        messages.success(request, "Collection saved.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["Check the name."])))
    return redirect("collection_detail", collection_uuid=collection.uuid)


@team_required()
@require_POST
def collection_delete(request: HttpRequest, collection_uuid: UUID) -> HttpResponse:
    """Delete a collection (its files stay in the gallery)."""
    collection = selectors.collection_for(request.membership, collection_uuid, to_change=True)
    services.collection_delete(collection=collection, by=request.membership)
    messages.success(
        request, f"Collection “{collection.name}” deleted; its files stay in the gallery."
    )
    return redirect("collections")


@team_required()
@require_POST
def collection_remove(request: HttpRequest, collection_uuid: UUID) -> HttpResponse:
    """Take the selected outputs out of a collection."""
    collection = selectors.collection_for(request.membership, collection_uuid)
    outputs = _selection(request)
    removed = services.collection_remove(
        collection=collection, by=request.membership, outputs=outputs
    )
    messages.success(
        request, f"Removed {removed} file{'s' if removed != 1 else ''} from “{collection.name}”."
    )
    return redirect("collection_detail", collection_uuid=collection.uuid)
