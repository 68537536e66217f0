"""Deliveries: signed per Standard Webhooks, retried on the schedule, logged, disabled, pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from studio.webhooks import services, targets, worker
from studio.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """``clock.move(seconds)``: the portal's time, moved forward."""

    class Clock:
        now = timezone.now()

        def move(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def _send_test(endpoint, owner_membership, capture):
    with capture(execute=True):
        return services.endpoint_send_test(endpoint=endpoint, by=owner_membership)


def test_a_test_event_arrives_signed_and_verifies(
    endpoint, receiver, owner_membership, django_capture_on_commit_callbacks
):
    delivery = _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    event = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert event["type"] == "webhook.test"
    assert event["data"]["endpoint"] == str(endpoint.uuid)
    assert request["headers"]["webhook-id"] == delivery.message.msg_id
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    [attempt] = delivery.attempts.all()
    assert attempt.response_status == 200
    assert attempt.response_excerpt == '{"ok": true}'
    # Another secret does not verify it: the signature is real.
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request["body"], request["headers"])


def test_during_a_rotation_both_secrets_verify_then_only_the_new_one(
    endpoint, receiver, owner_membership, django_capture_on_commit_callbacks, clock
):
    new = services.endpoint_rotate_secret(endpoint=endpoint, by=owner_membership)
    assert new.startswith("whsec_") and new != endpoint.secret
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    Webhook(endpoint.secret).verify(request["body"], request["headers"])  # receivers not yet moved
    Webhook(new).verify(request["body"], request["headers"])  # receivers already moved

    clock.move(hours=24, seconds=1)
    endpoint.refresh_from_db()
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    headers = request["headers"]
    assert len(headers["webhook-signature"].split(" ")) == 1
    # (verify() would refuse a timestamp a day from the real clock: sign and compare instead)
    signed_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    assert (
        Webhook(new).sign(headers["webhook-id"], signed_at, request["body"].decode())
        == (headers["webhook-signature"])
    )


def test_a_failing_endpoint_is_retried_on_the_schedule_and_logs_each_attempt(
    endpoint, receiver, owner_membership, django_capture_on_commit_callbacks, clock
):
    receiver.status = 503
    receiver.answer = b"maintenance: back soon " + b"x" * 600
    delivery = _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    started = clock.now
    waits = []
    for _ in range(10):
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        waits.append(delivery.next_attempt_at - clock.now)
        clock.move(seconds=(delivery.next_attempt_at - clock.now).total_seconds() - 1)
        assert worker.deliver_due() == 0  # not due a second early
        clock.move(seconds=1)
        assert worker.deliver_due() == 1

    assert waits == services.RETRY_DELAYS
    assert delivery.status == WebhookDelivery.Status.FAILED
    attempts = list(delivery.attempts.order_by("attempted_at"))
    assert len(attempts) == len(receiver.requests) == 8
    assert all(a.response_status == 503 for a in attempts)
    assert attempts[0].response_excerpt.startswith("maintenance: back soon")
    assert len(attempts[0].response_excerpt) == 500
    assert [a.attempted_at - started for a in attempts][1:3] == [
        timedelta(seconds=5),
        timedelta(seconds=5, minutes=5),
    ]
    # Every attempt carries the same webhook-id, so the receiver can drop duplicates.
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_owners_emailed(
    endpoint, receiver, owner_membership, owner, admin, django_capture_on_commit_callbacks, clock
):
    receiver.status = 500
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == clock.now and endpoint.is_enabled

    clock.move(days=4, hours=23)
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.is_enabled and not mail.outbox

    clock.move(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        worker.deliver_due()
    endpoint.refresh_from_db()
    assert not endpoint.is_enabled
    assert "failed since" in endpoint.disabled_reason
    [email] = mail.outbox
    assert email.to == [owner.email]  # owners, not admins
    assert endpoint.url in email.subject
    # Nothing more is tried, nor sent to it.
    assert not WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).exists()
    sent = len(receiver.requests)
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == sent


def test_a_success_clears_the_failure_run(
    endpoint, receiver, owner_membership, django_capture_on_commit_callbacks, clock
):
    receiver.status = 500
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    receiver.status = 204
    clock.move(days=4)
    _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_deliveries_older_than_30_days_are_pruned(
    endpoint, receiver, owner_membership, django_capture_on_commit_callbacks, clock
):
    old = _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    clock.move(days=30, seconds=1)
    recent = _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)

    assert worker.prune() == 1
    assert list(WebhookDelivery.objects.all()) == [recent]
    assert not WebhookMessage.objects.filter(pk=old.message_id).exists()
    assert not WebhookAttempt.objects.filter(delivery_id=old.pk).exists()


def test_redirects_are_answers_not_followed(
    endpoint, receiver, owner_membership, django_capture_on_commit_callbacks
):
    receiver.status = 302
    delivery = _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    [attempt] = delivery.attempts.all()
    assert attempt.response_status == 302 and not attempt.succeeded


def test_a_name_that_now_resolves_to_loopback_is_not_called(
    owner_membership, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """DNS rebinding: public when saved, loopback when sent."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.215.14"])
    port = receiver.url.split(":")[2].split("/")[0]
    endpoint, _ = services.endpoint_create(
        by=owner_membership, url=f"https://hooks.example.com:{port}/hook", events=["job.failed"]
    )
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["127.0.0.1"])
    delivery = _send_test(endpoint, owner_membership, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    [attempt] = delivery.attempts.all()
    assert attempt.response_status is None
    assert "loopback" in attempt.error


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(monkeypatch, receiver):
    """The address checked is the address called: no second lookup between check and send."""
    from studio.webhooks import transport

    port = int(receiver.url.split(":")[2].split("/")[0])
    target = targets.Target(
        url=f"http://hooks.example.com:{port}/hook",
        scheme="http",
        host="hooks.example.com",
        port=port,
        address="127.0.0.1",
    )
    answer = transport.post(target, body=b"{}", headers={"webhook-id": "msg_1"})
    assert answer.status == 200
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"hooks.example.com:{port}"
    assert request["path"] == "/hook"


def test_a_timeout_is_a_failed_attempt(endpoint, owner_membership, settings, monkeypatch):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    endpoint.save()
    try:
        message_delivery = services.endpoint_send_test(endpoint=endpoint, by=owner_membership)
        attempt = services.delivery_attempt(delivery_id=message_delivery.pk)
    finally:
        silent.close()
    assert attempt.response_status is None
    assert "within 1 seconds" in attempt.error
