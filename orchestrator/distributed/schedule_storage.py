"""Scheduler state in Redis: whether each schedule and sensor runs, their cursors, the lease of the
tick being evaluated, tick history, sensor run keys, the schedulers alive, and the feed of finished
runs and asset materializations that asset and run status sensors read.

Every key is built by ``keys.py`` (its table says what each holds); the Lua scripts are
``lua/claim_tick.lua``, ``renew_tick.lua``, ``finish_tick.lua`` and ``feed_index.lua``, each taking
one JSON object of named arguments. Run records and events are read through ``RunStorage``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.keys import (
    FEED,
    FEED_ASSETS,
    FEED_LOCK,
    FEED_RUNS,
    FEED_SEQ,
    FEED_STATE,
    FEED_TRACKED,
    SCHEDULERS,
    instigator_key,
    instigator_ticks_key,
    sensor_run_keys_key,
)
from orchestrator.distributed.retrying import retrying
from orchestrator.distributed.run_storage import _lua

if TYPE_CHECKING:
    import redis

__all__ = ["ScheduleStorage", "InstigatorState", "TickClaim", "FeedEntry", "SCHEDULE", "SENSOR"]

SCHEDULE = "schedule"
SENSOR = "sensor"
#: How many ticks each schedule's and sensor's history keeps.
TICK_HISTORY = 200
#: About how many entries the feed keeps (older ones are trimmed).
FEED_MAXLEN = 100_000


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _args(**named: Any) -> str:
    return json.dumps(named, separators=(",", ":"))


def _float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


@dataclass
class InstigatorState:
    """What Redis holds about one schedule or sensor (absent fields are None).

    ``status`` is only set once someone ran ``orch schedule|sensor start|stop``; until then the
    definition's ``default_status`` applies. ``cursor``: a schedule's last handled tick (epoch
    seconds, as text), a sensor's own cursor.
    """

    kind: str
    name: str
    status: str | None = None
    started_at: float | None = None
    cursor: str | None = None
    last_tick_start: float | None = None
    last_tick_end: float | None = None
    last_run_key: str | None = None
    lease_owner: str | None = None
    lease_until: float | None = None
    lease_tick: str | None = None

    @classmethod
    def from_hash(cls, kind: str, name: str, raw: Mapping[Any, Any]) -> InstigatorState:
        values = {_text(k): _text(v) for k, v in raw.items()}
        return cls(kind=kind, name=name, status=values.get("status"), started_at=_float(values.get("started_at")),
                   cursor=values.get("cursor"), last_tick_start=_float(values.get("last_tick_start")),
                   last_tick_end=_float(values.get("last_tick_end")), last_run_key=values.get("last_run_key"),
                   lease_owner=values.get("lease_owner"), lease_until=_float(values.get("lease_until")),
                   lease_tick=values.get("lease_tick"))


@dataclass
class TickClaim:
    """The answer of ``claim_tick.lua``: ``verdict`` (ok, retake, busy, done, not_due), the tick
    (a schedule's tick time as epoch seconds, a sensor's tick number) and the attempt number."""

    verdict: str
    tick: str
    attempt: int

    @property
    def taken(self) -> bool:
        """Whether the caller now holds the tick's lease and must evaluate it."""
        return self.verdict in ("ok", "retake")


@dataclass
class FeedEntry:
    """One entry of the feed: ``seq`` (its storage id), ``kind`` (``mat`` or ``end``), the run,
    the event as JSON and, for a materialization, the asset key as ``a/b``."""

    seq: int
    kind: str
    run_id: str
    event_json: str
    asset: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _feed_entry(entry_id: Any, fields: Mapping[Any, Any]) -> FeedEntry:
    values = {_text(k): _text(v) for k, v in fields.items()}
    return FeedEntry(seq=int(_text(entry_id).split("-", 1)[0]), kind=values.get("kind", ""),
                     run_id=values.get("run", ""), event_json=values.get("e", "{}"), asset=values.get("asset"))


class ScheduleStorage:
    """Reads and writes the scheduler's state in Redis (see the module docstring)."""

    def __init__(self, client: redis.Redis) -> None:
        # As in RunStorage: redis-py types sync replies as ``Awaitable[T] | T``; parsed where read.
        self.redis: Any = client
        self._claim = client.register_script(_lua("claim_tick.lua"))
        self._renew = client.register_script(_lua("renew_tick.lua"))
        self._finish = client.register_script(_lua("finish_tick.lua"))
        self._feed_index = client.register_script(_lua("feed_index.lua"))

    # -- state --------------------------------------------------------------------------------
    @retrying
    def state(self, kind: str, name: str) -> InstigatorState:
        return InstigatorState.from_hash(kind, name, self.redis.hgetall(instigator_key(kind, name)))

    @retrying
    def states(self, kind: str, names: Iterable[str]) -> dict[str, InstigatorState]:
        """The state of each named schedule or sensor, in one round trip."""
        names = list(names)
        if not names:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(instigator_key(kind, name))
        return {n: InstigatorState.from_hash(kind, n, raw) for n, raw in zip(names, pipe.execute())}

    @retrying
    def set_status(self, kind: str, name: str, status: str, now: float, restart: bool) -> None:
        """Turn a schedule or sensor on (``RUNNING``) or off (``STOPPED``).

        ``restart``: it was not running, so it starts counting from ``now`` (a schedule's ticks
        while it was stopped are not caught up, as in Dagster); a sensor keeps its cursor.
        """
        mapping: dict[str, Any] = {"status": status}
        if restart:
            mapping["started_at"] = repr(now)
            if kind == SCHEDULE:
                mapping["cursor"] = str(int(now))
        self.redis.hset(instigator_key(kind, name), mapping=mapping)

    @retrying
    def ensure_started(self, kind: str, name: str, now: float) -> None:
        """A schedule or sensor running by default is seen for the first time: it starts at ``now``
        (kept if another scheduler recorded an earlier start)."""
        key = instigator_key(kind, name)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hsetnx(key, "started_at", repr(now))
        if kind == SCHEDULE:
            pipe.hsetnx(key, "cursor", str(int(now)))
        pipe.execute()

    @retrying
    def set_cursor(self, kind: str, name: str, cursor: str | None) -> None:
        """Set (or with None, delete) a cursor by hand (``orch sensor cursor NAME --set/--delete``)."""
        key = instigator_key(kind, name)
        if cursor is None:
            self.redis.hdel(key, "cursor")
        else:
            self.redis.hset(key, "cursor", cursor)

    # -- ticks ----------------------------------------------------------------------------------
    @retrying
    def claim_tick(self, kind: str, name: str, owner: str, lease: float, tick: str | None = None,
                   interval: float = 0.0) -> TickClaim:
        """Take the lease of schedule ``name``'s tick ``tick``, or of sensor ``name``'s next tick
        (due ``interval`` seconds after its last one started); see ``lua/claim_tick.lua``."""
        reply = self._claim(keys=[instigator_key(kind, name)], args=[_args(
            owner=owner, lease=lease, mode=kind, tick=tick, interval=interval,
        )])
        return TickClaim(_text(reply[0]), _text(reply[1]), int(reply[2]))

    @retrying
    def renew_tick(self, kind: str, name: str, owner: str, tick: str, lease: float) -> bool:
        """Extend the lease ``owner`` holds on a tick; False when it was lost to another scheduler."""
        return bool(self._renew(keys=[instigator_key(kind, name)], args=[_args(owner=owner, tick=tick, lease=lease)]))

    @retrying
    def finish_tick(self, kind: str, name: str, owner: str, tick: str, record_json: str,
                    cursor: str | None = None, set_cursor: bool = False, last_run_key: str | None = None) -> bool:
        """Record the outcome of a tick and release its lease (``lua/finish_tick.lua``); False when
        the lease was lost, so the scheduler that took the tick over records it instead."""
        named: dict[str, Any] = dict(owner=owner, tick=tick, mode=kind, record=record_json, keep=TICK_HISTORY,
                                     set_cursor=set_cursor)
        if cursor is not None:
            named["cursor"] = cursor
        if last_run_key is not None:
            named["last_run_key"] = last_run_key
        reply = self._finish(keys=[instigator_key(kind, name), instigator_ticks_key(kind, name)],
                             args=[_args(**named)])
        return bool(reply)

    @retrying
    def ticks(self, kind: str, name: str, limit: int = 20) -> list[str]:
        """The last ``limit`` ticks of a schedule or sensor, newest first, as JSON."""
        return [_text(v) for v in self.redis.lrange(instigator_ticks_key(kind, name), 0, max(limit, 1) - 1)]

    # -- sensor run keys ------------------------------------------------------------------------
    @retrying
    def request_run_key(self, sensor: str, run_key: str, run_id: str) -> str | None:
        """Record that sensor ``sensor`` requests ``run_key`` as run ``run_id``: None when it is the
        first to, else the run id recorded before (the key was requested already)."""
        key = sensor_run_keys_key(sensor)
        if self.redis.hsetnx(key, run_key, run_id):
            return None
        existing = self.redis.hget(key, run_key)
        return _text(existing) if existing is not None else None

    @retrying
    def requested_run_keys(self, sensor: str, run_keys: Iterable[str]) -> dict[str, str]:
        """Run key -> run id, for those of ``run_keys`` the sensor has requested."""
        keys = list(run_keys)
        if not keys:
            return {}
        values = self.redis.hmget(sensor_run_keys_key(sensor), keys)
        return {k: _text(v) for k, v in zip(keys, values) if v is not None}

    @retrying
    def run_key_count(self, sensor: str) -> int:
        return int(self.redis.hlen(sensor_run_keys_key(sensor)))

    # -- schedulers alive -----------------------------------------------------------------------
    @retrying
    def beat_scheduler(self, owner: str, now: float | None = None) -> None:
        """Scheduler ``owner`` is alive; those silent for a day leave the index."""
        stamp = time.time() if now is None else now
        pipe = self.redis.pipeline(transaction=False)
        pipe.zadd(SCHEDULERS, {owner: stamp})
        pipe.zremrangebyscore(SCHEDULERS, "-inf", stamp - 86400)
        pipe.execute()

    @retrying
    def forget_scheduler(self, owner: str) -> None:
        self.redis.zrem(SCHEDULERS, owner)

    @retrying
    def live_schedulers(self, within: float, now: float | None = None) -> list[str]:
        """Schedulers that beat within the last ``within`` seconds."""
        stamp = time.time() if now is None else now
        return sorted(_text(m) for m in self.redis.zrangebyscore(SCHEDULERS, repr(stamp - within), "+inf"))

    # -- the feed of finished runs and materializations ------------------------------------------
    @retrying
    def take_feed_lock(self, owner: str, ttl: float) -> bool:
        """Become the scheduler indexing runs for ``ttl`` seconds (or keep being it)."""
        ms = max(int(ttl * 1000), 1)
        if self.redis.set(FEED_LOCK, owner, nx=True, px=ms):
            return True
        current = self.redis.get(FEED_LOCK)
        if current is not None and _text(current) == owner:
            self.redis.pexpire(FEED_LOCK, ms)
            return True
        return False

    @retrying
    def feed_last_pass(self) -> float | None:
        return _float(_text(v) if (v := self.redis.hget(FEED_STATE, "last_pass")) is not None else None)

    @retrying
    def set_feed_last_pass(self, when: float) -> None:
        self.redis.hset(FEED_STATE, "last_pass", repr(when))

    @retrying
    def track_runs(self, runs: Iterable[tuple[str, float]]) -> None:
        """Start indexing these runs (id, creation time); ones tracked already are unchanged."""
        mapping = {run_id: created for run_id, created in runs}
        if mapping:
            self.redis.zadd(FEED_TRACKED, mapping, nx=True)

    @retrying
    def feed_positions(self) -> dict[str, str | None]:
        """Every tracked run -> the id of its last indexed event, ``done``, or None (none yet)."""
        tracked = [_text(m) for m in self.redis.zrange(FEED_TRACKED, 0, -1)]
        if not tracked:
            return {}
        values = self.redis.hmget(FEED_RUNS, tracked)
        return {r: (_text(v) if v is not None else None) for r, v in zip(tracked, values)}

    @retrying
    def index_run(self, run_id: str, entries: list[dict[str, str]], last: str | None, done: bool) -> int:
        """Append a run's new materializations and end to the feed (``lua/feed_index.lua``)."""
        reply = self._feed_index(keys=[FEED, FEED_SEQ, FEED_RUNS, FEED_ASSETS], args=[_args(
            run=run_id, entries=entries, last=last, done=done, maxlen=FEED_MAXLEN,
        )])
        return int(reply)

    @retrying
    def prune_feed(self, created_before: float) -> int:
        """Stop tracking the finished runs created before ``created_before`` (they were indexed and
        are older than any run still looked for); returns how many."""
        old = [_text(m) for m in self.redis.zrangebyscore(FEED_TRACKED, "-inf", repr(created_before))]
        if not old:
            return 0
        values = self.redis.hmget(FEED_RUNS, old)
        finished = [r for r, v in zip(old, values) if v is not None and _text(v) == "done"]
        if finished:
            pipe = self.redis.pipeline(transaction=False)
            pipe.zrem(FEED_TRACKED, *finished)
            pipe.hdel(FEED_RUNS, *finished)
            pipe.execute()
        return len(finished)

    @retrying
    def forget_runs(self, run_ids: Iterable[str]) -> None:
        """Stop tracking runs that were deleted (pruned, or gone with their retention): their events
        are gone, so no later pass could finish indexing them. Their feed entries stay (capped)."""
        ids = list(run_ids)
        if ids:
            pipe = self.redis.pipeline(transaction=False)
            pipe.zrem(FEED_TRACKED, *ids)
            pipe.hdel(FEED_RUNS, *ids)
            pipe.execute()

    @retrying
    def feed_seq(self) -> int:
        """The storage id of the newest feed entry (0 for none)."""
        raw = self.redis.get(FEED_SEQ)
        return int(raw) if raw is not None else 0

    @retrying
    def feed_after(self, seq: int, count: int = 500) -> list[FeedEntry]:
        """Feed entries with a storage id above ``seq``, oldest first."""
        rows = self.redis.xrange(FEED, f"{seq + 1}-0", "+", count=count)
        return [_feed_entry(entry_id, fields) for entry_id, fields in rows]

    @retrying
    def latest_materialization(self, asset: str) -> FeedEntry | None:
        """The feed entry of asset ``asset``'s (``a/b``) latest materialization, if indexed."""
        seq = self.redis.hget(FEED_ASSETS, asset)
        if seq is None:
            return None
        rows = self.redis.xrange(FEED, f"{_text(seq)}-0", f"{_text(seq)}-0")
        return _feed_entry(*rows[0]) if rows else None
