"""The suite's real services, when CI provides them."""

import uuid

import pytest
from django.db import connection
from kombu import Connection, Exchange, Queue

from studio.celery import app


@pytest.mark.postgres
@pytest.mark.django_db
def test_runs_on_postgresql_with_case_insensitive_email_login(django_user_model):
    assert connection.vendor == "postgresql"
    django_user_model.objects.create_user(email="Mixed@Case.test", password="pw-123456789")
    assert (
        django_user_model.objects.get_by_natural_key("mixed@case.TEST").email == "mixed@case.test"
    )


@pytest.mark.redis
@pytest.mark.django_db
def test_broker_round_trip_on_redis(client):
    assert client.get("/healthz").json()["broker"] == "ok"
    queue = Queue(f"ci-{uuid.uuid4().hex}", Exchange("ci-check", type="direct"), routing_key="ci")
    with Connection(app.conf.broker_url) as conn:
        producer = conn.Producer()
        producer.publish(
            {"hello": "redis"}, exchange=queue.exchange, routing_key="ci", declare=[queue]
        )
        received = []
        with conn.Consumer(
            queue, callbacks=[lambda body, message: (received.append(body), message.ack())]
        ):
            conn.drain_events(timeout=5)
        queue(conn).delete()
    assert received == [{"hello": "redis"}]
