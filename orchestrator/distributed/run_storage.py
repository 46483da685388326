"""Run storage in Redis: run records, the index of runs, each run's event stream, and the
scheduling state that the scheduling core drives when a step finishes.

Every key is built by ``keys.py`` (which tables what each holds); the Lua scripts are the files in
``lua/``, each taking the run's key prefix and one JSON object of named arguments. Each script
touches the keys of one run only (one hash tag: one slot when run storage is a Redis Cluster);
work on keys shared by all runs (the run index, the active runs, the run queue) is a call of its
own, and pipelines over several runs are plain pipelines (redis-py's ``ClusterPipeline`` splits
them by node).
"""

from __future__ import annotations

import functools
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.keys import (
    ACTIVE_RUNS,
    EVENTS_MAXLEN,
    RUN_KEY_SUFFIXES,
    RUNS_INDEX,
    WORKERS,
    run_keys,
    worker_key,
)
from orchestrator.distributed.records import RunRecord
from orchestrator.distributed.retrying import retrying
from orchestrator.distributed.run_queue_slots import QueueCalls, note_queue_changes
from orchestrator.errors import OrchestratorError, RunNotFoundError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.scheduling import Applied, StepUpdate, initial_counts, mapped_step
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep
from orchestrator.status import RunStatus, StepStatus

if TYPE_CHECKING:
    import redis

_log = logging.getLogger("orchestrator.run_storage")

__all__ = ["RunStorage", "RunInfo", "SchedulingFacts", "CancelEvents", "Claim", "RunExistsError", "Closed", "RunEnd",
           "DEFAULT_RETENTION"]

# What a cancel records: (step, its terminal event) for each running step, and the run's events.
CancelEvents = tuple[list[tuple[str, RunEvent]], list[RunEvent]]


@functools.cache
def _lua(name: str) -> str:
    return (files(__package__) / "lua" / name).read_text(encoding="utf-8")


def _script(client: redis.Redis, *names: str) -> Any:
    """A Lua script of ``lua/``, registered on ``client`` (sent once, then called by its SHA).
    Several names make one script of the files in that order (a library of local functions first)."""
    return client.register_script("\n".join(_lua(name) for name in names))


def _pack(events: list[str]) -> str:
    """Event JSON documents as one JSON array (one stream entry)."""
    return "[" + ",".join(events) + "]"


_EVENT_LIST: Any = None


def _unpack(packed: bytes | str) -> list[RunEvent]:
    global _EVENT_LIST
    if _EVENT_LIST is None:
        from pydantic import TypeAdapter

        _EVENT_LIST = TypeAdapter(list[RunEvent])
    events: list[RunEvent] = _EVENT_LIST.validate_json(packed)
    return events


def _args(**named: Any) -> str:
    """A script's named arguments, as the one JSON object its ``ARGV[2]`` decodes."""
    return json.dumps(named, separators=(",", ":"))


class RunExistsError(OrchestratorError):
    """A run was to be created with the id of a run that exists already."""


@dataclass
class RunInfo:
    """A run record with its current status and times."""

    record: RunRecord
    status: RunStatus
    started_at: float | None
    ended_at: float | None
    reason: str | None

    @property
    def run_id(self) -> str:
        return self.record.run_id


@dataclass(frozen=True)
class RunEnd:
    """Where a run is, as its record's plain fields say: ``job`` None when there is no record."""

    status: RunStatus
    ended_at: float | None
    job: str | None

    @property
    def exists(self) -> bool:
        return self.job is not None


@dataclass
class Closed:
    """What closing a run did: whether this call closed it, and the queued runs its freed
    run-queue slots went to (to be started by the caller: ``run_queue.start_admitted``)."""

    closed: bool
    admitted: list[str]


@dataclass
class SchedulingFacts:
    """What the scheduling core asked of a run's state: which outputs exist, step statuses, and
    the mapping keys of dynamic outputs (absent ones map to None)."""

    produced: set[str]
    statuses: dict[str, StepStatus | None]
    dynamic: dict[str, list[str] | None]


@dataclass
class Claim:
    """What a possibly repeated delivery of a step learned when it claimed the step.

    ``verdict``: ``ok`` (run it), ``closed`` (the run is over), ``finished`` (the step already has
    a terminal status), ``busy`` (another execution of it is alive, see ``holder``). ``deaths`` are
    the step's executions whose worker process died; ``counted`` is True when this claim found a
    silent earlier execution and counted it.
    """

    verdict: str
    deaths: list[dict[str, Any]]
    holder: dict[str, Any] | None = None
    counted: bool = False


#: A run kept this long after it closes when no retention is given (``retention.py`` reads
#: ``ORCH_RUN_RETENTION``): 7 days.
DEFAULT_RETENTION = 7 * 24 * 3600.0


class RunStorage:
    """Reads and writes runs in Redis. Every method is a handful of round trips at most.

    :param client: the run storage client (one Redis, Sentinel's master, or a Redis Cluster).
    :param masked_url: its URL with passwords masked, for messages.
    :param retention: seconds every key of a closed run is kept (its TTL, set when it closes).
    """

    def __init__(self, client: redis.Redis, masked_url: str = "redis", retention: float = DEFAULT_RETENTION) -> None:
        # redis-py types every reply of the sync client as ``Awaitable[T] | T`` (redis-py#2399);
        # replies are parsed (and so checked) where they are read.
        self.redis: Any = client
        self.masked_url = masked_url
        self.retention = retention
        self._complete = _script(client, "complete.lua")
        # Closing a run is two calls: the run's own keys (this script), then the active runs and
        # its run-queue slots (``_after_close``), which hash elsewhere.
        self._finish = _script(client, "finish_run.lua")
        self._queue = QueueCalls(client)
        self._start = _script(client, "start_step.lua")
        self._claim = _script(client, "claim_step.lua")
        self._death = _script(client, "record_death.lua")

    # -- creating runs -------------------------------------------------------------------------
    @retrying
    def create_run(self, record: RunRecord, plan: ExecutionPlan, first_events: Iterable[RunEvent] = ()) -> None:
        """Write a new run and its initial scheduling state in one transaction.

        A run id is created once: ``RunExistsError`` when another record has it already (a
        scheduler gives each tick's runs a fixed id, so a tick taken over after a crash cannot
        start them twice). A retry of this very write, whose reply was lost, finds its own record
        and succeeds.
        """
        from redis.exceptions import WatchError

        pending, _down = initial_counts(plan)  # the plan's downstream lists travel with each completion
        k = run_keys(record.run_id)
        record_json = record.model_dump_json()
        # The index and the active runs first (shared keys: a call of their own on a Cluster), so
        # that no crash can leave a run nobody lists or watches; an entry whose run was never
        # written is dropped by the watchdog (``retention.settle_active_runs``) and the trim.
        index = self.redis.pipeline(transaction=False)
        index.zadd(RUNS_INDEX, {record.run_id: record.created_at}, nx=True)
        index.sadd(ACTIVE_RUNS, record.run_id)
        index.execute()
        pipe = self.redis.pipeline(transaction=True)
        try:
            pipe.watch(k.record)
            existing = pipe.hget(k.record, "json")
            if existing is not None:
                if _text(existing) == record_json:
                    return
                self._settle_existing(record.run_id)
                raise RunExistsError(f"A run with id '{record.run_id}' exists already in Redis at {self.masked_url}.")
            pipe.multi()
            self._queue_new_run(pipe, record, record_json, plan, pending, first_events)
            pipe.execute()
        except WatchError:
            self._settle_existing(record.run_id)
            raise RunExistsError(f"A run with id '{record.run_id}' was created meanwhile in Redis at "
                                 f"{self.masked_url}.") from None
        finally:
            pipe.reset()

    def _settle_existing(self, run_id: str) -> None:
        """A run id was taken already: undo adding it to the active runs if that run is closed."""
        status = self.run_status(run_id)
        if status is not None and status.is_finished:
            self.redis.srem(ACTIVE_RUNS, run_id)

    def _queue_new_run(self, pipe: Any, record: RunRecord, record_json: str, plan: ExecutionPlan,
                       pending: dict[str, int], first_events: Iterable[RunEvent]) -> None:
        k = run_keys(record.run_id)
        pipe.hset(k.record, mapping={
            "json": record_json, "status": RunStatus.QUEUED.value, "job": record.job_name,
        })
        pipe.set(k.plan, plan.model_dump_json(exclude_defaults=True))
        if pending:
            pipe.hset(k.pending, mapping=pending)
        pipe.hset(k.meta, mapping={"remaining": len(pending), "failed": 0, "progress_at": repr(record.created_at)})
        for event in first_events:
            pipe.xadd(k.events, {"e": event.model_dump_json()}, maxlen=EVENTS_MAXLEN, approximate=True)

    # -- reading runs --------------------------------------------------------------------------
    @retrying
    def get_run(self, run_id: str) -> RunInfo:
        raw = self.redis.hgetall(run_keys(run_id).record)
        if not raw:
            raise RunNotFoundError(f"No run with id '{run_id}' in Redis at {self.masked_url}.")
        return _info(raw)

    @retrying
    def get_runs(self, run_ids: Iterable[str]) -> dict[str, RunInfo | None]:
        """Several runs in one round trip (None for an id with no run): a backfill's runs."""
        ids = list(run_ids)
        if not ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for run_id in ids:
            pipe.hgetall(run_keys(run_id).record)
        return {run_id: _info(raw) if raw else None for run_id, raw in zip(ids, pipe.execute())}

    @retrying
    def has_run(self, run_id: str) -> bool:
        return bool(self.redis.exists(run_keys(run_id).record))

    @retrying
    def list_runs(self, job_name: str | None = None, status: RunStatus | None = None, limit: int = 50) -> list[RunInfo]:
        """Newest first, filtered by job and status."""
        result: list[RunInfo] = []
        start = 0
        batch = max(limit * 2, 50)
        while len(result) < limit:
            ids = self.redis.zrevrange(RUNS_INDEX, start, start + batch - 1)
            if not ids:
                break
            pipe = self.redis.pipeline(transaction=False)
            for rid in ids:
                pipe.hgetall(run_keys(rid.decode()).record)
            for raw in pipe.execute():
                if not raw:
                    continue
                info = _info(raw)
                if job_name and info.record.job_name != job_name:
                    continue
                if status and info.status is not status:
                    continue
                result.append(info)
                if len(result) >= limit:
                    break
            start += batch
        return result

    @retrying
    def runs_page(self, offset: int = 0, limit: int = 50, job_name: str | None = None,
                  status: RunStatus | None = None, tag: tuple[str, str] | None = None,
                  scan_limit: int = 20000) -> tuple[list[RunInfo], bool]:
        """One page of runs, newest first, and whether more match after it (the web UI's list).

        Unfiltered, this is one ``ZREVRANGE`` of the page and one pipeline of its records. With
        filters (job, status, a ``(key, value)`` tag) the index is read in batches, newest first,
        and the status and job fields are compared before any record is parsed; at most
        ``scan_limit`` runs are looked at, so a filter matching nothing stays fast.
        """
        if job_name is None and status is None and tag is None:
            ids = [_text(i) for i in self.redis.zrevrange(RUNS_INDEX, offset, offset + limit)]
            found = self.get_runs(ids[:limit])
            return [info for info in found.values() if info is not None], len(ids) > limit
        # Only the fields the filters need are read while scanning (the record's JSON for a tag).
        fields = ["job", "status"] + (["json"] if tag is not None else [])
        matched: list[str] = []
        skipped, start, batch, more = 0, 0, 1000, False
        while start < scan_limit and not more:
            ids = [_text(i) for i in self.redis.zrevrange(RUNS_INDEX, start, start + batch - 1)]
            if not ids:
                break
            pipe = self.redis.pipeline(transaction=False)
            for rid in ids:
                pipe.hmget(run_keys(rid).record, fields)
            for rid, values in zip(ids, pipe.execute()):
                job, state = _text(values[0] or b""), _text(values[1] or b"QUEUED")
                if (values[0] is None and values[1] is None) or (job_name is not None and job != job_name):
                    continue  # no record (deleted meanwhile), or another job's
                if status is not None and state != status.value:
                    continue
                if tag is not None and (json.loads(values[2] or "{}").get("tags") or {}).get(tag[0]) != tag[1]:
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                if len(matched) == limit:
                    more = True
                    break
                matched.append(rid)
            start += batch
        found = self.get_runs(matched)
        return [info for rid in matched if (info := found[rid]) is not None], more

    @retrying
    def run_count(self) -> int:
        """How many runs the index holds."""
        return int(self.redis.zcard(RUNS_INDEX))

    @retrying
    def run_ids_created_since(self, since: float, limit: int = 10000) -> list[tuple[str, float]]:
        """(run id, creation time) of the runs created at ``since`` or later, oldest first."""
        rows = self.redis.zrangebyscore(RUNS_INDEX, repr(since), "+inf", start=0, num=limit, withscores=True)
        return [(_text(member), float(score)) for member, score in rows]

    @retrying
    def run_ids_starting_with(self, prefix: str, limit: int = 20) -> list[str]:
        """Ids of runs that start with ``prefix`` (for short ids typed in the CLI)."""
        found: list[str] = []
        for member, _score in self.redis.zscan_iter(RUNS_INDEX, match=f"{prefix}*", count=1000):
            found.append(member.decode() if isinstance(member, bytes) else str(member))
            if len(found) >= limit:
                break
        return found

    @retrying
    def plan(self, run_id: str) -> ExecutionPlan:
        raw = self.redis.get(run_keys(run_id).plan)
        if raw is None:
            raise RunNotFoundError(f"No plan stored for run '{run_id}'.")
        return ExecutionPlan.model_validate_json(raw)

    # -- events --------------------------------------------------------------------------------
    def add_events(self, pipe: Any, run_id: str, events: Iterable[RunEvent]) -> None:
        key = run_keys(run_id).events
        for event in events:
            pipe.xadd(key, {"e": event.model_dump_json()}, maxlen=EVENTS_MAXLEN, approximate=True)

    @retrying
    def read_events(self, run_id: str, after: str = "0-0", block_ms: int | None = None,
                    count: int = 1000, skip_malformed: bool = False) -> list[tuple[str, RunEvent]]:
        """Events after stream id ``after`` (blocking up to ``block_ms`` for new ones).

        A step's events are one stream entry: each event gets the entry's id, and those before
        its last one ``<id>.<i>``, so every event has an id a reader can resume after.

        A malformed entry raises ``OrchestratorError`` naming it, or with ``skip_malformed`` (for
        processes that read many runs, like the scheduler's run feed) is logged and left out, so
        one corrupt run cannot stop them."""
        key = run_keys(run_id).events
        entry, _, within = after.partition(".")
        rows: list[tuple[Any, Any]] = []
        if within:
            # A cursor inside an entry holding several events: the rest of that entry first.
            rows = [(i, f) for i, f in self.redis.xrange(key, entry, entry)]
            after = entry
        reply = self.redis.xread({key: after}, count=count, block=None if rows else block_ms)
        for _stream, entries in reply or []:
            rows.extend(entries)
        out: list[tuple[str, RunEvent]] = []
        for entry_id, fields in rows:
            eid = _text(entry_id)
            try:
                single = fields.get(b"e") or fields.get("e")
                if single is not None:
                    if not within or eid != entry:
                        out.append((eid, RunEvent.model_validate_json(single)))
                    continue
                packed = fields.get(b"es") or fields.get("es")
                if packed is None:
                    continue
                events = _unpack(packed)
                last = len(events) - 1
                for i, event in enumerate(events):
                    if within and eid == entry and i <= int(within):
                        continue
                    out.append((eid if i == last else f"{eid}.{i}", event))
            except ValueError as exc:
                message = f"Run '{run_id}' has a malformed event {eid}: {exc}"
                if not skip_malformed:
                    raise OrchestratorError(message) from None
                _log.warning("%s (left out)", message.splitlines()[0])
        return out

    def all_events(self, run_id: str) -> list[RunEvent]:
        events: list[RunEvent] = []
        after = "0-0"
        while True:
            batch = self.read_events(run_id, after)
            if not batch:
                return events
            events.extend(e for _id, e in batch)
            after = batch[-1][0]

    def wait_for_end(self, run_id: str, block_ms: int) -> bool:
        """Block until the run is closed (True) or ``block_ms`` passes (False). Wakes once, at the end."""
        reply = self.redis.xread({run_keys(run_id).end: "0-0"}, count=1, block=max(1, block_ms))
        return bool(reply)

    def follow_events(self, run_id: str, poll_ms: int = 500) -> Iterator[RunEvent]:
        """Every event from the start, then live ones, until the run's final event."""
        after = "0-0"
        while True:
            batch = self.read_events(run_id, after, block_ms=poll_ms)
            for eid, event in batch:
                after = eid
                yield event
                if event.event_type in _RUN_END:
                    return
            if not batch and self.get_run(run_id).status.is_finished:
                for eid, event in self.read_events(run_id, after):
                    after = eid
                    yield event
                return

    # -- scheduling state ----------------------------------------------------------------------
    def complete(self, run_id: str, update: StepUpdate, down: list[str] | None = None, dynamic_down: bool = True,
                 mark_started: bool = True, messages: dict[str, tuple[str, str]] | None = None) -> Applied:
        """Record a finished step (and its events) atomically; see ``lua/complete.lua``.

        ``down``: the plan's steps waiting on this one; ``dynamic_down``: dynamic outputs may have
        added more (``RunShape``; when not given, read from the stored plan). ``mark_started``: the run may still be QUEUED (False once this
        process saw it started), so a short step's end also marks it STARTED. ``messages``: the
        broker messages (list key, payload) of steps of ``update.certain``: those it makes ready are
        pushed in the same call, exactly once, and reported in ``Applied.published``.

        Retried through Redis outages: a retry of a completion that did happen (its reply was lost)
        is recognised by its token and gets the original answer, so nothing is scheduled twice.
        """
        if down is None:
            down = initial_counts(self.plan(run_id))[1].get(update.step_key, [])
        return self._complete_once(run_id, update, uuid.uuid4().hex, down, dynamic_down, mark_started, messages or {})

    @retrying
    def _complete_once(self, run_id: str, update: StepUpdate, token: str, down: list[str], dynamic_down: bool,
                       mark_started: bool, messages: dict[str, tuple[str, str]]) -> Applied:
        k = run_keys(run_id)
        events = [e.model_dump_json() for e in update.events]
        # One stream entry for all of the step's events (read back by ``read_events``).
        field, entry = ("e", events[0]) if len(events) == 1 else ("es", _pack(events)) if events else ("", "")
        pushed_messages = [part for key, (queue, payload) in messages.items() for part in (key, queue, payload)]
        reply = self._complete(keys=[k.status], args=[k.prefix, _args(
            step=update.step_key, status=update.status.value, outputs=update.outputs, dynamic=update.dynamic,
            new_steps=[{"key": n.key, "up": list(n.upstream)} for n in update.new_steps],
            templates=[{"key": t.key, "status": t.status.value, "collectors": list(t.collectors),
                        "instances": list(t.instances)} for t in update.templates],
            remaining_delta=update.remaining_delta, down=down, dyn_down=dynamic_down,
            now=repr(time.time()), token=token, mark_started=mark_started and update.started,
            was_running=not update.started and update.status not in (StepStatus.SKIPPED, StepStatus.ABANDONED),
        ), field, entry, *pushed_messages])
        remaining, failed, closed = int(reply[0]), int(reply[1]), int(reply[2])
        if remaining == -1:
            return Applied(duplicate=True, failed=bool(failed))
        pushed = int(reply[3])
        ready = [_text(r) for r in reply[4:]]
        return Applied(duplicate=False, ready=ready, remaining=remaining, failed=bool(failed), run_closed=bool(closed),
                       published=ready[:pushed])

    @retrying
    def scheduling_facts(self, run_id: str, output_ids: Iterable[str], step_keys: Iterable[str],
                         dynamic_ids: Iterable[str]) -> SchedulingFacts:
        """One round trip for what input checks need: which outputs exist, statuses, mapping keys."""
        outputs, steps, dyn = list(output_ids), list(step_keys), list(dynamic_ids)
        facts = SchedulingFacts(set(), {}, {})
        if not outputs and not steps and not dyn:
            return facts
        k = run_keys(run_id)
        pipe = self.redis.pipeline(transaction=False)
        if outputs:
            pipe.smismember(k.produced, outputs)
        if steps:
            pipe.hmget(k.status, steps)
        if dyn:
            pipe.hmget(k.dyn, dyn)
        replies = iter(pipe.execute())
        if outputs:
            facts.produced = {o for o, present in zip(outputs, next(replies)) if present}
        if steps:
            facts.statuses = {s: StepStatus(v.decode()) if v else None for s, v in zip(steps, next(replies))}
        if dyn:
            facts.dynamic = {d: _key_list(v) for d, v in zip(dyn, next(replies))}
        return facts

    @retrying
    def step_statuses(self, run_id: str) -> dict[str, StepStatus]:
        """Every finished step of the run and its status."""
        raw = self.redis.hgetall(run_keys(run_id).status)
        return {s.decode(): StepStatus(v.decode()) for s, v in raw.items()}

    @retrying
    def registered_steps(self, run_id: str) -> list[str]:
        """Every step the run knows so far: the plan's (dynamic templates included) and each mapped
        step as soon as its dynamic output registered it, whether it has run or not."""
        return [s.decode() for s in self.redis.hkeys(run_keys(run_id).pending)]

    @retrying
    def waiting_steps(self, run_id: str) -> list[str]:
        """Steps whose upstream steps are all finished but that have no status yet (queued or running)."""
        k = run_keys(run_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(k.pending)
        pipe.hkeys(k.status)
        pending_raw, finished_raw = pipe.execute()
        finished = {s.decode() for s in finished_raw}
        return sorted(s.decode() for s, v in pending_raw.items() if int(v) == 0 and s.decode() not in finished)

    def release_outbox(self, pipe: Any, run_id: str, keys: Iterable[str]) -> None:
        """Steps were published (or skipped): they leave the outbox (queued on ``pipe``)."""
        keys = list(keys)
        if keys:
            pipe.hdel(run_keys(run_id).outbox, *keys)

    @retrying
    def has_outbox(self, run_id: str) -> bool:
        return bool(self.redis.exists(run_keys(run_id).outbox))

    @retrying
    def outbox(self, run_id: str) -> dict[str, float]:
        """Ready steps whose publishing was not confirmed, with the time they became ready."""
        return {s.decode(): float(v) for s, v in self.redis.hgetall(run_keys(run_id).outbox).items()}

    def note_progress(self, pipe: Any, run_id: str, now: float) -> None:
        """The run made progress at ``now`` (queued on ``pipe``): it is not stalled."""
        pipe.hset(run_keys(run_id).meta, "progress_at", repr(now))

    @retrying
    def record_retry(self, run_id: str, step_key: str, events: Iterable[RunEvent]) -> None:
        """A step attempt ended asking for a retry: record its events; it is no longer running."""
        pipe = self.redis.pipeline(transaction=False)
        self.add_events(pipe, run_id, events)
        pipe.hdel(run_keys(run_id).running, step_key)
        pipe.execute()

    def steps_to_send(self, run_id: str, keys: Iterable[str]) -> tuple[list[ExecutionStep], list[str]]:
        """The steps behind ``keys`` as they must be sent again: planned, rebuilt from their
        template (mapped), or as stored when the scheduler narrowed their inputs; and the keys of
        those sent as stored (the worker reads their narrowed form). Unknown keys are left out."""
        keys = list(keys)
        plan = self.plan(run_id)
        stored_json = self.extra_steps(run_id, keys)
        steps, stored = [], []
        for key in keys:
            raw = stored_json.get(key)
            step = ExecutionStep.model_validate_json(raw) if raw else mapped_step(plan, key)
            if step is None:
                _log.error("run %s: cannot send unknown step %s again", run_id, key)
                continue
            if raw and key in plan.by_key:
                stored.append(key)
            steps.append(step)
        return steps, stored

    @retrying
    def store_steps(self, run_id: str, steps: Iterable[ExecutionStep]) -> None:
        """Keep the steps whose inputs the scheduler narrowed (they differ from the plan)."""
        mapping = {s.key: s.model_dump_json() for s in steps}
        if mapping:
            self.redis.hset(run_keys(run_id).steps, mapping=mapping)

    @retrying
    def run_status(self, run_id: str) -> RunStatus | None:
        """The run's status (one round trip), or None when there is no such run."""
        raw = self.redis.hget(run_keys(run_id).record, "status")
        return RunStatus(raw.decode()) if raw is not None else None

    @retrying
    def run_statuses(self, run_ids: Iterable[str]) -> dict[str, RunStatus | None]:
        """The status of each run (one pipelined round trip); None for a run that is gone."""
        ids = list(run_ids)
        if not ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for run_id in ids:
            pipe.hget(run_keys(run_id).record, "status")
        return {rid: RunStatus(_text(raw)) if raw is not None else None for rid, raw in zip(ids, pipe.execute())}

    @retrying
    def start_step(self, run_id: str, step_key: str, who: dict[str, Any], events: Iterable[RunEvent]) -> bool:
        """Record a running step and its start events; False when the run was closed meanwhile."""
        now = time.time()
        k = run_keys(run_id)
        reply = self._start(keys=[k.record], args=[k.prefix, _args(
            step=step_key, who=json.dumps({**who, "started": now, "hb": now}), now=repr(now),
            events=[e.model_dump_json() for e in events],
        )])
        return bool(reply)

    def finish_run(self, run_id: str, status: RunStatus, reason: str | None, events: Iterable[RunEvent]) -> bool:
        """Close a run exactly once: False when it was already finished (e.g. canceled meanwhile).

        Runs the close admitted from the run queue are left to the run queue's sweep; a caller that
        can start them at once uses :meth:`close_run` and ``run_queue.start_admitted``.
        """
        return self.close_run(run_id, status, reason, events).closed

    def close_run(self, run_id: str, status: RunStatus, reason: str | None, events: Iterable[RunEvent]) -> Closed:
        """Close a run exactly once (``lua/finish_run.lua``; every key of it then expires after the
        retention); its run-queue slots go to the queued runs that now fit, listed in the result
        for the caller to start. Each of the two calls is retried on its own through an outage."""
        code = self._close_once(run_id, status, reason, [e.model_dump_json() for e in events])
        return Closed(code == 1, self._after_close(run_id))

    @retrying
    def _close_once(self, run_id: str, status: RunStatus, reason: str | None, events: list[str]) -> int:
        k = run_keys(run_id)
        return int(self._finish(keys=[k.record], args=[k.prefix, _args(
            status=status.value, now=repr(time.time()), reason=reason or "", events=events, ttl=self._ttl(),
            suffixes=list(RUN_KEY_SUFFIXES),
        )]))

    def _ttl(self) -> int:
        return max(1, int(self.retention))

    @retrying
    def _after_close(self, run_id: str) -> list[str]:
        """The closed run leaves the active runs and frees its run-queue slots (a call of its own:
        those keys hash elsewhere). Done after every close attempt, the repeated ones too (a retry
        whose first reply was lost), since both are idempotent. Returns the runs admitted."""
        now = time.time()
        self.redis.srem(ACTIVE_RUNS, run_id)
        notes = self._queue.release(run_id, now)
        note_queue_changes(self.redis, notes, now)
        return notes.admitted

    @retrying
    def cancel_run(self, run_id: str, reason: str, build: Callable[[dict[str, dict[str, Any]]], CancelEvents],
                   tries: int = 5, admitted: list[str] | None = None) -> dict[str, dict[str, Any]] | None:
        """Close a run as CANCELED; every step running at that moment ends ``canceled`` with its event.

        ``build`` gets the running steps (step -> who runs it) and returns the events: one terminal
        event per running step, and the run's. Returns the steps that were running (so their tasks
        can be terminated), or None when the run had already finished. Should a step start between
        reading the running steps and closing the run, they are read again (``lua/finish_run.lua``).
        ``admitted``, when given, receives the queued runs the freed run-queue slots went to.
        """
        k = run_keys(run_id)
        for _ in range(tries):
            running = self.running_steps(run_id)
            step_events, run_events = build(running)
            code = int(self._finish(keys=[k.record], args=[k.prefix, _args(
                status=RunStatus.CANCELED.value, now=repr(time.time()), reason=reason,
                events=[e.model_dump_json() for e in run_events], step_status=StepStatus.CANCELED.value,
                ended_steps=[[key, e.model_dump_json()] for key, e in step_events], ttl=self._ttl(),
                suffixes=list(RUN_KEY_SUFFIXES),
            )]))
            if code >= 0:
                freed = self._after_close(run_id)
                if admitted is not None:
                    admitted.extend(freed)
                return running if code == 1 else None
        raise OrchestratorError(f"Could not cancel run '{run_id}': steps kept starting while it was being closed. "
                                "Run the cancel again.")

    def heartbeat(self, run_id: str, step_key: str, who: dict[str, Any]) -> None:
        """A running step is alive: refresh its entry and the run's progress time."""
        now = time.time()
        k = run_keys(run_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(k.running, step_key, json.dumps({**who, "hb": now}))
        pipe.hset(k.meta, "progress_at", repr(now))
        pipe.execute()

    @retrying
    def running_steps(self, run_id: str) -> dict[str, dict[str, Any]]:
        raw = self.redis.hgetall(run_keys(run_id).running)
        return {s.decode(): json.loads(v) for s, v in raw.items()}

    # -- recovery: claims, worker deaths, worker presence ---------------------------------------
    @retrying
    def claim_step(self, run_id: str, step_key: str, who: dict[str, Any], timeout: float) -> Claim:
        """Claim a step for the execution ``who`` (see ``lua/claim_step.lua``): a redelivered or
        re-sent copy of a step runs only when no other execution of it is alive or finished."""
        k = run_keys(run_id)
        for _ in range(5):
            # The current execution's worker presence is read first (it hashes elsewhere than the
            # run); the claim checks the running entry is still the one it was read for.
            seen_token, seen, presence = "", -1.0, ""
            current = self.redis.hget(k.running, step_key)
            if current is not None:
                holder = json.loads(current)
                seen_token = str(holder.get("token") or "")
                if seen_token != who["token"]:
                    worker = str(holder.get("worker") or "")
                    pipe = self.redis.pipeline(transaction=False)
                    pipe.zscore(WORKERS, worker)
                    pipe.get(worker_key(worker))
                    score, raw_presence = pipe.execute()
                    seen = float(score) if score is not None else -1.0
                    presence = _text(raw_presence) if raw_presence is not None else ""
            now = time.time()
            reply = self._claim(keys=[k.record], args=[k.prefix, _args(
                step=step_key, who=json.dumps({**who, "started": now, "hb": now}), token=who["token"], pid=who["pid"],
                now=now, timeout=timeout, seen_token=seen_token, seen=seen, presence=presence,
            )])
            if _text(reply[0]) != "again":
                break
        else:
            raise OrchestratorError(f"Could not claim step '{step_key}' of run '{run_id}': its running entry kept "
                                    "changing. The delivery is retried.")
        verdict = _text(reply[0])
        payload = _text(reply[1])
        if verdict == "busy":
            return Claim(verdict, [], holder=json.loads(payload) if payload else None)
        deaths = json.loads(payload) if verdict == "ok" and payload else []
        return Claim(verdict, list(deaths) if isinstance(deaths, list) else [], counted=bool(int(reply[2])))

    @retrying
    def record_death(self, run_id: str, step_key: str, death_id: str, cause: str, worker: str, event: RunEvent,
                     token: str = "", stale_before: float = 0.0, task_id: str = "", pid: int = 0) -> int:
        """Count that an execution of ``step_key`` lost its worker process (``lua/record_death.lua``).

        ``token``/``stale_before``: count only if the running entry is still that execution and
        still silent (a watchdog's finding). ``task_id``/``pid``: the pool process that died (its
        worker saw it); its running entry, if it wrote one, is removed. Returns the number of
        deaths so far, or -1 when nothing was counted.
        """
        k = run_keys(run_id)
        reply = self._death(keys=[k.record], args=[k.prefix, _args(
            step=step_key, id=death_id, cause=cause, worker=worker, now=time.time(),
            event=event.model_dump_json(), token=token, stale_before=stale_before, task_id=task_id, pid=pid,
        )])
        return int(reply)

    @retrying
    def step_deaths(self, run_id: str, step_key: str) -> list[dict[str, Any]]:
        """The executions of a step whose worker process died, oldest first."""
        raw = self.redis.hget(run_keys(run_id).deaths, step_key)
        value = json.loads(raw) if raw else []
        return list(value) if isinstance(value, list) else []  # Lua encodes an empty list as {}

    def beat_worker(self, hostname: str, info: dict[str, Any], ttl: float) -> None:
        """A worker's main process is alive (its presence expires ``ttl`` seconds from now)."""
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(worker_key(hostname), json.dumps({**info, "hostname": hostname, "beat": now}), px=int(ttl * 1000))
        pipe.zadd(WORKERS, {hostname: now})
        # Workers gone for a day leave the index; their presence key expired long ago.
        pipe.zremrangebyscore(WORKERS, "-inf", now - 86400)
        pipe.execute()

    def note_running(self, run_ids: Iterable[str], now: float | None = None) -> None:
        """A live worker runs steps of these runs: they are making progress, even while a step is
        silent (a step holding the GIL cannot heartbeat; its worker's main process still can)."""
        run_ids = sorted(set(run_ids))
        if not run_ids:
            return
        stamp = repr(time.time() if now is None else now)
        pipe = self.redis.pipeline(transaction=False)
        for run_id in run_ids:
            pipe.hset(run_keys(run_id).meta, "progress_at", stamp)
        pipe.execute()

    def forget_worker(self, hostname: str) -> None:
        """A worker's main process is exiting (its pool is gone): it is no longer present."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(worker_key(hostname))
        pipe.zrem(WORKERS, hostname)
        pipe.execute()

    @retrying
    def live_workers(self) -> dict[str, dict[str, Any]]:
        """Workers whose main process beat within its presence's lifetime: hostname -> its presence
        (``pid``, ``queues``, ``active`` task id -> pool pid, ``beat``)."""
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in self.redis.zrange(WORKERS, 0, -1)]
        if not names:
            return {}
        found: dict[str, dict[str, Any]] = {}
        pipe = self.redis.pipeline(transaction=False)  # not MGET: on a Cluster these keys are in many slots
        for name in names:
            pipe.get(worker_key(name))
        for name, raw in zip(names, pipe.execute()):
            if raw is not None:
                found[name] = json.loads(raw)
        return found

    def queues_with_live_workers(self) -> dict[str, list[str]]:
        """Queue name -> the live workers consuming it (sorted). A queue missing here has no worker:
        its steps stay queued until one starts (``celery -A worker.app worker -Q QUEUE``)."""
        queues: dict[str, list[str]] = {}
        for name, info in sorted(self.live_workers().items()):
            for queue in info.get("queues") or []:
                queues.setdefault(str(queue), []).append(name)
        return queues

    @retrying
    def active_run_ids(self) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(ACTIVE_RUNS))

    # -- retention: what closed runs leave behind -------------------------------------------------
    @retrying
    def end_states(self, run_ids: Iterable[str]) -> dict[str, RunEnd]:
        """run id -> its status, end and job, read without parsing records (one round trip): what
        the retention trim, ``orch run prune`` and the active-set repair decide on."""
        ids = list(run_ids)
        if not ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for run_id in ids:
            pipe.hmget(run_keys(run_id).record, ["status", "ended_at", "job"])
        found: dict[str, RunEnd] = {}
        for run_id, (status, ended, job) in zip(ids, pipe.execute()):
            # Every record has its job from the start; without one there is no record.
            found[run_id] = RunEnd(RunStatus(_text(status)) if status is not None else RunStatus.QUEUED,
                                   float(ended) if ended is not None else None,
                                   _text(job) if job is not None else None)
        return found

    @retrying
    def index_scores(self, run_ids: Iterable[str]) -> dict[str, float | None]:
        """run id -> its creation time in the run index (None when it is not indexed)."""
        ids = list(run_ids)
        if not ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for run_id in ids:
            pipe.zscore(RUNS_INDEX, run_id)
        return {run_id: float(v) if v is not None else None for run_id, v in zip(ids, pipe.execute())}

    @retrying
    def indexed_before(self, before: float, offset: int = 0, count: int = 500) -> list[tuple[str, float]]:
        """(run id, creation time) of indexed runs created before ``before``, oldest first."""
        rows = self.redis.zrangebyscore(RUNS_INDEX, "-inf", f"({before!r}", start=offset, num=count, withscores=True)
        return [(_text(member), float(score)) for member, score in rows]

    @retrying
    def indexed_page(self, offset: int, count: int) -> list[tuple[str, float]]:
        """(run id, creation time) of ``count`` indexed runs from ``offset``, oldest first."""
        rows = self.redis.zrange(RUNS_INDEX, offset, offset + count - 1, withscores=True)
        return [(_text(member), float(score)) for member, score in rows]

    @retrying
    def are_active(self, run_ids: Iterable[str]) -> set[str]:
        """Which of ``run_ids`` are among the active runs (one round trip)."""
        ids = list(run_ids)
        if not ids:
            return set()
        return {run_id for run_id, member in zip(ids, self.redis.smismember(ACTIVE_RUNS, ids)) if member}

    @retrying
    def leave_active(self, run_ids: Iterable[str]) -> None:
        """Take runs out of the active runs (closed ones whose close was cut short, never-written ones)."""
        ids = list(run_ids)
        if ids:
            self.redis.srem(ACTIVE_RUNS, *ids)

    @retrying
    def delete_runs(self, run_ids: Iterable[str]) -> dict[str, int]:
        """Delete every key of these runs and their index entries; returns run id -> keys removed.

        The caller has checked they are closed (or were never written): a closed run never opens
        again, so nothing can make one active between that check and this. One round trip (each
        run's keys share a slot, so one ``UNLINK`` per run works on a Cluster too).
        """
        ids = list(dict.fromkeys(run_ids))
        if not ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for run_id in ids:
            # One UNLINK of all its keys (one slot); not pipe.delete, which a Cluster pipeline refuses
            # for several keys. UNLINK frees the memory in the background.
            pipe.execute_command("UNLINK", *run_keys(run_id).every())
        pipe.zrem(RUNS_INDEX, *ids)
        pipe.srem(ACTIVE_RUNS, *ids)
        replies = pipe.execute()
        return {run_id: int(n) for run_id, n in zip(ids, replies)}

    @retrying
    def key_ttls(self, run_id: str) -> dict[str, int]:
        """Each existing key of the run -> its TTL in seconds (-1: none): how long it is kept."""
        keys = run_keys(run_id).every()
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            pipe.ttl(key)
        return {key: int(ttl) for key, ttl in zip(keys, pipe.execute()) if int(ttl) != -2}

    @retrying
    def progress_at(self, run_id: str) -> float | None:
        """When the run last made progress: a step started, finished or beat (its newest event, or
        ``progress_at``, which starts, heartbeats and claims write; completions only add events)."""
        k = run_keys(run_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hget(k.meta, "progress_at")
        pipe.xrevrange(k.events, "+", "-", count=1)
        raw, newest = pipe.execute()
        times = [float(raw)] if raw else []
        if newest:
            times.append(int(_text(newest[0][0]).split("-", 1)[0]) / 1000)
        return max(times) if times else None

    @retrying
    def step_status(self, run_id: str, keys: list[str]) -> dict[str, StepStatus | None]:
        if not keys:
            return {}
        values = self.redis.hmget(run_keys(run_id).status, keys)
        return {s: (StepStatus(v.decode()) if v is not None else None) for s, v in zip(keys, values)}

    @retrying
    def extra_steps(self, run_id: str, keys: list[str]) -> dict[str, str | None]:
        """Stored (narrowed) steps by key, None where a step is not stored."""
        if not keys:
            return {}
        values = self.redis.hmget(run_keys(run_id).steps, keys)
        return {s: (v.decode() if v is not None else None) for s, v in zip(keys, values)}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _key_list(raw: bytes | None) -> list[str] | None:
    if raw is None:
        return None
    value = json.loads(raw)
    return list(value) if isinstance(value, list) else []  # Lua encodes an empty list as {}


_RUN_END = (EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED)


def _info(raw: dict[bytes, bytes]) -> RunInfo:
    def get(name: str) -> str | None:
        value = raw.get(name.encode())
        return value.decode() if value is not None else None

    record = RunRecord.model_validate_json(get("json") or "{}")
    started, ended = get("started_at"), get("ended_at")
    return RunInfo(record=record, status=RunStatus(get("status") or "QUEUED"),
                   started_at=float(started) if started else None, ended_at=float(ended) if ended else None,
                   reason=get("reason"))
