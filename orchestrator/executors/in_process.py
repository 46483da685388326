"""The in-process executor: every step runs one after another in the calling process.

``execute_in_process`` (the body of ``JobDefinition.execute_in_process``) always runs through it,
whatever executor the job names, as Dagster does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.built_in_executors import in_process_executor
from orchestrator.definitions.config.run_config import resolve_run_config
from orchestrator.definitions.executor_definition import provide_executor_implementation
from orchestrator.errors import DefinitionError
from orchestrator.events import RunEvent
from orchestrator.execution.results import ExecuteInProcessResult
from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
from orchestrator.executors.launch import plan_launch
from orchestrator.executors.local_run import LocalRun
from orchestrator.plan.planner import build_plan, parse_step_key, widen_dynamic
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["in_process_executor", "InProcessExecutor", "execute_in_process"]


class InProcessExecutor(Executor):
    """Runs the steps here, one at a time, in dependency order; ``submit`` is refused."""

    def execute(self, launch: RunLaunch) -> ExecuteInProcessResult:
        """Run every step; with ``raise_on_error`` stop at the first failure and raise the op's exception."""
        run = LocalRun(launch, "in process")
        with run.step_context() as context:
            while run.ready:
                result = run.run_here(run.ready.pop(0), context)
                if result.status is StepStatus.FAILURE and launch.raise_on_error:
                    break  # the op's own exception is raised below, once the run is recorded
        outcome = run.result()
        if run.failures and launch.raise_on_error and run.failures[0].exception is not None:
            raise run.failures[0].exception
        return outcome


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
    if step_selection and parent_run_id is None:
        raise DefinitionError("step_selection re-executes steps of a parent run: pass parent_run_id= too.")
    if parent_run_id is not None:
        tags = {"orch/parent_run_id": parent_run_id, "orch/root_run_id": parent_run_id, **(tags or {})}
    resolved = resolve_run_config(job, run_config, partition_key)
    if step_selection:
        # As for distributed re-execution: a part of a dynamic group re-runs the whole group.
        selected = {parse_step_key(s)[0] for s in step_selection}
        op_selection = sorted(widen_dynamic(build_plan(job, resolved.op_inputs), selected))
    launch = plan_launch(
        job, resolved, in_process_executor, tags=job.run_tags_for(tags, partition_key), partition_key=partition_key,
        instance=instance, run_id=run_id, op_selection=op_selection, parent_run_id=parent_run_id,
        root_run_id=parent_run_id, raise_on_error=raise_on_error, on_event=on_event,
    )
    return InProcessExecutor().execute(launch)
