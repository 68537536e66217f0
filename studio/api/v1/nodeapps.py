"""API v1 for node apps: the team's apps, one app with its input schema, execute, a run.

The same services and selectors as the Node apps pages (``studio.nodeapps``): an app
or run of another team answers 404, inputs its schema refuses 400 naming each input
(``invalid_inputs``), all through the API's one exception handler.
"""

from __future__ import annotations

from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from studio.nodeapps import selectors, services
from studio.nodeapps.models import NodeApp, NodeAppRun

from . import serializers as s
from .scoping import require_membership
from .views import COMMON_ERRORS, INVALID, ApiView, _errors

TAG = "Node apps"
APP_NOT_FOUND = _errors((404, s.ErrorSerializer, "No such node app in your team."))
RUN_NOT_FOUND = _errors((404, s.ErrorSerializer, "No such node app run in your team."))


class NodeAppSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    price_cu = serializers.SerializerMethodField(
        help_text="What one run reserves, and costs if any of its jobs completes."
    )
    price_published = serializers.SerializerMethodField(
        help_text="Always false: Krea publishes no price for node apps; the portal's figure."
    )

    class Meta:
        model = NodeApp
        fields = [
            "id",
            "version_id",
            "name",
            "description",
            "author",
            "version",
            "example_outputs",
            "price_cu",
            "price_published",
        ]
        read_only_fields = fields

    def get_price_cu(self, app: NodeApp) -> float:
        return float(selectors.node_app_price(app).cu)

    def get_price_published(self, app: NodeApp) -> bool:
        return selectors.node_app_price(app).published


class NodeAppDetailSerializer(NodeAppSerializer):
    class Meta(NodeAppSerializer.Meta):
        fields = [*NodeAppSerializer.Meta.fields, "input_schema", "output_schema"]
        read_only_fields = fields


class NodeAppListSerializer(serializers.Serializer):
    results = NodeAppSerializer(many=True)


class ExecuteSerializer(serializers.Serializer):
    inputs = serializers.DictField(
        help_text="The app's inputs, matching its `input_schema` (see the app's detail)."
    )


class RunSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    app = serializers.UUIDField(source="app.uuid", allow_null=True)
    price_cu = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    status = serializers.SerializerMethodField(help_text="running, completed or failed")
    charged_cu = serializers.SerializerMethodField()
    jobs = serializers.SerializerMethodField(help_text="Every job Krea started for the run.")
    created_by = serializers.EmailField(source="created_by.email", allow_null=True)

    class Meta:
        model = NodeAppRun
        fields = [
            "id",
            "app",
            "app_name",
            "version_id",
            "inputs",
            "price_cu",
            "status",
            "charged_cu",
            "created_by",
            "created_at",
            "jobs",
        ]
        read_only_fields = fields

    def _state(self, run: NodeAppRun) -> selectors.RunState:
        cache = self.context.setdefault("states", {})
        if run.pk not in cache:
            cache[run.pk] = selectors.run_state(run)
        return cache[run.pk]

    def get_status(self, run: NodeAppRun) -> str:
        return self._state(run).status

    def get_charged_cu(self, run: NodeAppRun) -> float | None:
        charged = self._state(run).charged_cu
        return None if charged is None else float(charged)

    def get_jobs(self, run: NodeAppRun) -> list[dict]:
        return s.JobSerializer(self._state(run).jobs, many=True, context=self.context).data


class NodeAppListView(ApiView):
    @extend_schema(
        tags=[TAG],
        summary="List the team's node apps",
        operation_id="node_apps_list",
        responses={200: NodeAppListSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        apps = selectors.team_node_apps(team=require_membership(request).team)
        return Response({"results": NodeAppSerializer(apps, many=True).data})


class NodeAppDetailView(ApiView):
    @extend_schema(
        tags=[TAG],
        summary="A node app with its input schema",
        operation_id="node_apps_retrieve",
        responses={200: NodeAppDetailSerializer, **APP_NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request: Request, node_app_id: UUID) -> Response:
        app = selectors.node_app_for(require_membership(request), node_app_id)
        return Response(NodeAppDetailSerializer(app).data)


class NodeAppExecuteView(ApiView):
    @extend_schema(
        tags=[TAG],
        summary="Run a node app",
        operation_id="node_apps_execute",
        request=ExecuteSerializer,
        responses={
            201: RunSerializer,
            **INVALID,
            **APP_NOT_FOUND,
            **_errors(
                (403, s.QuotaErrorSerializer, "Over your or the team's CU quota."),
                (409, s.ErrorSerializer, "The team has no Krea token yet."),
            ),
            401: COMMON_ERRORS[401],
            429: COMMON_ERRORS[429],
        },
    )
    def post(self, request: Request, node_app_id: UUID) -> Response:
        """Reserve one run's price and queue the app's one execute request.

        The run's jobs appear as Krea starts them; follow them with `GET /node-apps/runs/{id}`.
        """
        membership = require_membership(request)
        app = selectors.node_app_for(membership, node_app_id)
        body = ExecuteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.node_app_run(
            membership=membership, app=app, inputs=body.validated_data["inputs"]
        )
        location = request.build_absolute_uri(reverse("api-v1:node-app-run", args=[run.uuid]))
        return Response(
            RunSerializer(run, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class NodeAppRunView(ApiView):
    @extend_schema(
        tags=[TAG],
        summary="A node app run and its jobs",
        operation_id="node_apps_run",
        responses={200: RunSerializer, **RUN_NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request: Request, run_id: UUID) -> Response:
        run = selectors.run_for(require_membership(request), run_id)
        return Response(RunSerializer(run, context={"request": request}).data)
