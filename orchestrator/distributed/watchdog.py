"""Stall detection: a run with no step started, finished or heartbeating for its ``stall_timeout``
is marked FAILURE with the steps it was waiting on. Checked by waiters (``RunHandle.wait``) and
by a thread in every worker, so no run is left hanging even when nobody waits for it."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from orchestrator.distributed.dispatch import app_for, enqueue_steps, step_queue
from orchestrator.events import EventType
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import mapped_step
from orchestrator.plan.planner import ExecutionStep
from orchestrator.status import RunStatus

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["check_stalled", "republish_lost", "start_watchdog_thread"]

_log = logging.getLogger("orchestrator.watchdog")

REPUBLISH_AFTER = float(os.environ.get("ORCH_REPUBLISH_AFTER", "30"))


def republish_lost(instance: Instance, run_id: str, now: float | None = None,
                   older_than: float | None = None) -> list[str]:
    """Send again the steps that became ready but whose publishing was never confirmed.

    A worker confirms within milliseconds that it published the steps its completion made ready;
    an entry still unconfirmed after ``ORCH_REPUBLISH_AFTER`` seconds (30) means that worker died
    in between. Delivery is then at least once; completion stays exactly once.
    """
    storage = instance.storage
    outbox = storage.outbox(run_id)
    if not outbox:
        return []
    now = time.time() if now is None else now
    age = REPUBLISH_AFTER if older_than is None else older_than
    stale = sorted(k for k, ts in outbox.items() if now - ts > age)
    if not stale:
        return []
    info = storage.get_run(run_id)
    statuses = storage.step_status(run_id, stale)
    running = storage.running_steps(run_id)
    lost = [k for k in stale if statuses.get(k) is None and k not in running and not info.status.is_finished]
    pipe = instance.redis.pipeline(transaction=False)
    storage.release_outbox(pipe, run_id, [k for k in stale if k not in lost])
    if not lost:
        pipe.execute()
        return []
    plan = storage.plan(run_id)
    stored_json = storage.extra_steps(run_id, lost)
    steps, stored = [], []
    for key in lost:
        raw = stored_json.get(key)
        step = ExecutionStep.model_validate_json(raw) if raw else mapped_step(plan, key)
        if step is None:
            _log.error("run %s: cannot re-send unknown step %s", run_id, key)
            continue
        if raw and key in plan.by_key:
            stored.append(key)
        steps.append(step)
    enqueue_steps(app_for(instance.broker_url, instance.backend_url), info.record.job_name, run_id, steps,
                  info.record.queue, stored=stored)
    message = (f"Re-sent step(s) {', '.join(s.key for s in steps)}: they became ready but the worker that "
               "finished their upstream step stopped before confirming it had enqueued them.")
    event = Lifecycle(run_id, info.record.job_name).event(
        EventType.LOG, message=message, level="WARNING", republished=[s.key for s in steps])
    storage.release_outbox(pipe, run_id, [s.key for s in steps])
    storage.add_events(pipe, run_id, [event])
    storage.note_progress(pipe, run_id, now)
    pipe.execute()
    _log.warning("run %s: %s", run_id, message)
    return [s.key for s in steps]


def check_stalled(instance: Instance, run_id: str, now: float | None = None) -> str | None:
    """Fail the run if it has stalled; returns the reason when this call failed it."""
    storage = instance.storage
    info = storage.get_run(run_id)
    if info.status.is_finished:
        return None
    now = time.time() if now is None else now
    if storage.has_outbox(run_id) and republish_lost(instance, run_id, now):
        return None  # progress again: lost steps were re-sent
    progress = storage.progress_at(run_id) or info.record.created_at
    timeout = info.record.stall_timeout
    idle = now - progress
    if idle <= timeout:
        return None
    running = storage.running_steps(run_id)
    queued = [k for k in storage.waiting_steps(run_id) if k not in running]
    parts = []
    if running:
        parts.append("running without a heartbeat: " + ", ".join(
            f"{key} (last heartbeat {now - float(who.get('hb', progress)):.0f}s ago on {who.get('worker', '?')})"
            for key, who in sorted(running.items())))
    if queued:
        plan = storage.plan(run_id)
        queues = sorted({step_queue(plan.by_key[k], info.record.queue) if k in plan.by_key else info.record.queue
                         for k in queued})
        shown = ", ".join(queued[:10]) + (" ..." if len(queued) > 10 else "")
        parts.append(f"queued but never started: {shown} (is a worker consuming queue {', '.join(queues)}?)")
    waiting = "; ".join(parts) or "no step (its scheduling state was lost)"
    reason = (f"Run stalled: nothing started, finished or heartbeat for {idle:.0f}s "
              f"(stall_timeout {timeout:g}s). Waiting on {waiting}.")
    event = Lifecycle(run_id, info.record.job_name).run_failed(
        reason=reason, stalled=True, running=sorted(running), queued=queued[:100])
    if storage.finish_run(run_id, RunStatus.FAILURE, reason, [event]):
        _log.error("run %s: %s", run_id, reason)
        return reason
    return None


def start_watchdog_thread(instance: Instance, interval: float) -> threading.Thread:
    """Check every active run every ``interval`` seconds, in a daemon thread."""

    def loop() -> None:
        while True:
            time.sleep(interval)
            try:
                for run_id in instance.storage.active_run_ids():
                    republish_lost(instance, run_id)
                    check_stalled(instance, run_id)
            except Exception as exc:  # noqa: BLE001 - the watchdog must outlive Redis hiccups
                _log.warning("watchdog check failed: %s", exc)

    thread = threading.Thread(target=loop, name="orch-watchdog", daemon=True)
    thread.start()
    return thread
