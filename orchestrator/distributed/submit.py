"""Launching runs with a job's executor: ``submit_job`` (start, return a handle) and ``execute_job``
(run and wait). Handles and results live in ``orchestrator.distributed.handles`` (re-exported here).

Delivery with the Celery executor: each step is a Celery task, acked late; a step may run more than
once when its worker dies, but its completion (and so the enqueueing of its downstream steps) counts
exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrator.definitions.executor_definition import ExecutorDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.handles import RunHandle, RunResult, _instance, get_run
    from orchestrator.distributed.instance import Instance
    from orchestrator.execution.results import RunResultBase

__all__ = ["submit_job", "execute_job", "get_run", "RunHandle", "RunResult", "_instance"]

# The names this module re-exports from orchestrator.distributed.handles, imported on first use.
_FROM_HANDLES = frozenset({"get_run", "RunHandle", "RunResult", "_instance"})


def __getattr__(name: str) -> Any:
    """Import the re-exported handle names (``RunHandle``, ``get_run``...) when first read (PEP 562).

    ``from orchestrator import submit_job`` then loads no run storage, watchdog or Redis client
    code until a run is launched or a handle is asked for.

    Args:
        name: The attribute read from this module.
    """
    if name not in _FROM_HANDLES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from orchestrator.distributed import handles

    value = getattr(handles, name)
    globals()[name] = value
    return value


def _default_executor() -> ExecutorDefinition:
    """``celery_executor``, once every built-in executor's implementation is imported.

    Importing the modules implementing the built-in executors provides their creation functions:
    a job may name any of them, so these launchers offer all three. They are imported at the first
    launch, not with this module, so that importing ``submit_job`` stays cheap (Celery's side, the
    local pools and the step runner load when a run starts).
    """
    import orchestrator.executors.in_process  # noqa: F401
    import orchestrator.executors.multiprocess  # noqa: F401
    from orchestrator.distributed.executor import celery_executor

    return celery_executor


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
    """Start a run of ``job`` on the workers and return its handle at once; the run goes on without this process.

    The run uses the job's executor, ``celery_executor`` when the job chose none (a job's default
    is ``in_process_executor`` only under ``execute_in_process``). Config is validated and the
    plan built before anything is written or enqueued; then the run is recorded in Redis and its
    first steps are sent to the workers. A job that workers cannot import (a script, a notebook,
    a test) is shipped to them as a cloudpickled blob signed with ``ORCH_SECRET``. A run over a
    run queue limit waits QUEUED until it fits. This is the orchestrator's own launcher; Dagster
    launches runs through its instance and daemon.

    Args:
        job: The job to run.
        run_config: The run's config (a dict or ``RunConfig``), merged over the job's own.
            Defaults to ``{}``.
        tags: Tags of the run, over the job's tags. Defaults to ``{}``.
        partition_key: The partition to run, for a partitioned job. Defaults to None.
        instance: Where the run is recorded and sent. Defaults to ``Instance.from_env()``
            (``REDIS_URL``, ``ORCH_HOME``, ``ORCH_SECRET``, or a running ``orch dev``).
        run_id: The run's id. Defaults to a new UUID.
        op_selection: Run only these ops (names, or Dagster's selection syntax such as ``"one+"``).
            Defaults to every op.
        code_pointer: ``"package.module:attribute"`` the workers import the job from, instead of
            a shipped blob. Defaults to None (a pointer when the job's module is importable on
            the workers, else a blob).

    Returns:
        A ``RunHandle``: ``wait()``, ``status()``, ``events()``, ``cancel()``.

    Raises:
        ConfigError: when the run config does not fit the job.
        OrchestratorError: when Redis cannot be reached, or the job's executor runs steps in the
            calling process (``in_process_executor``, ``multiprocess_executor``: use ``execute_job``).

    Examples:
        >>> from orchestrator import job, op, submit_job
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> @job
        ... def adding():
        ...     add_one(one())
        >>> handle = submit_job(adding, tags={"team": "data"})
        >>> result = handle.wait(timeout=60)
        >>> result.success, result.output_for_node("add_one"), handle.info().record.tags["team"]
        (True, 2, 'data')
    """
    from orchestrator.executors.launch import launch_run

    launch, executor = launch_run(
        job, run_config, default_executor=_default_executor(), tags=tags, partition_key=partition_key,
        instance=instance, run_id=run_id, op_selection=op_selection, parent=_parent, reused_from=_reused_from,
        code_pointer=code_pointer,
    )
    handle: RunHandle = executor.submit(launch)  # type: ignore[assignment]  # any SubmittedRun
    return handle


def execute_job(job: JobDefinition, run_config: Mapping[str, Any] | None = None, instance: Instance | None = None,
                tags: Mapping[str, Any] | None = None, partition_key: str | None = None,
                timeout: float | None = None, raise_on_error: bool = False) -> RunResultBase:
    """Run ``job`` with its executor and wait for the result.

    Where the steps run is the job's executor: on the workers (``celery_executor``, the default
    when the job chose none), in a local pool (``multiprocess_executor``), in this process
    (``in_process_executor``), or with any ``Executor`` the job's ``@executor`` builds. On the
    workers it is ``submit_job(...).wait(timeout)``. Dagster's ``execute_job`` takes a
    ``reproducible`` job and its instance; this one takes the job itself and an ``Instance``, and
    no ``reexecution_options`` (use ``reexecute``).

    Args:
        job: The job to run.
        run_config: The run's config (a dict or ``RunConfig``), merged over the job's own.
            Defaults to ``{}``.
        instance: Where a run on the workers is recorded and sent. Defaults to
            ``Instance.from_env()``.
        tags: Tags of the run, over the job's tags. Defaults to ``{}``.
        partition_key: The partition to run, for a partitioned job. Defaults to None.
        timeout: Seconds to wait for a run on the workers (``RunTimeoutError`` after, the run
            goes on). Defaults to None (no limit).
        raise_on_error: Whether a failed op raises its exception, with the in-process and
            multiprocess executors; a run on the workers returns a failed result either way.
            Defaults to False.

    Returns:
        The finished run's result (``RunResult`` for a run on the workers): ``success``,
        ``output_for_node``, events, the same API as ``execute_in_process``'s.

    Raises:
        ConfigError: when the run config does not fit the job.
        RunTimeoutError: when a run on the workers has not finished within ``timeout``.

    Examples:
        >>> from orchestrator import execute_job, job, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> @job
        ... def adding():
        ...     add_one(one())
        >>> result = execute_job(adding, timeout=60)
        >>> result.success, result.output_for_node("add_one")
        (True, 2)
    """
    from orchestrator.executors.launch import launch_run

    launch, executor = launch_run(
        job, run_config, default_executor=_default_executor(), tags=tags, partition_key=partition_key,
        instance=instance, raise_on_error=raise_on_error, timeout=timeout,
    )
    return executor.execute(launch)
