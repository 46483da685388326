"""The body of the Celery step task: run one step of a distributed run through the step runner.

The task is idempotent: a step delivered twice (its first worker died after finishing) stores
its outputs again under the same identifiers and its second completion is ignored.

A delivery that may be a second copy (kombu flags a message it put back ``redelivered``; the
watchdog marks what it sends again ``resent``) first claims the step (``lua/claim_step.lua``): a
copy of a step that finished, or whose other execution is alive (it heartbeats and its worker is
present, or its worker lists it as running), is dropped without running. A step whose worker process died ``max_worker_deaths``
times (3; ``liveness.py``) is not run again: it fails, naming how its process ended, and the run
fails with its downstream steps skipped, through the scheduling core like any failure.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.resources import ResourceProvider
from orchestrator.distributed.dispatch import enqueue_steps
from orchestrator.distributed.dropped import dropped
from orchestrator.distributed.heartbeats import RunningStep, heartbeats
from orchestrator.distributed.liveness import HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, max_worker_deaths
from orchestrator.distributed.records import RunStatus
from orchestrator.distributed.run import DistributedRun
from orchestrator.distributed.run_queue import close_run
from orchestrator.errors import OrchestratorError, RunNotFoundError
from orchestrator.events import ErrorInfo, EventType, RunEvent
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.step_runner import RunContext, run_step
from orchestrator.plan.planner import ExecutionStep
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["execute_step_task"]

_log = logging.getLogger("orchestrator.worker")


def execute_step_task(instance: Instance, run_id: str, step_key: str, attempt: int = 0, stored: bool = False,
                      worker_name: str | None = None, task_id: str | None = None,
                      redelivered: bool = False) -> dict[str, Any]:
    """Run one attempt of one step. Returns a small summary (what Flower shows as the result).

    ``redelivered``: this message may be a second copy of the step (put back by kombu or a
    watchdog, or re-sent): claim the step before running it.
    """
    if not isinstance(run_id, str) or not isinstance(step_key, str) or not run_id or not step_key:
        _log.error("dropping a step task with bad arguments: run_id=%r step_key=%r", run_id, step_key)
        return dropped("bad arguments")
    try:
        run = DistributedRun.load(instance, run_id)
    except RunNotFoundError:
        _log.error("dropping step %s of unknown run %s", step_key, run_id)
        return dropped("unknown run")
    except OrchestratorError as exc:
        return _fail_unloadable(instance, run_id, step_key, exc)
    if run.is_closed():
        _log.warning("run %s is closed (canceled or finished); not running step %s", run_id, step_key)
        DistributedRun.forget(run_id)
        return dropped("run closed")
    step = run.get_step(step_key, stored)
    if step is None:
        _log.error("run %s has no step %s; dropping the task", run_id, step_key)
        return dropped("unknown step")

    buffered: list[RunEvent] = []
    start_events: list[RunEvent] = []
    # ``token`` names this execution: a later copy tells it apart from itself (same task id).
    who = {"worker": worker_name or socket.gethostname(), "pid": os.getpid(), "attempt": attempt, "task_id": task_id,
           "token": uuid.uuid4().hex}
    if redelivered:
        refused = _claim(run, step, who)
        if refused is not None:
            return refused

    def emit(event: RunEvent) -> None:
        if event.event_type is EventType.STEP_START:
            event.data.update(who)
            start_events.append(event)
        else:
            buffered.append(event)

    interval = max(0.5, min(HEARTBEAT_INTERVAL, run.record.stall_timeout / 3))
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


def _claim(run: DistributedRun, step: ExecutionStep, who: dict[str, Any]) -> dict[str, Any] | None:
    """Claim a possibly repeated step; None to run it, else what this delivery ended with."""
    claim = run.storage.claim_step(run.run_id, step.key, who, HEARTBEAT_TIMEOUT)
    if claim.verdict == "closed":
        run.closed = True
        DistributedRun.forget(run.run_id)
        return dropped("run closed")
    if claim.verdict in ("finished", "busy"):
        holder = claim.holder or {}
        where = f" on {holder.get('worker', '?')} (pid {holder.get('pid', '?')})" if claim.verdict == "busy" else ""
        _log.warning("run %s: step %s is %s%s; dropping this copy of it", run.run_id, step.key,
                     "already finished" if claim.verdict == "finished" else "running", where)
        return _duplicate(f"step {claim.verdict}")
    if claim.counted:
        last = claim.deaths[-1]
        event = run.lifecycle.event(
            EventType.LOG, step.key, f"Running step '{step.key}' again: its previous execution stopped "
            f"({last.get('cause')}).", level="WARNING", worker_deaths=len(claim.deaths))
        pipe = run.instance.redis.pipeline(transaction=False)
        run.storage.add_events(pipe, run.run_id, [event])
        pipe.execute()
    limit = max_worker_deaths(run.resolved.execution)
    if len(claim.deaths) >= limit:
        return _fail_poison(run, step, claim.deaths)
    return None


def _fail_poison(run: DistributedRun, step: ExecutionStep, deaths: list[dict[str, Any]]) -> dict[str, Any]:
    """Fail a step whose worker process died on every attempt; the run fails through the core."""
    causes = "; ".join(f"{d.get('cause', '?')} on {d.get('worker', '?')}" for d in deaths)
    message = (
        f"Step '{step.key}' failed: its worker process died {len(deaths)} times while running it ({causes}). "
        "An op that ends its own process (os._exit, SystemExit, KeyboardInterrupt) or is killed for its memory "
        "(signal 9) does this; fix the op, or allow more deaths with the celery executor's max_worker_deaths "
        "(or ORCH_MAX_WORKER_DEATHS)."
    )
    error = ErrorInfo(cls_name="WorkerLostError", message=message)
    event = run.lifecycle.step_failed(step.key, message, error=error, worker_deaths=deaths)
    _log.error("run %s: %s", run.run_id, message)
    run.finish_step(step, StepStatus.FAILURE, [], [event], started=True)
    return {"status": StepStatus.FAILURE.value, "reason": "worker process died"}


def _duplicate(reason: str) -> dict[str, Any]:
    """End a second copy of a step without running it and without changing how monitors show the
    task: the copy has the task id of the execution that finished or still runs, so neither a
    success nor a revoke is announced for it (Celery's ``Ignore`` acks the message silently)."""
    from celery import current_task
    from celery.exceptions import Ignore

    request = getattr(current_task, "request", None)
    if request is None or request.called_directly or not request.id:
        return {"status": "dropped", "reason": reason}
    raise Ignore(reason)


def _fail_unloadable(instance: Instance, run_id: str, step_key: str, exc: OrchestratorError) -> dict[str, Any]:
    """The job could not be loaded (bad pointer, unsigned blob...): fail the run with the reason."""
    lifecycle = Lifecycle(run_id, instance.storage.get_run(run_id).record.job_name)
    error = ErrorInfo.from_exception(exc)
    events = [
        lifecycle.step_failed(step_key, f"Step '{step_key}' could not start: {exc}", error=error),
        lifecycle.run_failed(reason=f"Run of job '{lifecycle.job_name}' failed: {exc}", error=error),
    ]
    close_run(instance, run_id, RunStatus.FAILURE, str(exc), events)
    _log.error("run %s failed: %s", run_id, exc)
    return {"status": "failure", "reason": str(exc)}
