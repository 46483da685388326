"""Celery messages of steps, built as ``send_task`` builds them, without publishing them.

A completion pushes the steps it certainly makes ready from its own Lua call
(``lua/complete.lua``), so their messages are built before the call. ``Celery.send_task`` through
a capturing channel (``transport.Channel.capture``) builds exactly the message a publish sends, but
most of its cost is the publish machinery around the message: routing, a producer from the pool,
kombu's retrying ``ensure`` wrapper, ``declare`` checks. That was about 0.3-0.5 ms a step, a tenth
of a short step, and 20 ms before the first leaf of a 100-way fan-out could start.

:class:`MessageBuilder` makes the same message with the same library calls Celery and kombu make
inside that path, and nothing around them: ``AMQP.as_task_v2`` (Celery's protocol-2 headers,
properties and body), kombu's serializer registry, then the Redis channel's own
``prepare_message``, ``_inplace_augment_message`` and ``_q_for_pri`` (body encoding, delivery tag,
priority list). ``tests/integration/test_message_builder.py`` checks it against ``send_task`` message for
message. Where Celery's path would do more than build, the builder declines (:meth:`usable`) and the
caller falls back to it: task-sent events on (Flower watching: the event is published by the send
path), receivers of Celery's publish signals, a protocol, serializer or compression other than the
project's, a queue with a message TTL.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["MessageBuilder", "builder_for"]


class MessageBuilder:
    """Builds step messages for one Celery app, in one process.

    :param app: the sending app (``dispatch.app_for``), configured by ``dispatch.celery_config``.
    :param channel: a channel of the app's broker connection, used only for its pure methods (body
        encoding, delivery tags, priority lists): building performs no I/O.
    """

    def __init__(self, app: Celery, channel: Any) -> None:
        self.app = app
        self.channel = channel
        self._create = app.amqp.as_task_v2
        self._delivery_modes: dict[str, int] = {}
        conf = app.conf
        # Read once: Celery's settings are slow to look up (a few µs each) and these never change.
        self._plain_json = (conf.task_protocol == 2 and conf.task_serializer == "json" and not conf.task_compression
                            and not conf.task_inherit_parent_priority)

    def usable(self) -> bool:
        """False when ``send_task`` would do more than build the message (then use it instead)."""
        from celery import signals

        from orchestrator.distributed.task_events import sent_events_on

        return (self._plain_json and not sent_events_on() and not signals.before_task_publish.receivers
                and not signals.after_task_publish.receivers and not signals.task_sent.receivers)

    def build(self, name: str, task_id: str, kwargs: dict[str, Any], kwargsrepr: str, queue: str,
              priority: int | None, headers: dict[str, Any]) -> tuple[str, str] | None:
        """The Redis list and payload ``send_task(name, kwargs=kwargs, task_id=task_id, queue=queue,
        priority=priority, headers=headers, argsrepr="()", kwargsrepr=kwargsrepr)`` would push, or
        None when that queue needs the full path (a message TTL: kombu's ``_put`` handles it).

        :param name: the task name.
        :param task_id: the task id.
        :param kwargs: the task's keyword arguments (JSON-serializable).
        :param kwargsrepr: their repr, as Flower shows it.
        :param queue: the queue's name.
        :param priority: kombu's priority (0-9), or None for the default.
        :param headers: extra message headers.
        """
        from kombu.serialization import dumps as serialize
        from kombu.utils.json import dumps as json_dumps

        channel = self.channel
        if channel._expires and queue in channel._expires:
            return None
        root_id = parent_id = None
        parent = self.app.current_worker_task
        if parent:  # as send_task: the step that completes is the parent, its root the root
            parent_id = parent.request.id
            root_id = parent.request.root_id or parent_id
        message_headers, properties, body, _ = self._create(
            task_id, name, (), kwargs, reply_to=self.app.thread_oid, root_id=root_id, parent_id=parent_id,
            argsrepr="()", kwargsrepr=kwargsrepr, ignore_result=None)
        message_headers.update(headers)
        # send_task passes its options on as message properties too, these reprs among them.
        properties.update(argsrepr="()", kwargsrepr=kwargsrepr, delivery_mode=self._delivery_mode(queue))
        content_type, content_encoding, payload = serialize(body, serializer="json")
        message = channel.prepare_message(payload, priority or 0, content_type, content_encoding,
                                          message_headers, properties)
        # A direct exchange becomes kombu's anonymous one, the queue its routing key (send_task_message).
        channel._inplace_augment_message(message, "", queue)
        key = channel._q_for_pri(queue, channel._get_message_priority(message, reverse=False))
        return key, json_dumps(message)

    def _delivery_mode(self, queue: str) -> int:
        """The queue's exchange's delivery mode, else the app's default (send_task_message, Producer.publish)."""
        mode = self._delivery_modes.get(queue)
        if mode is None:
            from kombu.entity import maybe_delivery_mode

            exchange = self.app.amqp.queues[queue].exchange
            mode = self._delivery_modes[queue] = maybe_delivery_mode(
                exchange.delivery_mode or self.app.conf.task_default_delivery_mode)
        return mode


_builders: dict[tuple[int, int], MessageBuilder | None] = {}
_lock = threading.Lock()


def builder_for(app: Celery) -> MessageBuilder | None:
    """The process's builder for ``app``, or None when its broker is not this project's Redis transport.

    The channel comes from the app's producer pool once per process (a forked pool process gets its
    own) and stays referenced for its pure methods; the pool keeps using it for publishing.
    """
    key = (id(app), os.getpid())
    with _lock:
        if key in _builders:
            return _builders[key]
    from orchestrator.distributed.transport import Channel

    with app.producer_or_acquire() as producer:
        channel = producer.channel
    builder = MessageBuilder(app, channel) if isinstance(channel, Channel) else None
    with _lock:
        _builders[key] = builder
    return builder
