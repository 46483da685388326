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
in_process_executor.__doc__ = """Runs every step in the calling process, one at a time, in dependency order.

The default executor of a job, as in Dagster: ``execute_in_process`` always runs a job this way,
and a job that names it runs this way under ``execute_job`` too (``execute_job`` and
``submit_job`` otherwise default to ``celery_executor``). It takes no config and needs no Redis;
runs cannot be submitted with it (``submit_job`` raises ``OrchestratorError``), since the
calling process coordinates them.

Examples:
    >>> from orchestrator import execute_job, in_process_executor, job, op
    >>> @op
    ... def one() -> int:
    ...     return 1
    >>> @job(executor_def=in_process_executor)
    ... def here():
    ...     one()
    >>> in_process_executor.name, execute_job(here).output_for_node("one")
    ('in_process', 1)
"""

multiprocess_executor = _built_in(
    "multiprocess", "orchestrator.executors.multiprocess",
    config_schema={"max_concurrent": Field(int, is_required=False,
                                           description="Steps running at once; default: the number of CPUs.")},
    description="Runs steps in a local process pool; outputs through fs_io_manager. No Redis needed.",
)
multiprocess_executor.__doc__ = """Runs steps in a pool of local processes, coordinated by the calling process.

Steps whose inputs are ready run at once, up to ``max_concurrent`` at a time (config
``{"execution": {"config": {"max_concurrent": 2}}}``; default: the number of CPUs). Processes
share no memory, so outputs go through ``fs_io_manager`` under ``ORCH_HOME`` unless the job names
its own ``io_manager``. No Redis is needed; runs cannot be submitted with it (``submit_job`` raises
``OrchestratorError``). For steps on other machines, use ``celery_executor``.

Examples:
    >>> from orchestrator import execute_job, job, multiprocess_executor, op
    >>> @op
    ... def one() -> int:
    ...     return 1
    >>> @op
    ... def double(x: int) -> int:
    ...     return 2 * x
    >>> @job(executor_def=multiprocess_executor)
    ... def pooled():
    ...     double(one())
    >>> execute_job(pooled, run_config={"execution": {"config": {"max_concurrent": 2}}}).output_for_node("double")
    2
"""

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
celery_executor.__doc__ = """Runs every step as a Celery task on workers over Redis; runs outlive their submitter.

The default executor of ``submit_job`` and ``execute_job`` for a job that names none, or a
job's own with ``@job(executor_def=celery_executor)``. The run is recorded in the instance's
Redis and its ready steps are sent to the workers (``orch worker start``); each completion
sends the steps it makes ready, so no process has to stay up for the run to go on. A step
tagged ``celery/queue`` (or ``dagster-celery/queue``) goes to that queue. Unlike
dagster-celery's, it needs no persistent IO manager set up: unless the job names its own
``io_manager``, outputs go through ``fs_io_manager`` under ``ORCH_HOME`` (which the workers and
the submitter must share). A run with no progress for ``stall_timeout`` is failed.

Run config (``{"execution": {"config": {...}}}``): ``queue`` (steps without a queue tag;
default ``orch``), ``stall_timeout`` (seconds; default ``ORCH_STALL_TIMEOUT`` or 600),
``max_worker_deaths`` (times a step may lose its worker process before it fails; default
``ORCH_MAX_WORKER_DEATHS`` or 3). ``broker``, ``backend`` and ``include`` are accepted, as
dagster-celery's, and not used: runs go to the instance's Redis (``REDIS_URL``).

Examples:
    >>> import os
    >>> from orchestrator import celery_executor, execute_job, job, op
    >>> @op
    ... def worker_pid() -> int:
    ...     return os.getpid()
    >>> @job(executor_def=celery_executor)
    ... def on_workers():
    ...     worker_pid()
    >>> result = execute_job(on_workers, run_config={"execution": {"config": {"queue": "orch"}}}, timeout=60)
    >>> celery_executor.name, result.success, result.output_for_node("worker_pid") != os.getpid()
    ('celery', True, True)
"""

BUILT_IN_EXECUTORS: tuple[ExecutorDefinition, ...] = (in_process_executor, multiprocess_executor, celery_executor)


def executor_by_name(name: str, also: Iterable[ExecutorDefinition | None] = ()) -> ExecutorDefinition | None:
    """The executor run config names: one of ``also`` (the job's own, the launcher's default), else a built-in."""
    known = {d.name: d for d in BUILT_IN_EXECUTORS}
    known.update({d.name: d for d in also if d is not None})
    return known.get(name)


def known_executor_names(also: Iterable[ExecutorDefinition | None] = ()) -> list[str]:
    """Every name ``executor_by_name`` accepts, for error messages."""
    return sorted({d.name for d in BUILT_IN_EXECUTORS} | {d.name for d in also if d is not None})
