"""Every Redis key the project writes, built here and nowhere else.

=============================  ======  ===========================================================
key                            type    what it holds
=============================  ======  ===========================================================
``orch:runs``                  zset    every run id, scored by creation time (the run index)
``orch:runs:active``           set     ids of runs not finished yet (what watchdogs look at)
``orch:code:<sha256>``         string  a signed cloudpickled job: 32-byte HMAC then the blob
``orch:workers``               zset    worker hostname -> time of its main process's last presence beat
``orch:worker:<hostname>``     string  JSON of a live worker (pid, queues, task ids it runs); expires
                                       ``HEARTBEAT_TIMEOUT`` after its last beat
``unacked``                    hash    kombu's: delivery tag -> a message a worker reserved, not acked yet
``unacked_index``              zset    kombu's: delivery tag -> when it was delivered; live workers renew
                                       these scores for what they hold (``broker_leases.py``)
``orch:run:<id>:record``       hash    ``json`` (the RunRecord), ``status``, ``job``, ``started_at``,
                                       ``ended_at``, ``reason``
``orch:run:<id>:plan``         string  the ExecutionPlan as JSON
``orch:run:<id>:events``       stream  one entry per event, field ``e`` = the RunEvent as JSON
``orch:run:<id>:end``          stream  one entry once the run is closed (waiters block on it)
``orch:run:<id>:pending``      hash    step -> count of its upstream steps not finished yet
``orch:run:<id>:down``         hash    step -> JSON list of the steps waiting on it
``orch:run:<id>:status``       hash    step -> terminal status (a ``StepStatus`` value: ``success``...)
``orch:run:<id>:produced``     set     ids of the outputs stored (``step.output[key]``)
``orch:run:<id>:dyn``          hash    dynamic output id -> JSON list of its mapping keys
``orch:run:<id>:steps``        hash    step -> the step as JSON, where it differs from the plan
                                       (inputs narrowed to what was produced)
``orch:run:<id>:running``      hash    step -> JSON of who runs it (worker, pid, task id, heartbeat)
``orch:run:<id>:outbox``       hash    step -> time it became ready, until its publishing is confirmed
``orch:run:<id>:done``         hash    step -> JSON of its completion's token and reply (replays)
``orch:run:<id>:deaths``       hash    step -> JSON list of its executions whose worker process died
                                       (``id``, ``cause``, ``worker``, ``at``): poison-step counting
``orch:run:<id>:meta``         hash    ``remaining`` (unfinished steps), ``failed``, ``progress_at``
=============================  ======  ===========================================================

The Lua scripts in ``lua/`` get a run's key prefix (:func:`run_prefix`) and append the same
suffixes (:class:`RunKeys` lists them). ``redis_io_manager`` stores outputs under its own
configurable ``key_prefix`` (default ``orch:io``), which is user data rather than run state.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RUNS_INDEX", "ACTIVE_RUNS", "CODE_PREFIX", "code_key", "run_prefix", "RunKeys", "run_keys",
           "WORKERS", "WORKER_PREFIX", "worker_key", "BROKER_UNACKED", "BROKER_UNACKED_INDEX"]

RUNS_INDEX = "orch:runs"
ACTIVE_RUNS = "orch:runs:active"
CODE_PREFIX = "orch:code:"
WORKERS = "orch:workers"
WORKER_PREFIX = "orch:worker:"
# kombu's names for its unacked messages, set explicitly in the transport options (dispatch.py) so
# that the workers renewing them and the watchdogs restoring them agree with kombu.
BROKER_UNACKED = "unacked"
BROKER_UNACKED_INDEX = "unacked_index"


def worker_key(hostname: str) -> str:
    """Where the presence of the worker named ``hostname`` (``w1@host``) is kept while it lives."""
    return WORKER_PREFIX + hostname


def code_key(digest: str) -> str:
    """Where the signed job blob with SHA-256 ``digest`` is stored."""
    return CODE_PREFIX + digest


def run_prefix(run_id: str) -> str:
    """The prefix every key of run ``run_id`` starts with."""
    return f"orch:run:{run_id}"


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


def run_keys(run_id: str) -> RunKeys:
    """The keys of run ``run_id``."""
    return RunKeys(run_prefix(run_id))
