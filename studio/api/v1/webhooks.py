"""API v1 for outgoing webhooks: the team's endpoints, their delivery log, resend and test.

The same selectors and services as the Webhooks page; owners and admins only (a
member's key gets 403, another team's endpoint is 404). The events themselves are
described here too (``WebhookEventSerializer``): each delivery in the log carries its
event exactly as it was sent.
"""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from studio.webhooks import selectors, services
from studio.webhooks.events import TEST_EVENT, EventType
from studio.webhooks.models import WebhookDelivery, WebhookEndpoint

from . import serializers as s
from .assets import AssetSerializer
from .scoping import require_membership
from .styles import StyleSerializer
from .views import COMMON_ERRORS, INVALID, ApiView, _errors

TAG_WEBHOOKS = "Webhooks"
NOT_FOUND = _errors((404, s.ErrorSerializer, "No such webhook endpoint in your team."))
FORBIDDEN = _errors((403, s.ErrorSerializer, "Only owners and admins manage webhooks."))

# Events ----------------------------------------------------------------------------------


class QuotaReachedSerializer(serializers.Serializer):
    quota_id = serializers.IntegerField()
    scope = serializers.ChoiceField(
        choices=["member", "team"], help_text="A member's own quota, or the team's."
    )
    member = serializers.EmailField(allow_null=True, help_text="The member, for a member quota.")
    threshold = serializers.ChoiceField(
        choices=[80, 100], help_text="The share of the limit now used, in percent."
    )
    used = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    limit = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    period = serializers.CharField(help_text="day, week, month or total.")
    period_start = serializers.DateTimeField(allow_null=True)


class TestEventDataSerializer(serializers.Serializer):
    endpoint = serializers.UUIDField()
    sent_by = serializers.EmailField()


def _event(name: str, type_help: str, data) -> type[serializers.Serializer]:
    fields = {
        "type": serializers.CharField(help_text=type_help),
        "timestamp": serializers.DateTimeField(help_text="When the event happened."),
        "data": data,
    }
    return type(name, (serializers.Serializer,), fields)


JobEventSerializer = _event(
    "JobEvent",
    "job.completed, job.failed or job.cancelled.",
    s.JobSerializer(help_text="The job as GET /api/v1/jobs/{id} shows it."),
)
QuotaEventSerializer = _event("QuotaEvent", "quota.reached.", QuotaReachedSerializer())
AssetEventSerializer = _event("AssetEvent", "asset.created.", AssetSerializer())
StyleEventSerializer = _event("StyleEvent", "style.trained.", StyleSerializer())
TestEventSerializer = _event("TestEvent", f"{TEST_EVENT}.", TestEventDataSerializer())

WebhookEventSerializer = PolymorphicProxySerializer(
    component_name="WebhookEvent",
    serializers=[
        JobEventSerializer,
        QuotaEventSerializer,
        AssetEventSerializer,
        StyleEventSerializer,
        TestEventSerializer,
    ],
    resource_type_field_name=None,
)


# Endpoints -------------------------------------------------------------------------------


class EndpointSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    enabled = serializers.BooleanField(source="is_enabled")
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="Every attempt has failed since then; 5 days disable it."
    )
    disabled_reason = serializers.CharField(help_text="Why it is disabled, if it is.")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "enabled",
            "disabled_reason",
            "failing_since",
            "created_at",
        ]
        read_only_fields = fields


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="The whsec_ signing secret: shown this once. Verify deliveries with it."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class EndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000,
        help_text="An https:// URL on a public address; redirects are not followed.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        allow_empty=False,
        max_length=len(EventType.values),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EndpointUpdateSerializer(EndpointWriteSerializer):
    enabled = serializers.BooleanField(
        required=False, help_text="false stops deliveries; true starts them again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The new whsec_ secret, shown this once. The previous one keeps signing "
        "beside it for 24 hours (two signatures in webhook-signature)."
    )


class AttemptSerializer(serializers.Serializer):
    attempted_at = serializers.DateTimeField()
    response_status = serializers.IntegerField(
        allow_null=True, help_text="The endpoint's HTTP status; null when it did not answer."
    )
    latency_ms = serializers.IntegerField()
    response_excerpt = serializers.CharField(help_text="The first 500 bytes of the answer.")
    error = serializers.CharField(help_text="Why there was no answer, if so.")


class DeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    webhook_id = serializers.CharField(
        source="message.msg_id", help_text="The webhook-id header: the same on every attempt."
    )
    event_type = serializers.CharField(source="message.event_type")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    attempts = AttemptSerializer(many=True)
    event = serializers.SerializerMethodField(help_text="The event as it was sent (the body).")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event_type",
            "status",
            "attempt_count",
            "next_attempt_at",
            "created_at",
            "attempts",
            "event",
        ]
        read_only_fields = fields

    @extend_schema_field(WebhookEventSerializer)
    def get_event(self, delivery: WebhookDelivery) -> dict:
        return delivery.message.payload


class DeliveryListSerializer(serializers.Serializer):
    results = DeliverySerializer(many=True)


def _endpoint_json(endpoint: WebhookEndpoint, secret: str | None = None) -> dict:
    data = EndpointSerializer(endpoint).data
    if secret is not None:
        data["secret"] = secret
    return data


class EndpointListView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="List the team's webhook endpoints",
        operation_id="webhook_endpoints_list",
        responses={200: EndpointSerializer(many=True), **FORBIDDEN, **COMMON_ERRORS},
    )
    def get(self, request: Request) -> Response:
        endpoints = selectors.team_endpoints(require_membership(request))
        return Response(EndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Add a webhook endpoint",
        operation_id="webhook_endpoints_create",
        request=EndpointWriteSerializer,
        responses={201: EndpointCreatedSerializer, **INVALID, **FORBIDDEN, **COMMON_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Events of the kinds in `events` are POSTed to `url`, signed with `secret`
        (Standard Webhooks). The secret is in this answer only."""
        body = EndpointWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(
            by=require_membership(request),
            url=body.validated_data["url"],
            events=body.validated_data["events"],
            description=body.validated_data.get("description", ""),
        )
        if body.validated_data.get("enabled") is False:
            services.endpoint_update(
                endpoint=endpoint, by=require_membership(request), enabled=False
            )
        return Response(_endpoint_json(endpoint, secret), status=status.HTTP_201_CREATED)


class EndpointDetailView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="One webhook endpoint",
        operation_id="webhook_endpoints_retrieve",
        responses={200: EndpointSerializer, **NOT_FOUND, **FORBIDDEN, **COMMON_ERRORS},
    )
    def get(self, request: Request, endpoint_id: UUID) -> Response:
        return Response(
            _endpoint_json(selectors.endpoint_for(require_membership(request), endpoint_id))
        )

    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Change a webhook endpoint",
        operation_id="webhook_endpoints_update",
        request=EndpointUpdateSerializer,
        responses={
            200: EndpointSerializer,
            **INVALID,
            **NOT_FOUND,
            **FORBIDDEN,
            **COMMON_ERRORS,
        },
    )
    def patch(self, request: Request, endpoint_id: UUID) -> Response:
        """Change what is given; `enabled: true` re-enables one disabled after failures."""
        membership = require_membership(request)
        endpoint = selectors.endpoint_for(membership, endpoint_id)
        body = EndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, by=membership, **body.validated_data)
        return Response(_endpoint_json(endpoint))

    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Delete a webhook endpoint",
        operation_id="webhook_endpoints_delete",
        responses={204: None, **NOT_FOUND, **FORBIDDEN, **COMMON_ERRORS},
    )
    def delete(self, request: Request, endpoint_id: UUID) -> Response:
        """Remove it and its delivery log."""
        membership = require_membership(request)
        endpoint = selectors.endpoint_for(membership, endpoint_id)
        services.endpoint_delete(endpoint=endpoint, by=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecretView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Rotate an endpoint's signing secret",
        operation_id="webhook_endpoints_rotate_secret",
        request=None,
        responses={200: SecretSerializer, **NOT_FOUND, **FORBIDDEN, **COMMON_ERRORS},
    )
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        membership = require_membership(request)
        endpoint = selectors.endpoint_for(membership, endpoint_id)
        secret = services.endpoint_rotate_secret(endpoint=endpoint, by=membership)
        return Response({"secret": secret})


class EndpointTestView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Send a test event",
        operation_id="webhook_endpoints_test",
        request=None,
        responses={202: DeliverySerializer, **NOT_FOUND, **FORBIDDEN, **COMMON_ERRORS},
    )
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        """A `webhook.test` event to this endpoint now; follow it in its deliveries."""
        membership = require_membership(request)
        endpoint = selectors.endpoint_for(membership, endpoint_id)
        delivery = services.endpoint_send_test(endpoint=endpoint, by=membership)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryListView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="An endpoint's delivery log",
        operation_id="webhook_deliveries_list",
        responses={200: DeliveryListSerializer, **NOT_FOUND, **FORBIDDEN, **COMMON_ERRORS},
    )
    def get(self, request: Request, endpoint_id: UUID) -> Response:
        """The newest 50 deliveries (30 days at most), each with every attempt."""
        endpoint = selectors.endpoint_for(require_membership(request), endpoint_id)
        deliveries = selectors.endpoint_deliveries(endpoint)
        return Response({"results": DeliverySerializer(deliveries, many=True).data})


class DeliveryResendView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Resend a delivery",
        operation_id="webhook_deliveries_resend",
        request=None,
        responses={
            202: DeliverySerializer,
            **_errors((404, s.ErrorSerializer, "No such endpoint or delivery in your team.")),
            **FORBIDDEN,
            **COMMON_ERRORS,
        },
    )
    def post(self, request: Request, endpoint_id: UUID, delivery_id: UUID) -> Response:
        """The same event (same webhook-id) to the same endpoint, as a new delivery."""
        membership = require_membership(request)
        endpoint = selectors.endpoint_for(membership, endpoint_id)
        delivery = selectors.delivery_for(endpoint, delivery_id)
        resent = services.delivery_resend(delivery=delivery, by=membership)
        return Response(DeliverySerializer(resent).data, status=status.HTTP_202_ACCEPTED)


class CallbackSecretView(ApiView):
    @extend_schema(
        tags=[TAG_WEBHOOKS],
        summary="Make or rotate the callback_url signing secret",
        operation_id="webhook_callback_secret_rotate",
        request=None,
        responses={200: SecretSerializer, **FORBIDDEN, **COMMON_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Deliveries to a job's `callback_url` are signed with the team's callback secret."""
        return Response({"secret": services.callback_secret_rotate(by=require_membership(request))})
