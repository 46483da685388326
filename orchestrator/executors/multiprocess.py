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
from orchestrator.events import ErrorInfo, RunEvent
from orchestrator.execution.code_pickling import dumps_keeping_file_names
from orchestrator.execution.results import ExecuteInProcessResult
from orchestrator.execution.step_runner import StepResult
from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
from orchestrator.executors.local_run import LocalRun
from orchestrator.plan.planner import ExecutionStep, OutputRef
from orchestrator.status import StepStatus

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
    return {"status": result.status.value, "outputs": [r.model_dump() for r in result.outputs],
            "delay": result.retry_delay, "events": events,
            "error": result.error.model_dump() if result.error else None}


def _result_of(reply: dict[str, Any]) -> StepResult:
    return StepResult(StepStatus(reply["status"]), [OutputRef(**o) for o in reply["outputs"]],
                      error=ErrorInfo(**reply["error"]) if reply.get("error") else None,
                      retry_delay=reply.get("delay"))


def _execute_multiprocess(launch: RunLaunch, max_concurrent: int) -> ExecuteInProcessResult:
    """Run ``launch`` with its steps spread over a local process pool; wait and return the result."""
    # Processes share no memory: outputs go through fs_io_manager unless the job chose its own.
    job = launch.job.with_shared_io_manager()
    run = LocalRun(launch, f"in a pool of {max_concurrent} processes", job=job)
    delayed: list[tuple[float, int, ExecutionStep, int]] = []
    running: dict[Future[dict[str, Any]], tuple[ExecutionStep, int]] = {}
    context = multiprocessing.get_context("spawn" if os.environ.get("ORCH_MP_START") == "spawn" else None)
    # Code pickled by value (a script's, a notebook's) keeps its file names: the children's
    # tracebacks name the file and line, not <dynamic-code>.
    initargs = (dumps_keeping_file_names(job), launch.resolved, launch.run_id, launch.tags, launch.partition_key)
    with ProcessPoolExecutor(max_workers=max_concurrent, mp_context=context, initializer=_init_child,
                             initargs=initargs) as pool:
        counter = 0
        while run.ready or running or delayed:
            now = time.monotonic()
            while delayed and delayed[0][0] <= now:
                _due, _n, step, attempt = heapq.heappop(delayed)
                running[pool.submit(_run_in_child, step.model_dump_json(), attempt)] = (step, attempt)
            while run.ready:
                step = run.ready.pop(0)
                running[pool.submit(_run_in_child, step.model_dump_json(), 0)] = (step, 0)
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
                    message = f"Step '{step.key}' lost its process: {exc}"
                    run.emit(run.lifecycle.step_failed(step.key, message))
                    run.complete(step, StepResult(StepStatus.FAILURE, error=ErrorInfo(cls_name=type(exc).__name__,
                                                                                   message=message)))
                    continue
                for raw_event in reply["events"]:
                    run.emit(RunEvent.model_validate_json(raw_event))
                result = _result_of(reply)
                if result.retry:
                    counter += 1
                    heapq.heappush(delayed, (time.monotonic() + float(result.retry_delay or 0), counter, step,
                                             attempt + 1))
                    continue
                run.complete(step, result)
    outcome = run.result()
    if run.failed and launch.raise_on_error:
        raise OrchestratorError(f"Run {launch.run_id} of job '{job.name}' failed: {outcome.failure_error}")
    return outcome
