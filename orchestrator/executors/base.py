"""The executor seam: what every executor is given (a ``RunLaunch``) and what it must do with it.

Launchers (``JobDefinition.execute_in_process``, ``execute_job``, ``submit_job``) validate the run
config, build the plan and decide the run id and tags, then hand the resulting :class:`RunLaunch`
to the :class:`Executor` that the job's :class:`~orchestrator.ExecutorDefinition` creates. They
never look at which executor it is: running or submitting the run is the executor's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    from orchestrator.definitions.config.run_config import ResolvedRunConfig
    from orchestrator.definitions.executor_definition import ExecutorDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.events import RunEvent
    from orchestrator.execution.results import RunResultBase
    from orchestrator.plan.planner import ExecutionPlan

__all__ = ["Executor", "InitExecutorContext", "RunLaunch", "SubmittedRun"]


@dataclass(frozen=True)
class InitExecutorContext:
    """What an executor's creation function gets (as Dagster's ``InitExecutorContext``).

    The launcher builds one per run, right before the run starts, and calls the job's
    ``ExecutorDefinition.executor_creation_fn`` with it; the function reads its settings from
    ``executor_config``.

    Args:
        job: The job the run executes.
        executor_def: The executor definition being created.
        executor_config: The run config's ``execution`` config, validated against the
            definition's schema, with defaults and ``configured`` values applied.
        instance: The ``Instance`` the launcher was given. Defaults to None (local executors need none).

    Examples:
        >>> from orchestrator import execute_job, executor, in_process_executor, job, op
        >>> @executor(name="checked", config_schema={"label": str})
        ... def checked(init_context):
        ...     print(init_context.job.name, init_context.executor_def.name, init_context.executor_config)
        ...     return in_process_executor.executor_creation_fn(init_context)
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(executor_def=checked)
        ... def my_job():
        ...     one()
        >>> execute_job(my_job, run_config={"execution": {"config": {"label": "demo"}}}).success
        my_job checked {'label': 'demo'}
        True
    """

    job: JobDefinition
    executor_def: ExecutorDefinition
    #: The run config's ``execution`` config, validated against the definition's schema, defaults applied.
    executor_config: dict[str, Any]
    #: The ``Instance`` the launcher was given, or None (local executors need none).
    instance: Any = None


@dataclass(frozen=True)
class RunLaunch:
    """One run, fully decided before it starts: plain data an executor runs or submits.

    Launchers (``execute_in_process``, ``execute_job``, ``submit_job``) validate the run config,
    plan the run and choose its id and tags, then pass the launch to ``Executor.execute`` or
    ``Executor.submit``. ``plan`` already honours ``op_selection`` and the parent run; ``tags``
    are the run's final tags (job, partition and lineage tags included). Executors read it;
    they do not build one.

    Args:
        job: The job the run executes.
        resolved: The run config, validated, with defaults applied.
        plan: The run's ``ExecutionPlan``.
        run_id: The run's id.
        tags: The run's tags.
        executor_name: The name of the executor definition, for messages and run records.
        executor_config: The executor's config from run config. Defaults to ``{}``.
        partition_key: The run's partition. Defaults to None.
        instance: The ``Instance`` the caller passed. Defaults to None (the Celery executor then
            uses ``Instance.from_env()``).
        parent_run_id: The run this one re-executes. Defaults to None.
        root_run_id: The first run of that re-execution lineage. Defaults to None.
        op_selection: The op selection the caller gave. Defaults to None (every op).
        reused_from: For a re-execution, step key -> the run whose stored outputs this run reuses
            instead of running the step. Defaults to ``{}``.
        code_pointer: Where a worker finds the job's code (``module:attr``). Defaults to None
            (the executor decides).
        raise_on_error: Whether the caller wants the run's first op exception raised. Defaults to False.
        timeout: Seconds the caller waits for the result. Defaults to None (no limit).
        on_event: Called with each event as it happens, by executors that see events happen.
            Defaults to None.

    Examples:
        >>> from orchestrator import Executor, LocalRun, execute_job, executor, job, op
        >>> class Announcing(Executor):
        ...     def execute(self, launch):
        ...         print(launch.executor_name, launch.tags, [step.key for step in launch.plan.steps])
        ...         run = LocalRun(launch, "in process")
        ...         with run.step_context() as context:
        ...             while run.ready:
        ...                 run.run_here(run.ready.pop(0), context)
        ...         return run.result()
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(executor_def=executor(name="announcing")(lambda init_context: Announcing()))
        ... def my_job():
        ...     one()
        >>> execute_job(my_job, tags={"team": "data"}).success
        announcing {'team': 'data'} ['one']
        True
    """

    job: JobDefinition
    resolved: ResolvedRunConfig
    plan: ExecutionPlan
    run_id: str
    tags: dict[str, str]
    #: Name of the executor definition, for messages and run records.
    executor_name: str
    executor_config: dict[str, Any] = field(default_factory=dict)
    partition_key: str | None = None
    #: The ``Instance`` the caller passed, or None (the Celery executor then uses ``Instance.from_env()``).
    instance: Any = None
    #: Re-execution: the run this one re-executes and the root of that lineage.
    parent_run_id: str | None = None
    root_run_id: str | None = None
    op_selection: list[str] | None = None
    #: Re-execution: step key -> run id whose stored outputs this run reuses instead of running the step.
    reused_from: dict[str, str] = field(default_factory=dict)
    #: Where a worker finds the job's code (``module:attr``); None to let the executor decide.
    code_pointer: str | None = None
    #: How the caller waits: raise when the run fails, give up waiting after ``timeout`` seconds.
    raise_on_error: bool = False
    timeout: float | None = None
    #: Called with each event as it happens, by executors that see events happen.
    on_event: Callable[[RunEvent], None] | None = None


class SubmittedRun(Protocol):
    """A run started by :meth:`Executor.submit` (``RunHandle`` for the Celery executor)."""

    run_id: str

    def wait(self, timeout: float | None = None) -> RunResultBase: ...


class Executor:
    """Runs the steps of a launched run. Override ``execute``, ``submit``, or both.

    - ``execute(launch)`` runs the run and waits for its result; by default ``submit(launch).wait()``.
    - ``submit(launch)`` starts the run and returns at once (a :class:`SubmittedRun`); by default it
      raises ``OrchestratorError``: an executor that only overrides ``execute`` runs the steps in the
      calling process, so ``submit_job`` cannot hand the run over.

    An ``@executor`` function builds one per run from ``init_context.executor_config``; a job
    names the definition (``@job(executor_def=...)``) and ``execute_job`` uses it. The step runner
    and the scheduling core say what running a step means and what may run next; an executor
    decides where and when. :class:`~orchestrator.LocalRun` joins them for executors that
    coordinate a run from the calling process (steps run elsewhere report back with
    ``run.complete(step, result)``). ``submit_job`` with an executor that overrides only
    ``execute`` raises ``OrchestratorError``: such an executor cannot outlive the caller.

    Examples:
        This one runs the ready steps here, newest first, and prints the order:

        >>> from orchestrator import Executor, LocalRun, execute_job, executor, job, op
        >>> class NewestFirst(Executor):
        ...     def execute(self, launch):
        ...         run = LocalRun(launch, "in process, newest ready step first")  # RUN_START; ready: the roots
        ...         with run.step_context() as context:  # resources, torn down at the end
        ...             while run.ready:
        ...                 step = run.ready.pop()  # where and when: here, newest first
        ...                 run.run_here(step, context)  # the step runner and retries, then what is ready
        ...                 print("ran", step.key)
        ...         return run.result()  # RUN_SUCCESS or RUN_FAILURE
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(executor_def=executor(name="newest_first")(lambda init_context: NewestFirst()))
        ... def my_job():
        ...     one()
        >>> execute_job(my_job).output_for_node("one")
        ran one
        1
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Neither method is abstract (each has a default in terms of the other), so check here that
        # a subclass overrides one: otherwise every call would end in submit's error.
        super().__init_subclass__(**kwargs)
        if cls.execute is Executor.execute and cls.submit is Executor.submit:
            raise TypeError(f"Executor {cls.__qualname__} must override execute(launch), submit(launch), or both.")

    def execute(self, launch: RunLaunch) -> RunResultBase:
        """Run ``launch`` and wait for its result."""
        return self.submit(launch).wait(timeout=launch.timeout)

    def submit(self, launch: RunLaunch) -> SubmittedRun:
        """Start ``launch`` and return at once; the run goes on without the caller."""
        raise OrchestratorError(
            f"Job '{launch.job.name}' uses the {launch.executor_name} executor, which runs the run's steps in "
            "the calling process and cannot be submitted; use execute_job(...) for it, or the celery executor "
            "to submit to workers."
        )
