"""The body of the Celery step task: run one step of a distributed run through the step runner.

The task is idempotent: a step delivered twice (its first worker died after finishing) stores
its outputs again under the same identifiers and its second completion is ignored.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import TYPE_CHECKING, Any

from ..errors import OrchestratorError, RunNotFoundError
from ..events import ErrorInfo, EventType, RunEvent
from ..resources import ResourceProvider
from ..step_runner import RunContext, run_step
from .dispatch import enqueue_steps
from .records import RunStatus
from .scheduler import DistributedRun

if TYPE_CHECKING:
    from ..instance import Instance

__all__ = ["execute_step_task"]

_log = logging.getLogger("orchestrator.worker")


def execute_step_task(instance: Instance, run_id: str, step_key: str, attempt: int = 0, stored: bool = False,
                      worker_name: str | None = None, task_id: str | None = None) -> dict[str, Any]:
    """Run one attempt of one step. Returns a small summary (what Flower shows as the result)."""
    if not isinstance(run_id, str) or not isinstance(step_key, str) or not run_id or not step_key:
        _log.error("dropping a step task with bad arguments: run_id=%r step_key=%r", run_id, step_key)
        return {"status": "dropped", "reason": "bad arguments"}
    try:
        info = instance.storage.get_run(run_id)
    except RunNotFoundError:
        _log.error("dropping step %s of unknown run %s", step_key, run_id)
        return {"status": "dropped", "reason": "unknown run"}
    if info.status.is_finished:
        _log.warning("run %s is %s; not running step %s", run_id, info.status.value, step_key)
        return {"status": "dropped", "reason": f"run {info.status.value}"}
    try:
        run = DistributedRun.load(instance, run_id)
    except OrchestratorError as exc:
        return _fail_unloadable(instance, info.record.job_name, run_id, step_key, exc)
    step = run.get_step(step_key, stored)
    if step is None:
        _log.error("run %s has no step %s; dropping the task", run_id, step_key)
        return {"status": "dropped", "reason": "unknown step"}

    buffered: list[RunEvent] = []
    who = {"worker": worker_name or socket.gethostname(), "pid": os.getpid(), "attempt": attempt, "task_id": task_id}
    heartbeat = _Heartbeat(instance, run_id, step_key, who, run.record.stall_timeout)

    def emit(event: RunEvent) -> None:
        if event.event_type is EventType.STEP_START:
            event.data.update(who)
            if run.storage.mark_running(run_id, step_key, who, [event]):
                run.storage.set_started(run_id)
        else:
            buffered.append(event)

    provider = ResourceProvider(run.job.resource_defs, run.resolved.resource_configs, run_id=run_id)
    context = RunContext(run_id=run_id, job=run.job, config=run.resolved, resources=provider, emit=emit,
                         tags=run.record.tags, partition_key=run.record.partition_key,
                         parent_run_id=run.record.parent_run_id, output_origins=run.record.reused_from)
    try:
        heartbeat.start()
        result = run_step(context, step, attempt)
    finally:
        heartbeat.stop()
        try:
            provider.teardown()
        except Exception as exc:  # noqa: BLE001 - a teardown error is reported, the step result stands
            buffered.append(run.event(EventType.LOG, step_key, f"Resource teardown failed: {exc}", level="ERROR"))
    if result.status == "retry":
        pipe = instance.redis.pipeline(transaction=False)
        run.storage.add_events(pipe, run_id, buffered)
        pipe.hdel(f"orch:run:{run_id}:running", step_key)
        pipe.execute()
        enqueue_steps(run.app, run.job.name, run_id, [step], run.record.queue, attempt=attempt + 1,
                      countdown=result.retry_delay, stored=[step_key] if stored else [])
        return {"status": "retry", "attempt": attempt}
    run.finish_step(step, result.status, result.outputs, buffered)
    return {"status": result.status, "outputs": [r.id for r in result.outputs]}


class _Heartbeat:
    """Refreshes a running step's entry in Redis so stall detection knows its worker is alive."""

    def __init__(self, instance: Instance, run_id: str, step_key: str, who: dict[str, Any], stall_timeout: float) -> None:
        self.instance, self.run_id, self.step_key, self.who = instance, run_id, step_key, who
        self.interval = max(0.5, min(float(os.environ.get("ORCH_HEARTBEAT_INTERVAL", "10")), stall_timeout / 3))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"orch-heartbeat-{step_key}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.instance.storage.heartbeat(self.run_id, self.step_key, self.who)
            except Exception as exc:  # noqa: BLE001 - a missed beat is not a step failure
                _log.warning("heartbeat of %s/%s failed: %s", self.run_id, self.step_key, exc)


def _fail_unloadable(instance: Instance, job_name: str, run_id: str, step_key: str,
                     exc: OrchestratorError) -> dict[str, Any]:
    """The job could not be loaded (bad pointer, unsigned blob...): fail the run with the reason."""
    error = ErrorInfo.from_exception(exc)
    events = [
        RunEvent(event_type=EventType.STEP_FAILURE, run_id=run_id, job_name=job_name, step_key=step_key,
                 message=f"Step '{step_key}' could not start: {exc}", error=error),
        RunEvent(event_type=EventType.RUN_FAILURE, run_id=run_id, job_name=job_name,
                 message=f"Run of job '{job_name}' failed: {exc}", error=error),
    ]
    instance.storage.finish_run(run_id, RunStatus.FAILURE, str(exc), events)
    _log.error("run %s failed: %s", run_id, exc)
    return {"status": "failure", "reason": str(exc)}
