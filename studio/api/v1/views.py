"""The public API v1: thin views over the same services and selectors the pages use.

Each request acts as one team member (``scoping.api_membership``); errors are
turned into JSON by ``studio.api.exceptions.api_exception_handler``.
"""

from __future__ import annotations

from contextlib import nullcontext
from uuid import UUID

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.urls import Resolver404, resolve, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from krea_integration import catalogue
from studio.files import file_response
from studio.generation import selectors as generation_selectors
from studio.generation import services as generation
from studio.generation.files import output_filename
from studio.generation.models import Output
from studio.usage.selectors import allowance_for
from studio.webhooks import services as webhooks

from . import schema  # noqa: F401  (registers the API key scheme with drf-spectacular)
from . import serializers as s
from .pagination import JobCursorPagination
from .parsers import ApiJSONParser
from .scoping import IsTeamMember, require_membership, team_jobs

TAG_MODELS, TAG_JOBS, TAG_USAGE = "Models", "Jobs", "Usage"


def _errors(*pairs: tuple[int, type[s.ErrorSerializer], str]) -> dict:
    return {code: OpenApiResponse(serializer, description=text) for code, serializer, text in pairs}


COMMON_ERRORS = _errors(
    (401, s.ErrorSerializer, "No key, or an unknown, revoked or expired key."),
    (403, s.ErrorSerializer, "Not a member of a team, or not allowed for your role."),
    (429, s.ThrottledErrorSerializer, "Too many requests with this key; see Retry-After."),
)
NOT_FOUND = _errors((404, s.ErrorSerializer, "No such job in your team."))
INVALID = _errors((400, s.ValidationErrorSerializer, "The request is not valid; see `fields`."))


class ApiView(APIView):
    """Defaults of every v1 endpoint: JSON bodies, a member of a team."""

    parser_classes = [ApiJSONParser]
    permission_classes = [IsTeamMember]


# Models -------------------------------------------------------------------------------


class ModelListView(ApiView):
    @extend_schema(
        tags=[TAG_MODELS],
        summary="List the Krea models",
        operation_id="models_list",
        parameters=[s.ModelFilterSerializer],
        responses={200: s.CatalogueModelListSerializer, **INVALID, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Every model the portal can run, with its request schema and price table."""
        query = s.ModelFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        group = query.validated_data.get("group")
        models = catalogue.load().by_group(group) if group else list(catalogue.load())
        return Response({"results": s.CatalogueModelSerializer(models, many=True).data})


class ModelDetailView(ApiView):
    @extend_schema(
        tags=[TAG_MODELS],
        summary="One Krea model",
        operation_id="models_retrieve",
        responses={
            200: s.CatalogueModelSerializer,
            **_errors((404, s.ErrorSerializer, "No such model.")),
            **COMMON_ERRORS,
        },
    )
    def get(self, request: Request, model_id: str) -> Response:
        model = generation_selectors.catalogue_model(model_id)
        if model is None:
            raise NotFound(f"Krea has no model {model_id!r} in this catalogue.")
        return Response(s.CatalogueModelSerializer(model).data)


# Estimate -----------------------------------------------------------------------------


class EstimateView(ApiView):
    @extend_schema(
        tags=[TAG_MODELS],
        summary="Estimate a job's CU",
        operation_id="estimate",
        request=s.GenerationSerializer,
        responses={200: s.EstimateSerializer, **INVALID, **COMMON_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """What running `model` with `params` would cost, and what you have left."""
        membership = require_membership(request)
        body = s.GenerationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        prepared = generation.generation_prepare(
            model_id=body.validated_data["model"], params=body.validated_data["params"]
        )
        figures = generation_selectors.generation_estimate(
            membership=membership, model=prepared.model, params=prepared.params
        )
        data = {
            "model": prepared.model.id,
            "cu": figures.estimate.cu,
            "published": figures.estimate.published,
            "note": figures.estimate.note,
            "left": figures.allowance.left,
        }
        warnings = generation_selectors.generation_warnings(
            model_id=prepared.model.id, params=body.validated_data["params"]
        )
        if warnings:
            data["warnings"] = warnings
        return Response(s.EstimateSerializer(data).data)


# Jobs ---------------------------------------------------------------------------------


class JobListView(mixins.ListModelMixin, generics.GenericAPIView):
    parser_classes = [ApiJSONParser]
    permission_classes = [IsTeamMember]
    serializer_class = s.JobSerializer
    pagination_class = JobCursorPagination

    def get_queryset(self):
        query = s.JobFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        jobs = team_jobs(self.request)
        if "member" in filters:
            jobs = jobs.filter(created_by__email__iexact=filters.pop("member"))
        team = require_membership(self.request).team
        return jobs.filter(generation_selectors.job_filter_q(filters, team=team))

    @extend_schema(
        tags=[TAG_JOBS],
        summary="List the team's jobs",
        operation_id="jobs_list",
        parameters=[s.JobFilterSerializer],
        responses={200: s.JobSerializer(many=True), **INVALID, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The team's jobs, newest first, a page at a time (follow `next`)."""
        return self.list(request)

    @extend_schema(
        tags=[TAG_JOBS],
        summary="Start a job",
        operation_id="jobs_create",
        request=s.JobCreateSerializer,
        responses={
            201: s.JobCreatedSerializer,
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
        """Queue a generation. It runs when one of the team's Krea slots is free: poll it, or
        hear of its end from a webhook endpoint or this request's `callback_url`."""
        membership = require_membership(request)
        body = s.JobCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        callback_url = body.validated_data.get("callback_url")
        # A job and its callback commit together; a job alone is its own transaction (a
        # savepoint inside an outer one would cost two more statements per submit).
        with transaction.atomic() if callback_url else nullcontext():
            job = generation.generation_submit(
                membership=membership,
                model_id=body.validated_data["model"],
                params=body.validated_data["params"],
            )
            if callback_url:
                webhooks.job_callback_set(job_id=job.pk, url=callback_url)
        # The job as written (pending: its dispatch is only enqueued), not read again: it
        # has no outputs yet, so showing it asks for none.
        job._prefetched_objects_cache = {"outputs": _none_yet(Output)}
        location = request.build_absolute_uri(reverse("api-v1:job-detail", args=[job.uuid]))
        data = s.JobSerializer(job, context={"request": request}).data
        return Response(
            _with_warnings(data, body.validated_data),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


def _none_yet(model: type[Model]) -> QuerySet:
    """An empty queryset already evaluated: iterating it costs no query and no SQL."""
    empty = model.objects.none()
    empty._result_cache = []
    return empty


def _with_warnings(data: dict, request_body: dict) -> dict:
    """``data`` with the request's deprecated parameter names, if it used any."""
    warnings = generation_selectors.generation_warnings(
        model_id=request_body["model"], params=request_body["params"]
    )
    if warnings:
        data["warnings"] = warnings
    return data


class BatchListView(ApiView):
    @extend_schema(
        tags=[TAG_JOBS],
        summary="Start a batch of variations",
        operation_id="batches_create",
        request=s.BatchCreateSerializer,
        responses={
            201: s.BatchCreatedSerializer,
            **INVALID,
            **_errors(
                (
                    403,
                    s.QuotaErrorSerializer,
                    "The batch does not fit your or the team's CU quota (`fields.count` "
                    "when more than one job was asked for); no job was started.",
                ),
                (409, s.ErrorSerializer, "The team has no Krea token yet."),
            ),
            401: COMMON_ERRORS[401],
            429: COMMON_ERRORS[429],
        },
    )
    def post(self, request: Request) -> Response:
        """Start `count` (1 to 4) variations of one generation, as the workspace's
        "Generate xN" does: separate jobs, each with its own seed, estimated and reserved
        together. All of them start, or none (over the quota: 403 and no job). Follow the
        batch at its `Location`, or each job at `/api/v1/jobs/{id}`."""
        membership = require_membership(request)
        body = s.BatchCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        callback_url = body.validated_data.get("callback_url")
        with transaction.atomic():
            jobs = generation.generation_submit_group(
                membership=membership,
                model_id=body.validated_data["model"],
                params=body.validated_data["params"],
                count=body.validated_data["count"],
                seed_locked=body.validated_data["seed_locked"],
            )
            for job in jobs if callback_url else []:
                webhooks.job_callback_set(job_id=job.pk, url=callback_url)
        batch = generation_selectors.batch_for(membership, jobs[0].batch)
        location = request.build_absolute_uri(reverse("api-v1:batch-detail", args=[batch.key]))
        data = s.BatchSerializer(batch, context={"request": request}).data
        return Response(
            _with_warnings(data, body.validated_data),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class BatchDetailView(ApiView):
    @extend_schema(
        tags=[TAG_JOBS],
        summary="One batch of variations",
        operation_id="batches_retrieve",
        responses={
            200: s.BatchSerializer,
            **_errors((404, s.ErrorSerializer, "No such batch in your team.")),
            **COMMON_ERRORS,
        },
    )
    def get(self, request: Request, batch_id: UUID) -> Response:
        """The batch's jobs, first first, with their states and outputs."""
        batch = generation_selectors.batch_for(require_membership(request), batch_id)
        return Response(s.BatchSerializer(batch, context={"request": request}).data)


class JobDetailView(ApiView):
    @extend_schema(
        tags=[TAG_JOBS],
        summary="One job",
        operation_id="jobs_retrieve",
        responses={200: s.JobSerializer, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request: Request, job_id: UUID) -> Response:
        """The job's state and, once completed, its outputs. Poll every few seconds."""
        job = generation_selectors.job_for(require_membership(request), job_id)
        return Response(s.JobSerializer(job, context={"request": request}).data)

    @extend_schema(
        tags=[TAG_JOBS],
        summary="Delete a finished job",
        operation_id="jobs_delete",
        responses={
            204: None,
            **NOT_FOUND,
            **_errors((409, s.ErrorSerializer, "The job is still running: cancel it first.")),
            **COMMON_ERRORS,
        },
    )
    def delete(self, request: Request, job_id: UUID) -> Response:
        """Delete a finished job and its files (yours, or anyone's for owners and admins)."""
        membership = require_membership(request)
        job = generation_selectors.job_for(membership, job_id, to_change=True)
        generation.job_delete(job=job, by=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobCancelView(ApiView):
    @extend_schema(
        tags=[TAG_JOBS],
        summary="Cancel a job",
        operation_id="jobs_cancel",
        request=None,
        responses={
            200: s.JobSerializer,
            **NOT_FOUND,
            **_errors(
                (409, s.ErrorSerializer, "The job has finished."),
            ),
            **COMMON_ERRORS,
        },
    )
    def post(self, request: Request, job_id: UUID) -> Response:
        """Cancel a job that has not finished.

        A job still in the portal's queue is cancelled at once, nothing charged (200).
        One sent to Krea is being cancelled (202, ``cancel_requested``): poll the job
        for its end. It ends as Krea reports: cancelled (nothing charged), or
        completed and charged when Krea finished it despite the cancel.
        """
        membership = require_membership(request)
        job = generation_selectors.job_for(membership, job_id, to_change=True)
        generation.job_cancel(job=job, by=membership)
        job = generation_selectors.job_for(membership, job_id)
        data = s.JobSerializer(job, context={"request": request}).data
        return Response(data, status=202 if job.is_cancelling else 200)


class JobOutputView(ApiView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is a file (any type) or a JSON error, whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=[TAG_JOBS],
        summary="Download an output file",
        operation_id="jobs_output",
        parameters=[s.OutputQuerySerializer],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **INVALID,
            **_errors((404, s.ErrorSerializer, "No such output in your team.")),
            **COMMON_ERRORS,
        },
    )
    def get(self, request: Request, job_id: UUID, position: int) -> HttpResponse:
        """The file a completed job produced (an image or a video); Range requests work."""
        output = generation_selectors.output_for(require_membership(request), job_id, position)
        query = s.OutputQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return file_response(
            request._request,
            output.file,
            content_type=output.mime_type,
            filename=output_filename(output),
            attachment=query.validated_data["download"],
        )


# Usage --------------------------------------------------------------------------------


class UsageView(ApiView):
    @extend_schema(
        tags=[TAG_USAGE],
        summary="Your CU allowance",
        operation_id="usage_retrieve",
        responses={200: s.UsageSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """What you may still spend: the smaller of your own and the team's room."""
        allowance = allowance_for(membership=require_membership(request))
        return Response(s.UsageSerializer(allowance).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def not_found(request: Request) -> Response:
    path = request.path.rstrip("/")
    if path != request.path:
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match and match.url_name != "not-found":
            raise NotFound(
                f"There is no such API endpoint; API paths have no trailing slash: {path}"
            )
    raise NotFound("There is no such API endpoint; see /api/v1/docs/.")
