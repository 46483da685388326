"""The run queue: a run over a concurrency limit waits QUEUED and starts when a slot frees.

This is Dagster's run queue (its ``QueuedRunCoordinator``) without a daemon. What limits a run is
read when it is submitted (``CeleryExecutor.submit``):

- the instance's ``max_concurrent_runs`` and ``tag_concurrency_limits`` (:class:`RunQueueConfig`):
  ``Instance(run_queue={...})``, or ``$ORCH_HOME/orch.yaml`` in the shape of Dagster's
  ``dagster.yaml`` (a ``run_queue:`` section, ``concurrency: runs:``, or
  ``run_coordinator: config:``). No section: no instance limits.
- the run's tag ``orch/max_concurrent_runs: N`` (set it on a job): at most N runs of that job in
  progress at once. Dagster has no job-level setting; its way, a job tag and a tag limit, works too.
- tag limits set at runtime in Redis (:meth:`RunQueue.set_tag_limit`): ``orch backfill
  --max-concurrent N`` puts a limit of N on its ``dagster/backfill`` tag.

Each limit that applies to a run is a *bucket* with a limit (:class:`Need`); the run needs a slot
of every bucket at once. A run holds its slots from the moment it gets them until it closes
(success, failure or cancel), as Dagster counts runs "in progress". A run needing no slot starts at
once, as before: a deployment without limits pays nothing.

The accounting is one Lua file (``lua/run_queue.lua``, called through ``run_queue_slots.py``):
a submit takes the slots or queues the run (:meth:`RunQueue.submit`); closing a run
(``RunStorage.close_run``) frees its slots right after the close and, in that one atomic call over
the queue's keys, gives slots to the queued runs that now fit, in queue order
(``dagster/priority`` first, then submit order; a run blocked on one bucket does not hold back
runs behind it that need others). Whoever closed the run then starts them
(:func:`start_admitted`): the run's events say RUN_DEQUEUED and RUN_START and its root steps are
enqueued. :func:`start_waiting` is the backstop, for the watchdog's loop.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from orchestrator.distributed.dispatch import app_for, enqueue_steps
from orchestrator.distributed.keys import RUN_QUEUE_TAG_LIMITS, run_keys, run_queue_keys
from orchestrator.distributed.run_queue_slots import QueueCalls, QueueNotes, note_queue_changes
from orchestrator.distributed.run_state import RedisRunState
from orchestrator.errors import ConfigError, RunNotFoundError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import Scheduler
from orchestrator.status import RunStatus, StepStatus

if TYPE_CHECKING:
    import redis

    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunStorage
    from orchestrator.plan.planner import ExecutionPlan

__all__ = ["RunQueueConfig", "TagConcurrencyLimit", "Need", "RunQueue", "needs_for", "priority_of",
           "limits_of_run", "enqueued_event", "queue_run", "start_admitted", "start_waiting", "JOB_LIMIT_TAG",
           "PRIORITY_TAG", "BACKFILL_TAG", "SETTINGS_FILE"]

_log = logging.getLogger("orchestrator.run_queue")

#: Run tag (usually set on the job): at most this many runs of the job in progress at once.
JOB_LIMIT_TAG = "orch/max_concurrent_runs"
#: Dagster's run priority tag: higher goes first; an integer as a string.
PRIORITY_TAG = "dagster/priority"
#: Dagster's backfill tag; its runtime limits are labelled "backfill <id>" in queue reasons.
BACKFILL_TAG = "dagster/backfill"
#: The instance settings file in ``$ORCH_HOME`` (Dagster's ``dagster.yaml``).
SETTINGS_FILE = "orch.yaml"
#: Dagster's default for ``max_concurrent_runs`` once a run queue section is configured.
DEFAULT_MAX_CONCURRENT_RUNS = 10
#: An admitted run whose start is not confirmed within this many seconds is started again by the
#: sweep (its starter died between getting the slots and enqueueing the root steps).
START_LEASE = 30.0
#: How many runs at the head of the queue the sweep looks at.
SWEEP_SCAN = 200
_PRIORITY_BOUND = 100_000  # scores stay exact doubles: priority * 1e9 + submit order

# Dagster's run coordinator keys that say how its daemon polls; here runs are dequeued when a
# slot frees, so they are accepted and have no effect.
_POLLING_KEYS = frozenset({"dequeue_interval_seconds", "dequeue_use_threads", "dequeue_num_workers",
                           "max_user_code_failure_retries", "user_code_failure_retry_delay",
                           "block_op_concurrency_limited_runs"})
_SECTION_KEYS = frozenset({"max_concurrent_runs", "tag_concurrency_limits"}) | _POLLING_KEYS


# -- configuration --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TagConcurrencyLimit:
    """One entry of Dagster's ``tag_concurrency_limits``.

    ``value`` None: the limit counts every run that has tag ``key``, whatever its value, together.
    A string: only runs whose tag ``key`` has that value. ``per_unique_value`` (Dagster's
    ``value: {applyLimitPerUniqueValue: true}``): a separate limit for each value of ``key``.
    """

    key: str
    limit: int
    value: str | None = None
    per_unique_value: bool = False

    def need(self, tags: Mapping[str, str]) -> Need | None:
        """The bucket a run with ``tags`` needs for this limit, or None when it does not apply."""
        if self.key not in tags:
            return None
        if self.value is None and not self.per_unique_value:
            return Need(f"tag:{_quoted(self.key)}", self.limit, f"tag {self.key}")
        value = tags[self.key]
        if self.per_unique_value or value == self.value:
            return _tag_need(self.key, value, self.limit)
        return None


@dataclass(frozen=True)
class RunQueueConfig:
    """The instance's run queue limits, as Dagster's ``run_queue`` section holds them.

    ``max_concurrent_runs``: runs in progress at once over the whole instance; -1 for no limit
    (the default of an instance without a run queue section; Dagster's default once the section
    exists is 10, and so is this one's). ``tag_concurrency_limits``: see :class:`TagConcurrencyLimit`.
    """

    max_concurrent_runs: int = -1
    tag_concurrency_limits: tuple[TagConcurrencyLimit, ...] = field(default_factory=tuple)

    @property
    def limits_anything(self) -> bool:
        return self.max_concurrent_runs >= 0 or bool(self.tag_concurrency_limits)

    @classmethod
    def from_config(cls, value: Mapping[str, Any] | None, where: str = "run_queue") -> RunQueueConfig:
        """Parse a run queue section (``{max_concurrent_runs: 4, tag_concurrency_limits: [...]}``).

        ``where`` names the section in error messages (a file and its key path).
        """
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be a mapping with max_concurrent_runs and/or tag_concurrency_limits, "
                              f"got {type(value).__name__}.")
        unknown = sorted(str(k) for k in value if k not in _SECTION_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: max_concurrent_runs, "
                              f"tag_concurrency_limits).")
        raw_max = value.get("max_concurrent_runs", DEFAULT_MAX_CONCURRENT_RUNS)
        if raw_max is None:
            raw_max = DEFAULT_MAX_CONCURRENT_RUNS
        if isinstance(raw_max, bool) or not isinstance(raw_max, int) or raw_max < -1:
            raise ConfigError(f"{where}.max_concurrent_runs must be a whole number >= 0, or -1 for no limit; "
                              f"got {raw_max!r}.")
        raw_limits = value.get("tag_concurrency_limits") or []
        if not isinstance(raw_limits, Sequence) or isinstance(raw_limits, (str, bytes)):
            raise ConfigError(f"{where}.tag_concurrency_limits must be a list of {{key, value, limit}}, "
                              f"got {type(raw_limits).__name__}.")
        limits = tuple(_tag_limit(item, f"{where}.tag_concurrency_limits[{i}]") for i, item in enumerate(raw_limits))
        return cls(max_concurrent_runs=raw_max, tag_concurrency_limits=limits)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None, where: str = SETTINGS_FILE) -> RunQueueConfig:
        """The run queue of an instance settings document (``orch.yaml``; ``dagster.yaml``'s shape).

        Accepted, one of: ``run_queue: {...}``; ``concurrency: {runs: {...}}``;
        ``run_coordinator: {module: ..., class: QueuedRunCoordinator, config: {...}}``.
        """
        if settings is None:
            return cls()
        if not isinstance(settings, Mapping):
            raise ConfigError(f"{where} must hold a mapping of settings, got {type(settings).__name__}.")
        unknown = sorted(str(k) for k in settings if k not in ("run_queue", "concurrency", "run_coordinator"))
        if unknown:
            raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)} (known: run_queue, concurrency, "
                              f"run_coordinator).")
        sections: list[tuple[str, Any]] = []
        if "run_queue" in settings:
            sections.append((f"{where}: run_queue", settings["run_queue"]))
        if "concurrency" in settings:
            concurrency = settings["concurrency"] or {}
            if not isinstance(concurrency, Mapping) or any(k != "runs" for k in concurrency):
                raise ConfigError(f"{where}: concurrency supports only `runs:` (run queue limits); concurrency "
                                  f"pools for ops are not supported.")
            if "runs" in concurrency:
                sections.append((f"{where}: concurrency.runs", concurrency["runs"]))
        if "run_coordinator" in settings:
            coordinator = settings["run_coordinator"] or {}
            name = str(coordinator.get("class", "")) if isinstance(coordinator, Mapping) else ""
            if name == "DefaultRunCoordinator":
                pass  # Dagster's coordinator without a queue: no limits
            elif name == "QueuedRunCoordinator":
                sections.append((f"{where}: run_coordinator.config", coordinator.get("config") or {}))
            else:
                raise ConfigError(f"{where}: run_coordinator.class must be QueuedRunCoordinator or "
                                  f"DefaultRunCoordinator, got {name or 'nothing'}.")
        if len(sections) > 1:
            raise ConfigError(f"{where}: give the run queue once; found {', '.join(s for s, _ in sections)}.")
        if not sections:
            return cls()
        where_section, value = sections[0]
        return cls.from_config(value, where_section)

    @classmethod
    def load(cls, home: Path) -> RunQueueConfig:
        """The run queue of the settings file ``home / orch.yaml``; no limits when there is none."""
        path = Path(home) / SETTINGS_FILE
        if not path.is_file():
            return cls()
        import yaml

        try:
            settings = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"Could not read the instance settings {path}: {exc}") from None
        return cls.from_settings(settings, str(path))

    @classmethod
    def of(cls, given: RunQueueConfig | Mapping[str, Any] | None) -> RunQueueConfig | None:
        """``Instance(run_queue=...)``: a config, or a run queue section as a mapping (None: from the file)."""
        if given is None or isinstance(given, RunQueueConfig):
            return given
        return cls.from_config(given, "Instance(run_queue=...)")


def _tag_limit(item: Any, where: str) -> TagConcurrencyLimit:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where} must be a mapping {{key, value, limit}}, got {item!r}.")
    unknown = sorted(str(k) for k in item if k not in ("key", "value", "limit"))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: key, value, limit).")
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise ConfigError(f"{where}.key must be a tag name, got {key!r}.")
    limit = item.get("limit")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ConfigError(f"{where}.limit must be a whole number >= 0 (tag {key}), got {limit!r}.")
    value = item.get("value")
    if isinstance(value, Mapping):
        extra = sorted(str(k) for k in value if k != "applyLimitPerUniqueValue")
        per_unique = value.get("applyLimitPerUniqueValue")
        if extra or not isinstance(per_unique, bool):
            raise ConfigError(f"{where}.value must be a tag value or {{applyLimitPerUniqueValue: true}}, got {value!r}.")
        return TagConcurrencyLimit(key, limit, None, per_unique)
    if value is not None and not isinstance(value, (str, int, float)):
        raise ConfigError(f"{where}.value must be a tag value or {{applyLimitPerUniqueValue: true}}, got {value!r}.")
    return TagConcurrencyLimit(key, limit, None if value is None else str(value))


# -- what a run needs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Need:
    """A slot a run needs: of ``bucket`` (a Redis-safe id), of which ``limit`` runs may hold one;
    ``label`` names it in queue reasons (``job nightly``, ``tag team=data``)."""

    bucket: str
    limit: int
    label: str


def _quoted(text: str) -> str:
    return quote(text, safe="")


def _tag_need(key: str, value: str, limit: int) -> Need:
    label = f"backfill {value}" if key == BACKFILL_TAG else f"tag {key}={value}"
    return Need(f"tag:{_quoted(key)}={_quoted(value)}", limit, label)


def needs_for(config: RunQueueConfig, job_name: str, tags: Mapping[str, str],
              registered: Mapping[tuple[str, str], int] | None = None) -> list[Need]:
    """The slots a run of ``job_name`` with ``tags`` needs: the instance limit, its job's limit
    (tag ``orch/max_concurrent_runs``), each tag limit that applies, and the runtime tag limits
    ``registered`` ((key, value) -> limit). Two limits on the same bucket keep the lower one.

    Raises ``ConfigError`` when the job limit tag is not a whole number.
    """
    found: dict[str, Need] = {}

    def add(need: Need) -> None:
        current = found.get(need.bucket)
        if current is None or need.limit < current.limit:
            found[need.bucket] = need

    if config.max_concurrent_runs >= 0:
        add(Need("all", config.max_concurrent_runs, "max_concurrent_runs"))
    raw = tags.get(JOB_LIMIT_TAG)
    if raw is not None:
        text = str(raw).strip()
        if not text.isdigit():
            raise ConfigError(f"Run tag {JOB_LIMIT_TAG}={raw!r} of job '{job_name}' must be a whole number >= 0: "
                              f"the most runs of the job in progress at once.")
        add(Need(f"job:{_quoted(job_name)}", int(text), f"job {job_name}"))
    for rule in config.tag_concurrency_limits:
        need = rule.need(tags)
        if need is not None:
            add(need)
    for (key, value), limit in (registered or {}).items():
        if tags.get(key) == value:
            add(_tag_need(key, value, limit))
    return list(found.values())


def priority_of(tags: Mapping[str, str], job_name: str) -> int:
    """The run's ``dagster/priority`` (0 without it); ``ConfigError`` when it is not an integer."""
    raw = tags.get(PRIORITY_TAG)
    if raw is None:
        return 0
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"Run tag {PRIORITY_TAG}={raw!r} of job '{job_name}' must be an integer "
                          f"(higher runs first).") from None
    return max(-_PRIORITY_BOUND, min(_PRIORITY_BOUND, value))


# -- the Redis side ---------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RunQueue:
    """The run queue in Redis (keys in ``keys.py``, accounting in ``lua/run_queue.lua``)."""

    def __init__(self, client: redis.Redis) -> None:
        # redis-py types every reply of the sync client as ``Awaitable[T] | T`` (redis-py#2399).
        self.redis: Any = client
        self.keys = run_queue_keys()
        self._calls = QueueCalls(client)

    # -- runtime tag limits --------------------------------------------------------------------
    def set_tag_limit(self, key: str, value: str, limit: int) -> None:
        """At most ``limit`` runs with tag ``key=value`` in progress at once, for runs submitted from now."""
        self.redis.hset(RUN_QUEUE_TAG_LIMITS, json.dumps([key, value]), int(limit))

    def remove_tag_limit(self, key: str, value: str) -> None:
        self.redis.hdel(RUN_QUEUE_TAG_LIMITS, json.dumps([key, value]))

    def registered_limits(self, tags: Mapping[str, str]) -> dict[tuple[str, str], int]:
        """The runtime tag limits that apply to a run with ``tags`` (one round trip; none without tags)."""
        pairs = [(str(k), str(v)) for k, v in tags.items()]
        if not pairs:
            return {}
        values = self.redis.hmget(RUN_QUEUE_TAG_LIMITS, [json.dumps(list(p)) for p in pairs])
        return {pair: int(v) for pair, v in zip(pairs, values) if v is not None}

    # -- slots ---------------------------------------------------------------------------------
    def submit(self, run_id: str, needs: Sequence[Need], priority: int = 0) -> tuple[bool, str]:
        """Take the run's slots, or queue it: (True, "") when it got them, else (False, the reason)."""
        entry = {"needs": [[n.bucket, n.limit, n.label] for n in needs], "priority": priority}
        now = time.time()
        admitted, reason = self._calls.submit(run_id, entry, now)
        notes = QueueNotes(admitted=[run_id]) if admitted else QueueNotes(waiting={run_id: reason})
        note_queue_changes(self.redis, notes, now)
        return admitted, reason

    def started(self, run_id: str) -> None:
        """The admitted run's root steps were enqueued (or it needs starting no more)."""
        self.redis.zrem(self.keys["starting"], run_id)

    def sweep(self, lease: float = START_LEASE, scan: int = SWEEP_SCAN) -> tuple[list[str], list[str]]:
        """The backstop (``rq_sweep``): (runs admitted now, admitted runs to start again).

        Which holders and queued runs are closed or gone is read first, from their records (they
        hash elsewhere than the queue); a run closing meanwhile is freed by its own close.
        """
        pipe = self.redis.pipeline(transaction=False)
        pipe.smembers(self.keys["buckets"])
        pipe.zrange(self.keys["queued"], 0, scan - 1)
        pipe.zcard(self.keys["starting"])
        buckets, head, starting = pipe.execute()
        if not buckets and not head and not starting:
            return [], []  # nothing queued, held or starting: the common case costs one round trip
        ids = {_text(m) for m in head}
        if buckets:
            pipe = self.redis.pipeline(transaction=False)
            for bucket in buckets:
                pipe.smembers(self.keys["slots"] + _text(bucket))
            for holders in pipe.execute():
                ids.update(_text(m) for m in holders)
        now = time.time()
        notes, again = self._calls.sweep(now, lease, scan, _closed_or_gone(self.redis, ids))
        note_queue_changes(self.redis, notes, now)
        return notes.admitted, again

    def position(self, run_id: str) -> tuple[int, int] | None:
        """(1-based place, runs queued) of a run waiting for slots; None when it is not waiting."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrank(self.keys["queued"], run_id)
        pipe.zcard(self.keys["queued"])
        rank, total = pipe.execute()
        return None if rank is None else (int(rank) + 1, int(total))

    def entry(self, run_id: str) -> dict[str, Any] | None:
        """What the run needs and whether it waits or holds its slots (None: neither)."""
        raw = self.redis.hget(self.keys["limits"], run_id)
        return json.loads(raw) if raw else None


def _closed_or_gone(client: Any, run_ids: Iterable[str]) -> list[str]:
    """The runs of ``run_ids`` that are closed or have no record (one round trip)."""
    ids = sorted(run_ids)
    if not ids:
        return []
    pipe = client.pipeline(transaction=False)
    for run_id in ids:
        pipe.hmget(run_keys(run_id).record, ["status", "json"])
    finished = {RunStatus.SUCCESS.value, RunStatus.FAILURE.value, RunStatus.CANCELED.value}
    return [run_id for run_id, (status, record) in zip(ids, pipe.execute())
            if record is None or (status is not None and _text(status) in finished)]


# -- submitting and starting ------------------------------------------------------------------------
def limits_of_run(instance: Instance, job_name: str, tags: Mapping[str, str]) -> tuple[list[Need], int]:
    """The slots a new run needs on ``instance`` and its priority (checked before the run is written)."""
    config = instance.run_queue
    registered = RunQueue(instance.redis).registered_limits(tags)
    needs = needs_for(config, job_name, tags, registered)
    return needs, priority_of(tags, job_name) if needs else 0


def enqueued_event(lifecycle: Lifecycle, needs: Sequence[Need]) -> RunEvent:
    """RUN_ENQUEUED: the first event of a run that needs slots (it may get them at once)."""
    wanted = ", ".join(f"{n.label} (limit {n.limit})" for n in needs)
    return lifecycle.event(EventType.RUN_ENQUEUED, message=f"Run {lifecycle.run_id} is in the run queue: it needs "
                                                           f"a slot of {wanted}.", needs=[n.label for n in needs])


def queue_run(instance: Instance, run_id: str, needs: Sequence[Need], priority: int,
              plan: ExecutionPlan | None = None) -> tuple[bool, str]:
    """Give a just-written run its slots and start it, or leave it QUEUED with a reason.

    Returns (started, reason). Called by the submitter; errors propagate to it.
    """
    queue = RunQueue(instance.redis)
    admitted, reason = queue.submit(run_id, needs, priority)
    if admitted:
        _start(instance, queue, run_id, plan, again=False)
    return admitted, reason


def start_admitted(instance: Instance, run_ids: Iterable[str], again: bool = False) -> list[str]:
    """Start runs that got their slots (their close-time or sweep admission); returns those started.

    ``again``: their start was handed out before and not confirmed (the sweep): steps go out
    flagged as re-sent, so a copy of a step that ran already is dropped by its worker. A run that
    cannot be started now stays admitted; the sweep tries again after ``START_LEASE`` seconds.
    """
    queue = RunQueue(instance.redis)
    todo = list(run_ids)
    started: list[str] = []
    while todo:
        run_id = todo.pop(0)
        try:
            todo += _start(instance, queue, run_id, None, again)
        except Exception as exc:  # noqa: BLE001 - the caller closed its own run; this one waits for the sweep
            _log.error("run %s got its run-queue slots but could not be started (the sweep tries again in %gs): "
                       "%s: %s", run_id, START_LEASE, type(exc).__name__, exc)
            continue
        started.append(run_id)
    return started


def close_run(instance: Instance, run_id: str, status: RunStatus, reason: str | None,
              events: Iterable[RunEvent]) -> bool:
    """Close a run exactly once and start the queued runs that got the run-queue slots it held.

    Every closer (the last step's completion, the watchdog failing a stalled run, a worker failing
    a run whose code does not load) goes through here, so a freed slot never waits for the sweep.
    Returns False when the run was already closed.
    """
    closed = instance.storage.close_run(run_id, status, reason, events)
    if closed.admitted:
        start_admitted(instance, closed.admitted)
    return closed.closed


def start_waiting(instance: Instance) -> list[str]:
    """The run queue's backstop; call it every few seconds from any long-lived process (the
    watchdog's loop). Frees slots still held by runs that are closed or gone, admits queued runs
    that fit (a close only looks at the first waiters of the buckets it freed), and starts again
    admitted runs whose start was never confirmed. Returns the runs it started."""
    admitted, again = RunQueue(instance.redis).sweep()
    return start_admitted(instance, admitted) + start_admitted(instance, again, again=True)


def _start(instance: Instance, queue: RunQueue, run_id: str, plan: ExecutionPlan | None, again: bool) -> list[str]:
    """Start one admitted run: RUN_DEQUEUED and RUN_START, then its root steps, as ``DistributedRun.start``
    does, without loading the job (the closer of another run may not be able to import it).
    Returns the runs admitted should the run close at once (every root step skipped)."""
    storage = instance.storage
    try:
        info = storage.get_run(run_id)
    except RunNotFoundError:
        queue.started(run_id)
        return []
    if info.status.is_finished or (again and info.status is not RunStatus.QUEUED):
        queue.started(run_id)  # canceled meanwhile, or its steps have started: nothing to do
        return []
    record = info.record
    plan = plan or storage.plan(run_id)
    lifecycle = Lifecycle(run_id, record.job_name)
    if not (again and _dequeued_before(storage, run_id)):
        pipe = instance.redis.pipeline(transaction=False)
        storage.add_events(pipe, run_id, [
            lifecycle.event(EventType.RUN_DEQUEUED, message=f"Run {run_id} got its run-queue slots."),
            lifecycle.run_started(f"on workers ({record.code.describe()})"),
        ])
        pipe.execute()
    decision = Scheduler(plan, RedisRunState(storage, run_id, plan), lifecycle).start()
    admitted: list[str] = []
    if decision.finished and not decision.run_closed:
        admitted = _close(storage, lifecycle, run_id, decision.failed)
    if not (decision.finished or decision.run_closed):
        narrowed = set(decision.narrowed)
        if narrowed:
            storage.store_steps(run_id, [s for s in decision.to_run if s.key in narrowed])
        if decision.to_run:
            enqueue_steps(app_for(instance.broker_url, instance.backend_url), record.job_name, run_id,
                          decision.to_run, record.queue, stored=sorted(narrowed), resent=again)
    queue.started(run_id)
    return admitted


def _dequeued_before(storage: RunStorage, run_id: str) -> bool:
    return any(e.event_type is EventType.RUN_DEQUEUED for e in storage.all_events(run_id))


def _close(storage: RunStorage, lifecycle: Lifecycle, run_id: str, failed: bool) -> list[str]:
    """Close a run whose every step finished at its start (``DistributedRun.close``'s events)."""
    if failed:
        statuses = storage.step_statuses(run_id)
        event = lifecycle.run_failed(sorted(k for k, v in statuses.items() if v is StepStatus.FAILURE))
        return storage.close_run(run_id, RunStatus.FAILURE, event.message, [event]).admitted
    return storage.close_run(run_id, RunStatus.SUCCESS, None, [lifecycle.run_succeeded()]).admitted
