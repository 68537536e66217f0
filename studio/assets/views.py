"""Asset pages: the library, upload, one asset, delete, import, and the files.

Thin views over ``services`` (writes) and ``selectors`` (reads). Every asset is
reached through ``selectors.asset_for``: another team's asset is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.files import file_response
from studio.paging import keyset_page
from studio.teams.scoping import team_required
from studio.teams.tokens import TeamHasNoToken

from . import selectors, services
from .forms import AssetDescriptionForm, AssetFilterForm
from .models import Asset
from .uploads import asset_upload_view, upload_refusals, upload_was_refused

# The upload widget asks for one file's result row instead of the whole page.
ROW_HEADER = "X-Upload-Row"


@team_required()
@require_GET
def asset_library(request: HttpRequest) -> HttpResponse:
    """The team's assets as a grid, newest first, filtered; "Load more" pages by keyset."""
    members = selectors.uploader_choices(team=request.team)
    data = {k: v for k, v in request.GET.items() if k != "cursor"}
    form = AssetFilterForm(data or None, members=members)
    assets = selectors.team_assets(team=request.team, filters=form.filters())
    page = keyset_page(assets, cursor=request.GET.get("cursor", ""))
    next_url = ""
    if page.next_cursor:
        next_url = f"{reverse('asset_library')}?{form.query_string(cursor=page.next_cursor)}"
    context = {"form": form, "page": page, "next_url": next_url}
    if request.htmx and request.htmx.target == "asset-more":
        return render(request, "assets/library.html#asset-page", context)
    if request.htmx and request.htmx.target == "asset-results":
        return render(request, "assets/library.html#asset-results", context)
    return render(request, "assets/library.html", context)


@dataclass(frozen=True)
class UploadResult:
    name: str
    asset: Asset | None = None
    error: str = ""
    status: int = 201


_ERROR_STATUS = {
    services.AssetTooLarge: 413,
    services.AssetRefused: 415,
    services.AssetUploadFailed: 502,
}


def _receive(request: HttpRequest) -> list[UploadResult]:
    """Upload each file of the request on its own: one refusal never stops the others."""
    if upload_was_refused(request):
        return [UploadResult(name="", error=m, status=413) for m in upload_refusals(request)]
    files = request.FILES.getlist("file")
    described = AssetDescriptionForm(request.POST)
    if not described.is_valid():
        # The description goes with every file: none is sent without the one asked for.
        message = "Description: " + " ".join(described.errors["description"])
        return [UploadResult(name=f.name, error=message, status=400) for f in files] or [
            UploadResult(name="", error=message, status=400)
        ]
    # Files skipped while the body was read (over the limit) are known only now.
    results = [UploadResult(name="", error=m, status=413) for m in upload_refusals(request)]
    for file in files:
        try:
            asset = services.asset_upload(
                membership=request.membership,
                file=file,
                file_name=file.name,
                description=described.cleaned_data["description"],
            )
        except services.AssetError as exc:
            results.append(
                UploadResult(
                    name=file.name, error=str(exc), status=_ERROR_STATUS.get(type(exc), 400)
                )
            )
        except TeamHasNoToken as exc:
            results.append(UploadResult(name=file.name, error=str(exc), status=409))
        else:
            results.append(UploadResult(name=file.name, asset=asset))
    if not results:
        results.append(UploadResult(name="", error="Choose a file to upload.", status=400))
    return results


@team_required(needs_token=True)
@asset_upload_view
@require_http_methods(["GET", "POST"])
def asset_upload(request: HttpRequest) -> HttpResponse:
    """Drop or choose files; each goes to Krea on its own, with its own progress and result.

    The widget (``static/js/upload.js``) sends one file per request with the
    ``X-Upload-Row`` header and gets back that file's row. Without JS the form
    sends them all and the page lists every result.
    """
    if request.method == "GET":
        return render(
            request, "assets/upload.html", {"results": [], "form": AssetDescriptionForm()}
        )
    results = _receive(request)
    if request.headers.get(ROW_HEADER):
        result = results[0]
        return render(
            request, "assets/upload.html#upload-row", {"result": result}, status=result.status
        )
    context = {"results": results, "form": AssetDescriptionForm()}
    return render(request, "assets/upload.html", context)


@team_required()
@require_POST
def asset_import(request: HttpRequest) -> HttpResponse:
    """Bring in the assets the team's Krea token already has."""
    try:
        added = services.assets_import(membership=request.membership)
    except (services.AssetError, TeamHasNoToken) as exc:
        messages.error(request, str(exc))
    else:
        if added:
            messages.success(
                request,
                f"{added} asset{'s' if added != 1 else ''} added from Krea; "
                "their thumbnails appear in a moment.",
            )
        else:
            messages.info(request, "Nothing new at Krea: every asset there is already here.")
    return redirect("asset_library")


@team_required()
@require_http_methods(["GET", "POST"])
def asset_detail(request: HttpRequest, asset_uuid: UUID) -> HttpResponse:
    """One asset: preview, facts, the jobs that used it, and what can be done with it.

    POST changes its description (its uploader, owners and admins).
    """
    asset = selectors.asset_for(request.membership, asset_uuid, to_change=request.method == "POST")
    if request.method == "POST":
        form = AssetDescriptionForm(request.POST)
        if form.is_valid():
            services.asset_describe(
                membership=request.membership,
                asset=asset,
                description=form.cleaned_data["description"],
            )
            messages.success(request, "The description is saved.")
            return redirect("asset_detail", asset_uuid=asset.uuid)
    else:
        form = AssetDescriptionForm(initial={"description": asset.description})
    context = {
        "asset": asset,
        "form": form,
        "may_change": selectors.asset_change_allowed(asset=asset, membership=request.membership),
        "jobs": selectors.asset_jobs(asset=asset),
        "models": selectors.models_taking(kind=asset.kind),
    }
    return render(request, "assets/asset_detail.html", context)


@team_required()
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, asset_uuid: UUID) -> HttpResponse:
    """Delete an asset at Krea and here, after a confirmation page."""
    asset = selectors.asset_for(request.membership, asset_uuid, to_change=True)
    if request.method == "GET":
        context = {
            "title": f"Delete {asset.label}?",
            "message": "It is deleted at Krea and here, for everyone in the team. Jobs that "
            "used it keep their results. This cannot be undone.",
            "button": "Delete the asset",
            "danger": True,
            "cancel_url": reverse("asset_detail", args=[asset.uuid]),
        }
        return render(request, "teams/confirm.html", context)
    try:
        services.asset_delete(membership=request.membership, asset=asset)
    except (services.AssetError, TeamHasNoToken) as exc:
        messages.error(request, str(exc))
        return redirect("asset_detail", asset_uuid=asset.uuid)
    messages.success(request, f"{asset.label} is deleted.")
    return redirect("asset_library")


@team_required()
@require_GET
def asset_file(request: HttpRequest, asset_uuid: UUID) -> HttpResponse:
    """The asset's file (the preview), to its team only; ``?download=1`` saves it."""
    asset = selectors.asset_for(request.membership, asset_uuid)
    if not asset.file:
        raise Http404("This asset's file is still being copied from Krea.")
    return file_response(
        request,
        asset.file,
        content_type=asset.mime_type,
        filename=asset.file_name or asset.file.name.rsplit("/", 1)[-1],
        attachment=request.GET.get("download") == "1",
    )


@team_required()
@require_GET
def asset_thumbnail(request: HttpRequest, asset_uuid: UUID) -> HttpResponse:
    asset = selectors.asset_for(request.membership, asset_uuid)
    if not asset.thumbnail:
        raise Http404("This asset has no thumbnail.")
    return file_response(
        request, asset.thumbnail, content_type="image/jpeg", filename=f"{asset.uuid}-thumbnail.jpg"
    )
