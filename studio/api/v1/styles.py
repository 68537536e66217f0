"""API v1 for styles: train, list (team, workspace, public), detail, update, share.

The same services and selectors as the Styles pages (``studio.styles``): a style
of another team answers 404, a member who may not change it 403, Krea's refusal
400 (``krea_refused``), all through the API's one exception handler.
"""

from __future__ import annotations

from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from studio.generation import selectors as generation_selectors
from studio.styles import selectors, services
from studio.styles.models import Style, StyleKind

from . import serializers as s
from .scoping import require_membership
from .views import COMMON_ERRORS, INVALID, ApiView, _errors

TAG_STYLES = "Styles"
STYLE_NOT_FOUND = _errors((404, s.ErrorSerializer, "No such style in your team."))
KREA_REFUSED = _errors(
    (400, s.ValidationErrorSerializer, "Not valid, or Krea refused the change (`krea_refused`)."),
    (502, s.ErrorSerializer, "Krea could not be reached."),
)
SOURCES = ("team", "workspace", "public", "community")


# Serializers --------------------------------------------------------------------------


class StyleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    krea_style_id = serializers.CharField(help_text="Pass this as `styles[].id` to a model.")
    trained_by = serializers.EmailField(source="trained_by.email", allow_null=True)
    training_job = serializers.UUIDField(source="training_job.uuid", allow_null=True)
    cost_cu = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    models = serializers.ListField(
        source="compatible_bases",
        child=serializers.CharField(),
        help_text="Training base models the style works with (flux_dev, wan...).",
    )

    class Meta:
        model = Style
        fields = [
            "id",
            "krea_style_id",
            "name",
            "trigger_word",
            "kind",
            "base_model",
            "models",
            "training_urls",
            "steps",
            "cost_cu",
            "trained_by",
            "training_job",
            "created_at",
            "public",
            "shared_with_workspace",
            "share_link",
            "cover_url",
            "preview_urls",
            "prompt",
            "like_count",
        ]
        read_only_fields = fields


class KreaStyleSerializer(serializers.Serializer):
    """A style as Krea lists it (the workspace's, public or community styles)."""

    krea_style_id = serializers.CharField(source="id")
    name = serializers.CharField(source="title", allow_null=True)
    models = serializers.ListField(child=serializers.CharField())
    prompt = serializers.CharField()
    cover_url = serializers.CharField(allow_null=True)
    preview_urls = serializers.ListField(source="urls", child=serializers.CharField())
    public = serializers.BooleanField()
    like_count = serializers.FloatField()
    owner = serializers.CharField(source="owner.name", allow_null=True, default=None)


class StyleListSerializer(serializers.Serializer):
    results = serializers.ListField(child=serializers.DictField())
    next_cursor = serializers.CharField(allow_null=True)


class StyleFilterSerializer(s.QuerySerializer):
    source = serializers.ChoiceField(
        choices=SOURCES,
        default="team",
        help_text="team: trained by your team; workspace: shared with the Krea workspace; "
        "public and community: Krea's public styles.",
    )
    q = serializers.CharField(required=False, max_length=200, help_text="Search by name.")
    model = serializers.CharField(
        required=False, max_length=40, help_text="Only styles for this base model (flux_dev...)."
    )
    cursor = serializers.CharField(required=False, max_length=200)


class TrainSerializer(serializers.Serializer):
    """Krea's training body, in Krea's names; what a base model does not take is refused."""

    name = serializers.CharField(max_length=200)
    urls = serializers.ListField(
        child=serializers.URLField(max_length=2000),
        max_length=200,
        help_text="Image URLs to train on (at least 2), e.g. your assets' `image_url`.",
    )
    model = serializers.CharField(
        default="flux_dev",
        max_length=40,
        help_text="The base model: flux_dev, flux_schnell, wan, wan22, qwen or z-image.",
    )
    type = serializers.ChoiceField(
        choices=StyleKind.choices,
        required=False,
        help_text="Style, Object or Character (Default: flux and wan models only).",
    )
    trigger_word = serializers.CharField(required=False, allow_blank=True, max_length=100)
    max_train_steps = serializers.IntegerField(
        required=False, help_text="Training steps (1-2000); the portal's default for the model."
    )
    learning_rate = serializers.FloatField(required=False, help_text="flux and wan models only.")
    batch_size = serializers.IntegerField(required=False, help_text="flux and wan models only.")


class StyleUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    cover_url = serializers.URLField(required=False, max_length=2000)
    public = serializers.BooleanField(required=False)


class ShareLinkSerializer(serializers.Serializer):
    share_link = serializers.URLField()


# Views --------------------------------------------------------------------------------


def _style_json(style: Style, request: Request) -> dict:
    return StyleSerializer(style, context={"request": request}).data


class StyleListView(ApiView):
    @extend_schema(
        tags=[TAG_STYLES],
        summary="List styles",
        operation_id="styles_list",
        parameters=[StyleFilterSerializer],
        responses={200: StyleListSerializer, **INVALID, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The team's styles (newest first), or Krea's workspace, public or community styles.

        Team styles are `StyleSerializer` objects; Krea's are `KreaStyleSerializer`
        objects, a page at a time (pass `next_cursor` as `cursor`).
        """
        membership = require_membership(request)
        query = StyleFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        source = query.validated_data["source"]
        text = query.validated_data.get("q", "")
        model = query.validated_data.get("model", "")
        if source == "team":
            styles = selectors.team_styles(
                team=membership.team, query=text, base_models=[model] if model else None
            )[:200]
            return Response(
                {"results": [_style_json(st, request) for st in styles], "next_cursor": None}
            )
        page = selectors.krea_styles(
            team=membership.team,
            tab=source,
            model=model,
            cursor=query.validated_data.get("cursor", ""),
            query=text,
        )
        if page.refused:
            raise serializers.ValidationError({"request": [page.error]})
        if page.error:
            return Response(
                {"error": page.error, "code": "krea_unavailable"},
                status=status.HTTP_502_BAD_GATEWAY,
            )
        return Response(
            {
                "results": KreaStyleSerializer(page.items, many=True).data,
                "next_cursor": page.next_cursor,
            }
        )


class StyleTrainView(ApiView):
    @extend_schema(
        tags=[TAG_STYLES],
        summary="Train a style",
        operation_id="styles_train",
        request=TrainSerializer,
        responses={
            201: s.JobSerializer,
            **INVALID,
            **_errors(
                (403, s.QuotaErrorSerializer, "Over your or the team's CU quota."),
                (409, s.ErrorSerializer, "The team has no Krea token yet."),
            ),
            401: COMMON_ERRORS[401],
            429: COMMON_ERRORS[429],
        },
    )
    def post(self, request: Request) -> Response:
        """Queue a style training (a job of kind `training`, charged per step).

        Poll the job; once it completes, the style appears in `GET /styles`.
        """
        membership = require_membership(request)
        body = TrainSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.style_train(membership=membership, body=body.validated_data)
        job = generation_selectors.job_for(membership, job.uuid)
        location = request.build_absolute_uri(reverse("api-v1:job-detail", args=[job.uuid]))
        return Response(
            s.JobSerializer(job, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class StyleDetailView(ApiView):
    @extend_schema(
        tags=[TAG_STYLES],
        summary="One style of the team",
        operation_id="styles_retrieve",
        responses={200: StyleSerializer, **STYLE_NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request: Request, style_id: UUID) -> Response:
        style = selectors.style_for(require_membership(request), style_id)
        return Response(_style_json(style, request))

    @extend_schema(
        tags=[TAG_STYLES],
        summary="Rename a style, choose its cover, make it public or private",
        operation_id="styles_update",
        request=StyleUpdateSerializer,
        responses={200: StyleSerializer, **KREA_REFUSED, **STYLE_NOT_FOUND, **COMMON_ERRORS},
    )
    def patch(self, request: Request, style_id: UUID) -> Response:
        """Only the member who trained it, or owners and admins, may change a style."""
        membership = require_membership(request)
        style = selectors.style_for(membership, style_id, to_change=True)
        body = StyleUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        style = services.style_update(style=style, by=membership, **body.validated_data)
        return Response(_style_json(style, request))


class StyleShareLinkView(ApiView):
    @extend_schema(
        tags=[TAG_STYLES],
        summary="The style's share link",
        operation_id="styles_share_link",
        request=None,
        responses={200: ShareLinkSerializer, **KREA_REFUSED, **STYLE_NOT_FOUND, **COMMON_ERRORS},
    )
    def post(self, request: Request, style_id: UUID) -> Response:
        """Krea's link that lets people outside the workspace use the style (made once)."""
        membership = require_membership(request)
        style = selectors.style_for(membership, style_id, to_change=True)
        return Response({"share_link": services.style_share_link(style=style, by=membership)})


class StyleWorkspaceView(ApiView):
    def _share(self, request: Request, style_id: UUID, shared: bool) -> Response:
        membership = require_membership(request)
        style = selectors.style_for(membership, style_id, to_change=True)
        style = services.style_share_workspace(style=style, by=membership, shared=shared)
        return Response(_style_json(style, request))

    @extend_schema(
        tags=[TAG_STYLES],
        summary="Share the style with the Krea workspace",
        operation_id="styles_workspace_share",
        request=None,
        responses={200: StyleSerializer, **KREA_REFUSED, **STYLE_NOT_FOUND, **COMMON_ERRORS},
    )
    def post(self, request: Request, style_id: UUID) -> Response:
        return self._share(request, style_id, True)

    @extend_schema(
        tags=[TAG_STYLES],
        summary="Remove the style from the Krea workspace",
        operation_id="styles_workspace_unshare",
        responses={200: StyleSerializer, **KREA_REFUSED, **STYLE_NOT_FOUND, **COMMON_ERRORS},
    )
    def delete(self, request: Request, style_id: UUID) -> Response:
        return self._share(request, style_id, False)
