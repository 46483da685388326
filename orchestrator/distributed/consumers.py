"""Which queues live workers consume, and which queued steps of a run no worker will pick up.

A step sent to a queue that no worker consumes waits there silently: the broker accepts it and
nothing fails. ``orch job submit --wait`` and ``orch run show`` ask here so that they can say so,
naming the queue, within seconds instead of when the run stalls.

Live consumers come from Celery's remote control (``inspect().active_queues()``): every worker
process that is up answers with the queues it consumes, whatever its pool is busy with. The
answer is cached for a few seconds per broker, since asking costs the whole reply timeout.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from orchestrator.distributed.dispatch import app_for, step_queue
from orchestrator.execution.scheduling import mapped_step
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["queues_with_live_workers", "queued_steps_by_queue", "unconsumed_queues"]

REPLY_TIMEOUT = 1.0  # seconds to wait for workers' replies (they answer in milliseconds when alive)
CACHE_SECONDS = 5.0

_cache: dict[str, tuple[float, dict[str, list[str]]]] = {}
_cache_lock = threading.Lock()


def queues_with_live_workers(instance: Instance, timeout: float = REPLY_TIMEOUT,
                             max_age: float = CACHE_SECONDS) -> dict[str, list[str]]:
    """Queue name -> names of the live workers consuming it (empty when no worker answers).

    Takes ``timeout`` seconds (the replies are awaited that long), unless an answer for this
    broker younger than ``max_age`` seconds is cached. Broker errors are raised.

    :param instance: whose broker to ask.
    :param timeout: how long to wait for workers' replies.
    :param max_age: how old a cached answer may be.
    """
    key = instance.broker_url
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < max_age:
        return cached[1]
    app = app_for(instance.broker_url, instance.backend_url)
    replies = app.control.inspect(timeout=timeout).active_queues() or {}
    consumers: dict[str, list[str]] = {}
    for worker, queues in sorted(replies.items()):
        for queue in queues or []:
            name = queue.get("name") if isinstance(queue, dict) else None
            if name:
                consumers.setdefault(str(name), []).append(str(worker))
    with _cache_lock:
        _cache[key] = (time.monotonic(), consumers)
    return consumers


def queued_steps_by_queue(instance: Instance, run_id: str, plan: ExecutionPlan | None = None,
                          default_queue: str | None = None) -> dict[str, list[str]]:
    """Queue name -> the run's steps that are ready and sent but not started, in key order.

    :param instance: where the run lives.
    :param run_id: the run.
    :param plan: the run's plan, when the caller has it already (it is read otherwise).
    :param default_queue: the run's queue (``RunRecord.queue``), likewise.
    """
    storage = instance.storage
    running = storage.running_steps(run_id)
    queued = [key for key in storage.waiting_steps(run_id) if key not in running]
    if not queued:
        return {}
    default = default_queue if default_queue is not None else storage.get_run(run_id).record.queue
    plan = plan if plan is not None else storage.plan(run_id)
    stored = storage.extra_steps(run_id, [k for k in queued if k not in plan.by_key])
    by_queue: dict[str, list[str]] = {}
    for key in queued:
        raw = stored.get(key)
        step = ExecutionStep.model_validate_json(raw) if raw else mapped_step(plan, key)
        # A step the plan cannot explain goes to the run's queue, as enqueueing would send it.
        queue = step_queue(step, default) if step is not None else default
        by_queue.setdefault(queue, []).append(key)
    return by_queue


def unconsumed_queues(instance: Instance, run_id: str, timeout: float = REPLY_TIMEOUT,
                      plan: ExecutionPlan | None = None, default_queue: str | None = None) -> dict[str, list[str]]:
    """Queue name -> the run's queued steps, for each queue that no live worker consumes.

    Empty when nothing is queued (workers are not asked then) or every queue has a consumer.

    :param instance: where the run lives.
    :param run_id: the run.
    :param timeout: how long to wait for workers' replies when the cached answer is too old.
    :param plan: the run's plan, when the caller has it already (a follower asks again and again).
    :param default_queue: the run's queue, likewise.
    """
    by_queue = queued_steps_by_queue(instance, run_id, plan, default_queue)
    if not by_queue:
        return {}
    consumed = queues_with_live_workers(instance, timeout=timeout)
    return {queue: steps for queue, steps in sorted(by_queue.items()) if not consumed.get(queue)}
