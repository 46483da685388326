"""The watchdog: what brings lost steps back, and what fails a run that cannot go on.

It runs in a thread of every worker's main process (every ``WATCHDOG_INTERVAL``, 5 s) and in
every waiter (``RunHandle.wait`` calls :func:`check_stalled` as it polls), so nothing depends on
one process staying up. On every active run it looks for, in order:

1. Steps made ready whose publishing was never confirmed (:func:`republish_lost`): the worker
   that finished their upstream step died in between. Sent again after ``ORCH_REPUBLISH_AFTER``.
2. Messages a gone worker held (:func:`restore_orphaned_steps`): live workers renew their hold
   on every message they reserved; one nobody renewed for ``HEARTBEAT_TIMEOUT`` (30 s) goes back
   to its queue, whether its step never started or was running (``broker_leases.py``).
3. Running steps gone silent (:func:`recover_lost_steps`): no heartbeat for ``HEARTBEAT_TIMEOUT``
   and their worker is gone (or no longer runs them); or no heartbeat for three beats and their
   worker not present (it exited: a cold shutdown). The lost execution counts as a worker death
   of the step and the step is sent again, flagged ``resent``. A step whose worker is present and
   lists it as running is never sent again, however long it is silent or runs: a live worker's
   long step runs once.
4. Stalls (:func:`check_stalled`): no progress for the run's ``stall_timeout`` (600 s); the run is
   failed with a reason that tells a step "started on worker W, no heartbeat since T" apart from
   one "queued, no worker consuming queue Q".
5. Redis failovers (``failovers.py``, in the worker's thread only): a failover is noticed from the
   new master; once the checks above had their time, ready steps whose messages it lost are sent
   again, and the reason of a run that stalls anyway names the failover.

The worker's thread also keeps the run index and the active runs tidy (``retention.py``): closed
runs left in the active set leave it, and the index is trimmed of runs gone with their retention.

Every re-sent or restored copy claims its step before running (``lua/claim_step.lua``): a copy of
a step that finished or runs elsewhere is dropped, so delivery is at least once while completion
stays exactly once (``lua/complete.lua``). None of this waits for the broker's visibility timeout.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.broker_leases import Restored, restore_orphaned
from orchestrator.distributed.dispatch import app_for, enqueue_steps, step_queue
from orchestrator.distributed.failovers import audit_due_failovers, failover_note, notice_failover
from orchestrator.distributed.liveness import HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT
from orchestrator.distributed.retention import settle_active_runs, trim_runs, trim_spacing
from orchestrator.distributed.run_queue import close_run, start_waiting
from orchestrator.errors import RunNotFoundError
from orchestrator.events import EventType
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import mapped_step
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep
from orchestrator.status import RunStatus

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunInfo, RunStorage

__all__ = ["check_stalled", "republish_lost", "recover_lost_steps", "restore_orphaned_steps",
           "start_watchdog_thread"]

_log = logging.getLogger("orchestrator.watchdog")

REPUBLISH_AFTER = float(os.environ.get("ORCH_REPUBLISH_AFTER", "30"))

# Silence after which a running step whose worker is not present counts as lost.
_ABSENT_SILENCE = 3 * HEARTBEAT_INTERVAL
# Waiters poll every half second; the recovery checks need not run that often.
_RECOVERY_SPACING = HEARTBEAT_INTERVAL / 2
_last_checked: dict[tuple[str, str], float] = {}
_last_checked_lock = threading.Lock()


def _due(what: str, key: str, spacing: float) -> bool:
    """True at most once per ``spacing`` seconds for (``what``, ``key``) in this process."""
    now = time.monotonic()
    with _last_checked_lock:
        last = _last_checked.get((what, key))
        if last is not None and now - last < spacing:
            return False
        _last_checked[(what, key)] = now
        if len(_last_checked) > 10_000:  # runs come and go; forget the oldest half
            for old in sorted(_last_checked, key=_last_checked.__getitem__)[:5_000]:
                del _last_checked[old]
        return True


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
    steps, stored = storage.steps_to_send(run_id, lost)
    # ``resent``: the dead worker may have published them before it could confirm; such a copy
    # claims the step first, so the op never runs twice at once.
    enqueue_steps(app_for(instance.broker_url, instance.backend_url), info.record.job_name, run_id, steps,
                  info.record.queue, stored=stored, resent=True)
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


def restore_orphaned_steps(instance: Instance, now: float | None = None) -> list[Restored]:
    """Put back in their queues the step messages a gone worker held (any run; see ``broker_leases``).

    Each restored step gets a warning event in its run. Returns what was restored.
    """
    # kombu's unacked messages are on the broker's Redis, whether or not run storage is elsewhere.
    restored = restore_orphaned(instance.broker_redis, app_for(instance.broker_url, instance.backend_url),
                                HEARTBEAT_TIMEOUT, now)
    if not restored:
        return []
    storage = instance.storage
    pipe = instance.redis.pipeline(transaction=False)
    for item in restored:
        if not storage.has_run(item.run_id):
            continue
        job_name = storage.get_run(item.run_id).record.job_name
        storage.add_events(pipe, item.run_id, [Lifecycle(item.run_id, job_name).event(
            EventType.LOG, item.step_key,
            f"Step '{item.step_key}' went back to its queue: the worker that had received it stopped "
            f"renewing its hold on it {HEARTBEAT_TIMEOUT:g}s ago (it is gone).",
            level="WARNING", task_id=item.task_id)])
    pipe.execute()
    return restored


def recover_lost_steps(instance: Instance, run_id: str, now: float | None = None,
                       restored: Mapping[str, float] | None = None) -> list[str]:
    """Send again the running steps whose execution went silent and whose worker is gone.

    Silent: no heartbeat for ``HEARTBEAT_TIMEOUT``. A step whose worker is present and lists it
    among the tasks its pool runs is left alone (a long or GIL-bound step of a live worker). Each
    lost execution counts as a death of its step (``lua/record_death.lua``, once, even with several
    watchdogs). ``restored``: step -> when its own message was put back in its queue; an execution
    silent since before then only has its death recorded, that message being its copy. Returns the
    steps sent again.
    """
    storage = instance.storage
    now = time.time() if now is None else now
    running = storage.running_steps(run_id)
    silent = {key: who for key, who in running.items() if now - _number(who.get("hb")) > _ABSENT_SILENCE}
    if not silent:
        return []
    info = storage.get_run(run_id)
    if info.status.is_finished:
        return []
    workers = storage.live_workers()
    # Long silence is lost whatever the presence says, unless the presence lists the step below;
    # shorter silence only when the worker is not present (it exited, or expired).
    silent = {key: who for key, who in silent.items()
              if now - _number(who.get("hb")) > HEARTBEAT_TIMEOUT or str(who.get("worker")) not in workers}
    lifecycle = Lifecycle(run_id, info.record.job_name)
    restored = restored or {}
    resend: dict[int, list[str]] = {}
    for key, who in sorted(silent.items()):
        worker = str(who.get("worker", "?"))
        presence = workers.get(worker)
        active = (presence or {}).get("active") or {}
        if presence is not None and active.get(str(who.get("task_id"))) == who.get("pid"):
            continue  # its pool process still runs it: silent (GIL-bound, or Redis was away), not lost
        age = now - _number(who.get("hb"))
        gone = "the worker is gone" if presence is None else "the worker no longer runs it"
        cause = f"no heartbeat for {age:.0f}s on {worker}, {gone}"
        back = key in restored and _number(who.get("hb")) <= restored[key]
        message = (f"Step '{key}' went silent ({cause}); its message went back to the queue." if back
                   else f"Step '{key}' went silent ({cause}); sending it again.")
        event = lifecycle.event(EventType.LOG, key, message, level="WARNING", worker=worker, pid=who.get("pid"))
        token = str(who.get("token") or "")
        death_id = token or f"{who.get('task_id')}:{who.get('pid')}"
        count = storage.record_death(run_id, key, death_id, cause, worker, event, token=token,
                                     stale_before=now - _ABSENT_SILENCE, task_id=str(who.get("task_id") or ""),
                                     pid=int(_number(who.get("pid"))))
        if count < 0:
            continue  # finished, or another watchdog or a new execution took it meanwhile
        _log.warning("run %s: %s (worker deaths of the step: %d)", run_id, message, count)
        if not back:
            resend.setdefault(int(_number(who.get("attempt"))), []).append(key)
    sent: list[str] = []
    app = app_for(instance.broker_url, instance.backend_url)
    for attempt, keys in sorted(resend.items()):
        steps, stored = storage.steps_to_send(run_id, keys)
        enqueue_steps(app, info.record.job_name, run_id, steps, info.record.queue, attempt=attempt, stored=stored,
                      resent=True)
        sent += [s.key for s in steps]
    return sent


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _when(stamp: Any) -> str:
    value = _number(stamp)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value)) if value else "?"


# Steps whose own message this process put back lately: (run id, step) -> when (time.time()).
_restored: dict[tuple[str, str], float] = {}


def _recover(instance: Instance, run_id: str, now: float) -> bool:
    """The recovery checks, at most every few seconds per run and process: True when steps came back."""
    if not _due("recover", run_id, _RECOVERY_SPACING):
        return False
    if _due("orphans", instance.redis_url, _RECOVERY_SPACING):
        back = restore_orphaned_steps(instance, now)
        with _last_checked_lock:
            for old in [k for k, t in _restored.items() if now - t > 2 * HEARTBEAT_TIMEOUT]:
                del _restored[old]
            _restored.update({(r.run_id, r.step_key): now for r in back})
    with _last_checked_lock:
        restored = {step: at for (rid, step), at in _restored.items() if rid == run_id}
    # A step whose message just went back is not sent a second time: that message is its copy.
    return bool(recover_lost_steps(instance, run_id, now, restored))


def check_stalled(instance: Instance, run_id: str, now: float | None = None) -> str | None:
    """Bring lost steps of the run back, or fail the run if it has stalled.

    Returns the reason when this call failed the run. Cheap enough to call on every poll: the
    recovery checks run at most every ``HEARTBEAT_INTERVAL / 2`` per run and process.
    """
    storage = instance.storage
    info = storage.get_run(run_id)
    if info.status.is_finished:
        return None
    now = time.time() if now is None else now
    if storage.has_outbox(run_id) and republish_lost(instance, run_id, now):
        return None  # progress again: lost steps were re-sent
    if _recover(instance, run_id, now):
        return None
    progress = storage.progress_at(run_id) or info.record.created_at
    timeout = info.record.stall_timeout
    idle = now - progress
    if idle <= timeout:
        return None
    reason = _stall_reason(instance, info, now, idle)
    failed_over = failover_note(instance, info.record.created_at)
    if failed_over:
        reason = f"{reason} {failed_over}"
    running = storage.running_steps(run_id)
    queued = [k for k in storage.waiting_steps(run_id) if k not in running]
    event = Lifecycle(run_id, info.record.job_name).run_failed(
        reason=reason, stalled=True, running=sorted(running), queued=queued[:100])
    if close_run(instance, run_id, RunStatus.FAILURE, reason, [event]):
        _log.error("run %s: %s", run_id, reason)
        return reason
    return None


def _stall_reason(instance: Instance, info: RunInfo, now: float, idle: float) -> str:
    """Why a run stalled: each running step's worker and last heartbeat, each queue nobody consumes."""
    storage = instance.storage
    run_id = info.run_id
    running = storage.running_steps(run_id)
    queued = [k for k in storage.waiting_steps(run_id) if k not in running]
    workers = storage.live_workers()
    parts = []
    for key, who in sorted(running.items()):
        worker = str(who.get("worker", "?"))
        presence = workers.get(worker)
        seen = (f"the worker was last seen {now - _number(presence.get('beat')):.0f}s ago" if presence is not None
                else "the worker is gone")
        parts.append(f"{key} started on worker {worker} (pid {who.get('pid', '?')}) at {_when(who.get('started'))}, "
                     f"no heartbeat since {_when(who.get('hb'))} ({now - _number(who.get('hb')):.0f}s ago; {seen})")
    if queued:
        by_queue = _queued_by_queue(storage.plan(run_id), storage, run_id, queued, info.record.queue)
        consumers: dict[str, list[str]] = {}
        for name, presence in sorted(workers.items()):
            for queue in presence.get("queues") or []:
                consumers.setdefault(str(queue), []).append(name)
        for queue, keys in sorted(by_queue.items()):
            shown = ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else "")
            if consumers.get(queue):
                parts.append(f"queued on queue {queue} (consumed by {', '.join(consumers[queue])}, which did not "
                             f"take it): {shown}")
            else:
                parts.append(f"queued, no worker consuming queue {queue}: {shown} (start one with "
                             f"`celery -A worker.app worker -Q {queue}`)")
    waiting = "; ".join(parts) or "no step (its scheduling state was lost)"
    return (f"Run stalled: nothing started, finished or heartbeat for {idle:.0f}s "
            f"(stall_timeout {info.record.stall_timeout:g}s). Waiting on {waiting}.")


def _queued_by_queue(plan: ExecutionPlan, storage: RunStorage, run_id: str, keys: list[str],
                     default: str) -> dict[str, list[str]]:
    stored = storage.extra_steps(run_id, [k for k in keys if k not in plan.by_key])
    by_queue: dict[str, list[str]] = {}
    for key in keys:
        raw = stored.get(key)
        step = ExecutionStep.model_validate_json(raw) if raw else mapped_step(plan, key)
        by_queue.setdefault(step_queue(step, default) if step is not None else default, []).append(key)
    return by_queue


def start_watchdog_thread(instance: Instance, interval: float) -> threading.Thread:
    """Check every active run every ``interval`` seconds, in a daemon thread."""

    def loop() -> None:
        while True:
            time.sleep(interval)
            try:
                # A failover's lost writes: noticed here, repaired once the usual recovery had its time.
                notice_failover(instance)
                audit_due_failovers(instance)
            except Exception as exc:  # noqa: BLE001 - e.g. INFO denied by an ACL: the rest goes on
                _log.warning("failover check failed: %s", exc)
            try:
                for run_id in settle_active_runs(instance, instance.storage.active_run_ids()):
                    try:
                        check_stalled(instance, run_id)
                    except RunNotFoundError:
                        continue  # deleted meanwhile (pruned): settled on the next pass
                start_waiting(instance)  # the run queue's backstop
                if _due("retention", instance.storage_url, trim_spacing(instance.storage.retention)):
                    trim_runs(instance)
            except Exception as exc:  # noqa: BLE001 - the watchdog must outlive Redis hiccups
                _log.warning("watchdog check failed: %s", exc)

    thread = threading.Thread(target=loop, name="orch-watchdog", daemon=True)
    thread.start()
    return thread
