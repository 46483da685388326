"""Launching runs with a job's executor: ``submit_job`` (start, return a handle) and ``execute_job``
(run and wait). Handles and results live in ``orchestrator.distributed.handles`` (re-exported here).

Delivery with the Celery executor: each step is a Celery task, acked late; a step may run more than
once when its worker dies, but its completion (and so the enqueueing of its downstream steps) counts
exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

# Importing the modules implementing the built-in executors provides their creation functions:
# a job may name any of them, so this launcher offers all three.
import orchestrator.executors.in_process  # noqa: F401
import orchestrator.executors.multiprocess  # noqa: F401
from orchestrator.distributed.executor import celery_executor
from orchestrator.distributed.handles import RunHandle, RunResult, _instance, get_run
from orchestrator.executors.launch import launch_run

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance
    from orchestrator.execution.results import RunResultBase

__all__ = ["submit_job", "execute_job", "get_run", "RunHandle", "RunResult", "_instance"]


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
    """Start a run of ``job`` with its executor (``celery_executor`` when it chose none) and return
    at once; the run goes on without this process.

    Config is validated and the plan built before anything is written or enqueued. An executor
    that runs steps in the calling process (in_process, multiprocess) cannot submit: it raises
    ``OrchestratorError`` pointing to ``execute_job``.
    """
    launch, executor = launch_run(
        job, run_config, default_executor=celery_executor, tags=tags, partition_key=partition_key,
        instance=instance, run_id=run_id, op_selection=op_selection, parent=_parent, reused_from=_reused_from,
        code_pointer=code_pointer,
    )
    handle: RunHandle = executor.submit(launch)  # type: ignore[assignment]  # any SubmittedRun
    return handle


def execute_job(job: JobDefinition, run_config: Mapping[str, Any] | None = None, instance: Instance | None = None,
                tags: Mapping[str, Any] | None = None, partition_key: str | None = None,
                timeout: float | None = None, raise_on_error: bool = False) -> RunResultBase:
    """Run ``job`` with its executor and wait for the result: on the workers (``celery_executor``,
    the default when the job chose none), in a local pool (``multiprocess_executor``), in this
    process (``in_process_executor``), or with any ``Executor`` the job's ``@executor`` builds."""
    launch, executor = launch_run(
        job, run_config, default_executor=celery_executor, tags=tags, partition_key=partition_key,
        instance=instance, raise_on_error=raise_on_error, timeout=timeout,
    )
    return executor.execute(launch)
