"""Writes of outgoing webhooks: endpoints and their secrets, events, deliveries and retries.

Other apps do not call these: they fire their own events (``studio.generation.events``,
``studio.usage.events``, ...), which the API app turns into ``event_publish`` calls with
the API's own representation of the object.

Deliveries follow the Standard Webhooks specification: headers ``webhook-id`` (the
same on every attempt), ``webhook-timestamp`` and ``webhook-signature`` (``v1,<base64
HMAC-SHA256>``, two of them while a rotated secret still signs), retried after 5 s,
5 min, 30 min, 2 h, 5 h, 10 h and 10 h. An endpoint that has failed for 5 days is
disabled and the team's owners are emailed.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from studio.teams.models import Membership, Role, Team
from studio.teams.tokens import decrypt_token, encrypt_token

from . import tasks, transport
from .events import JOB_EVENTS, TEST_EVENT, EventType
from .models import (
    CallbackSigning,
    JobCallback,
    SigningSecrets,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from .selectors import require_manager
from .targets import TargetRefused, check_url

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
# The specification's schedule: the wait before each retry, after the first attempt.
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
DISABLE_AFTER = timedelta(days=5)
# How long a rotated-out secret keeps signing beside the new one.
ROTATION_OVERLAP = timedelta(hours=24)
KEEP_DELIVERIES = timedelta(days=30)


class InvalidEndpoint(Exception):
    """An endpoint that cannot be saved: ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def new_secret() -> str:
    """A ``whsec_`` secret: 24 random bytes, base64, as the specification describes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signing_secrets(holder: SigningSecrets, *, now: datetime | None = None) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    found = [decrypt_token(holder.secret_encrypted)]
    now = now or timezone.now()
    overlap = holder.previous_secret_until
    if holder.previous_secret_encrypted and overlap and overlap > now:
        found.append(decrypt_token(holder.previous_secret_encrypted))
    return found


def signature_headers(
    *, secrets_: list[str], msg_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    """The three Standard Webhooks headers, one ``v1,`` signature per secret."""
    signatures = " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets_)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }


def _rotate(holder: SigningSecrets, now: datetime) -> str:
    secret = new_secret()
    holder.previous_secret_encrypted = holder.secret_encrypted
    holder.previous_secret_until = now + ROTATION_OVERLAP
    holder.secret_encrypted = encrypt_token(secret)
    return secret


# Endpoints -----------------------------------------------------------------------------


def _clean(*, url: str, description: str, events: list[str]) -> tuple[str, str, list[str]]:
    errors = {}
    url = (url or "").strip()
    try:
        check_url(url)
    except TargetRefused as exc:
        errors["url"] = str(exc)
    unknown = [event for event in events if event not in EventType.values]
    if unknown:
        errors["events"] = f"Unknown events: {', '.join(map(str, unknown))}."
    elif not events:
        errors["events"] = "Choose at least one event."
    if errors:
        raise InvalidEndpoint(errors)
    ordered = [value for value in EventType.values if value in events]
    return url, (description or "").strip(), ordered


def endpoint_create(
    *, by: Membership, url: str, events: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint to ``by``'s team. Returns it and its secret, which is shown only now.

    Raises PermissionDenied for a member, InvalidEndpoint for a URL the portal will not
    call or events it does not know.
    """
    require_manager(by)
    url, description, events = _clean(url=url, description=description, events=events)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        team=by.team,
        url=url,
        description=description,
        events=events,
        created_by=by.user,
        secret_encrypted=encrypt_token(secret),
    )
    return endpoint, secret


def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    by: Membership,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given of an endpoint; enabling it again clears its failure count."""
    require_manager(by)
    url, description, events = _clean(
        url=endpoint.url if url is None else url,
        description=endpoint.description if description is None else description,
        events=endpoint.events if events is None else events,
    )
    endpoint.url, endpoint.description, endpoint.events = url, description, events
    if enabled is True and not endpoint.is_enabled:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    elif enabled is False and endpoint.is_enabled:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = f"Disabled by {by.user.email}."
    endpoint.save()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint, by: Membership) -> None:
    """Remove an endpoint with its delivery log."""
    require_manager(by)
    endpoint.delete()


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, by: Membership) -> str:
    """A new secret (returned, shown once); the old one signs beside it for 24 hours."""
    require_manager(by)
    secret = _rotate(endpoint, timezone.now())
    endpoint.save(
        update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_until"]
    )
    return secret


def callback_secret_rotate(*, by: Membership) -> str:
    """The secret that signs the team's ``callback_url`` deliveries: a new one, shown once.

    The first call makes it; later calls rotate it (the old one signs for 24 more hours).
    """
    require_manager(by)
    signing = CallbackSigning.objects.filter(team=by.team).first()
    if signing is None:
        secret = new_secret()
        try:
            CallbackSigning.objects.create(team=by.team, secret_encrypted=encrypt_token(secret))
            return secret
        except IntegrityError:
            signing = CallbackSigning.objects.get(team=by.team)
    secret = _rotate(signing, timezone.now())
    signing.save()
    return secret


def _callback_signing(team_id: int) -> CallbackSigning:
    """The team's callback secret, made on first use (an owner rotates it to read it)."""
    signing = CallbackSigning.objects.filter(team_id=team_id).first()
    if signing is None:
        try:
            signing = CallbackSigning.objects.create(
                team_id=team_id, secret_encrypted=encrypt_token(new_secret())
            )
        except IntegrityError:
            signing = CallbackSigning.objects.get(team_id=team_id)
    return signing


def job_callback_set(*, job_id: int, url: str) -> None:
    """Send the terminal event of job ``job_id`` to ``url`` too.

    The caller has checked ``url`` (``targets.check_url``); each send checks it again.
    """
    JobCallback.objects.update_or_create(job_id=job_id, defaults={"url": url})


# Events and deliveries -----------------------------------------------------------------


def event_publish(
    *,
    team_id: int,
    event_type: str,
    data: dict[str, Any],
    dedupe_key: str | None = None,
    job_id: int | None = None,
) -> WebhookMessage | None:
    """Record an event and deliver it to each enabled endpoint of the team subscribed to it,
    and, for a job's terminal event, to the job's ``callback_url``.

    ``dedupe_key`` names the occurrence: publishing it again does nothing (None).
    """
    payload = {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(team_id=team_id, disabled_at__isnull=True)
        if event_type in endpoint.events
    ]
    callback = None
    if job_id is not None and event_type in JOB_EVENTS.values():
        callback = JobCallback.objects.filter(job_id=job_id).values_list("url", flat=True).first()
    if not endpoints and not callback:
        return None
    try:
        with transaction.atomic():
            message = WebhookMessage.objects.create(
                team_id=team_id,
                event_type=event_type,
                payload=payload,
                dedupe_key=dedupe_key,
                created_at=timezone.now(),
            )
    except IntegrityError:
        return None  # published before
    for endpoint in endpoints:
        _deliver(message, endpoint=endpoint)
    if callback:
        _deliver(message, callback_url=callback)
    return message


def _deliver(
    message: WebhookMessage, *, endpoint: WebhookEndpoint | None = None, callback_url: str = ""
) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        team_id=message.team_id,
        message=message,
        endpoint=endpoint,
        callback_url=callback_url,
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: tasks.enqueue_delivery(delivery_id))
    return delivery


def endpoint_send_test(*, endpoint: WebhookEndpoint, by: Membership) -> WebhookDelivery:
    """Send a ``webhook.test`` event to this endpoint alone, whatever it subscribes to."""
    require_manager(by)
    message = WebhookMessage.objects.create(
        team_id=endpoint.team_id,
        created_at=timezone.now(),
        event_type=TEST_EVENT,
        payload={
            "type": TEST_EVENT,
            "timestamp": timezone.now().isoformat(),
            "data": {"endpoint": str(endpoint.uuid), "sent_by": by.user.email},
        },
    )
    return _deliver(message, endpoint=endpoint)


def delivery_resend(*, delivery: WebhookDelivery, by: Membership) -> WebhookDelivery:
    """Send a delivery's event again to the same target: a new delivery, same ``webhook-id``."""
    require_manager(by)
    return _deliver(
        delivery.message, endpoint=delivery.endpoint, callback_url=delivery.callback_url
    )


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take a due delivery for one attempt, so a beat run and a task never both send it."""
    with transaction.atomic():
        delivery = (
            # Lock the delivery only: its callback deliveries have no endpoint, and
            # PostgreSQL cannot lock the nullable side of that outer join.
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("message", "endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None or delivery.next_attempt_at is None or delivery.next_attempt_at > now:
            return None
        # A lease: past it, a worker that died mid-attempt is retried by the beat.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS + 60)
        )
        return delivery


def delivery_attempt(*, delivery_id: int) -> WebhookAttempt | None:
    """Make one attempt of a due delivery and record it; schedule the next on failure.

    Returns the attempt, or None when the delivery is not due (or is gone).
    """
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if endpoint is not None and not endpoint.is_enabled:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None
        )
        return None
    holder = endpoint if endpoint is not None else _callback_signing(delivery.team_id)
    body = json.dumps(delivery.message.payload, separators=(",", ":"), sort_keys=True)
    headers = signature_headers(
        secrets_=signing_secrets(holder, now=now),
        msg_id=delivery.message.msg_id,
        timestamp=now,
        body=body,
    )
    try:
        target = check_url(delivery.target_url)
    except TargetRefused as exc:
        answer = transport.Answer(status=None, latency_ms=0, excerpt="", error=str(exc)[:300])
    else:
        answer = transport.post(target, body=body.encode(), headers=headers)
    return _record(delivery, answer, attempted_at=now)


def _record(delivery: WebhookDelivery, answer: transport.Answer, *, attempted_at) -> WebhookAttempt:
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            response_status=answer.status,
            latency_ms=answer.latency_ms,
            response_excerpt=answer.excerpt,
            error=answer.error,
        )
        delivery.attempt_count += 1
        now = timezone.now()
        if attempt.succeeded:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
        elif delivery.attempt_count <= len(RETRY_DELAYS):
            delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempt_count - 1]
        else:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        delivery.save(update_fields=["status", "attempt_count", "next_attempt_at"])
        if delivery.endpoint_id:
            _endpoint_outcome(delivery.endpoint_id, succeeded=attempt.succeeded, now=now)
    return attempt


def _endpoint_outcome(endpoint_id: int, *, succeeded: bool, now: datetime) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if succeeded:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since"])
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
        return
    if endpoint.is_enabled and now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"Disabled automatically: every delivery failed since "
            f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC."
        )
        endpoint.save(update_fields=["disabled_at", "disabled_reason"])
        WebhookDelivery.objects.filter(
            endpoint=endpoint, status=WebhookDelivery.Status.PENDING
        ).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
        transaction.on_commit(lambda: _email_owners_disabled(endpoint))


def _email_owners_disabled(endpoint: WebhookEndpoint) -> None:
    team = Team.objects.get(pk=endpoint.team_id)
    owners = list(
        Membership.objects.filter(team=team, role=Role.OWNER).values_list("user__email", flat=True)
    )
    if not owners:
        return
    page = reverse("webhooks:endpoint", args=[endpoint.uuid])
    base = settings.PUBLIC_BASE_URL
    send_mail(
        subject=f"Webhook endpoint disabled: {endpoint.url}",
        message=(
            f"Every delivery to {endpoint.url} for {team.name} has failed for 5 days, so "
            f"the portal has stopped sending to it.\n\n"
            f"Its delivery log says what the endpoint answered: {base}{page}\n"
            f"Once it answers again, enable it there and resend what it missed."
        ),
        from_email=None,
        recipient_list=owners,
    )


def deliveries_send_due(*, limit: int = 200) -> int:
    """Periodic: enqueue the deliveries whose next attempt is due. Returns how many."""
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        tasks.enqueue_delivery(delivery_id)
    return len(due)


def deliveries_prune(*, now: datetime | None = None) -> int:
    """Periodic: delete deliveries (with their attempts) and events older than 30 days."""
    cutoff = (now or timezone.now()) - KEEP_DELIVERIES
    _, per_model = WebhookDelivery.objects.filter(created_at__lt=cutoff).delete()
    WebhookMessage.objects.filter(created_at__lt=cutoff, deliveries__isnull=True).delete()
    return per_model.get(WebhookDelivery._meta.label, 0)
