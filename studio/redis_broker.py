"""The Redis broker's transport: kombu's, with one Redis client per channel.

kombu's Redis channel builds a new ``redis.Redis`` client for every command it sends
outside a worker's poll (``Channel.conn_or_acquire``): a publish, an ack, a queue
length. The connections are pooled, so nothing reconnects, but each client copies
redis-py's table of some 170 response callbacks, a fifth of the CPU of publishing one
task (every API submit publishes one). A client only borrows a connection from the
pool per command and is safe to share between threads, so the channel keeps one,
made again when kombu replaces the pool (after a fork, or on reconnecting).
"""

from __future__ import annotations

from contextlib import contextmanager

from kombu.transport import redis


class Channel(redis.Channel):
    _client_for_pool = None
    _shared_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        pool = self.pool
        if self._client_for_pool is not pool:
            self._shared_client = self._create_client()
            self._client_for_pool = pool
        yield self._shared_client


class Transport(redis.Transport):
    Channel = Channel
