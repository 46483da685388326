"""Handles on runs submitted to the workers: ``RunHandle`` (status, wait, events, cancel),
``RunResult`` (the finished run, read from run storage) and ``get_run`` (any run, from any process).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.built_in_executors import celery_executor
from orchestrator.definitions.config.run_config import rebuild_run_config
from orchestrator.distributed.code import load_job
from orchestrator.distributed.records import RunStatus
from orchestrator.distributed.run_storage import CancelEvents, RunInfo
from orchestrator.distributed.watchdog import check_stalled
from orchestrator.errors import RunTimeoutError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.results import RunResultBase
from orchestrator.plan.planner import OutputRef

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["get_run", "RunHandle", "RunResult"]


def _canceled_step_event(lifecycle: Lifecycle, step_key: str, who: dict[str, Any], now: float,
                         terminated: bool) -> RunEvent:
    """The terminal event of a step that was running when its run was canceled."""
    started = who.get("started")
    seconds = max(now - float(started), 0.0) if isinstance(started, (int, float)) else None
    after = f" after {seconds:.1f}s" if seconds is not None else ""
    what = "its task was terminated" if terminated else "its result will be discarded"
    data: dict[str, Any] = {"canceled": True, "worker": who.get("worker"), "pid": who.get("pid")}
    if seconds is not None:
        data["duration_ms"] = seconds * 1000
    return lifecycle.step_failed(step_key, f"Step '{step_key}' was canceled with its run{after}; {what}.", **data)


def _instance(instance: Instance | None) -> Instance:
    from orchestrator.distributed.instance import Instance

    return instance or Instance.from_env()


def get_run(run_id: str, instance: Instance | None = None) -> RunHandle:
    """The handle of any run, from any process. Unknown ids raise ``RunNotFoundError``."""
    inst = _instance(instance)
    inst.storage.get_run(run_id)
    return RunHandle(run_id, inst)


class RunHandle:
    """A submitted run: ask its status, wait for its result, follow its events, cancel it."""

    def __init__(self, run_id: str, instance: Instance, job: JobDefinition | None = None) -> None:
        self.run_id = run_id
        self.instance = instance
        self._job = job

    def info(self) -> RunInfo:
        return self.instance.storage.get_run(self.run_id)

    def status(self) -> RunStatus:
        return self.info().status

    def events(self) -> Iterator[RunEvent]:
        """Every event of the run from the start, then live ones; ends when the run ends."""
        return self.instance.storage.follow_events(self.run_id)

    def wait(self, timeout: float | None = None, poll_seconds: float = 0.5) -> RunResult:
        """Block until the run finishes; ``RunTimeoutError`` after ``timeout`` seconds.

        Sleeps on the run's end marker rather than its events, so waiting costs the workers nothing;
        every ``poll_seconds`` it checks whether the run has stalled.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        storage = self.instance.storage
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            block = poll_seconds if remaining is None else max(0.0, min(poll_seconds, remaining))
            if storage.wait_for_end(self.run_id, int(block * 1000)):
                info = storage.get_run(self.run_id)
                return RunResult(self.run_id, self.instance, info, None, self._job)
            info = storage.get_run(self.run_id)
            if info.status.is_finished:  # closed before end markers existed, or the marker was trimmed
                return RunResult(self.run_id, self.instance, info, None, self._job)
            if remaining is not None and remaining <= poll_seconds:
                waits = f": {info.reason.rstrip('.')}" if info.status is RunStatus.QUEUED and info.reason else ""
                raise RunTimeoutError(
                    f"Run {self.run_id} of job '{info.record.job_name}' did not finish within {timeout}s "
                    f"(status {info.status.value}{waits})."
                )
            check_stalled(self.instance, self.run_id)

    def cancel(self, terminate: bool = True) -> bool:
        """Stop the run. Nothing more is enqueued; queued steps are revoked (a worker that missed
        the revoke drops them when it picks them up); running steps are terminated
        (``terminate=True``) or left to finish, their results discarded. Either way each step that
        was running ends CANCELED, its duration taken at the cancel, with a STEP_FAILURE event
        marked ``canceled`` (how Dagster reports the steps of a canceled run that were in flight).
        A run still waiting in the run queue leaves it and never starts; the slots a run held go
        to the queued runs that now fit, started from here. Returns False when the run had
        already finished."""
        storage = self.instance.storage
        info = self.info()
        if info.status.is_finished:
            return False
        lifecycle = Lifecycle(self.run_id, info.record.job_name)

        def events(running: dict[str, dict[str, Any]]) -> CancelEvents:
            now = time.time()
            ended = [(key, _canceled_step_event(lifecycle, key, who, now, terminate))
                     for key, who in sorted(running.items())]
            return ended, [lifecycle.run_canceled(list(running))]

        from orchestrator.distributed.run_queue import RunQueue, start_admitted

        entry = RunQueue(self.instance.redis).entry(self.run_id)
        admitted: list[str] = []
        running = storage.cancel_run(self.run_id, f"Run {self.run_id} was canceled.", events, admitted=admitted)
        if admitted:
            start_admitted(self.instance, admitted)
        if running is None:
            return False
        if entry is not None and entry.get("state") == "queued":
            # It was waiting for a slot: none of its steps was sent. Should it have got a slot just
            # before the cancel, a step sent since is dropped by its worker (the run is closed).
            return True
        from orchestrator.distributed.dispatch import app_for

        control = app_for(self.instance.broker_url, self.instance.backend_url).control
        task_ids = [str(who["task_id"]) for who in running.values() if who.get("task_id")]
        if terminate and task_ids:
            control.revoke(task_ids, terminate=True, signal="SIGTERM")
        queued = self._queued_task_ids(set(running))
        if queued:
            control.revoke(queued)
        return True

    def _queued_task_ids(self, running: set[str]) -> list[str]:
        """Task ids of the steps that were queued at the cancel: every attempt sent so far."""
        from orchestrator.distributed.dispatch import step_task_id

        storage = self.instance.storage
        queued = [key for key in storage.waiting_steps(self.run_id) if key not in running]
        if not queued:
            return []
        # A step that asked for a retry was sent again as attempt n + 1 (see dispatch.step_task_id).
        retries = Counter(e.step_key for e in storage.all_events(self.run_id) if e.event_type is EventType.STEP_RETRY)
        return [step_task_id(self.run_id, key, attempt) for key in queued for attempt in range(retries[key] + 1)]

    def __repr__(self) -> str:
        return f"<RunHandle {self.run_id}>"


class RunResult(RunResultBase):
    """The result of a distributed run: the same API as ``ExecuteInProcessResult``."""

    def __init__(self, run_id: str, instance: Instance, info: RunInfo, events: list[RunEvent] | None,
                 job: JobDefinition | None = None) -> None:
        self.instance = instance
        self.info = info
        self._job_given = job
        super().__init__(job, run_id, [])  # type: ignore[arg-type]
        self._loaded = events is not None
        self._loader: Any = None
        if events is not None:
            self._events = list(events)

    @property
    def _events(self) -> list[RunEvent]:
        # Read (and parse) the event stream only when a caller asks about events or outputs.
        if not self._loaded:
            self.__dict__["_events"] = self.instance.storage.all_events(self.run_id)
            self._loaded = True
        return self.__dict__["_events"]

    @_events.setter
    def _events(self, value: list[RunEvent]) -> None:
        self.__dict__["_events"] = value

    @property
    def status(self) -> RunStatus:
        return self.info.status

    @property
    def success(self) -> bool:
        return self.info.status is RunStatus.SUCCESS

    @property
    def job_def(self) -> JobDefinition:
        if self._job_given is None:
            self._job_given = load_job(self.info.record.code, self.instance.redis, self.instance.secret)
        return self._job_given

    @job_def.setter
    def job_def(self, value: JobDefinition | None) -> None:
        self._job_given = value

    def _load_output(self, ref: OutputRef) -> Any:
        if self._loader is None:
            from orchestrator.execution.results import output_loader

            job = self.job_def.with_shared_io_manager()  # as the workers stored the outputs
            record = self.info.record
            resolved = rebuild_run_config(job, record.worker_config, default_executor=celery_executor)
            self._loader = output_loader(job, self.run_id, resolved.resource_configs, record.partition_key,
                                         run_config=resolved.raw)
        return self._loader(ref)

    def __repr__(self) -> str:
        return f"<RunResult run_id={self.run_id} status={self.info.status.value}>"
