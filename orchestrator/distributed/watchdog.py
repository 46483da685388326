"""Stall detection: a run with no step started, finished or heartbeating for its ``stall_timeout``
is marked FAILURE with the steps it was waiting on. Checked by waiters (``RunHandle.wait``) and
by a thread in every worker, so no run is left hanging even when nobody waits for it."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from ..events import EventType, RunEvent
from .records import RunStatus
from .run_storage import run_key

if TYPE_CHECKING:
    from ..instance import Instance

__all__ = ["check_stalled", "start_watchdog_thread"]

_log = logging.getLogger("orchestrator.watchdog")


def check_stalled(instance: Instance, run_id: str, now: float | None = None) -> str | None:
    """Fail the run if it has stalled; returns the reason when this call failed it."""
    storage = instance.storage
    info = storage.get_run(run_id)
    if info.status.is_finished:
        return None
    now = time.time() if now is None else now
    progress = storage.progress_at(run_id) or info.record.created_at
    timeout = info.record.stall_timeout
    idle = now - progress
    if idle <= timeout:
        return None
    running = storage.running_steps(run_id)
    pipe = instance.redis.pipeline(transaction=False)
    pipe.hgetall(run_key(run_id, "pending"))
    pipe.hgetall(run_key(run_id, "status"))
    pending_raw, status_raw = pipe.execute()
    finished = {k.decode() for k in status_raw}
    queued = sorted(k.decode() for k, v in pending_raw.items()
                    if int(v) == 0 and k.decode() not in finished and k.decode() not in running)
    parts = []
    if running:
        parts.append("running without a heartbeat: " + ", ".join(
            f"{key} (last heartbeat {now - float(who.get('hb', progress)):.0f}s ago on {who.get('worker', '?')})"
            for key, who in sorted(running.items())))
    if queued:
        from .dispatch import step_queue

        plan = storage.plan(run_id)
        queues = sorted({step_queue(plan.by_key[k], info.record.queue) if k in plan.by_key else info.record.queue
                         for k in queued})
        shown = ", ".join(queued[:10]) + (" ..." if len(queued) > 10 else "")
        parts.append(f"queued but never started: {shown} (is a worker consuming queue {', '.join(queues)}?)")
    waiting = "; ".join(parts) or "no step (its scheduling state was lost)"
    reason = (f"Run stalled: nothing started, finished or heartbeat for {idle:.0f}s "
              f"(stall_timeout {timeout:g}s). Waiting on {waiting}.")
    event = RunEvent(event_type=EventType.RUN_FAILURE, run_id=run_id, job_name=info.record.job_name,
                     message=reason, data={"stalled": True, "running": sorted(running), "queued": queued[:100]})
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
                    check_stalled(instance, run_id)
            except Exception as exc:  # noqa: BLE001 - the watchdog must outlive Redis hiccups
                _log.warning("watchdog check failed: %s", exc)

    thread = threading.Thread(target=loop, name="orch-watchdog", daemon=True)
    thread.start()
    return thread
