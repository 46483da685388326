"""Handles on runs submitted to the workers: ``RunHandle`` (status, wait, events, cancel),
``RunResult`` (the finished run, read from run storage) and ``get_run`` (any run, from any process).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.built_in_executors import celery_executor
from orchestrator.definitions.config.run_config import resolve_run_config
from orchestrator.distributed.code import load_job
from orchestrator.distributed.records import RunStatus
from orchestrator.distributed.run_storage import RunInfo
from orchestrator.distributed.watchdog import check_stalled
from orchestrator.errors import RunTimeoutError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.results import RunResultBase
from orchestrator.plan.planner import OutputRef

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["get_run", "RunHandle", "RunResult"]


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
                raise RunTimeoutError(
                    f"Run {self.run_id} of job '{info.record.job_name}' did not finish within {timeout}s "
                    f"(status {info.status.value})."
                )
            check_stalled(self.instance, self.run_id)

    def cancel(self, terminate: bool = True) -> bool:
        """Stop the run. Queued steps are dropped when a worker picks them up; running steps are
        terminated (``terminate=True``) or left to finish, their results discarded. Nothing more is
        enqueued. Returns False when the run had already finished."""
        message = f"Run {self.run_id} was canceled."
        info = self.info()
        running = self.instance.storage.running_steps(self.run_id)
        event = RunEvent(event_type=EventType.RUN_CANCELED, run_id=self.run_id, job_name=info.record.job_name,
                         message=message, data={"running": sorted(running)})
        if not self.instance.storage.finish_run(self.run_id, RunStatus.CANCELED, message, [event]):
            return False
        task_ids = [who["task_id"] for who in running.values() if who.get("task_id")]
        if terminate and task_ids:
            from orchestrator.distributed.dispatch import app_for

            app_for(self.instance.broker_url, self.instance.backend_url).control.revoke(
                task_ids, terminate=True, signal="SIGTERM")
        return True

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
            resolved = resolve_run_config(job, record.run_config, record.partition_key, default_executor=celery_executor)
            self._loader = output_loader(job, self.run_id, resolved.resource_configs, record.partition_key)
        return self._loader(ref)

    def __repr__(self) -> str:
        return f"<RunResult run_id={self.run_id} status={self.info.status.value}>"
