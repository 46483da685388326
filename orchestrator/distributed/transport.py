"""A kombu Redis transport that reuses its Redis client instead of building one per command.

kombu's Redis channel creates a new ``redis.Redis`` object for every publish, ack and lookup
(``conn_or_acquire``); with redis-py 6 each one registers ~800 response callbacks, about 0.5 ms.
A client object is only a handle on the channel's connection pool and is safe to share, so this
channel keeps one. Everything else is kombu's own Redis transport.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis

__all__ = ["Transport", "Channel", "TRANSPORT_PATH"]

TRANSPORT_PATH = "orchestrator.distributed.transport:Transport"


class Channel(kombu_redis.Channel):
    """kombu's Redis channel with one cached synchronous client per connection pool."""

    _cached_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        cached = self._cached_client
        if cached is None or cached.connection_pool is not pool:
            cached = self._cached_client = super()._create_client(asynchronous=False)
        return cached


class Transport(kombu_redis.Transport):
    """kombu's Redis transport (``redis://`` and ``rediss://``) using :class:`Channel`."""

    Channel = Channel
