"""Submitting runs to workers and following them: ``submit_job``, ``execute_job``, ``get_run``.

Delivery: each step is a Celery task, acked late; a step may run more than once when its worker
dies, but its completion (and so the enqueueing of its downstream steps) counts exactly once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.config.run_config import resolve_run_config
from orchestrator.distributed.code import code_ref_for, load_job
from orchestrator.distributed.records import RunRecord, RunStatus
from orchestrator.distributed.run_storage import RunInfo
from orchestrator.distributed.scheduler import DistributedRun, distributed_job
from orchestrator.distributed.watchdog import check_stalled
from orchestrator.errors import OrchestratorError, RunTimeoutError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.results import RunResultBase
from orchestrator.plan.planner import OutputRef, build_plan

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["submit_job", "execute_job", "get_run", "RunHandle", "RunResult"]


def _instance(instance: Instance | None) -> Instance:
    from orchestrator.distributed.instance import Instance

    return instance or Instance.from_env()


def submit_job(
    job: JobDefinition,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    instance: Instance | None = None,
    run_id: str | None = None,
    op_selection: Sequence[str] | str | None = None,
    code_pointer: str | None = None,
    _parent: tuple[str, str] | None = None,
    _reused_from: Mapping[str, str] | None = None,
) -> RunHandle:
    """Start a run of ``job`` on the workers and return at once; the run goes on without this process.

    Config is validated and the plan built before anything is written or enqueued.
    """
    from orchestrator.definitions.executor_definition import executor_by_name
    from orchestrator.distributed.executor import celery_executor

    inst = _instance(instance)
    resolved = resolve_run_config(job, run_config, partition_key, default_executor=celery_executor)
    executor = executor_by_name(resolved.execution.get("executor", "")) or job.executor_def
    if executor.name == "multiprocess":
        raise OrchestratorError(
            f"Job '{job.name}' uses the multiprocess executor, which runs steps in this process's pool; "
            "use execute_job(...) for it, or the celery executor to submit to workers."
        )
    exec_config = resolved.execution.get("config") or {}
    plan = build_plan(job, resolved.op_inputs, op_selection, parent_run_id=_parent[0] if _parent else None)
    inst.ping()
    run_id = run_id or str(uuid.uuid4())
    code = code_ref_for(job, inst.redis, inst.secret, code_pointer)
    all_tags = job.run_tags_for(tags, partition_key)
    if _parent:
        all_tags.update({"orch/parent_run_id": _parent[0], "orch/root_run_id": _parent[1]})
    record = RunRecord(
        run_id=run_id, job_name=job.name, code=code, run_config=dict(resolved.raw), tags=all_tags,
        partition_key=partition_key, parent_run_id=_parent[0] if _parent else None,
        root_run_id=_parent[1] if _parent else None,
        op_selection=[op_selection] if isinstance(op_selection, str) else list(op_selection) if op_selection else None,
        queue=str(exec_config.get("queue") or "orch"), executor="celery",
        stall_timeout=float(exec_config.get("stall_timeout") or _default_stall_timeout()),
        reused_from=dict(_reused_from or {}),
    )
    pending = {s.key: len(s.upstream) for s in plan.steps}
    down: dict[str, list[str]] = {}
    for s in plan.steps:
        if s.is_template:
            continue
        for up in s.upstream:
            down.setdefault(up, []).append(s.key)
    start = RunEvent(event_type=EventType.RUN_START, run_id=run_id, job_name=job.name,
                     message=f"Submitted run {run_id} of job '{job.name}' ({code.describe()}).")
    inst.storage.create_run(record, plan, pending, down, [start])
    run = DistributedRun(inst, RunInfo(record, RunStatus.QUEUED, None, None, None), job=job, plan=plan,
                         resolved=resolved)
    if not plan.steps:
        run.close(failed=False)
    else:
        run.start()
    return RunHandle(run_id, inst, job)


def _default_stall_timeout() -> float:
    import os

    return float(os.environ.get("ORCH_STALL_TIMEOUT") or 600)


def execute_job(job: JobDefinition, run_config: Mapping[str, Any] | None = None, instance: Instance | None = None,
                tags: Mapping[str, Any] | None = None, partition_key: str | None = None,
                timeout: float | None = None, raise_on_error: bool = False) -> RunResultBase:
    """Run ``job`` and wait for it: on the workers (celery), or in a local pool (multiprocess)."""
    from orchestrator.definitions.executor_definition import executor_by_name
    from orchestrator.distributed.executor import celery_executor

    resolved = resolve_run_config(job, run_config, partition_key, default_executor=celery_executor)
    executor = executor_by_name(resolved.execution.get("executor", "")) or job.executor_def
    if executor.name == "multiprocess":
        from orchestrator.executors.multiprocess import execute_multiprocess

        return execute_multiprocess(job, resolved, tags=tags, partition_key=partition_key,
                                    raise_on_error=raise_on_error)
    handle = submit_job(job, run_config, tags, partition_key, instance)
    return handle.wait(timeout=timeout)


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
    def _events(self) -> list[RunEvent]:  # type: ignore[override]
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
    def job_def(self) -> JobDefinition:  # type: ignore[override]
        if self._job_given is None:
            self._job_given = load_job(self.info.record.code, self.instance.redis, self.instance.secret)
        return self._job_given

    @job_def.setter
    def job_def(self, value: JobDefinition | None) -> None:
        self._job_given = value

    def _load_output(self, ref: OutputRef) -> Any:
        if self._loader is None:
            from orchestrator.distributed.executor import celery_executor
            from orchestrator.execution.results import output_loader

            job = distributed_job(self.job_def)
            record = self.info.record
            resolved = resolve_run_config(job, record.run_config, record.partition_key, default_executor=celery_executor)
            self._loader = output_loader(job, self.run_id, resolved.resource_configs, record.partition_key)
        return self._loader(ref)

    def __repr__(self) -> str:
        return f"<RunResult run_id={self.run_id} status={self.info.status.value}>"
