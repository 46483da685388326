"""Foundation tests for the planner (ExecutionPlan) and for scheduling at scale."""

from __future__ import annotations

import json

import pytest

from orchestrator import (
    DefinitionError,
    DynamicOut,
    DynamicOutput,
    EventType,
    ExecutionPlan,
    ExecutionStep,
    In,
    Nothing,
    graph,
    job,
    op,
)
from orchestrator.plan.planner import build_plan


@op
def start() -> int:
    return 0


@op
def inc(x: int) -> int:
    return x + 1


@op
def total(values: list[int]) -> int:
    return sum(values)


@op(out=DynamicOut())
def emit():
    for i in range(3):
        yield DynamicOutput(i, mapping_key=str(i))


@op(ins={"after": In(Nothing)})
def ordered() -> int:
    return 1


@op(ins={"x": In(int, default_value=3)})
def with_default(x):
    return x


@graph
def sub(x):
    return inc(x)


@job
def mixed():
    s = start()
    a = inc(s)
    b = sub(a)
    total([a, b, with_default()])
    total.alias("dyn_total")(emit().map(inc).collect())
    ordered(after=b)


def _assert_dependency_order(plan: ExecutionPlan) -> None:
    seen: set[str] = set()
    for step in plan.steps:
        for up in step.upstream:
            assert up in seen, f"step {step.key} comes before its upstream {up}"
        seen.add(step.key)


def test_build_plan_returns_execution_plan_of_steps():
    plan = build_plan(mixed)
    assert isinstance(plan, ExecutionPlan)
    assert plan.job_name == "mixed"
    assert all(isinstance(s, ExecutionStep) for s in plan.steps)
    keys = [s.key for s in plan.steps]
    assert set(keys) == {"start", "inc", "sub.inc", "with_default", "total", "emit", "inc_2",
                         "dyn_total", "ordered"}
    assert len(keys) == len(set(keys))


def test_plan_steps_in_dependency_order():
    plan = build_plan(mixed)
    _assert_dependency_order(plan)
    assert plan.step("sub.inc").upstream == ["inc"]
    assert set(plan.step("total").upstream) == {"inc", "sub.inc", "with_default"}
    assert plan.step("ordered").upstream == ["sub.inc"]


def test_plan_input_kinds():
    plan = build_plan(mixed)
    kinds = {(s.key, i.name): i.kind for s in plan.steps for i in s.inputs}
    assert kinds[("inc", "x")] == "from_output"
    assert kinds[("total", "values")] == "fan_in"
    assert kinds[("with_default", "x")] == "default"
    assert kinds[("dyn_total", "values")] == "collect"
    assert kinds[("ordered", "after")] == "nothing"
    assert plan.step("inc_2").mapped_on.step_key == "emit"


def test_plan_config_input_kind():
    plan = build_plan(mixed, input_values={"inc": {"x": 41}})
    [inp] = plan.step("inc").inputs
    assert inp.kind == "config" and inp.value == 41
    assert plan.step("inc").upstream == []


def test_plan_json_round_trip():
    plan = build_plan(mixed)
    _ = plan.by_key  # cached helpers must not leak into the serialized form
    _ = plan.downstream
    text = plan.model_dump_json()
    data = json.loads(text)
    assert data["job_name"] == "mixed"
    assert "by_key" not in data and "downstream" not in data
    restored = ExecutionPlan.model_validate_json(text)
    assert restored.steps == plan.steps
    assert restored.job_name == plan.job_name
    assert restored.model_dump() == plan.model_dump()
    assert [s.key for s in restored.steps] == [s.key for s in plan.steps]
    assert restored.step("total").inputs[0].sources == plan.step("total").inputs[0].sources


def test_plan_json_round_trip_with_config_values():
    plan = build_plan(mixed, input_values={"inc": {"x": {"nested": [1, 2]}}})
    restored = ExecutionPlan.model_validate_json(plan.model_dump_json())
    assert restored.steps == plan.steps
    assert restored.step("inc").inputs[0].value == {"nested": [1, 2]}


def test_plan_with_selection_records_selected_paths():
    plan = build_plan(mixed, op_selection=["start", "inc"])
    assert [s.key for s in plan.steps] == ["start", "inc"]
    assert plan.selected_paths == ["inc", "start"]
    restored = ExecutionPlan.model_validate_json(plan.model_dump_json())
    assert restored.selected_paths == ["inc", "start"]


def test_unknown_step_lookup_raises():
    plan = build_plan(mixed)
    with pytest.raises(DefinitionError) as exc:
        plan.step("nope")
    assert "nope" in str(exc.value)


def test_ten_thousand_op_chain_plans():
    n = 10_000

    @job
    def chain():
        x = start()
        for i in range(1, n):
            x = inc.alias(f"inc{i}")(x)

    plan = build_plan(chain)
    assert len(plan.steps) == n
    assert plan.steps[0].key == "start"
    assert plan.steps[-1].key == f"inc{n - 1}"
    _assert_dependency_order(plan)
    restored = ExecutionPlan.model_validate_json(plan.model_dump_json())
    assert len(restored.steps) == n
    assert restored.steps[-1].upstream == [f"inc{n - 2}"]


# -- scheduling at scale -----------------------------------------------------------------------

def test_thousand_op_chain_executes():
    n = 1000

    @job
    def chain():
        x = start()
        for _ in range(n - 1):
            x = inc(x)

    result = chain.execute_in_process()
    assert result.success
    assert result.output_for_node(f"inc_{n - 1}") == n - 1
    assert len(result.get_step_success_events()) == n


def test_thousand_way_fan_out_fan_in_executes():
    n = 1000

    @job
    def fan():
        s = start()
        total([inc.alias(f"branch{i}")(s) for i in range(n)])

    result = fan.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == n
    assert len(result.get_step_success_events()) == n + 2


def test_five_hundred_key_dynamic_map_executes():
    n = 500

    @op(out=DynamicOut())
    def many():
        for i in range(n):
            yield DynamicOutput(i, mapping_key=f"k{i}")

    @job
    def dyn():
        total(many().map(inc).collect())

    result = dyn.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == sum(range(1, n + 1))
    mapped = result.output_for_node("inc")
    assert len(mapped) == n and mapped["k0"] == 1 and mapped[f"k{n - 1}"] == n
    starts = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_START]
    assert len(starts) == n + 2
    assert len(set(starts)) == len(starts)


def test_mixed_job_executes():
    result = mixed.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == 1 + 2 + 3
    assert result.output_for_node("dyn_total") == 1 + 2 + 3
    assert result.output_for_node("ordered") == 1
