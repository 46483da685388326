"""A distributed run as one process sees it, and what happens when one of its steps finishes.

The scheduling core (``orchestrator.execution.scheduling``) decides what runs next; this module
only carries its decisions out on Celery: a step's completion is one atomic Redis call (exactly
once, even when a task is delivered twice) through :class:`RedisRunState`, the steps it made ready
are published as Celery tasks, and the completion that leaves no step unfinished closes the run.
There is no central coordinator: the submitter may exit at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from orchestrator.definitions.built_in_executors import celery_executor
from orchestrator.definitions.config.run_config import ResolvedRunConfig, rebuild_run_config
from orchestrator.distributed.code import load_job
from orchestrator.distributed.dispatch import app_for, enqueue_steps, step_messages
from orchestrator.distributed.heartbeats import heartbeats
from orchestrator.distributed.run_queue import close_run
from orchestrator.distributed.run_state import RedisRunState, RunShape
from orchestrator.distributed.run_storage import RunInfo
from orchestrator.events import RunEvent
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import Decision, Scheduler, mapped_step
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep, OutputRef
from orchestrator.status import RunStatus, StepStatus

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["DistributedRun"]

_CACHED_RUNS = int(os.environ.get("ORCH_CACHED_RUNS", "4"))
_CANCEL_CHECK_INTERVAL = float(os.environ.get("ORCH_CANCEL_CHECK_INTERVAL", "0.5"))

_log = logging.getLogger("orchestrator.distributed")


class DistributedRun:
    """A distributed run as one process sees it: record, job, plan, config, and its Redis state."""

    def __init__(self, instance: Instance, info: RunInfo, job: JobDefinition | None = None,
                 plan: ExecutionPlan | None = None, resolved: ResolvedRunConfig | None = None) -> None:
        self.instance = instance
        self.storage = instance.storage
        self.record = info.record
        self.run_id = info.record.run_id
        # A worker loads the job with exactly the code of the run's version (or fails saying why).
        raw_job = job or load_job(self.record.code, instance.redis, instance.secret, check_version=True,
                                  run_id=self.run_id)
        self.job = raw_job.with_shared_io_manager()
        self.plan = plan or self.storage.plan(self.run_id)
        if resolved is None:
            # The config resolved at submit, validated here (env sources read here), never mapped again.
            resolved = rebuild_run_config(self.job, self.record.worker_config, default_executor=celery_executor)
        self.resolved = resolved
        self.app = app_for(instance.broker_url, instance.backend_url)
        self.lifecycle = Lifecycle(self.run_id, self.job.name)
        self.closed = info.status.is_finished
        self.status_checked_at = time.monotonic()
        self.shape = RunShape.of(self.plan)
        # Once a completion from this process marked the run STARTED, later ones need not.
        self.known_started = info.status is not RunStatus.QUEUED

    # -- cache of runs per worker process ------------------------------------------------------
    _cache: OrderedDict[str, DistributedRun] = OrderedDict()
    _lock = threading.Lock()

    @classmethod
    def load(cls, instance: Instance, run_id: str) -> DistributedRun:
        with cls._lock:
            run = cls._cache.get(run_id)
            if run is not None:
                cls._cache.move_to_end(run_id)
                return run
            others = [rid for rid, cached in cls._cache.items() if not cached.closed]
        cls._drop_finished(instance, others)
        run = cls(instance, instance.storage.get_run(run_id))
        with cls._lock:
            cls._cache[run_id] = run
            while len(cls._cache) > _CACHED_RUNS:
                cls._cache.popitem(last=False)
        return run

    @classmethod
    def _drop_finished(cls, instance: Instance, run_ids: list[str]) -> None:
        """Before caching a new run, drop the cached runs that ended (closed by another process):
        a 10,000-step run's plan should not stay in every worker process until four newer runs
        push it out. One round trip, once per new run and process."""
        if not run_ids:
            return
        try:
            statuses = instance.storage.run_statuses(run_ids)
        except Exception:  # noqa: BLE001 - only memory is at stake; the LRU bound still holds
            return
        with cls._lock:
            for rid, status in statuses.items():
                if status is None or status.is_finished:
                    cls._cache.pop(rid, None)

    @classmethod
    def forget(cls, run_id: str) -> None:
        """Drop a closed run from this process's cache (its plan can be large)."""
        with cls._lock:
            cls._cache.pop(run_id, None)

    def is_closed(self) -> bool:
        """Whether the run was canceled or closed. Asks Redis at most every ``ORCH_CANCEL_CHECK_INTERVAL``
        seconds (0.5): a step queued before a cancel may still start within that time, but its
        result is discarded and nothing after it is enqueued."""
        if self.closed:
            return True
        now = time.monotonic()
        if now - self.status_checked_at >= _CANCEL_CHECK_INTERVAL:
            status = self.storage.run_status(self.run_id)
            self.closed = status is None or status.is_finished
            self.status_checked_at = now
        return self.closed

    # -- steps ---------------------------------------------------------------------------------
    def get_step(self, step_key: str, stored: bool) -> ExecutionStep | None:
        """The step to run: from the plan, rebuilt from its template (mapped steps), or, when the
        scheduler narrowed its inputs (``stored``), from Redis."""
        if not stored:
            local = mapped_step(self.plan, step_key)
            if local is not None:
                return local
        raw = self.storage.extra_steps(self.run_id, [step_key]).get(step_key)
        return ExecutionStep.model_validate_json(raw) if raw else None

    def _scheduler(self) -> Scheduler:
        # A fresh view of the Redis state per completion: what it learns is only true for now.
        self._state = RedisRunState(self.storage, self.run_id, self.plan, self.shape, started=self.known_started,
                                    messages=self._messages if self._pushes_ready else None)
        return Scheduler(self.plan, self._state, self.lifecycle)

    @property
    def _pushes_ready(self) -> bool:
        """Whether completions can push the steps they make ready onto the broker's lists: only
        when the broker is the run storage's Redis itself (the Lua call writes both)."""
        return self.instance.broker_url == self.instance.storage_url

    def _messages(self, steps: list[ExecutionStep]) -> dict[str, tuple[str, str]]:
        return step_messages(self.app, self.job.name, self.run_id, steps, self.record.queue)

    def start(self) -> None:
        """Enqueue the steps with no upstream (called once, by the submitter)."""
        self._carry_out(self._scheduler().start(), from_outbox=False)

    def finish_step(self, step: ExecutionStep, status: StepStatus | str, outputs: Sequence[OutputRef],
                    events: Sequence[RunEvent], started: bool = False) -> None:
        """Record a finished step atomically, then run or skip what became ready, and maybe close the run."""
        decision = self._scheduler().complete(step.key, StepStatus(status), outputs, events, started=started)
        self.known_started = self.known_started or self._state.started
        if decision.duplicate:
            _log.warning("run %s: step %s was already finished; ignoring the repeated completion",
                         self.run_id, step.key)
            return
        self._carry_out(decision)

    def _carry_out(self, decision: Decision, from_outbox: bool = True) -> None:
        """Publish the steps the core made ready, and close the run when nothing is left."""
        if decision.finished and not decision.run_closed:
            self.close(decision.failed)
        if decision.finished or decision.run_closed:
            self.closed = True
            DistributedRun.forget(self.run_id)
        if decision.run_closed:
            return  # canceled or failed as stalled: enqueue nothing more
        narrowed = set(decision.narrowed)
        if narrowed:
            self.storage.store_steps(self.run_id, [s for s in decision.to_run if s.key in narrowed])
        published = set(decision.published)  # pushed by the completion itself, never in the outbox
        to_send = [s for s in decision.to_run if s.key not in published]
        if to_send:
            enqueue_steps(self.app, self.job.name, self.run_id, to_send, self.record.queue, stored=sorted(narrowed))
        if from_outbox and (to_send or decision.skipped):
            # Published, or completed as skipped: out of the outbox (confirmed off the hot path).
            heartbeats.release(self.instance, self.run_id,
                               [s.key for s in to_send] + [s.step_key for s in decision.skipped])

    def close(self, failed: bool) -> None:
        """Close the run: the completion that leaves no step unfinished does this, exactly once.
        The queued runs that got the run-queue slots it held are started from here."""
        if failed:
            statuses = self.storage.step_statuses(self.run_id)
            event = self.lifecycle.run_failed(sorted(k for k, v in statuses.items() if v is StepStatus.FAILURE))
            close_run(self.instance, self.run_id, RunStatus.FAILURE, event.message, [event])
        else:
            close_run(self.instance, self.run_id, RunStatus.SUCCESS, None, [self.lifecycle.run_succeeded()])
        _log.info("run %s finished: %s at %.3f", self.run_id, "FAILURE" if failed else "SUCCESS", time.time())
