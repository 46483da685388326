"""The multiprocess executor: steps run in a local process pool coordinated by the calling process.

Outputs go through ``fs_io_manager`` under ``ORCH_HOME`` (processes share no memory); no Redis is
needed. Each child builds only the resources its step needs and tears them down after the step.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.built_in_executors import multiprocess_executor
from orchestrator.definitions.executor_definition import provide_executor_implementation
from orchestrator.errors import OrchestratorError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.results import ExecuteInProcessResult
from orchestrator.execution.scheduling import RunState, StepOutcome
from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
from orchestrator.executors.in_process import emit_skips
from orchestrator.plan.planner import ExecutionStep

if TYPE_CHECKING:
    from orchestrator.definitions.config.run_config import ResolvedRunConfig

__all__ = ["multiprocess_executor", "MultiprocessExecutor"]


class MultiprocessExecutor(Executor):
    """Runs steps in a local pool of ``max_concurrent`` processes; ``submit`` is refused (the
    calling process coordinates the run)."""

    def __init__(self, max_concurrent: int | None = None) -> None:
        self.max_concurrent = int(max_concurrent or os.cpu_count() or 2)

    def execute(self, launch: RunLaunch) -> ExecuteInProcessResult:
        return _execute_multiprocess(launch, self.max_concurrent)


def _create(init_context: InitExecutorContext) -> MultiprocessExecutor:
    return MultiprocessExecutor(init_context.executor_config.get("max_concurrent"))


provide_executor_implementation(multiprocess_executor, _create)

_child: dict[str, Any] = {}


def _init_child(job_blob: bytes, resolved: ResolvedRunConfig, run_id: str, tags: dict[str, str],
                partition_key: str | None) -> None:
    import cloudpickle

    _child.update(job=cloudpickle.loads(job_blob), resolved=resolved, run_id=run_id, tags=tags,
                  partition_key=partition_key)


def _run_in_child(step_json: str, retry_number: int) -> dict[str, Any]:
    from orchestrator.definitions.resources import ResourceProvider
    from orchestrator.execution.step_runner import RunContext, run_step

    job = _child["job"]
    step = ExecutionStep.model_validate_json(step_json)
    events: list[str] = []
    provider = ResourceProvider(job.resource_defs, _child["resolved"].resource_configs, run_id=_child["run_id"])
    run = RunContext(run_id=_child["run_id"], job=job, config=_child["resolved"], resources=provider,
                     emit=lambda e: events.append(e.model_dump_json()), tags=_child["tags"],
                     partition_key=_child["partition_key"])
    try:
        result = run_step(run, step, retry_number)
    finally:
        provider.teardown()
    return {"status": result.status, "outputs": [r.model_dump() for r in result.outputs],
            "delay": result.retry_delay, "events": events,
            "error": result.error.model_dump() if result.error else None}


def _execute_multiprocess(launch: RunLaunch, max_concurrent: int) -> ExecuteInProcessResult:
    """Run ``launch`` with its steps spread over a local process pool; wait and return the result."""
    import cloudpickle

    from orchestrator.execution.results import output_loader
    from orchestrator.execution.step_runner import RunContext
    from orchestrator.plan.planner import OutputRef

    # Processes share no memory: outputs go through fs_io_manager unless the job chose its own.
    job = launch.job.with_shared_io_manager()
    resolved, plan, run_id, run_tags, partition_key = (launch.resolved, launch.plan, launch.run_id, launch.tags,
                                                       launch.partition_key)
    on_event = launch.on_event
    events: list[RunEvent] = []

    def emit(event: RunEvent) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)

    run = RunContext(run_id=run_id, job=job, config=resolved, resources=None, emit=emit,  # type: ignore[arg-type]
                     tags=run_tags, partition_key=partition_key)
    run.event(EventType.RUN_START, message=f"Started run {run_id} of job '{job.name}' in a pool of {max_concurrent}.")
    state = RunState(plan)
    ready: list[tuple[ExecutionStep, int]] = [(s, 0) for s in state.start()]
    emit_skips(run, state)
    delayed: list[tuple[float, int, ExecutionStep, int]] = []
    running: dict[Future[dict[str, Any]], tuple[ExecutionStep, int]] = {}
    failed = False
    context = multiprocessing.get_context("spawn" if os.environ.get("ORCH_MP_START") == "spawn" else None)
    with ProcessPoolExecutor(max_workers=max_concurrent, mp_context=context, initializer=_init_child,
                             initargs=(cloudpickle.dumps(job), resolved, run_id, run_tags, partition_key)) as pool:
        counter = 0
        while ready or running or delayed:
            now = time.monotonic()
            while delayed and delayed[0][0] <= now:
                _due, _n, step, attempt = heapq.heappop(delayed)
                ready.append((step, attempt))
            while ready:
                step, attempt = ready.pop(0)
                running[pool.submit(_run_in_child, step.model_dump_json(), attempt)] = (step, attempt)
            if not running:
                time.sleep(max(0.0, delayed[0][0] - time.monotonic()) if delayed else 0)
                continue
            timeout = max(0.0, delayed[0][0] - time.monotonic()) if delayed else None
            done, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                step, attempt = running.pop(future)
                try:
                    reply = future.result()
                except Exception as exc:  # a child died (killed, out of memory): the step fails
                    reply = {"status": "failure", "outputs": [], "delay": 0, "events": [
                        RunEvent(event_type=EventType.STEP_FAILURE, run_id=run_id, job_name=job.name,
                                 step_key=step.key, message=f"Step '{step.key}' lost its process: {exc}").model_dump_json()]}
                for raw_event in reply["events"]:
                    emit(RunEvent.model_validate_json(raw_event))
                if reply["status"] == "retry":
                    counter += 1
                    heapq.heappush(delayed, (time.monotonic() + float(reply["delay"]), counter, step, attempt + 1))
                    continue
                outcome = StepOutcome("success" if reply["status"] == "success" else "failure",
                                      [OutputRef(**o) for o in reply["outputs"]])
                failed = failed or outcome.status == "failure"
                ready.extend((s, 0) for s in state.complete(step.key, outcome))
                emit_skips(run, state)
    if failed:
        run.event(EventType.RUN_FAILURE, message=f"Run of job '{job.name}' failed.")
    else:
        run.event(EventType.RUN_SUCCESS, message=f"Run of job '{job.name}' succeeded.")
    result = ExecuteInProcessResult(job, run_id, events, output_loader(job, run_id, resolved.resource_configs, partition_key))
    if failed and launch.raise_on_error:
        error = result.failure_error
        raise OrchestratorError(f"Run {run_id} of job '{job.name}' failed: {error}")
    return result
