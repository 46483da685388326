"""Every Redis key the project writes, built here and nowhere else.

Keys live in one of two Redis deployments (``deploy/README.md``, "Topologies"): run storage
(``ORCH_STORAGE_URL``, else ``REDIS_URL``; it may be a Redis Cluster) holds every ``orch:`` key;
the broker (``REDIS_URL``: one node or Sentinel, never a Cluster) holds kombu's keys, marked
*broker* below. Keys that one Lua call or transaction touches together share a hash tag (the part
in braces), so that on a Cluster they sit in one slot: every key of a run has ``{<run id>}``, the
run queue's ``{runq}``, the feed's ``{feed}``, a schedule's or sensor's ``{<name>}``, a backfill's
``{<id>}``. Work spanning two tags (closing a run and freeing its run-queue slots, say) is two calls.

==================================  ======  =========================================================
key                                 type    what it holds
==================================  ======  =========================================================
``orch:runs``                       zset    every run id, scored by creation time (the run index);
                                            trimmed of runs gone with their retention (``retention.py``)
``orch:runs:active``                set     ids of runs not finished yet (what watchdogs look at)
``orch:code:<sha256>``              string  a signed cloudpickled job: 32-byte HMAC then the blob; expires
                                            twice the run retention after the last submit using it
``orch:workers``                    zset    worker hostname -> time of its main process's last presence beat
``orch:worker:<hostname>``          string  JSON of a live worker (pid, queues, task ids it runs); expires
                                            ``HEARTBEAT_TIMEOUT`` after its last beat
``unacked``                         hash    *broker*, kombu's: delivery tag -> a message a worker reserved,
                                            not acked yet
``unacked_index``                   zset    *broker*, kombu's: delivery tag -> when it was delivered; live
                                            workers renew these scores for what they hold (``broker_leases.py``)
``<queue>``, ``<queue>:<n>``        list    *broker*, kombu's: the messages waiting in a queue, one list per
                                            priority
``orch:run:{<id>}:record``          hash    ``json`` (the RunRecord), ``status``, ``job``, ``started_at``,
                                            ``ended_at``, ``reason``
``orch:run:{<id>}:plan``            string  the ExecutionPlan as JSON
``orch:run:{<id>}:events``          stream  one entry per event (field ``e``) or per step's events (``es``);
                                            capped at about :data:`EVENTS_MAXLEN` entries
``orch:run:{<id>}:end``             stream  one entry once the run is closed (waiters block on it)
``orch:run:{<id>}:pending``         hash    step -> count of its upstream steps not finished yet
``orch:run:{<id>}:down``            hash    step -> JSON list of the steps waiting on it (dynamic ones)
``orch:run:{<id>}:status``          hash    step -> terminal status (a ``StepStatus`` value: ``success``...)
``orch:run:{<id>}:produced``        set     ids of the outputs stored (``step.output[key]``)
``orch:run:{<id>}:dyn``             hash    dynamic output id -> JSON list of its mapping keys
``orch:run:{<id>}:steps``           hash    step -> the step as JSON, where it differs from the plan
                                            (inputs narrowed to what was produced)
``orch:run:{<id>}:running``         hash    step -> JSON of who runs it (worker, pid, task id, heartbeat)
``orch:run:{<id>}:outbox``          hash    step -> time it became ready, until its publishing is confirmed
``orch:run:{<id>}:done``            hash    step -> JSON of its completion's token and reply (replays)
``orch:run:{<id>}:deaths``          hash    step -> JSON list of its executions whose worker process died
                                            (``id``, ``cause``, ``worker``, ``at``): poison-step counting
``orch:run:{<id>}:meta``            hash    ``remaining`` (unfinished steps), ``failed``, ``progress_at``
                                            (``inf`` while the run waits in the run queue: it cannot stall)
``orch:schedulers``                 zset    scheduler process id -> time of its last beat (``orch scheduler``)
``orch:schedule:{<name>}``          hash    a schedule's state: ``status`` (RUNNING/STOPPED, when set by
                                            ``orch schedule start|stop``), ``started_at``, ``cursor`` (the
                                            last tick handled, epoch seconds) and the lease of the tick
                                            being evaluated (``lease_owner``, ``lease_until``,
                                            ``lease_tick``, ``lease_attempt``)
``orch:schedule:{<name>}:ticks``    list    newest first: JSON of the schedule's last ticks (capped)
``orch:sensor:{<name>}``            hash    a sensor's state: ``status``, ``started_at``, ``cursor``,
                                            ``last_tick_start``, ``last_tick_end``, ``last_run_key``,
                                            ``tick_seq`` and the lease fields as for schedules
``orch:sensor:{<name>}:ticks``      list    newest first: JSON of the sensor's last ticks (capped)
``orch:sensor:{<name>}:run_keys``   hash    run key -> id of the run it requested (never requested again)
``orch:{feed}``                     stream  finished runs and asset materializations in the order the
                                            schedulers indexed them; entry id ``<seq>-0`` (``seq`` is the
                                            storage id asset and run status sensors keep as cursor)
``orch:{feed}:seq``                 string  the last ``seq`` given
``orch:{feed}:runs``                hash    run id -> the id of its last event indexed, or ``done``
``orch:{feed}:tracked``             zset    run ids being indexed, scored by creation time
``orch:{feed}:assets``              hash    asset key (``a/b``) -> ``seq`` of its latest materialization
``orch:{feed}:state``               hash    ``last_pass``: when runs were last looked for
``orch:{feed}:lock``                string  the scheduler indexing right now (expires)
``orch:{runq}:queued``              zset    runs waiting for a run-queue slot, scored by place (priority,
                                            then submit order): ``run_queue.py``, ``lua/run_queue.lua``
``orch:{runq}:limits``              hash    run id -> JSON of the slots it needs (bucket, limit, label), its
                                            priority, ``state`` (queued / held) and the ``reason`` it waits,
                                            while it waits or holds them
``orch:{runq}:slots:<bucket>``      set     ids of the runs holding a slot of ``<bucket>`` (``all``,
                                            ``job:<name>``, ``tag:<key>``, ``tag:<key>=<value>``, quoted)
``orch:{runq}:waiting:<bucket>``    zset    the queued runs needing ``<bucket>``, scored as in ``queued``
``orch:{runq}:buckets``             set     the buckets with holders or waiters (what the sweep looks at)
``orch:{runq}:starting``            zset    run id -> when it got its slots, until its root steps are enqueued
``orch:{runq}:seq``                 string  counter giving queued runs their submit order
``orch:{runq}:tag_limits``          hash    JSON ``[key, value]`` -> limit: tag limits set at runtime (a
                                            backfill's ``--max-concurrent``, while it submits its runs)
``orch:backfills``                  zset    backfill id -> creation time (``backfills.py``)
``orch:backfill:{<id>}``            hash    ``json`` (the backfill's record), ``status``, ``error``, ``submitted``
``orch:backfill:{<id>}:runs``       hash    partition key -> id of its run
``orch:failovers``                  hash    replication id of a master that was replaced (a promoted
                                            replica reports it) -> JSON of when the failover was noticed
                                            and the new master (``failovers.py``)
``orch:failover:<id>:audited``      set     ids of the runs checked for writes that failover lost (expires)
==================================  ======  =========================================================

When a run closes, every key of it (:data:`RUN_KEY_SUFFIXES`) gets the run retention as its TTL
(``ORCH_RUN_RETENTION``, ``retention.py``). The Lua scripts in ``lua/`` get a run's key prefix
(:func:`run_prefix`) and append the same suffixes (:class:`RunKeys` lists them): every key they
build shares the run's hash tag, so each call touches one slot. ``redis_io_manager`` stores outputs under its own
configurable ``key_prefix`` (default ``orch:io``), which is user data rather than run state.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RUNS_INDEX", "ACTIVE_RUNS", "CODE_PREFIX", "code_key", "run_prefix", "RunKeys", "run_keys",
           "WORKERS", "WORKER_PREFIX", "worker_key", "BROKER_UNACKED", "BROKER_UNACKED_INDEX",
           "SCHEDULERS", "instigator_key", "instigator_ticks_key", "sensor_run_keys_key", "FEED", "FEED_SEQ",
           "FEED_RUNS", "FEED_TRACKED", "FEED_ASSETS", "FEED_STATE", "FEED_LOCK",
           "RUN_QUEUE_TAG_LIMITS", "run_queue_keys", "BACKFILLS", "backfill_key", "backfill_runs_key",
           "FAILOVERS", "failover_audited_key", "broker_queue_lists", "RUN_KEY_SUFFIXES", "EVENTS_MAXLEN"]

RUNS_INDEX = "orch:runs"
ACTIVE_RUNS = "orch:runs:active"
CODE_PREFIX = "orch:code:"
WORKERS = "orch:workers"
WORKER_PREFIX = "orch:worker:"
# kombu's names for its unacked messages, set explicitly in the transport options (dispatch.py) so
# that the workers renewing them and the watchdogs restoring them agree with kombu.
BROKER_UNACKED = "unacked"
BROKER_UNACKED_INDEX = "unacked_index"
# The scheduler process (``distributed/scheduler/``, ``schedule_storage.py``).
SCHEDULERS = "orch:schedulers"
# ``feed_index.lua`` writes four of the feed's keys at once: they share the ``{feed}`` hash tag.
FEED = "orch:{feed}"
FEED_SEQ = "orch:{feed}:seq"
FEED_RUNS = "orch:{feed}:runs"
FEED_TRACKED = "orch:{feed}:tracked"
FEED_ASSETS = "orch:{feed}:assets"
FEED_STATE = "orch:{feed}:state"
FEED_LOCK = "orch:{feed}:lock"
# The run queue (``run_queue.py``; its Lua call uses all its keys: the ``{runq}`` hash tag) and
# backfills (``backfills.py``).
_RUN_QUEUE = "orch:{runq}:"
RUN_QUEUE_TAG_LIMITS = _RUN_QUEUE + "tag_limits"
BACKFILLS = "orch:backfills"
# Redis failovers (``failovers.py``).
FAILOVERS = "orch:failovers"


def failover_audited_key(replid: str) -> str:
    """The runs already checked for what the failover away from master ``replid`` lost."""
    return f"orch:failover:{replid}:audited"


def broker_queue_lists(queue: str, priorities: int = 10) -> list[str]:
    """kombu's lists of queue ``queue``: one per priority level (``priority_steps`` 0-9 and ``sep``
    ``:`` in ``dispatch.celery_config``; level 0 is the queue's own name)."""
    return [queue] + [f"{queue}:{n}" for n in range(1, priorities)]


def instigator_key(kind: str, name: str) -> str:
    """Where the state of schedule or sensor ``name`` is kept (``kind``: ``schedule`` or ``sensor``).
    Its tick history shares its hash tag (``finish_tick.lua`` writes both)."""
    return f"orch:{kind}:{{{name}}}"


def instigator_ticks_key(kind: str, name: str) -> str:
    """The tick history of schedule or sensor ``name``."""
    return f"orch:{kind}:{{{name}}}:ticks"


def sensor_run_keys_key(name: str) -> str:
    """The run keys sensor ``name`` has requested."""
    return f"orch:sensor:{{{name}}}:run_keys"


def run_queue_keys() -> dict[str, str]:
    """The run queue's key names as ``lua/run_queue.lua`` takes them (``slots`` and ``waiting`` are
    prefixes completed by a bucket id). All share the ``{runq}`` hash tag: one slot on a Cluster."""
    return {"queued": _RUN_QUEUE + "queued", "limits": _RUN_QUEUE + "limits", "slots": _RUN_QUEUE + "slots:",
            "waiting": _RUN_QUEUE + "waiting:", "buckets": _RUN_QUEUE + "buckets",
            "starting": _RUN_QUEUE + "starting", "seq": _RUN_QUEUE + "seq"}


def backfill_key(backfill_id: str) -> str:
    """Where backfill ``backfill_id`` is kept."""
    return f"orch:backfill:{{{backfill_id}}}"


def backfill_runs_key(backfill_id: str) -> str:
    """The runs of backfill ``backfill_id``, by partition key."""
    return f"orch:backfill:{{{backfill_id}}}:runs"


def worker_key(hostname: str) -> str:
    """Where the presence of the worker named ``hostname`` (``w1@host``) is kept while it lives."""
    return WORKER_PREFIX + hostname


def code_key(digest: str) -> str:
    """Where the signed job blob with SHA-256 ``digest`` is stored."""
    return CODE_PREFIX + digest


def run_prefix(run_id: str) -> str:
    """The prefix every key of run ``run_id`` starts with: ``orch:run:{<run_id>}``, the run id as
    the hash tag, so that all its keys hash to one Cluster slot (one Lua call touches one slot)."""
    return f"orch:run:{{{run_id}}}"


#: The suffix of every key of a run (after :func:`run_prefix`): what a closed run's TTL is set on
#: and what deleting a run removes (``lua/finish_run.lua``, ``lua/delete_run.lua``).
RUN_KEY_SUFFIXES = (":record", ":plan", ":events", ":end", ":pending", ":down", ":status", ":produced", ":dyn",
                    ":steps", ":running", ":outbox", ":done", ":meta", ":deaths")
#: About how many entries a run's event stream keeps (``XADD ... MAXLEN ~``): a step's events are one
#: entry, so this is at least as many steps' worth. Older entries are trimmed first. The Lua scripts
#: that append events carry the same number (``tests/unit/test_cluster_layout.py`` checks it).
EVENTS_MAXLEN = 100_000


@dataclass(frozen=True, slots=True)
class RunKeys:
    """The keys of one run (see the table above)."""

    prefix: str

    @property
    def record(self) -> str:
        return self.prefix + ":record"

    @property
    def plan(self) -> str:
        return self.prefix + ":plan"

    @property
    def events(self) -> str:
        return self.prefix + ":events"

    @property
    def end(self) -> str:
        return self.prefix + ":end"

    @property
    def pending(self) -> str:
        return self.prefix + ":pending"

    @property
    def down(self) -> str:
        return self.prefix + ":down"

    @property
    def status(self) -> str:
        return self.prefix + ":status"

    @property
    def produced(self) -> str:
        return self.prefix + ":produced"

    @property
    def dyn(self) -> str:
        return self.prefix + ":dyn"

    @property
    def steps(self) -> str:
        return self.prefix + ":steps"

    @property
    def running(self) -> str:
        return self.prefix + ":running"

    @property
    def outbox(self) -> str:
        return self.prefix + ":outbox"

    @property
    def done(self) -> str:
        return self.prefix + ":done"

    @property
    def meta(self) -> str:
        return self.prefix + ":meta"

    @property
    def deaths(self) -> str:
        return self.prefix + ":deaths"

    def every(self) -> list[str]:
        """Every key of the run (:data:`RUN_KEY_SUFFIXES`), whether it exists or not."""
        return [self.prefix + suffix for suffix in RUN_KEY_SUFFIXES]


def run_keys(run_id: str) -> RunKeys:
    """The keys of run ``run_id``."""
    return RunKeys(run_prefix(run_id))
