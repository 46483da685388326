"""Steps a completion publishes itself (``StepUpdate.certain``): the core names only steps that the
update makes ready and that then run as planned, so a store that pushes them in the same atomic
call (the Redis store's ``complete.lua``) never enqueues a step the core would skip or narrow.

Every scenario of ``tests/scheduling_scenarios.py`` is replayed over a store that publishes what the
core calls certain; outcomes must equal the plain store's, and every certain step must be ready
after its update and be run, unchanged, by that decision.
"""

from __future__ import annotations

import pytest

from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import Applied, InMemoryState, Scheduler, StepUpdate
from orchestrator.plan.planner import ExecutionStep, build_plan
from tests.scheduling_scenarios import SCENARIOS, Scenario
from tests.unit.test_scheduling_core import _outputs, replay


class PublishingState(InMemoryState):
    """An in-memory store that, like the Redis store, publishes the certain steps it makes ready."""

    def __init__(self, plan) -> None:  # type: ignore[no-untyped-def]
        super().__init__(plan)
        self.certain: dict[str, list[ExecutionStep]] = {}

    def successors(self, step_key: str) -> list[str] | None:
        return list(self.down.get(step_key, []))

    def apply(self, update: StepUpdate) -> Applied:
        applied = super().apply(update)
        if not applied.duplicate:
            self.certain[update.step_key] = list(update.certain)
            applied.published = [s.key for s in update.certain if s.key in applied.ready]
        return applied


def _replay_publishing(scenario: Scenario) -> tuple[dict[str, str], int]:
    plan = build_plan(scenario.job)
    state = PublishingState(plan)
    scheduler = Scheduler(plan, state, Lifecycle("run", scenario.job.name))
    outcomes: dict[str, str] = {}
    published_total = 0
    ready = list(scheduler.start().to_run)
    while ready:
        step = ready.pop(0)
        status, outputs = _outputs(scenario, step)
        outcomes[step.key] = status.value
        decision = scheduler.complete(step.key, status, outputs)
        certain = state.certain[step.key]
        run_now = {s.key: s for s in decision.to_run}
        for s in certain:
            assert s.key in decision.published, f"{s.key} was certain after {step.key} but not made ready"
            assert run_now.get(s.key) == s, f"{s.key} was certain after {step.key} but not run as planned"
        assert set(decision.published) <= set(run_now)
        published_total += len(decision.published)
        for skip in decision.skipped:
            outcomes[skip.step_key] = "skipped"
        ready.extend(decision.to_run)
    return outcomes, published_total


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_certain_steps_are_exactly_the_ones_that_run_as_planned(scenario: Scenario) -> None:
    expected, _state, _finished = replay(scenario)
    outcomes, _published = _replay_publishing(scenario)
    assert outcomes == expected


def test_a_chain_publishes_every_step_after_the_first_with_its_upstream_completion() -> None:
    chain = next(s for s in SCENARIOS if s.name == "chain")
    _outcomes, published = _replay_publishing(chain)
    assert published == len(build_plan(chain.job).steps) - 1
