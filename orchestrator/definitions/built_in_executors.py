"""The built-in executor definitions: their names, config schemas and descriptions.

They live in the definitions layer so that a job's default executor and run config naming an
executor (``{"execution": {"celery": {"config": {...}}}}``) need no import of the executors; the
modules implementing them (``orchestrator.executors.in_process``, ``orchestrator.executors.multiprocess``,
``orchestrator.distributed.executor``) provide the creation functions when imported (see
``orchestrator.definitions.executor_definition``).
"""

from __future__ import annotations

from collections.abc import Iterable

from orchestrator.definitions.config.schema import Field
from orchestrator.definitions.executor_definition import ExecutorDefinition, _built_in

__all__ = ["in_process_executor", "multiprocess_executor", "celery_executor", "BUILT_IN_EXECUTORS",
           "executor_by_name", "known_executor_names"]

in_process_executor = _built_in(
    "in_process", "orchestrator.executors.in_process",
    config_schema={},
    description="Runs every step in the calling process, one at a time, in dependency order.",
)

multiprocess_executor = _built_in(
    "multiprocess", "orchestrator.executors.multiprocess",
    config_schema={"max_concurrent": Field(int, is_required=False,
                                           description="Steps running at once; default: the number of CPUs.")},
    description="Runs steps in a local process pool; outputs through fs_io_manager. No Redis needed.",
)

celery_executor = _built_in(
    "celery", "orchestrator.distributed.executor",
    config_schema={
        "broker": Field(str, is_required=False, description="Broker URL; default: the instance's Redis."),
        "backend": Field(str, is_required=False, description="Result backend URL; default: the broker."),
        "queue": Field(str, default_value="orch", description="Queue for steps without a celery/queue tag."),
        "include": Field([str], is_required=False, description="Modules workers import (e.g. for tasks)."),
        "stall_timeout": Field(float, is_required=False,
                               description="Seconds without progress before the run is failed; "
                                           "default ORCH_STALL_TIMEOUT or 600."),
        "max_worker_deaths": Field(int, is_required=False,
                                   description="Times a step may lose its worker process (killed, os._exit, "
                                               "SystemExit, OOM) before it fails; default "
                                               "ORCH_MAX_WORKER_DEATHS or 3. RetryPolicy retries are separate."),
    },
    description="Runs every step as a Celery task on workers over Redis; runs outlive their submitter.",
)

BUILT_IN_EXECUTORS: tuple[ExecutorDefinition, ...] = (in_process_executor, multiprocess_executor, celery_executor)


def executor_by_name(name: str, also: Iterable[ExecutorDefinition | None] = ()) -> ExecutorDefinition | None:
    """The executor run config names: one of ``also`` (the job's own, the launcher's default), else a built-in."""
    known = {d.name: d for d in BUILT_IN_EXECUTORS}
    known.update({d.name: d for d in also if d is not None})
    return known.get(name)


def known_executor_names(also: Iterable[ExecutorDefinition | None] = ()) -> list[str]:
    """Every name ``executor_by_name`` accepts, for error messages."""
    return sorted({d.name for d in BUILT_IN_EXECUTORS} | {d.name for d in also if d is not None})
