"""The Redis broker keeps one client per channel and still delivers every task it is given."""

import uuid

import pytest
from kombu import Exchange, Queue

from studio.celery import app
from studio.redis_broker import Channel

pytestmark = pytest.mark.redis


def _publish_and_read(count: int) -> list[dict]:
    queue = Queue(f"ci-{uuid.uuid4().hex}", Exchange("ci-check", type="direct"), routing_key="ci")
    with app.producer_pool.acquire(block=True) as producer:
        assert isinstance(producer.channel, Channel)
        for n in range(count):
            producer.publish({"n": n}, exchange=queue.exchange, routing_key="ci", declare=[queue])
        channel = producer.channel
        client = channel._shared_client
        # kombu replaces the pool after a fork or a reconnect: the client follows it.
        channel._disconnect_pools()
        producer.publish({"n": count}, exchange=queue.exchange, routing_key="ci")
        assert channel._shared_client is not client
        assert channel._shared_client.connection_pool is channel.pool
    received = []
    with app.connection_for_read() as conn:
        with conn.Consumer(
            queue, callbacks=[lambda body, message: (received.append(body), message.ack())]
        ):
            while len(received) < count + 1:
                conn.drain_events(timeout=5)
        queue(conn).delete()
    return received


def test_every_message_is_delivered_in_order_through_one_client_per_channel():
    assert _publish_and_read(5) == [{"n": n} for n in range(6)]
