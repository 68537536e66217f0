"""Reads of outgoing webhooks, always through the member's team; managing them (and so
seeing them) is for owners and admins."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from studio.teams.models import Membership

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

NOT_ALLOWED = "Only the team's owners and admins manage its webhooks."
DELIVERY_LOG_LENGTH = 50


def require_manager(membership: Membership) -> None:
    """PermissionDenied unless ``membership`` may manage the team's webhooks."""
    if not membership.can_manage:
        raise PermissionDenied(NOT_ALLOWED)


def team_endpoints(membership: Membership) -> QuerySet[WebhookEndpoint]:
    require_manager(membership)
    return WebhookEndpoint.objects.filter(team_id=membership.team_id)


def endpoint_for(membership: Membership, endpoint_uuid: UUID) -> WebhookEndpoint:
    """The team's endpoint: Http404 for another team's (or none), then PermissionDenied
    for a member who may not manage webhooks."""
    endpoint = WebhookEndpoint.objects.filter(
        team_id=membership.team_id, uuid=endpoint_uuid
    ).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint in your team.")
    require_manager(membership)
    return endpoint


def endpoint_deliveries(
    endpoint: WebhookEndpoint, *, limit: int = DELIVERY_LOG_LENGTH
) -> list[WebhookDelivery]:
    """The endpoint's newest deliveries, each with its attempts (newest first) and event."""
    return list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("message")
        .prefetch_related(Prefetch("attempts", queryset=WebhookAttempt.objects.all()))[:limit]
    )


def delivery_for(endpoint: WebhookEndpoint, delivery_uuid: UUID) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.filter(endpoint=endpoint, uuid=delivery_uuid)
        .select_related("message", "endpoint")
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery of this endpoint.")
    return delivery
