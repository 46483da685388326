"""Run storage in Redis: run records, the index of runs, each run's event stream, and the
scheduling state workers update when a step finishes.

Keys of run ``R`` (all under ``orch:run:R``): ``:record`` (hash: json, status, times, reason),
``:plan`` (the plan as JSON), ``:events`` (a stream), and the scheduling state: ``:pending``
(step -> unfinished upstream count), ``:status`` (step -> terminal status), ``:down`` (step ->
JSON list of waiting steps), ``:produced`` (set of output ids), ``:dyn`` (dynamic output ->
JSON list of mapping keys), ``:steps`` (steps not in the plan: mapped or narrowed),
``:running`` (step -> who runs it, for heartbeats) and ``:meta`` (remaining, failed).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.records import RunRecord, RunStatus
from orchestrator.distributed.retrying import retrying
from orchestrator.errors import OrchestratorError, RunNotFoundError
from orchestrator.events import EventType, RunEvent
from orchestrator.plan.planner import ExecutionPlan

if TYPE_CHECKING:
    import redis

__all__ = ["RunStorage", "RunInfo", "run_key"]

RUNS_INDEX = "orch:runs"
ACTIVE_RUNS = "orch:runs:active"
CODE_PREFIX = "orch:code:"


def run_key(run_id: str, part: str = "") -> str:
    return f"orch:run:{run_id}:{part}" if part else f"orch:run:{run_id}"


# One atomic step completion. Marks the step terminal exactly once, registers mapped steps made by
# a dynamic output, releases collectors of mapped steps, counts down every waiting step, and
# returns the steps that became ready plus what remains of the run.
_COMPLETE_LUA = """
local p = ARGV[1]
local key = ARGV[2]
local status = ARGV[3]
if redis.call('HEXISTS', p .. ':status', key) == 1 then
  local prev = redis.call('HGET', p .. ':done', key)
  if prev then
    local stored = cjson.decode(prev)
    if stored['token'] == ARGV[9] then return stored['result'] end
  end
  return {-1, 0, 0}
end
redis.call('HSET', p .. ':meta', 'progress_at', ARGV[8])
if ARGV[11] == '1' then
  redis.call('HSETNX', p .. ':record', 'started_at', ARGV[8])
  if redis.call('HGET', p .. ':record', 'status') == 'QUEUED' then redis.call('HSET', p .. ':record', 'status', 'STARTED') end
end
for _, e in ipairs(cjson.decode(ARGV[10])) do redis.call('XADD', p .. ':events', '*', 'e', e) end
redis.call('HSET', p .. ':status', key, status)
redis.call('HDEL', p .. ':running', key)
if status == 'failure' then redis.call('HSET', p .. ':meta', 'failed', 1) end
local outputs = cjson.decode(ARGV[4])
for _, o in ipairs(outputs) do redis.call('SADD', p .. ':produced', o) end
local dyn = cjson.decode(ARGV[5])
for source, keys in pairs(dyn) do redis.call('HSET', p .. ':dyn', source, cjson.encode(keys)) end
local function add_down(up, down)
  local cur = redis.call('HGET', p .. ':down', up)
  local list = {}
  if cur then list = cjson.decode(cur) end
  table.insert(list, down)
  redis.call('HSET', p .. ':down', up, cjson.encode(list))
end
local delta = -1
local ready = {}
local new_steps = cjson.decode(ARGV[6])
for _, ns in ipairs(new_steps) do
  redis.call('HSET', p .. ':steps', ns['key'], ns['step'])
  local waiting = 0
  for _, up in ipairs(ns['up']) do
    if redis.call('HEXISTS', p .. ':status', up) == 0 then
      waiting = waiting + 1
      add_down(up, ns['key'])
    end
  end
  redis.call('HSET', p .. ':pending', ns['key'], waiting)
  delta = delta + 1
  if waiting == 0 then table.insert(ready, ns['key']) end
end
local templates = cjson.decode(ARGV[7])
for _, t in ipairs(templates) do
  redis.call('HSET', p .. ':status', t['key'], t['status'])
  delta = delta - 1
  for _, c in ipairs(t['collectors']) do
    local n = 0
    for _, i in ipairs(t['instances']) do
      if redis.call('HEXISTS', p .. ':status', i) == 0 then
        n = n + 1
        add_down(i, c)
      end
    end
    if redis.call('HINCRBY', p .. ':pending', c, n - 1) == 0 then table.insert(ready, c) end
  end
end
local down = redis.call('HGET', p .. ':down', key)
if down then
  for _, d in ipairs(cjson.decode(down)) do
    if redis.call('HINCRBY', p .. ':pending', d, -1) == 0 then table.insert(ready, d) end
  end
end
local remaining = redis.call('HINCRBY', p .. ':meta', 'remaining', delta)
local failed = tonumber(redis.call('HGET', p .. ':meta', 'failed') or '0')
local rstatus = redis.call('HGET', p .. ':record', 'status')
local closed = 0
if rstatus == 'SUCCESS' or rstatus == 'FAILURE' or rstatus == 'CANCELED' then closed = 1 end
local result = {remaining, failed, closed}
for _, r in ipairs(ready) do
  table.insert(result, r)
  -- Until the caller confirms it published r, r is in the outbox: a crash right here is recoverable.
  redis.call('HSET', p .. ':outbox', r, ARGV[8])
end
redis.call('HSET', p .. ':done', key, cjson.encode({token = ARGV[9], result = result}))
return result
"""


# A step started: unless the run is already closed, note it running (for cancel and stall detection),
# mark the run STARTED, and record the start events. Returns 0 when the run is closed.
_START_LUA = """
local p = ARGV[1]
local current = redis.call('HGET', p .. ':record', 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return 0 end
redis.call('HSETNX', p .. ':record', 'started_at', ARGV[4])
if current == 'QUEUED' then redis.call('HSET', p .. ':record', 'status', 'STARTED') end
redis.call('HSET', p .. ':running', ARGV[2], ARGV[3])
redis.call('HSET', p .. ':meta', 'progress_at', ARGV[4])
for _, e in ipairs(cjson.decode(ARGV[5])) do redis.call('XADD', p .. ':events', '*', 'e', e) end
return 1
"""


# Close a run once: whoever finishes, fails or cancels it first wins; later attempts change nothing.
_FINISH_LUA = """
local p = ARGV[1]
local current = redis.call('HGET', p .. ':record', 'status')
if current == 'SUCCESS' or current == 'FAILURE' or current == 'CANCELED' then return 0 end
redis.call('HSET', p .. ':record', 'status', ARGV[2], 'ended_at', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', p .. ':record', 'reason', ARGV[4]) end
redis.call('SREM', ARGV[5], ARGV[6])
for _, e in ipairs(cjson.decode(ARGV[7])) do redis.call('XADD', p .. ':events', '*', 'e', e) end
redis.call('XADD', p .. ':end', '*', 'status', ARGV[2])
return 1
"""


@dataclass
class Completion:
    """What one atomic completion returned: duplicate or not, steps now ready, what remains."""

    duplicate: bool
    remaining: int
    failed: bool
    ready: list[str]
    run_closed: bool = False


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


class RunStorage:
    """Reads and writes runs in Redis. Every method is a handful of round trips at most."""

    def __init__(self, client: redis.Redis, masked_url: str = "redis") -> None:
        self.redis = client
        self.masked_url = masked_url
        self._complete = client.register_script(_COMPLETE_LUA)
        self._finish = client.register_script(_FINISH_LUA)
        self._start = client.register_script(_START_LUA)

    # -- creating runs -------------------------------------------------------------------------
    @retrying
    def create_run(self, record: RunRecord, plan: ExecutionPlan, pending: dict[str, int],
                   down: dict[str, list[str]], first_events: Iterable[RunEvent] = ()) -> None:
        """Write a new run and its initial scheduling state in one transaction."""
        rid = record.run_id
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(run_key(rid, "record"), mapping={
            "json": record.model_dump_json(), "status": RunStatus.QUEUED.value, "job": record.job_name,
        })
        pipe.set(run_key(rid, "plan"), plan.model_dump_json(exclude_defaults=True))
        if pending:
            pipe.hset(run_key(rid, "pending"), mapping=pending)
        if down:
            pipe.hset(run_key(rid, "down"), mapping={k: json.dumps(v) for k, v in down.items()})
        pipe.hset(run_key(rid, "meta"), mapping={"remaining": len(pending), "failed": 0,
                                                   "progress_at": repr(record.created_at)})
        pipe.zadd(RUNS_INDEX, {rid: record.created_at})
        pipe.sadd(ACTIVE_RUNS, rid)
        for event in first_events:
            pipe.xadd(run_key(rid, "events"), {"e": event.model_dump_json()})
        pipe.execute()

    # -- reading runs --------------------------------------------------------------------------
    @retrying
    def get_run(self, run_id: str) -> RunInfo:
        raw = self.redis.hgetall(run_key(run_id, "record"))
        if not raw:
            raise RunNotFoundError(f"No run with id '{run_id}' in Redis at {self.masked_url}.")
        return _info(raw)

    @retrying
    def has_run(self, run_id: str) -> bool:
        return bool(self.redis.exists(run_key(run_id, "record")))

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
                pipe.hgetall(run_key(rid.decode(), "record"))
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
    def plan(self, run_id: str) -> ExecutionPlan:
        raw = self.redis.get(run_key(run_id, "plan"))
        if raw is None:
            raise RunNotFoundError(f"No plan stored for run '{run_id}'.")
        return ExecutionPlan.model_validate_json(raw)

    # -- events --------------------------------------------------------------------------------
    def add_events(self, pipe: Any, run_id: str, events: Iterable[RunEvent]) -> None:
        for event in events:
            pipe.xadd(run_key(run_id, "events"), {"e": event.model_dump_json()})

    @retrying
    def read_events(self, run_id: str, after: str = "0-0", block_ms: int | None = None,
                    count: int = 1000) -> list[tuple[str, RunEvent]]:
        """Events after stream id ``after`` (blocking up to ``block_ms`` for new ones)."""
        reply = self.redis.xread({run_key(run_id, "events"): after}, count=count, block=block_ms)
        out: list[tuple[str, RunEvent]] = []
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                eid = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                data = fields.get(b"e") or fields.get("e")
                if data is None:
                    continue
                try:
                    out.append((eid, RunEvent.model_validate_json(data)))
                except ValueError as exc:
                    raise OrchestratorError(f"Run '{run_id}' has a malformed event {eid}: {exc}") from None
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
        reply = self.redis.xread({run_key(run_id, "end"): "0-0"}, count=1, block=max(1, block_ms))
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
    def complete(self, run_id: str, step_key: str, status: str, outputs: list[str], dynamic: dict[str, list[str]],
                 new_steps: list[dict[str, Any]], templates: list[dict[str, Any]],
                 events: Iterable[RunEvent] = (), started: bool = False) -> Completion:
        """Record a finished step (and its events) atomically; see ``_COMPLETE_LUA``.

        Retried through Redis outages: a retry of a completion that did happen (its reply was lost)
        is recognised by its token and gets the original answer, so nothing is scheduled twice.
        """
        token = uuid.uuid4().hex
        return self._complete_once(run_id, step_key, status, outputs, dynamic, new_steps, templates, list(events),
                                   token, started)

    @retrying
    def _complete_once(self, run_id: str, step_key: str, status: str, outputs: list[str],
                       dynamic: dict[str, list[str]], new_steps: list[dict[str, Any]], templates: list[dict[str, Any]],
                       events: Iterable[RunEvent], token: str, started: bool) -> Completion:
        reply = self._complete(
            keys=[run_key(run_id, "status")],
            args=[run_key(run_id), step_key, status, json.dumps(outputs), json.dumps(dynamic or {}),
                  json.dumps(new_steps), json.dumps(templates), repr(time.time()), token,
                  json.dumps([e.model_dump_json() for e in events]), "1" if started else "0"],
        )
        remaining, failed, closed = int(reply[0]), int(reply[1]), int(reply[2])
        if remaining == -1:
            return Completion(True, -1, bool(failed), [])
        ready = [r.decode() if isinstance(r, bytes) else r for r in reply[3:]]
        return Completion(False, remaining, bool(failed), ready, bool(closed))

    def release_outbox(self, pipe: Any, run_id: str, keys: Iterable[str]) -> None:
        """Steps were published (or skipped): they leave the outbox (queued on ``pipe``)."""
        keys = list(keys)
        if keys:
            pipe.hdel(run_key(run_id, "outbox"), *keys)

    @retrying
    def outbox(self, run_id: str) -> dict[str, float]:
        """Ready steps whose publishing was not confirmed, with the time they became ready."""
        return {k.decode(): float(v) for k, v in self.redis.hgetall(run_key(run_id, "outbox")).items()}

    @retrying
    def run_status(self, run_id: str) -> RunStatus | None:
        """The run's status (one round trip), or None when there is no such run."""
        raw = self.redis.hget(run_key(run_id, "record"), "status")
        return RunStatus(raw.decode()) if raw is not None else None

    @retrying
    def start_step(self, run_id: str, step_key: str, who: dict[str, Any], events: Iterable[RunEvent]) -> bool:
        """Record a running step and its start events; False when the run was closed meanwhile."""
        now = time.time()
        reply = self._start(keys=[run_key(run_id, "record")],
                            args=[run_key(run_id), step_key, json.dumps({**who, "started": now, "hb": now}), repr(now),
                                  json.dumps([e.model_dump_json() for e in events])])
        return bool(reply)

    @retrying
    def finish_run(self, run_id: str, status: RunStatus, reason: str | None, events: Iterable[RunEvent]) -> bool:
        """Close a run exactly once: False when it was already finished (e.g. canceled meanwhile)."""
        reply = self._finish(
            keys=[run_key(run_id, "record")],
            args=[run_key(run_id), status.value, repr(time.time()), reason or "", ACTIVE_RUNS, run_id,
                  json.dumps([e.model_dump_json() for e in events])],
        )
        return bool(reply)

    def heartbeat(self, run_id: str, step_key: str, who: dict[str, Any]) -> None:
        """A running step is alive: refresh its entry and the run's progress time."""
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(run_key(run_id, "running"), step_key, json.dumps({**who, "hb": now}))
        pipe.hset(run_key(run_id, "meta"), "progress_at", repr(now))
        pipe.execute()

    @retrying
    def running_steps(self, run_id: str) -> dict[str, dict[str, Any]]:
        raw = self.redis.hgetall(run_key(run_id, "running"))
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    @retrying
    def active_run_ids(self) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(ACTIVE_RUNS))

    @retrying
    def progress_at(self, run_id: str) -> float | None:
        raw = self.redis.hget(run_key(run_id, "meta"), "progress_at")
        return float(raw) if raw else None

    @retrying
    def step_status(self, run_id: str, keys: list[str]) -> dict[str, str | None]:
        if not keys:
            return {}
        values = self.redis.hmget(run_key(run_id, "status"), keys)
        return {k: (v.decode() if v is not None else None) for k, v in zip(keys, values)}

    @retrying
    def extra_steps(self, run_id: str, keys: list[str]) -> dict[str, str | None]:
        if not keys:
            return {}
        values = self.redis.hmget(run_key(run_id, "steps"), keys)
        return {k: (v.decode() if v is not None else None) for k, v in zip(keys, values)}


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
