"""From "run this job with this config" to a ``RunLaunch`` and the ``Executor`` that runs it.

Every launcher (``execute_in_process``, ``execute_job``, ``submit_job``) goes through here, so
config is validated and the plan built the same way before any executor sees the run, and no
launcher needs to know which executor it got.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.config.run_config import ResolvedRunConfig, resolve_run_config
from orchestrator.errors import DefinitionError
from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
from orchestrator.plan.planner import build_plan

if TYPE_CHECKING:
    from orchestrator.definitions.executor_definition import ExecutorDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.events import RunEvent

__all__ = ["launch_run", "plan_launch", "create_executor"]


def plan_launch(
    job: JobDefinition,
    resolved: ResolvedRunConfig,
    executor_def: ExecutorDefinition,
    *,
    tags: dict[str, str],
    partition_key: str | None = None,
    instance: Any = None,
    run_id: str | None = None,
    op_selection: Sequence[str] | str | None = None,
    parent_run_id: str | None = None,
    root_run_id: str | None = None,
    reused_from: Mapping[str, str] | None = None,
    code_pointer: str | None = None,
    raise_on_error: bool = False,
    timeout: float | None = None,
    on_event: Callable[[RunEvent], None] | None = None,
) -> RunLaunch:
    """The launch of one run: its plan (honouring ``op_selection`` and the parent run) and run id.

    ``tags`` are the run's final tags; ``executor_def`` the executor that will run it.
    """
    plan = build_plan(job, resolved.op_inputs, op_selection, parent_run_id)
    selection = [op_selection] if isinstance(op_selection, str) else list(op_selection) if op_selection else None
    return RunLaunch(
        job=job, resolved=resolved, plan=plan, run_id=run_id or str(uuid.uuid4()), tags=tags,
        executor_name=executor_def.name, executor_config=dict(resolved.execution.get("config") or {}),
        partition_key=partition_key, instance=instance, parent_run_id=parent_run_id, root_run_id=root_run_id,
        op_selection=selection, reused_from=dict(reused_from or {}), code_pointer=code_pointer,
        raise_on_error=raise_on_error, timeout=timeout, on_event=on_event,
    )


def create_executor(executor_def: ExecutorDefinition, launch: RunLaunch) -> Executor:
    """Build the executor for ``launch`` with the definition's creation function."""
    context = InitExecutorContext(job=launch.job, executor_def=executor_def,
                                  executor_config=dict(launch.executor_config), instance=launch.instance)
    created = executor_def.executor_creation_fn(context)
    if not isinstance(created, Executor):
        raise DefinitionError(
            f"The creation function of executor '{executor_def.name}' (job '{launch.job.name}') returned "
            f"{type(created).__name__}, not an orchestrator.Executor: return an instance of an Executor subclass."
        )
    return created


def launch_run(
    job: JobDefinition,
    run_config: Mapping[str, Any] | None,
    *,
    default_executor: ExecutorDefinition | None,
    tags: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    instance: Any = None,
    run_id: str | None = None,
    op_selection: Sequence[str] | str | None = None,
    parent: tuple[str, str] | None = None,
    reused_from: Mapping[str, str] | None = None,
    code_pointer: str | None = None,
    raise_on_error: bool = False,
    timeout: float | None = None,
) -> tuple[RunLaunch, Executor]:
    """Validate ``run_config``, choose the executor (the job's, the one run config names, else
    ``default_executor``), plan the run and create the executor. Nothing has run yet.

    ``parent`` is ``(parent_run_id, root_run_id)`` of a re-execution; its lineage tags win over
    ``tags``.
    """
    resolved = resolve_run_config(job, run_config, partition_key, default_executor=default_executor)
    executor_def = resolved.executor_def or job.executor_def
    run_tags = job.run_tags_for(tags, partition_key)
    if parent:
        run_tags.update({"orch/parent_run_id": parent[0], "orch/root_run_id": parent[1]})
    launch = plan_launch(
        job, resolved, executor_def, tags=run_tags, partition_key=partition_key, instance=instance, run_id=run_id,
        op_selection=op_selection, parent_run_id=parent[0] if parent else None,
        root_run_id=parent[1] if parent else None, reused_from=reused_from, code_pointer=code_pointer,
        raise_on_error=raise_on_error, timeout=timeout,
    )
    return launch, create_executor(executor_def, launch)
