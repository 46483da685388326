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
from orchestrator.distributed.retrying import retry_seconds, transient_errors
from orchestrator.distributed.run_storage import CancelEvents, RunInfo
from orchestrator.distributed.watchdog import check_stalled
from orchestrator.errors import RunNotFoundError, RunTimeoutError
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
    """The handle of any run, from any process: by its id, as ``submit_job`` returned it.

    Runs live in Redis, not in the process that submitted them, so another process (a
    notebook, ``orch run show``, a later script) can wait for a run, follow its events or cancel
    it. The orchestrator's own, next to Dagster's ``instance.get_run_by_id``.

    Args:
        run_id: The run's id.
        instance: Where the run is recorded. Defaults to ``Instance.from_env()``.

    Returns:
        The run's ``RunHandle``.

    Raises:
        RunNotFoundError: when no run has that id.

    Examples:
        >>> from orchestrator import get_run, job, op, submit_job
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job
        ... def single():
        ...     one()
        >>> run_id = submit_job(single).run_id
        >>> get_run(run_id).wait(timeout=60).output_for_node("one")
        1
        >>> get_run("no-such-run")
        Traceback (most recent call last):
        ...
        orchestrator.errors.RunNotFoundError: ...
    """
    inst = _instance(instance)
    inst.storage.get_run(run_id)
    return RunHandle(run_id, inst)


class RunHandle:
    """A submitted run: ask its status, wait for its result, follow its events, cancel it.

    What ``submit_job`` and ``reexecute`` return, and ``get_run`` finds for any run id. It holds
    only the run id and the instance: every question is asked of Redis, so handles are cheap
    and the run does not depend on them. ``status()`` is a ``RunStatus``; ``info()`` the run's
    record (job, tags, config, times); ``events()`` yields every event from the start, then live
    ones until the run ends; ``wait(timeout)`` returns a ``RunResult``; ``cancel()`` stops the run.

    Args:
        run_id: The run's id.
        instance: Where the run is recorded.
        job: The job, when the caller has it (saves loading it from the run's code for outputs).
            Defaults to None.

    Examples:
        >>> from orchestrator import Instance, RunHandle, job, op, submit_job
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job
        ... def single():
        ...     one()
        >>> handle = RunHandle(submit_job(single).run_id, Instance.from_env())
        >>> handle.wait(timeout=60).success, handle.status()
        (True, <RunStatus.SUCCESS: 'SUCCESS'>)
        >>> [event.event_type.name for event in handle.events()][-1], handle.cancel()
        ('RUN_SUCCESS', False)
    """

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
        every ``poll_seconds`` it checks whether the run has stalled. Redis going away (a restart,
        a Sentinel failover) is waited out for ``ORCH_REDIS_RETRY_SECONDS`` (60 s) before its
        connection error is raised; after a failover the wait goes on with the new master.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        storage = self.instance.storage
        errors = transient_errors()
        away_since: float | None = None  # when Redis stopped answering (a restart, a failover)
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            block = poll_seconds if remaining is None else max(0.0, min(poll_seconds, remaining))
            try:
                if storage.wait_for_end(self.run_id, int(block * 1000)):
                    info = storage.get_run(self.run_id)
                    return RunResult(self.run_id, self.instance, info, None, self._job)
                info = storage.get_run(self.run_id)
            except errors:
                # Ride out the outage (the client reconnects, to the new master after a failover)
                # for as long as Redis calls are retried, then say Redis is gone.
                away_since = away_since if away_since is not None else time.monotonic()
                if time.monotonic() - away_since > retry_seconds() or (remaining is not None and remaining <= 0):
                    raise
                time.sleep(min(1.0, poll_seconds))
                continue
            except RunNotFoundError as exc:
                raise self._vanished(exc) from None
            away_since = None
            if info.status.is_finished:  # closed before end markers existed, or the marker was trimmed
                return RunResult(self.run_id, self.instance, info, None, self._job)
            if remaining is not None and remaining <= poll_seconds:
                waits = f": {info.reason.rstrip('.')}" if info.status is RunStatus.QUEUED and info.reason else ""
                raise RunTimeoutError(
                    f"Run {self.run_id} of job '{info.record.job_name}' did not finish within {timeout}s "
                    f"(status {info.status.value}{waits})."
                )
            try:
                check_stalled(self.instance, self.run_id)
            except errors:
                pass  # the recovery checks run again at the next poll; the workers' watchdogs run them too

    def _vanished(self, exc: RunNotFoundError) -> RunNotFoundError:
        """The run's record is gone while it was waited on: after a failover, say that it was lost in it."""
        from orchestrator.distributed.failovers import failover_note

        try:
            note = failover_note(self.instance, 0.0)
        except Exception:  # noqa: BLE001 - the original error stands
            note = None
        if not note:
            return exc
        return RunNotFoundError(f"{exc} {note} Its creation had not reached the replica that was promoted: "
                                "submit it again.")

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
    """The result of a finished run on the workers: the same API as ``execute_in_process``'s result.

    ``success``, ``status`` (a ``RunStatus``), ``output_for_node``, ``dagster_run``, the event
    lookups (``all_events``, ``get_step_success_events``, ``get_failed_step_keys``, ...). Events
    are read from Redis on first use; outputs are loaded through the job's IO manager from where
    the workers stored them (``fs_io_manager`` under ``ORCH_HOME`` unless the job names its own
    ``io_manager``). Made by ``RunHandle.wait()`` and ``execute_job``, not directly.

    Args:
        run_id: The run's id.
        instance: Where the run is recorded.
        info: The run's record and status, as read from run storage.
        events: The run's events, or None to read them on first use.
        job: The job, when the caller has it. Defaults to None (loaded from the run's code).

    Examples:
        >>> from orchestrator import job, op, submit_job
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> @job
        ... def adding():
        ...     add_one(one())
        >>> result = submit_job(adding).wait(timeout=60)
        >>> result.success, result.status, result.output_for_node("add_one")
        (True, <RunStatus.SUCCESS: 'SUCCESS'>, 2)
        >>> [event.step_key for event in result.get_step_success_events()]
        ['one', 'add_one']
    """

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

    def _launched_with(self) -> tuple[dict[str, str], dict[str, Any]]:
        # The run's record holds what it was submitted with (its RUN_START event does not).
        return dict(self.info.record.tags), dict(self.info.record.run_config)

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
