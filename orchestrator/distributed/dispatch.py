"""Celery wiring: the app configuration shared by submitters and workers, and step enqueueing.

Messages are JSON only. Tasks are acked late and rejected back to the queue when their pool
process dies. Each step is sent under the name ``<job>.<step_key>`` (so Flower shows it by name) with
``run_id`` and ``step_key`` in its kwargs (and in the ``orch_run``/``orch_step`` headers, which
watchdogs read from kombu's unacked messages); workers route every such name to the one step task.

The broker's visibility timeout (``ORCH_VISIBILITY_TIMEOUT``, default an hour) is a last resort,
not the recovery path: live workers renew their hold on the messages they have, and watchdogs put
back, after ``HEARTBEAT_TIMEOUT`` (30 s), what a gone worker held (``broker_leases.py``). So it
needs no tuning, and a long step of a live worker is never delivered twice, however long it runs.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.broker_leases import RUN_HEADER, STEP_HEADER
from orchestrator.distributed.keys import BROKER_UNACKED, BROKER_UNACKED_INDEX
from orchestrator.distributed.task_events import sent_events_on, task_events_setting

if TYPE_CHECKING:
    from celery import Celery

    from orchestrator.plan.planner import ExecutionStep

__all__ = ["celery_config", "make_app", "app_for", "enqueue_steps", "step_messages", "STEP_TASK_NAME", "DEFAULT_QUEUE",
           "step_priority", "step_queue", "step_task_id"]

STEP_TASK_NAME = "orch.step"
DEFAULT_QUEUE = "orch"
QUEUE_TAGS = ("celery/queue", "dagster-celery/queue")
PRIORITY_TAGS = ("celery/priority", "dagster-celery/priority")


def celery_config(broker_url: str, backend_url: str | None = None) -> dict[str, Any]:
    """The Celery settings every process of a deployment uses."""
    visibility = int(os.environ.get("ORCH_VISIBILITY_TIMEOUT", "3600"))
    transport = {
        # kombu's own redelivery of unacked tasks: the last resort. Live workers renew their leases
        # and watchdogs restore a gone worker's messages long before (broker_leases.py).
        "visibility_timeout": visibility,
        "unacked_key": BROKER_UNACKED,
        "unacked_index_key": BROKER_UNACKED_INDEX,
        # How often workers look for such tasks (kombu's default sweep is every 100 s).
        "unacked_restore_interval": int(os.environ.get("ORCH_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": 1,
        # Redis has no native priorities: kombu emulates 10 levels with one list each.
        "priority_steps": list(range(10)),
        "sep": ":",
        "queue_order_strategy": "priority",
    }
    config: dict[str, Any] = {
        "broker_url": broker_url,
        "result_backend": backend_url or broker_url,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": DEFAULT_QUEUE,
        "task_ignore_result": True,
        "result_expires": 24 * 3600,
        # Task events for Flower: off unless someone watches (task_events.py).
        "worker_send_task_events": task_events_setting(),
        "task_send_sent_event": task_events_setting(),
        "broker_transport_options": transport,
        "result_backend_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
        # Publishing a step rides out a Redis restart rather than losing the step.
        "task_publish_retry": True,
        "task_publish_retry_policy": {"max_retries": 40, "interval_start": 0.1, "interval_step": 0.5,
                                      "interval_max": 2.0},
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }
    _redis_settings(config, broker_url, backend_url or broker_url)
    return config


def _redis_settings(config: dict[str, Any], broker_url: str, backend_url: str) -> None:
    """The broker's transport and the TLS and Sentinel settings, from the URLs' forms (``redis_urls.py``).

    ``redis://``/``rediss://``: our transport (``transport.py``). ``sentinel://...;...``: its Sentinel
    variant, with the master's name and the Sentinels' credentials as transport options, for the
    result backend too (Celery's ``sentinel://`` backend). ``unix://``: kombu's own transport, which
    takes sockets as ``redis+socket://``. Any other URL is passed to Celery as it is.
    """
    from orchestrator.distributed.transport import SENTINEL_TRANSPORT_PATH, TRANSPORT_PATH
    from orchestrator.redis_urls import parse_redis_url

    schemes = ("redis://", "rediss://", "unix://", "sentinel://")
    if broker_url.lower().startswith(schemes):
        broker = parse_redis_url(broker_url)
        config["broker_url"] = broker.kombu_url()
        if broker.is_sentinel:
            config["broker_transport"] = SENTINEL_TRANSPORT_PATH
            # A failover can take the old master's host away without closing its connections: time a
            # command out (the consumer's BRPOP waits 1 s a time) so that it is made to the new master.
            config["broker_transport_options"].update(broker.kombu_transport_options(), socket_timeout=30,
                                                      socket_connect_timeout=5)
        elif broker.scheme != "unix":
            config["broker_transport"] = TRANSPORT_PATH
        if broker.tls:
            config["broker_use_ssl"] = broker.kombu_ssl_options()
    if backend_url.lower().startswith(schemes):
        backend = parse_redis_url(backend_url)
        config["result_backend"] = backend.kombu_url()
        config["result_backend_transport_options"].update(backend.kombu_transport_options())
        if backend.tls:
            config["redis_backend_use_ssl"] = backend.kombu_ssl_options()


def make_app(broker_url: str, backend_url: str | None = None, main: str = "orch") -> Celery:
    """A Celery app configured for this project (not set as the current app)."""
    from celery import Celery

    app = Celery(main, set_as_current=False)
    app.conf.update(celery_config(broker_url, backend_url))
    return app


_apps: dict[tuple[str, str | None], Celery] = {}
_apps_lock = threading.Lock()


def app_for(broker_url: str, backend_url: str | None = None) -> Celery:
    """A cached sending app per broker: creating one per submit would reconnect every time."""
    key = (broker_url, backend_url)
    with _apps_lock:
        if key not in _apps:
            _apps[key] = make_app(broker_url, backend_url)
        return _apps[key]


def step_queue(step: ExecutionStep, default: str) -> str:
    for tag in QUEUE_TAGS:
        if step.tags.get(tag):
            return step.tags[tag]
    return default


def step_priority(step: ExecutionStep) -> int | None:
    """Kombu's Redis priority (0 runs first) from the op tag, where a higher tag value runs first."""
    for tag in PRIORITY_TAGS:
        raw = step.tags.get(tag)
        if raw is None:
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            from orchestrator.errors import DefinitionError

            raise DefinitionError(f"Step '{step.key}' has {tag}={raw!r}; priorities are integers.") from None
        return max(0, min(9, 5 - value))
    return None


def step_task_name(job_name: str, step_key: str) -> str:
    return f"{job_name}.{step_key}"


def step_task_id(run_id: str, step_key: str, attempt: int) -> str:
    """The Celery task id of one attempt of one step: derived, not random, so that a cancel can
    revoke the steps still queued without having recorded their ids (a UUID, as Flower expects)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"orch:{run_id}/{step_key}/{attempt}"))


def enqueue_steps(app: Celery, job_name: str, run_id: str, steps: Iterable[ExecutionStep], default_queue: str,
                  attempt: int = 0, countdown: float | None = None, stored: Iterable[str] = (),
                  resent: bool = False) -> None:
    """Send one task per step. ``stored`` names steps whose resolved form is in Redis, not the plan;
    ``resent`` marks copies the watchdog sends again (the worker claims such a step before running it)."""
    stored_keys = set(stored)
    _follow_task_events(app)
    with app.producer_or_acquire() as producer:
        for step in steps:
            _send_step(app, producer, job_name, run_id, step, default_queue, attempt, countdown,
                       step.key in stored_keys, resent)


def step_messages(app: Celery, job_name: str, run_id: str, steps: Iterable[ExecutionStep],
                  default_queue: str) -> dict[str, tuple[str, str]]:
    """The broker messages of the first attempt of ``steps``, built exactly as :func:`enqueue_steps`
    sends them but not sent: step key -> (the Redis list kombu would push it to, the payload).

    For a completion that pushes the steps it makes ready itself, in its atomic Lua call
    (``lua/complete.lua``). Empty when the broker is not this project's Redis transport: those
    steps are then sent after. Built by :class:`~orchestrator.distributed.message_builder.MessageBuilder`
    (the message alone), or by ``send_task`` through a capturing channel where it must do more
    (``MessageBuilder.usable``: task-sent events, publish signals).
    """
    from orchestrator.distributed.message_builder import builder_for

    builder = builder_for(app)
    if builder is None:
        return {}
    if not builder.usable():
        return _captured_messages(app, job_name, run_id, steps, default_queue)
    messages: dict[str, tuple[str, str]] = {}
    for step in steps:
        kwargs, options = _step_task(run_id, step, default_queue, 0, False, False)
        built = builder.build(step_task_name(job_name, step.key), step_task_id(run_id, step.key, 0), kwargs,
                              repr(kwargs), options["queue"], options.get("priority"), options["headers"])
        if built is not None:
            messages[step.key] = built
    return messages


def _captured_messages(app: Celery, job_name: str, run_id: str, steps: Iterable[ExecutionStep],
                       default_queue: str) -> dict[str, tuple[str, str]]:
    """:func:`step_messages` by ``send_task`` itself, its channel handing the messages back."""
    from orchestrator.distributed.transport import Channel

    messages: dict[str, tuple[str, str]] = {}
    _follow_task_events(app)
    with app.producer_or_acquire() as producer:
        channel = producer.channel
        if not isinstance(channel, Channel):
            return messages
        captured: list[tuple[str, str]] = []
        channel.capture = captured
        try:
            for step in steps:
                _send_step(app, producer, job_name, run_id, step, default_queue, 0, None, False, False)
                if len(captured) != len(messages) + 1:  # not one message: leave this step to be sent
                    del captured[len(messages):]
                    continue
                messages[step.key] = captured[-1]
        finally:
            channel.capture = None
    return messages


def _follow_task_events(app: Celery) -> None:
    sent_event = sent_events_on()
    if app.conf.task_send_sent_event != sent_event:
        app.conf.task_send_sent_event = sent_event


def _step_task(run_id: str, step: ExecutionStep, default_queue: str, attempt: int, stored: bool,
               resent: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The step task's kwargs and the send options (queue, priority, headers) of one step."""
    kwargs: dict[str, Any] = {"run_id": run_id, "step_key": step.key, "attempt": attempt}
    if stored:
        kwargs["stored"] = True
    if resent:
        kwargs["resent"] = True
    options: dict[str, Any] = {"queue": step_queue(step, default_queue),
                               "headers": {RUN_HEADER: run_id, STEP_HEADER: step.key}}
    priority = step_priority(step)
    if priority is not None:
        options["priority"] = priority
    return kwargs, options


def _send_step(app: Celery, producer: Any, job_name: str, run_id: str, step: ExecutionStep, default_queue: str,
               attempt: int, countdown: float | None, stored: bool, resent: bool) -> None:
    kwargs, options = _step_task(run_id, step, default_queue, attempt, stored, resent)
    if countdown:
        options["countdown"] = countdown
    # The argument reprs Flower shows, given: Celery's saferepr of them costs more than the rest
    # of building a message, and these kwargs are a few short strings and ints.
    app.send_task(step_task_name(job_name, step.key), kwargs=kwargs, argsrepr="()", kwargsrepr=repr(kwargs),
                  task_id=step_task_id(run_id, step.key, attempt), producer=producer, **options)
