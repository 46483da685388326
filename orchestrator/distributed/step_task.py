"""The body of the Celery step task: run one step of a distributed run through the step runner.

The task is idempotent: a step delivered twice (its first worker died after finishing) stores
its outputs again under the same identifiers and its second completion is ignored.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.resources import ResourceProvider
from orchestrator.distributed.dispatch import enqueue_steps
from orchestrator.distributed.heartbeats import RunningStep, heartbeats
from orchestrator.distributed.records import RunStatus
from orchestrator.distributed.run import DistributedRun
from orchestrator.errors import OrchestratorError, RunNotFoundError
from orchestrator.events import ErrorInfo, EventType, RunEvent
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.step_runner import RunContext, run_step

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["execute_step_task"]

_log = logging.getLogger("orchestrator.worker")


def execute_step_task(instance: Instance, run_id: str, step_key: str, attempt: int = 0, stored: bool = False,
                      worker_name: str | None = None, task_id: str | None = None) -> dict[str, Any]:
    """Run one attempt of one step. Returns a small summary (what Flower shows as the result)."""
    if not isinstance(run_id, str) or not isinstance(step_key, str) or not run_id or not step_key:
        _log.error("dropping a step task with bad arguments: run_id=%r step_key=%r", run_id, step_key)
        return {"status": "dropped", "reason": "bad arguments"}
    try:
        run = DistributedRun.load(instance, run_id)
    except RunNotFoundError:
        _log.error("dropping step %s of unknown run %s", step_key, run_id)
        return {"status": "dropped", "reason": "unknown run"}
    except OrchestratorError as exc:
        return _fail_unloadable(instance, run_id, step_key, exc)
    if run.is_closed():
        _log.warning("run %s is closed (canceled or finished); not running step %s", run_id, step_key)
        DistributedRun.forget(run_id)
        return {"status": "dropped", "reason": "run closed"}
    step = run.get_step(step_key, stored)
    if step is None:
        _log.error("run %s has no step %s; dropping the task", run_id, step_key)
        return {"status": "dropped", "reason": "unknown step"}

    buffered: list[RunEvent] = []
    start_events: list[RunEvent] = []
    who = {"worker": worker_name or socket.gethostname(), "pid": os.getpid(), "attempt": attempt, "task_id": task_id}

    def emit(event: RunEvent) -> None:
        if event.event_type is EventType.STEP_START:
            event.data.update(who)
            start_events.append(event)
        else:
            buffered.append(event)

    interval = max(0.5, min(float(os.environ.get("ORCH_HEARTBEAT_INTERVAL", "10")), run.record.stall_timeout / 3))
    running = heartbeats.register(RunningStep(instance, run_id, step_key, who, start_events, interval))
    provider = ResourceProvider(run.job.resource_defs, run.resolved.resource_configs, run_id=run_id)
    context = RunContext(run_id=run_id, job=run.job, config=run.resolved, resources=provider, emit=emit,
                         tags=run.record.tags, partition_key=run.record.partition_key,
                         parent_run_id=run.record.parent_run_id, output_origins=run.record.reused_from)
    try:
        result = run_step(context, step, attempt)
    finally:
        start_written = heartbeats.unregister(running)
        try:
            provider.teardown()
        except Exception as exc:  # noqa: BLE001 - a teardown error is reported, the step result stands
            buffered.append(run.lifecycle.event(EventType.LOG, step_key, f"Resource teardown failed: {exc}",
                                                level="ERROR"))
    if not start_written:
        # A short step: its start goes to Redis together with its end.
        buffered = start_events + buffered
    if result.retry:
        run.storage.record_retry(run_id, step_key, buffered)
        enqueue_steps(run.app, run.job.name, run_id, [step], run.record.queue, attempt=attempt + 1,
                      countdown=result.retry_delay, stored=[step_key] if stored else [])
        return {"status": "retry", "attempt": attempt}
    run.finish_step(step, result.status, result.outputs, buffered, started=not start_written)
    return {"status": result.status.value, "outputs": [r.id for r in result.outputs]}


def _fail_unloadable(instance: Instance, run_id: str, step_key: str, exc: OrchestratorError) -> dict[str, Any]:
    """The job could not be loaded (bad pointer, unsigned blob...): fail the run with the reason."""
    lifecycle = Lifecycle(run_id, instance.storage.get_run(run_id).record.job_name)
    error = ErrorInfo.from_exception(exc)
    events = [
        lifecycle.step_failed(step_key, f"Step '{step_key}' could not start: {exc}", error=error),
        lifecycle.run_failed(reason=f"Run of job '{lifecycle.job_name}' failed: {exc}", error=error),
    ]
    instance.storage.finish_run(run_id, RunStatus.FAILURE, str(exc), events)
    _log.error("run %s failed: %s", run_id, exc)
    return {"status": "failure", "reason": str(exc)}
