"""Redis failovers as the runs see them: noticed, told in the runs, and what they lost sent again.

When Redis Sentinel replaces a dead master with a replica, everything reconnects to the new master
(``redis_urls.py``; Redis calls are retried meanwhile, ``retrying.py``), and the runs go on. But
Redis replicates asynchronously: the last writes the old master acknowledged, a few milliseconds'
worth, may not have reached the replica. Most of them are written again by their own writers or
repaired by the watchdog's usual recovery:

- a running step's entry and heartbeat are rewritten by its worker every few seconds, its
  completion is retried on the new master (once: ``lua/complete.lua`` replays by token);
- a completion that was lost after its worker moved on leaves the step running and silent: the
  watchdog sends it again after ``HEARTBEAT_TIMEOUT`` (``watchdog.recover_lost_steps``);
- steps made ready whose messages were lost are still in the run's outbox: re-sent after
  ``ORCH_REPUBLISH_AFTER`` (``watchdog.republish_lost``); a message a worker had received, still in
  kombu's unacked hash, goes back to its queue when nobody renews its lease (``broker_leases.py``).

What nothing writes again is a message lost with no trace left: sent (the submitter's first
steps) or taken off its queue by a worker (``BRPOP``) just before the master died, the record of
it not replicated. Such a step stays ready, and nothing would run it until the run stalls.
So, once per failover, when the recovery above has had its time (:data:`AUDIT_AFTER`), each active
run is audited (:func:`audit_failover`): a ready step that is not running, not in the outbox and
has no message in its queue or in the unacked hash is sent again, flagged ``resent`` (it claims
the step before running, so a copy of one that ran after all is dropped). Each such run gets an
event naming the failover; a run that stalls anyway, or whose record itself was lost, is reported
naming it (:func:`failover_note`).

A failover is noticed from the new master itself: a promoted replica reports, in ``INFO
replication``, the replication id of the master it followed (``master_replid2``). The first
process to see it records it (``orch:failovers``), every watchdog audits from that record, and each
run is audited once (``orch:failover:<id>:audited``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.broker_leases import RUN_HEADER, STEP_HEADER
from orchestrator.distributed.dispatch import app_for, enqueue_steps, step_queue
from orchestrator.distributed.keys import (
    BROKER_UNACKED,
    FAILOVERS,
    broker_queue_lists,
    failover_audited_key,
)
from orchestrator.distributed.liveness import HEARTBEAT_TIMEOUT
from orchestrator.events import EventType
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.plan.planner import ExecutionStep

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["Failover", "notice_failover", "failovers", "audit_failover", "audit_due_failovers", "failover_note",
           "AUDIT_AFTER", "AUDIT_WINDOW"]

_log = logging.getLogger("orchestrator.watchdog")

#: Seconds after a failover is noticed before runs are audited: by then workers have written their
#: heartbeats, presences and leases to the new master, and the usual recovery has run (it waits
#: ``HEARTBEAT_TIMEOUT``; re-publishing waits ``ORCH_REPUBLISH_AFTER``, 30 s by default, too).
AUDIT_AFTER = HEARTBEAT_TIMEOUT + 5.0
#: Seconds after a failover is noticed during which runs are still audited (by a watchdog that was
#: not running at :data:`AUDIT_AFTER`, say); the runs it missed are left to the stall check.
AUDIT_WINDOW = 3600.0
# Audit records outlive the audit window.
_AUDITED_TTL = 2 * int(AUDIT_WINDOW)
_SCAN_BATCH = 500


@dataclass(frozen=True)
class Failover:
    """A master replaced by a promoted replica.

    :param old_replid: the replication id of the master that was replaced.
    :param noticed_at: when a process first saw the new master (epoch seconds).
    :param master: the new master (``host:port``, as its clients reach it), or ``?``.
    """

    old_replid: str
    noticed_at: float
    master: str

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.noticed_at))
        return f"Redis failed over at {when}: a replica was promoted to master ({self.master})"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _master_address(client: Any, instance: Instance) -> str:
    """Where ``client`` reaches the master: the Sentinels' answer, else the URL's host."""
    get_master = getattr(client.connection_pool, "get_master_address", None)
    if callable(get_master):
        try:
            host, port = get_master()
            return f"{host}:{port}"
        except Exception:  # noqa: BLE001 - a description only
            return "?"
    hosts = instance.redis_target.hosts
    return f"{hosts[0][0]}:{hosts[0][1]}" if hosts else "?"


def _replicated(instance: Instance) -> list[Any]:
    """The clients of the Redis servers a failover may replace: run storage's (unless a Cluster,
    which fails over on its own), and the broker's when it is another one."""
    clients = [] if instance.storage_is_cluster else [instance.redis]
    if instance.separate_storage:
        clients.append(instance.broker_redis)
    return clients


def notice_failover(instance: Instance, now: float | None = None) -> Failover | None:
    """Record the failover that made the current master, if it is a promoted replica (cheap: one
    ``INFO replication``, and a write only the first time). Returns the failover, or None.

    The process that records it first logs it and tells every active run with an event.
    """
    found = None
    for client in _replicated(instance):
        found = _notice(instance, client, time.time() if now is None else now) or found
    return found


def _notice(instance: Instance, client: Any, stamp: float) -> Failover | None:
    info = client.info("replication")
    if _text(info.get("role", "")) != "master":
        return None
    # redis-py parses a number-looking INFO value as a number: no previous master reads as 0.
    old = _text(info.get("master_replid2", ""))
    if not old.strip("0"):
        return None
    failover = Failover(old, stamp, _master_address(client, instance))
    record = json.dumps({"noticed_at": stamp, "master": failover.master, "replid": _text(info.get("master_replid"))})
    # redis-py types every reply of the sync client as ``Awaitable[T] | T`` (redis-py#2399).
    storage_client: Any = instance.redis
    if not storage_client.hsetnx(FAILOVERS, old, record):
        return _failover(old, storage_client.hget(FAILOVERS, old)) or failover
    storage = instance.storage
    message = (f"{failover.describe()}. Writes the old master had not replicated are redone by their writers or "
               "repaired by the watchdogs (lost steps are sent again).")
    _log.warning("%s", message)
    pipe = storage_client.pipeline(transaction=False)
    for run_id, run in storage.get_runs(storage.active_run_ids()).items():
        if run is not None:
            event = Lifecycle(run_id, run.record.job_name).event(EventType.LOG, message=message, level="WARNING",
                                                                 failover=failover.master)
            storage.add_events(pipe, run_id, [event])
    pipe.execute()
    return failover


def _failover(old: str, raw: Any) -> Failover | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return Failover(old, float(data["noticed_at"]), str(data.get("master") or "?"))
    except (ValueError, TypeError, KeyError):
        return None


def failovers(instance: Instance) -> list[Failover]:
    """Every failover recorded on this Redis, oldest first."""
    client: Any = instance.redis
    found = [_failover(_text(k), v) for k, v in client.hgetall(FAILOVERS).items()]
    return sorted((f for f in found if f is not None), key=lambda f: f.noticed_at)


def failover_note(instance: Instance, since: float) -> str | None:
    """A sentence naming the failovers noticed after ``since`` (a run's creation), or None.

    For the messages of a run that stalled or vanished: its state may be what a failover lost.
    """
    after = [f for f in failovers(instance) if f.noticed_at >= since]
    if not after:
        return None
    return (f"{'; '.join(f.describe() for f in after)}. Writes the old master acknowledged but had not replicated "
            "were lost with it (Redis replicates asynchronously): see deploy/README.md, \"Redis Sentinel\".")


def audit_due_failovers(instance: Instance, now: float | None = None) -> dict[str, list[str]]:
    """Audit the runs that were active at a failover, once it was noticed :data:`AUDIT_AFTER` ago
    (and not more than :data:`AUDIT_WINDOW`): each run once per failover, whichever watchdog gets
    it. Returns run id -> the steps sent again. Costs two round trips a call while a failover is
    in its window, one otherwise."""
    stamp = time.time() if now is None else now
    storage = instance.storage
    client: Any = instance.redis
    sent: dict[str, list[str]] = {}
    for failover in failovers(instance):
        if not AUDIT_AFTER <= stamp - failover.noticed_at <= AUDIT_WINDOW:
            continue
        key = failover_audited_key(failover.old_replid)
        active = storage.active_run_ids()
        if not active:
            continue
        todo = [run_id for run_id, seen in zip(active, client.smismember(key, active)) if not seen]
        if not todo:
            continue
        pipe = client.pipeline(transaction=False)
        for run_id in todo:
            pipe.sadd(key, run_id)  # claimed by this watchdog: 1 here, 0 where another was first
        pipe.expire(key, _AUDITED_TTL)
        claimed = [run_id for run_id, added in zip(todo, pipe.execute()) if added]
        runs = storage.get_runs(claimed)
        # A run created after the failover was noticed wrote everything to the new master.
        before = [r for r in claimed if (info := runs.get(r)) is not None and info.record.created_at < failover.noticed_at]
        if before:
            sent.update(audit_failover(instance, failover, before))
    return sent


def audit_failover(instance: Instance, failover: Failover, run_ids: Iterable[str]) -> dict[str, list[str]]:
    """Send again the ready steps of ``run_ids`` whose messages the failover lost (see the module
    docstring): not running, not in the outbox, no message in their queue or the unacked hash.
    Returns run id -> the steps sent again (runs with none are left out)."""
    from orchestrator.distributed.run_queue import RunQueue

    storage = instance.storage
    queue_entries = RunQueue(instance.redis)
    candidates: dict[str, tuple[str, str, list[ExecutionStep], list[str]]] = {}
    for run_id in run_ids:
        if not storage.has_run(run_id):
            continue
        info = storage.get_run(run_id)
        entry = queue_entries.entry(run_id)
        if info.status.is_finished or (entry is not None and entry.get("state") == "queued"):
            continue  # over, or waiting for a run-queue slot: none of its steps was sent
        running, outbox = storage.running_steps(run_id), storage.outbox(run_id)
        ready = [k for k in storage.waiting_steps(run_id) if k not in running and k not in outbox]
        if not ready:
            continue
        steps, narrowed = storage.steps_to_send(run_id, ready)
        if steps:
            candidates[run_id] = (info.record.job_name, info.record.queue, steps, narrowed)
    if not candidates:
        return {}
    queues = {step_queue(s, queue) for _job, queue, steps, _n in candidates.values() for s in steps}
    in_broker = _messages_in_broker(instance, queues)
    sent: dict[str, list[str]] = {}
    app = app_for(instance.broker_url, instance.backend_url)
    for run_id, (job_name, queue, steps, narrowed) in sorted(candidates.items()):
        lost = [s for s in steps if (run_id, s.key) not in in_broker]
        if not lost:
            continue
        stored_keys = [s.key for s in lost if s.key in narrowed]
        enqueue_steps(app, job_name, run_id, lost, queue, stored=stored_keys, resent=True)
        keys = [s.key for s in lost]
        message = (f"Re-sent step(s) {', '.join(keys)}: they were ready but their messages were lost in the Redis "
                   f"failover ({failover.describe()}; the old master had not replicated them).")
        pipe = instance.redis.pipeline(transaction=False)
        storage.add_events(pipe, run_id, [Lifecycle(run_id, job_name).event(
            EventType.LOG, message=message, level="WARNING", resent_after_failover=keys)])
        storage.note_progress(pipe, run_id, time.time())
        pipe.execute()
        _log.warning("run %s: %s", run_id, message)
        sent[run_id] = keys
    return sent


def _messages_in_broker(instance: Instance, queues: Iterable[str]) -> set[tuple[str, str]]:
    """(run id, step) of every step message waiting in ``queues`` or held unacknowledged by a worker."""
    found: set[tuple[str, str]] = set()
    client: Any = instance.broker_redis  # kombu's queues and unacked hash live with the broker
    for queue in sorted(queues):
        for name in broker_queue_lists(queue):
            start = 0
            while True:
                batch = client.lrange(name, start, start + _SCAN_BATCH - 1)
                for raw in batch:
                    _add_step(found, _message(raw))
                if len(batch) < _SCAN_BATCH:
                    break
                start += _SCAN_BATCH
    for _tag, raw in client.hscan_iter(BROKER_UNACKED, count=_SCAN_BATCH):
        try:
            held = json.loads(raw)
        except (ValueError, TypeError):
            continue
        _add_step(found, held[0] if isinstance(held, list) and held else None)
    return found


def _message(raw: Any) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return None


def _add_step(found: set[tuple[str, str]], message: Any) -> None:
    headers = message.get("headers") if isinstance(message, dict) else None
    if isinstance(headers, dict):
        run_id, step_key = headers.get(RUN_HEADER), headers.get(STEP_HEADER)
        if isinstance(run_id, str) and isinstance(step_key, str):
            found.add((run_id, step_key))
