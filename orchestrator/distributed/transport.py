"""A kombu Redis transport that spends fewer round trips and commands per message than kombu's.

Two changes to kombu's own Redis transport, nothing else:

- kombu's Redis channel creates a new ``redis.Redis`` object for every publish, ack and lookup
  (``conn_or_acquire``); with redis-py 6 each one registers ~800 response callbacks, about 0.5 ms.
  A client object is only a handle on the channel's connection pool and is safe to share, so this
  channel keeps one.
- A step made ready by a completion can be pushed onto its queue by the completion's own Lua
  call (exactly once, one round trip less): :func:`~orchestrator.distributed.dispatch.step_messages`
  builds its message through Celery's and kombu's usual path, and this channel's ``_put`` hands it
  back (list key and payload) instead of pushing it, while ``capture`` is set.
- kombu's ack emulation records each delivered message (``ZADD`` of its tag into the unacked index,
  ``HSET`` of the message into the unacked hash) and forgets it on ack (``ZREM`` + ``HDEL``), each
  pair wrapped in ``MULTI``/``EXEC``: six commands a message. The pairs are sent here as plain
  pipelines (four commands). The transaction buys nothing: the only readers of these keys
  restore messages that are *old* (unrenewed for 30 s, or older than the visibility timeout), and
  an entry being added or removed right now is neither; a restore itself still runs in its own
  ``WATCH``/``MULTI`` transaction, as in kombu.

:class:`SentinelTransport` (``sentinel://`` URLs, ``dispatch.celery_config``) has the same changes
on kombu's Sentinel channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.utils.json import dumps

__all__ = ["Transport", "Channel", "QoS", "TRANSPORT_PATH", "SentinelTransport", "SentinelChannel",
           "SENTINEL_TRANSPORT_PATH"]

TRANSPORT_PATH = "orchestrator.distributed.transport:Transport"
SENTINEL_TRANSPORT_PATH = "orchestrator.distributed.transport:SentinelTransport"


class QoS(kombu_redis.QoS):
    """kombu's Redis ack emulation, recording and forgetting deliveries without ``MULTI``/``EXEC``."""

    @contextmanager
    def pipe_or_acquire(self, pipe: Any = None, client: Any = None) -> Iterator[Any]:
        if pipe:  # a caller's pipeline (a restore's transaction): used as given
            yield pipe
        else:
            with self.channel.conn_or_acquire(client) as client:
                yield client.pipeline(transaction=False)


class Channel(kombu_redis.Channel):
    """kombu's Redis channel with one cached synchronous client per connection pool."""

    QoS = QoS
    _cached_client: Any = None
    #: While set, messages are appended here as (list key, payload) instead of being pushed.
    capture: list[tuple[str, str]] | None = None

    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:
        captured = self.capture
        if captured is None or (self._expires and queue in self._expires):
            super()._put(queue, message, **kwargs)
            return
        # The same list kombu would push to (its priority emulation included), and the same payload.
        captured.append((self._q_for_pri(queue, self._get_message_priority(message, reverse=False)), dumps(message)))

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


class SentinelChannel(Channel, kombu_redis.SentinelChannel):
    """:class:`Channel`'s changes on kombu's Sentinel channel, whose pool is the Sentinels' master's.

    After a failover kombu reconnects with a new pool (the new master's), and the cached client,
    bound to the old pool, is replaced with it.
    """

    def __init__(self, connection: Any, *args: Any, **kwargs: Any) -> None:
        # The URL's addresses are Sentinels of one master, and this channel asks all of them. On a
        # connection error kombu would "fail over" to the next address by parsing it again, which
        # swaps this transport for kombu's own (``sentinel://``): reconnect to the same one instead.
        client = getattr(connection, "client", None)
        if client is not None:
            client.cycle = None
        super().__init__(connection, *args, **kwargs)


class SentinelTransport(kombu_redis.SentinelTransport):
    """kombu's Sentinel transport (``sentinel://h1:p;sentinel://h2:p``) using :class:`SentinelChannel`."""

    Channel = SentinelChannel
