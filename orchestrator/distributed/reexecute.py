"""Re-execution: a new run of the same job and config that reuses the stored outputs of the
parent's successful steps and runs the rest (or exactly the steps selected)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from orchestrator.distributed.code import load_job
from orchestrator.distributed.submit import RunHandle, _instance, submit_job
from orchestrator.errors import OrchestratorError
from orchestrator.plan.planner import ExecutionPlan, widen_dynamic
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["reexecute", "steps_to_rerun"]


def _node(step_key: str) -> str:
    return step_key.split("[", 1)[0]


def steps_to_rerun(plan: ExecutionPlan, statuses: Mapping[str, StepStatus | str]) -> set[str]:
    """Op paths of the steps that did not succeed, widened to whole dynamic groups.

    A mapped op cannot run without the dynamic output it maps over, and a collect needs every
    element, so re-running any part of a map/collect re-runs the step that fans out.
    """
    paths = {s.node_path for s in plan.steps if statuses.get(s.key) != StepStatus.SUCCESS}
    for key, status in statuses.items():
        if status != StepStatus.SUCCESS and "[" in key:
            paths.add(_node(key))
    return widen_dynamic(plan, paths)


def reexecute(run_id: str, from_failure: bool = True, step_selection: Sequence[str] | None = None,
              instance: Instance | None = None, job: JobDefinition | None = None) -> RunHandle:
    """Start a new run of a finished run's job and config that runs again only what needs to.

    With ``from_failure`` (the default) the failed, skipped and not-started steps run again and
    the others' stored outputs are reused; ``step_selection`` names exactly which steps run. A
    step of a dynamic map or collect widens the selection to the whole group (the step that fans
    out included). The new run is tagged with its parent and root run ids
    (``orch/parent_run_id``, ``orch/root_run_id``) and keeps the parent's tags, partition and run
    config (the config resolved again, as given). Dagster does this with ``execute_job(...,
    reexecution_options=ReexecutionOptions(...))``; ``orch run reexecute RUN_ID`` is the CLI.

    The job comes from the parent's stored code reference, so this works from any directory: the
    same signed blob, or the same module path imported as the code is now (from the directory the
    parent's submitter imported it from, when this process cannot import it otherwise), so a run
    re-executed after a fix runs the fix.

    Args:
        run_id: The id of the finished run to re-execute.
        from_failure: Run only the steps that did not succeed. Defaults to True; False runs
            every step.
        step_selection: Op paths or step keys to run, instead. Defaults to None.
        instance: Where the run is recorded. Defaults to ``Instance.from_env()``.
        job: The job to run, instead of the one loaded from the parent's code. Defaults to None.

    Returns:
        The new run's ``RunHandle``.

    Raises:
        RunNotFoundError: when no run has id ``run_id``.
        OrchestratorError: when the run has not finished, ``from_failure`` finds nothing that
            failed, or ``step_selection`` names no step of the job.

    Examples:
        >>> from pathlib import Path
        >>> from orchestrator import job, op, reexecute, submit_job
        >>> ready = Path("ready.txt").resolve()
        >>> @op
        ... def load() -> str:
        ...     return ready.read_text()
        >>> @job
        ... def load_job():
        ...     load()
        >>> first = submit_job(load_job).wait(timeout=60)
        >>> _ = ready.write_text("data")
        >>> second = reexecute(first.run_id).wait(timeout=60)
        >>> first.success, second.success, second.output_for_node("load")
        (False, True, 'data')
    """
    inst = _instance(instance)
    storage = inst.storage
    parent = storage.get_run(run_id)
    if not parent.status.is_finished:
        raise OrchestratorError(f"Run {run_id} is {parent.status.value}; wait for it to finish before re-executing it.")
    job = job or load_job(parent.record.code, inst.redis, inst.secret)
    plan = storage.plan(run_id)
    statuses = storage.step_statuses(run_id)
    if step_selection:
        selected = widen_dynamic(plan, {_node(s) for s in step_selection})
        unknown = sorted(s for s in selected if s not in job.topology.ops)
        if unknown:
            raise OrchestratorError(f"Step selection names {unknown}, which are not steps of job '{job.name}'.")
    elif from_failure:
        selected = steps_to_rerun(plan, statuses)
        if not selected:
            raise OrchestratorError(
                f"Run {run_id} of job '{job.name}' has no failed, skipped or unfinished step; nothing to "
                "re-execute from failure. Pass step_selection=[...] to run chosen steps again."
            )
    else:
        selected = set(job.topology.ops)
    reused = dict(parent.record.reused_from)
    for key, status in statuses.items():
        if status == StepStatus.SUCCESS and _node(key) not in selected:
            reused[key] = run_id
    root = parent.record.root_run_id or run_id
    tags = {k: v for k, v in parent.record.tags.items() if not k.startswith("orch/")}
    return submit_job(job, run_config=parent.record.run_config, tags=tags, partition_key=parent.record.partition_key,
                      instance=inst, op_selection=sorted(selected), _parent=(run_id, root), _reused_from=reused)
