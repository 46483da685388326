"""Foundation tests for dynamic outputs: DynamicOut, map, collect, mapped step keys."""

from __future__ import annotations

import pytest

from orchestrator import (
    DefinitionError,
    DynamicOut,
    DynamicOutput,
    EventType,
    OrchestratorError,
    graph,
    job,
    op,
)
from orchestrator.plan.planner import build_plan


@op(out=DynamicOut())
def emit():
    for i in range(1, 4):
        yield DynamicOutput(i, mapping_key=f"k{i}")


@op
def process(x: int) -> int:
    return x * 10


@op
def plus_one(x: int) -> int:
    return x + 1


@op
def summarize(values: list[int]) -> int:
    return sum(values)


def test_map_and_collect():
    @job
    def j():
        mapped = emit().map(process)
        summarize(mapped.collect())

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("summarize") == 60
    assert result.output_for_node("process") == {"k1": 10, "k2": 20, "k3": 30}
    assert result.output_for_node("emit") == {"k1": 1, "k2": 2, "k3": 3}


def test_mapped_step_keys():
    @job
    def j():
        summarize(emit().map(process).collect())

    result = j.execute_in_process()
    keys = [e.step_key for e in result.get_step_success_events()]
    assert sorted(keys) == ["emit", "process[k1]", "process[k2]", "process[k3]", "summarize"]
    assert keys[0] == "emit" and keys[-1] == "summarize"
    assert result.is_node_success("process")


def test_collect_preserves_yield_order():
    @op(out=DynamicOut())
    def emit_letters():
        for key in ["c", "a", "b"]:
            yield DynamicOutput(key.upper(), mapping_key=key)

    @op
    def echo(x: str) -> str:
        return x

    @op
    def join(values: list) -> str:
        return "".join(values)

    @job
    def j():
        join(emit_letters().map(echo).collect())

    assert j.execute_in_process().output_for_node("join") == "CAB"


def test_collect_directly_from_dynamic_output():
    @job
    def j():
        summarize(emit().collect())

    assert j.execute_in_process().output_for_node("summarize") == 6


def test_chained_map():
    @job
    def j():
        mapped = emit().map(process).map(plus_one)
        summarize(mapped.collect())

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("plus_one") == {"k1": 11, "k2": 21, "k3": 31}
    assert result.output_for_node("summarize") == 63
    keys = {e.step_key for e in result.get_step_success_events()}
    assert {"plus_one[k1]", "plus_one[k2]", "plus_one[k3]"} <= keys


def test_map_with_lambda_composing_ops():
    @job
    def j():
        mapped = emit().map(lambda x: plus_one(process(x)))
        summarize(mapped.collect())

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("summarize") == 63
    assert result.output_for_node("process") == {"k1": 10, "k2": 20, "k3": 30}


def test_mapped_op_with_unmapped_second_input():
    @op
    def base() -> int:
        return 100

    @op
    def add(x: int, y: int) -> int:
        return x + y

    @job
    def j():
        b = base()
        summarize(emit().map(lambda x: add(x, b)).collect())

    result = j.execute_in_process()
    assert result.output_for_node("add") == {"k1": 101, "k2": 102, "k3": 103}
    assert result.output_for_node("summarize") == 306


def test_zero_dynamic_outputs_collect_gets_empty_list():
    seen = []

    @op(out=DynamicOut())
    def emit_none():
        return
        yield  # pragma: no cover

    @op
    def record(values: list) -> int:
        seen.append(values)
        return len(values)

    @job
    def j():
        record(emit_none().map(process).collect())

    result = j.execute_in_process()
    assert result.success
    assert seen == [[]]
    assert result.output_for_node("record") == 0
    assert result.output_for_node("process") == {}
    assert not any(e.step_key and e.step_key.startswith("process[") for e in result.all_events)


def test_failing_mapped_step_fails_run_and_skips_collect():
    @op
    def fragile(x: int) -> int:
        if x == 2:
            raise ValueError("two is bad")
        return x

    @job
    def j():
        summarize(emit().map(fragile).collect())

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    failures = result.get_step_failure_events()
    assert [e.step_key for e in failures] == ["fragile[k2]"]
    assert failures[0].error.cls_name == "ValueError"
    assert "two is bad" in failures[0].error.message
    assert result.is_node_skipped("summarize")
    assert "summarize" not in {e.step_key for e in result.all_events if e.event_type is EventType.STEP_START}


def test_failing_mapped_step_raise_on_error():
    @op
    def fragile(x: int) -> int:
        raise KeyError("mapped boom")

    @job
    def j():
        summarize(emit().map(fragile).collect())

    with pytest.raises(KeyError, match="mapped boom"):
        j.execute_in_process()


def test_invalid_mapping_key_raises():
    with pytest.raises(OrchestratorError) as exc:
        DynamicOutput(1, mapping_key="not-valid!")
    assert "not-valid!" in str(exc.value)


def test_invalid_mapping_key_inside_op_fails_step():
    @op(out=DynamicOut())
    def bad_emit():
        yield DynamicOutput(1, mapping_key="has space")

    @job
    def j():
        summarize(bad_emit().map(process).collect())

    result = j.execute_in_process(raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "bad_emit"
    assert "has space" in failure.error.message


def test_duplicate_mapping_key_fails_step():
    @op(out=DynamicOut())
    def dup():
        yield DynamicOutput(1, mapping_key="a")
        yield DynamicOutput(2, mapping_key="a")

    @job
    def j():
        summarize(dup().collect())

    result = j.execute_in_process(raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "dup" and "'a'" in failure.error.message


def test_dynamic_output_passed_directly_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            process(emit())

    msg = str(exc.value)
    assert "'process'" in msg
    assert "map" in msg and "collect" in msg


def test_map_on_non_dynamic_output_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            plus_one.alias("p")(process.alias("src")(emit().collect())).map(process)

    assert "not dynamic" in str(exc.value)


def test_dynamic_inside_graph():
    @graph
    def fan():
        return summarize(emit().map(process).collect())

    @job
    def j():
        fan()

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("fan") == 60
    keys = {e.step_key for e in result.get_step_success_events()}
    assert {"fan.emit", "fan.process[k1]", "fan.process[k3]", "fan.summarize"} <= keys
    assert result.output_for_node("fan.process") == {"k1": 10, "k2": 20, "k3": 30}


def test_plan_marks_mapped_steps_as_templates():
    @job
    def j():
        summarize(emit().map(process).collect())

    plan = build_plan(j)
    assert plan.step("process").is_template
    assert plan.step("process").mapped_on.step_key == "emit"
    assert not plan.step("summarize").is_template
    [inp] = plan.step("summarize").inputs
    assert inp.kind == "collect"


def test_context_mapping_key():
    @op
    def which(context, x: int) -> str:
        return context.get_mapping_key()

    @job
    def j():
        emit().map(which)

    result = j.execute_in_process()
    assert result.output_for_node("which") == {"k1": "k1", "k2": "k2", "k3": "k3"}
    starts = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_START]
    assert sorted(starts) == ["emit", "which[k1]", "which[k2]", "which[k3]"]


def test_each_mapped_step_runs_exactly_once():
    calls = []

    @op
    def count(x: int) -> int:
        calls.append(x)
        return x

    @job
    def j():
        emit().map(count)

    result = j.execute_in_process()
    assert result.success
    assert sorted(calls) == [1, 2, 3]
    starts = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_START]
    assert sorted(starts) == ["count[k1]", "count[k2]", "count[k3]", "emit"]
