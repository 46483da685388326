"""The scheduling core, table-driven: every scenario of ``tests/scheduling_scenarios.py`` replayed
through :class:`Scheduler` over :class:`InMemoryState`, without running any op.

Each ready step is completed as the scenario's script says (success with every declared output
unless told otherwise); the outcome of every step must be the table's. The same table runs through
the three executors in ``tests/integration/test_scheduling_table.py``.
"""

from __future__ import annotations

import random

import pytest

from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import InMemoryState, Scheduler, StepUpdate
from orchestrator.plan.planner import ExecutionStep, OutputRef, build_plan
from orchestrator.status import StepStatus
from tests.scheduling_scenarios import SCENARIOS, Scenario, StepScript


def _outputs(scenario: Scenario, step: ExecutionStep) -> tuple[StepStatus, list[OutputRef]]:
    script = scenario.script.get(step.key, StepScript())
    if script.status == "failure":
        return StepStatus.FAILURE, []
    if script.outputs is None:
        names = list(scenario.job.topology.op(step.node_path).op_def.outs)
        return StepStatus.SUCCESS, [OutputRef(step_key=step.key, output_name=n) for n in names]
    return StepStatus.SUCCESS, [OutputRef(step_key=step.key, output_name=n, mapping_key=k) for n, k in script.outputs]


def replay(scenario: Scenario, order: random.Random | None = None) -> tuple[dict[str, str], InMemoryState, int]:
    """Run the scenario's plan through the core; returns each step's outcome, the state and the
    number of decisions that said the run finished."""
    plan = build_plan(scenario.job)
    state = InMemoryState(plan)
    scheduler = Scheduler(plan, state, Lifecycle("run", scenario.job.name))
    outcomes: dict[str, str] = {}
    finished = 0

    def take(decision) -> list[ExecutionStep]:
        nonlocal finished
        finished += decision.finished
        for skip in decision.skipped:
            assert skip.step_key not in outcomes, f"{skip.step_key} decided twice"
            outcomes[skip.step_key] = "skipped"
        return decision.to_run

    ready = take(scheduler.start())
    while ready:
        step = ready.pop(order.randrange(len(ready)) if order else 0)
        assert step.key not in outcomes, f"{step.key} ran twice"
        status, outputs = _outputs(scenario, step)
        outcomes[step.key] = status.value
        ready.extend(take(scheduler.complete(step.key, status, outputs)))
    return outcomes, state, finished


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_every_step_ends_as_the_table_says(scenario: Scenario) -> None:
    outcomes, state, finished = replay(scenario)
    assert outcomes == dict(scenario.expected)
    assert state.remaining == 0 and not state.unfinished()
    assert finished == 1, "exactly one decision must see the run finished"
    assert state.failed is (not scenario.success)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_outcomes_do_not_depend_on_the_order_steps_finish_in(scenario: Scenario) -> None:
    for seed in range(5):
        outcomes, _state, finished = replay(scenario, random.Random(seed))
        assert outcomes == dict(scenario.expected), f"seed {seed}"
        assert finished == 1


def test_a_repeated_completion_is_ignored() -> None:
    scenario = next(s for s in SCENARIOS if s.name == "fan_in")
    plan = build_plan(scenario.job)
    scheduler = Scheduler(plan, InMemoryState(plan), Lifecycle("run", plan.job_name))
    assert sorted(s.key for s in scheduler.start().to_run) == ["one", "three", "two"]
    ref = [OutputRef(step_key="one")]
    assert scheduler.complete("one", StepStatus.SUCCESS, ref).to_run == []
    again = scheduler.complete("one", StepStatus.SUCCESS, ref)
    assert again.duplicate and again.to_run == [] and not again.finished


def test_narrowed_inputs_and_the_update_a_store_gets() -> None:
    scenario = next(s for s in SCENARIOS if s.name == "fan_in_one_upstream_skipped")
    plan = build_plan(scenario.job)
    updates: list[StepUpdate] = []
    state = InMemoryState(plan)
    original = state.apply

    def apply(update: StepUpdate):
        updates.append(update)
        return original(update)

    state.apply = apply  # type: ignore[method-assign]
    scheduler = Scheduler(plan, state, Lifecycle("run", plan.job_name))
    scheduler.start()
    scheduler.complete("one", StepStatus.SUCCESS, [OutputRef(step_key="one")])
    decision = scheduler.complete("only_produced", StepStatus.SUCCESS,
                                  [OutputRef(step_key="only_produced", output_name="produced")])
    assert [s.step_key for s in decision.skipped] == ["add_one"]
    assert decision.narrowed == ["sum_all"]
    (sum_all,) = decision.to_run
    assert [r.id for r in sum_all.inputs[0].sources] == ["one.result"]
    skip_update = next(u for u in updates if u.step_key == "add_one")
    assert skip_update.status is StepStatus.SKIPPED
    assert [e.event_type.value for e in skip_update.events] == ["STEP_SKIPPED"]
    assert "did not yield" in skip_update.events[0].message


def test_dynamic_expansion_registers_instances_and_releases_the_collect() -> None:
    scenario = next(s for s in SCENARIOS if s.name == "dynamic_map_collect")
    plan = build_plan(scenario.job)
    state = InMemoryState(plan)
    scheduler = Scheduler(plan, state, Lifecycle("run", plan.job_name))
    (emit,) = scheduler.start().to_run
    outputs = [OutputRef(step_key=emit.key, mapping_key=k) for k in ("a", "b")]
    decision = scheduler.complete(emit.key, StepStatus.SUCCESS, outputs)
    assert [s.key for s in decision.to_run] == ["double[a]", "double[b]"]
    assert state.status["double"] is StepStatus.SUCCESS
    assert state.pending["sum_all"] == 2
    scheduler.complete("double[a]", StepStatus.SUCCESS, [OutputRef(step_key="double[a]")])
    last = scheduler.complete("double[b]", StepStatus.SUCCESS, [OutputRef(step_key="double[b]")])
    (collect,) = last.to_run
    assert [r.id for r in collect.inputs[0].sources] == ["double[a].result", "double[b].result"]
