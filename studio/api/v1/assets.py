"""API v1 for the asset library: upload, list, one asset, describe, delete, import.

The same selectors and services as the pages; the upload goes through the same
size limit (``studio.assets.uploads``) and content checks.
"""

from __future__ import annotations

from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from studio.assets import selectors, services
from studio.assets.models import Asset, AssetKind
from studio.assets.uploads import asset_upload_view, upload_refusals

from . import serializers as s
from .pagination import JobCursorPagination
from .parsers import ApiJSONParser
from .scoping import IsTeamMember, require_membership
from .views import COMMON_ERRORS, INVALID, _errors

TAG_ASSETS = "Assets"


class AssetSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    url = serializers.URLField(
        source="krea_url",
        help_text="Krea's URL of the file: what generation inputs such as `image_url` take.",
    )
    uploaded_by = serializers.EmailField(
        source="uploaded_by.email",
        allow_null=True,
        help_text="The member who uploaded it; null for assets imported from Krea.",
    )
    duration = serializers.FloatField(allow_null=True, help_text="Seconds, for video and audio.")

    class Meta:
        model = Asset
        fields = [
            "id",
            "kind",
            "mime_type",
            "size",
            "width",
            "height",
            "duration",
            "description",
            "file_name",
            "imported",
            "krea_id",
            "url",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


class AssetFilterSerializer(s.QuerySerializer):
    kind = serializers.ChoiceField(
        choices=AssetKind.choices, required=False, help_text="Only assets of this kind."
    )
    uploader = serializers.EmailField(
        required=False, help_text="Only assets uploaded by the member with this email."
    )
    q = serializers.CharField(
        required=False, max_length=200, help_text="Words in the description or file name."
    )


class AssetUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="JPEG, PNG, WebP, HEIC, MP4, MOV, WebM, GLB, WAV or MP3, at most 75 MB; "
        "the type is read from the content."
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AssetDescribeSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True, max_length=2000)


class AssetImportSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text="How many assets were new to the portal.")


class AssetCursorPagination(JobCursorPagination):
    """Newest first, like jobs."""


NOT_FOUND = _errors((404, s.ErrorSerializer, "No such asset in your team."))
KREA_ERRORS = _errors(
    (409, s.ErrorSerializer, "The team has no Krea token yet."),
    (502, s.ErrorSerializer, "Krea failed or could not be reached; nothing was changed."),
)


def _asset_json(request: Request, asset: Asset) -> dict:
    return AssetSerializer(asset, context={"request": request}).data


@asset_upload_view
class AssetListView(mixins.ListModelMixin, generics.GenericAPIView):
    parser_classes = [MultiPartParser]
    permission_classes = [IsTeamMember]
    serializer_class = AssetSerializer
    pagination_class = AssetCursorPagination

    def get_queryset(self):
        query = AssetFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        team = require_membership(self.request).team
        uploader = filters.pop("uploader", None)
        assets = selectors.team_assets(team=team, filters=filters)
        if uploader:
            assets = assets.filter(uploaded_by__email__iexact=uploader)
        return assets

    @extend_schema(
        tags=[TAG_ASSETS],
        summary="List the team's assets",
        operation_id="assets_list",
        parameters=[AssetFilterSerializer],
        responses={200: AssetSerializer(many=True), **INVALID, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The team's assets, newest first, a page at a time (follow `next`)."""
        return self.list(request)

    @extend_schema(
        tags=[TAG_ASSETS],
        summary="Upload an asset",
        operation_id="assets_create",
        request={"multipart/form-data": AssetUploadSerializer},
        responses={
            201: AssetSerializer,
            **_errors(
                (400, s.ValidationErrorSerializer, "No file, or not a kind of file Krea takes."),
                (413, s.ValidationErrorSerializer, "The file is larger than 75 MB."),
            ),
            **KREA_ERRORS,
            **COMMON_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        """Send one file to the team's Krea account (multipart field `file`).

        The portal checks its type by content and its size before sending anything;
        a body announcing more than 75 MB is refused unread.
        """
        membership = require_membership(request)
        refused = upload_refusals(request._request)
        if refused:
            raise services.AssetTooLarge(refused[0])
        body = AssetUploadSerializer(data=request.data)
        refused = upload_refusals(request._request)  # files skipped while parsing
        if refused:
            raise services.AssetTooLarge(refused[0])
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        asset = services.asset_upload(
            membership=membership,
            file=upload,
            file_name=upload.name,
            description=body.validated_data.get("description", ""),
        )
        location = request.build_absolute_uri(reverse("api-v1:asset-detail", args=[asset.uuid]))
        return Response(
            _asset_json(request, asset),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class AssetDetailView(generics.GenericAPIView):
    parser_classes = [ApiJSONParser]
    permission_classes = [IsTeamMember]
    serializer_class = AssetSerializer

    @extend_schema(
        tags=[TAG_ASSETS],
        summary="One asset",
        operation_id="assets_retrieve",
        responses={200: AssetSerializer, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request: Request, asset_id: UUID) -> Response:
        asset = selectors.asset_for(require_membership(request), asset_id)
        return Response(_asset_json(request, asset))

    @extend_schema(
        tags=[TAG_ASSETS],
        summary="Change an asset's description",
        operation_id="assets_update",
        request=AssetDescribeSerializer,
        responses={
            200: AssetSerializer,
            **_errors((400, s.ValidationErrorSerializer, "The request is not valid.")),
            **NOT_FOUND,
            **COMMON_ERRORS,
        },
    )
    def patch(self, request: Request, asset_id: UUID) -> Response:
        """The description shown in the portal (yours, or anyone's for owners and admins)."""
        membership = require_membership(request)
        asset = selectors.asset_for(membership, asset_id, to_change=True)
        body = AssetDescribeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        asset = services.asset_describe(
            membership=membership, asset=asset, description=body.validated_data["description"]
        )
        return Response(_asset_json(request, asset))

    @extend_schema(
        tags=[TAG_ASSETS],
        summary="Delete an asset",
        operation_id="assets_delete",
        responses={204: None, **NOT_FOUND, **KREA_ERRORS, **COMMON_ERRORS},
    )
    def delete(self, request: Request, asset_id: UUID) -> Response:
        """Delete it at Krea and in the portal (yours, or anyone's for owners and admins)."""
        membership = require_membership(request)
        asset = selectors.asset_for(membership, asset_id, to_change=True)
        services.asset_delete(membership=membership, asset=asset)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssetImportView(generics.GenericAPIView):
    parser_classes = [ApiJSONParser]
    permission_classes = [IsTeamMember]
    serializer_class = AssetImportSerializer

    @extend_schema(
        tags=[TAG_ASSETS],
        summary="Import the assets the team's token has at Krea",
        operation_id="assets_import",
        request=None,
        responses={200: AssetImportSerializer, **KREA_ERRORS, **COMMON_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Bring in the assets the team's Krea token already has, skipping known ones.

        Krea gives no file name, duration or uploader for them; they are marked
        `imported`, and their thumbnails are made in the background.
        """
        added = services.assets_import(membership=require_membership(request))
        return Response({"added": added})
