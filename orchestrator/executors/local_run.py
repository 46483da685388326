"""A run coordinated by the calling process: what local executors share.

:class:`LocalRun` joins the scheduling core, the step runner and the run's lifecycle events, so an
executor that coordinates a run itself (the in-process and multiprocess executors, or one a user
writes) only decides *where and when* each ready step runs: it takes steps from ``run.ready``,
runs them (here with :meth:`LocalRun.run_here`, or elsewhere), and reports each finished attempt
with :meth:`LocalRun.complete`, which puts the steps that became ready on ``run.ready``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.resources import ResourceProvider
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.instance import DagsterInstance
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.results import ExecuteInProcessResult, output_loader
from orchestrator.execution.scheduling import Decision, InMemoryState, Scheduler
from orchestrator.execution.step_runner import RunContext, StepResult, run_step
from orchestrator.plan.planner import ExecutionStep
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.executors.base import RunLaunch

__all__ = ["LocalRun"]


class LocalRun:
    """One run coordinated from this process: what the local executors share, for writing your own.

    It joins the scheduling core, the step runner and the run's lifecycle events, so an executor
    decides only where and when each ready step runs: it takes steps from ``ready``, runs them
    (here with ``run_here``, or elsewhere, reporting each finished attempt with ``complete``), and
    ends the run with ``result()``, which returns an ``ExecuteInProcessResult``. Creating one
    emits RUN_START.

    Args:
        launch: The run, as the launcher decided it.
        where: How the run executes, for its RUN_START message (``"in process"``).
        job: The job to run, when the executor adapts the launched one (e.g. to a shared IO
            manager). Defaults to ``launch.job``.

    Attributes:
        ready: Steps whose inputs are decided and that may run now, in the order they became ready.
        failures: The final results of the steps that failed.
        events: Every event of the run so far.

    Examples:
        An executor that runs every ready step here, oldest first, and shows the run's events:

        >>> from orchestrator import Executor, LocalRun, execute_job, executor, job, op
        >>> class InOrder(Executor):
        ...     def execute(self, launch):
        ...         run = LocalRun(launch, "in process")
        ...         with run.step_context() as context:
        ...             while run.ready:
        ...                 run.run_here(run.ready.pop(0), context)
        ...         print([event.event_type.name for event in run.events], run.failed)
        ...         return run.result()
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(executor_def=executor(name="in_order")(lambda init_context: InOrder()))
        ... def tiny():
        ...     one()
        >>> execute_job(tiny).success
        ['RUN_START', 'STEP_START', 'STEP_OUTPUT', 'STEP_SUCCESS'] False
        True
    """

    def __init__(self, launch: RunLaunch, where: str, job: JobDefinition | None = None) -> None:
        self.launch = launch
        self.job = job or launch.job
        self.run_id = launch.run_id
        self.events: list[RunEvent] = []
        self.ready: list[ExecutionStep] = []
        self.failures: list[StepResult] = []
        self.lifecycle = Lifecycle(self.run_id, self.job.name)
        self._built: dict[str, Any] = {}
        self._scheduler = Scheduler(launch.plan, InMemoryState(launch.plan), self.lifecycle)
        self.emit(self.lifecycle.run_started(where))
        self._take(self._scheduler.start())

    def emit(self, event: RunEvent) -> None:
        """Record an event of the run (and pass it to the launcher's ``on_event``)."""
        self.events.append(event)
        if self.launch.on_event is not None:
            self.launch.on_event(event)

    @contextmanager
    def step_context(self, with_resources: bool = True) -> Iterator[RunContext]:
        """What the step runner needs to run this run's steps here; resources are built on first
        use and torn down on exit (a teardown error is logged as an event, the run result stands).
        With ``with_resources=False`` steps get none (for executors whose steps run elsewhere)."""
        launch = self.launch
        provider = ResourceProvider(self.job.resource_defs, launch.resolved.resource_configs, run_id=self.run_id)
        context = RunContext(run_id=self.run_id, job=self.job, config=launch.resolved, resources=provider,
                             emit=self.emit, tags=launch.tags, partition_key=launch.partition_key,
                             parent_run_id=launch.parent_run_id, output_origins=dict(launch.reused_from),
                             instance=launch.instance if isinstance(launch.instance, DagsterInstance) else None)
        try:
            yield context
            self._built = provider.built()
        finally:
            try:
                provider.teardown()
            except Exception as exc:  # noqa: BLE001 - reported; the steps' results stand
                self.emit(self.lifecycle.event(EventType.LOG, message=f"Resource teardown failed: {exc}",
                                               level="ERROR"))

    def run_here(self, step: ExecutionStep, context: RunContext) -> StepResult:
        """Run ``step`` in this process through the step runner, retrying as its policy says
        (sleeping between attempts), then :meth:`complete` it. Returns its final result."""
        attempt = 0
        while True:
            result = run_step(context, step, attempt)
            if not result.retry:
                break
            if result.retry_delay:
                time.sleep(result.retry_delay)
            attempt += 1
        self.complete(step, result)
        return result

    def complete(self, step: ExecutionStep, result: StepResult) -> list[ExecutionStep]:
        """Record the final result of ``step``; returns the steps it made ready (also on ``ready``)."""
        if result.status is StepStatus.FAILURE:
            self.failures.append(result)
        return self._take(self._scheduler.complete(step.key, result.status, result.outputs))

    def _take(self, decision: Decision) -> list[ExecutionStep]:
        for skip in decision.skipped:
            self.emit(self.lifecycle.step_skipped(skip.step_key, skip.reason))
        self.ready.extend(decision.to_run)
        return decision.to_run

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def result(self) -> ExecuteInProcessResult:
        """End the run (RUN_SUCCESS, or RUN_FAILURE naming the failed steps) and return its result."""
        if self.failures:
            failed = [e.step_key for e in self.events if e.event_type is EventType.STEP_FAILURE and e.step_key]
            self.emit(self.lifecycle.run_failed(list(dict.fromkeys(failed))))
        else:
            self.emit(self.lifecycle.run_succeeded())
        launch = self.launch
        loader = output_loader(self.job, self.run_id, launch.resolved.resource_configs, launch.partition_key,
                               self._built, run_config=launch.resolved.raw)
        return ExecuteInProcessResult(self.job, self.run_id, self.events, loader, tags=launch.tags,
                                      run_config=launch.resolved.raw)
