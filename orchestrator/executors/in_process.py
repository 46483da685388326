"""The in-process executor: every step runs one after another in the calling process."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from orchestrator.definitions.executor_definition import ExecutorDefinition
from orchestrator.events import EventType
from orchestrator.execution.scheduling import RunState, StepOutcome
from orchestrator.execution.step_runner import RunContext, StepResult, run_step
from orchestrator.plan.planner import ExecutionPlan

if TYPE_CHECKING:
    pass

__all__ = ["in_process_executor", "execute_plan_in_process"]


in_process_executor = ExecutorDefinition(
    "in_process",
    config_schema={},
    description="Runs every step in the calling process, one at a time, in dependency order.",
)


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
