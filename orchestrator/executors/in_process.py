"""The in-process executor: every step runs one after another in the calling process.

``execute_in_process`` (the body of ``JobDefinition.execute_in_process``) always runs through it,
whatever executor the job names, as Dagster does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.built_in_executors import in_process_executor
from orchestrator.definitions.config.run_config import resolve_run_config
from orchestrator.definitions.executor_definition import provide_executor_implementation
from orchestrator.definitions.resources import ResourceProvider
from orchestrator.errors import DefinitionError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.results import ExecuteInProcessResult, output_loader
from orchestrator.execution.scheduling import RunState, StepOutcome
from orchestrator.execution.step_runner import RunContext, StepResult, run_step
from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
from orchestrator.executors.launch import plan_launch
from orchestrator.plan.planner import ExecutionPlan

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["in_process_executor", "InProcessExecutor", "execute_in_process", "execute_plan_in_process"]


class InProcessExecutor(Executor):
    """Runs the steps here, one at a time, in dependency order; ``submit`` is refused."""

    def execute(self, launch: RunLaunch) -> ExecuteInProcessResult:
        """Run every step; with ``raise_on_error`` stop at the first failure and raise the op's exception."""
        job, resolved, run_id = launch.job, launch.resolved, launch.run_id
        events: list[RunEvent] = []
        on_event = launch.on_event

        def emit(event: RunEvent) -> None:
            events.append(event)
            if on_event is not None:
                on_event(event)

        provider = ResourceProvider(job.resource_defs, resolved.resource_configs, run_id=run_id)
        run = RunContext(run_id=run_id, job=job, config=resolved, resources=provider, emit=emit,
                         tags=launch.tags, partition_key=launch.partition_key, parent_run_id=launch.parent_run_id)
        run.event(EventType.RUN_START, message=f"Started run {run_id} of job '{job.name}' in process.")
        built: dict[str, Any] = {}
        failures: list[StepResult] = []
        try:
            failures = execute_plan_in_process(run, launch.plan, stop_on_failure=launch.raise_on_error)
            built = provider.built()
        finally:
            teardown_error: BaseException | None = None
            try:
                provider.teardown()
            except Exception as exc:  # noqa: BLE001 - reported as run failure below
                teardown_error = exc
        if teardown_error is not None:
            run.event(EventType.LOG, message=f"Resource teardown failed: {teardown_error}", level="ERROR")
        if failures:
            keys = ", ".join(str(f.error) for f in failures[:3])
            run.event(EventType.RUN_FAILURE, message=f"Run of job '{job.name}' failed: {keys}")
        else:
            run.event(EventType.RUN_SUCCESS, message=f"Run of job '{job.name}' succeeded.")
        loader = output_loader(job, run_id, resolved.resource_configs, launch.partition_key, built)
        result = ExecuteInProcessResult(job, run_id, events, loader)
        if failures and launch.raise_on_error and failures[0].exception is not None:
            raise failures[0].exception
        return result


def _create(init_context: InitExecutorContext) -> InProcessExecutor:
    return InProcessExecutor()


provide_executor_implementation(in_process_executor, _create)


def execute_in_process(
    job: JobDefinition,
    run_config: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    op_selection: Sequence[str] | str | None = None,
    run_id: str | None = None,
    tags: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    parent_run_id: str | None = None,
    step_selection: Sequence[str] | None = None,
    on_event: Callable[[RunEvent], None] | None = None,
    instance: Any = None,
) -> ExecuteInProcessResult:
    """``JobDefinition.execute_in_process``: validate, plan, and run with the in-process executor.

    The run config's ``execution`` is validated against the job's executor (so the same config
    serves every launcher) but the steps run here whichever executor the job names.
    """
    job = job.with_resources(resources) if resources else job
    if step_selection:
        if parent_run_id is None:
            raise DefinitionError("step_selection re-executes steps of a parent run: pass parent_run_id= too.")
        op_selection = sorted({s.split("[", 1)[0] for s in step_selection})
    if parent_run_id is not None:
        tags = {"orch/parent_run_id": parent_run_id, "orch/root_run_id": parent_run_id, **(tags or {})}
    resolved = resolve_run_config(job, run_config, partition_key)
    launch = plan_launch(
        job, resolved, in_process_executor, tags=job.run_tags_for(tags, partition_key), partition_key=partition_key,
        instance=instance, run_id=run_id, op_selection=op_selection, parent_run_id=parent_run_id,
        root_run_id=parent_run_id, raise_on_error=raise_on_error, on_event=on_event,
    )
    return InProcessExecutor().execute(launch)


def emit_skips(run: RunContext, state: RunState) -> None:
    """Record STEP_SKIPPED events for the steps the run state just skipped."""
    for skip in state.take_skipped():
        run.event(EventType.STEP_SKIPPED, skip.step_key, skip.reason)


def execute_plan_in_process(run: RunContext, plan: ExecutionPlan, stop_on_failure: bool = False) -> list[StepResult]:
    """Run every step of ``plan`` here, retrying as the step runner asks. Returns the failures.

    With ``stop_on_failure`` the run stops scheduling at the first failed step (the caller is about
    to re-raise the op's exception).
    """
    state = RunState(plan)
    ready = state.start()
    emit_skips(run, state)
    failures: list[StepResult] = []
    while ready:
        step = ready.pop(0)
        retry_number = 0
        while True:
            result = run_step(run, step, retry_number)
            if result.status != "retry":
                break
            if result.retry_delay > 0:
                time.sleep(result.retry_delay)
            retry_number += 1
        status = "success" if result.status == "success" else "failure"
        ready.extend(state.complete(step.key, StepOutcome(status, result.outputs)))
        emit_skips(run, state)
        if status == "failure":
            failures.append(result)
            if stop_on_failure:
                break
    return failures
