"""Nested dynamic mapping: an op mapped over the dynamic output of a mapped op, and collects per level.

Dagster itself (1.12) refuses this wiring ("cannot be downstream of more than one dynamic output",
dagster-io/dagster#4364); here it is an extension with Dagster's key shape kept: a nested mapped
step is ``op[a,k]`` (every level's mapping key, outermost first, in one bracket), so a step key is
still ``<op path>[<mapping key>]`` and ``context.get_mapping_key()`` is ``"a,k"``. The table in
``tests/scheduling_scenarios.py`` holds the nested scheduling outcomes; these tests hold the
wiring rules, the step keys and what ops and IO managers see.
"""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator import (
    DefinitionError,
    DynamicOut,
    DynamicOutput,
    IOManager,
    OpExecutionContext,
    graph,
    io_manager,
    job,
    op,
)
from orchestrator.distributed.reexecute import steps_to_rerun
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import InMemoryState, Scheduler, StepUpdate, collect_source, mapped_step
from orchestrator.plan.planner import OutputRef, build_plan, mapped_key, parse_step_key, step_key_at, widen_dynamic
from orchestrator.status import StepStatus
from tests.scheduling_scenarios import SCENARIOS_BY_NAME, sched_nested_dynamic, sched_nested_dynamic_outer_value_inside


@op(out=DynamicOut())
def outer():
    yield DynamicOutput(2, mapping_key="a")
    yield DynamicOutput(1, mapping_key="b")


@op(out=DynamicOut())
def inner(x):
    for i in range(x):
        yield DynamicOutput(10 * x + i, mapping_key=f"k{i}")


@op(out=DynamicOut())
def other_dynamic():
    yield DynamicOutput(1, mapping_key="z")


@op
def work(context: OpExecutionContext, y):
    return (context.get_mapping_key(), y)


@op
def add(x, y):
    return x + y


@op
def per_outer(ys: list):
    return ys


@op
def total(xs: list):
    return xs


@job
def nested():
    def for_each(x):
        return per_outer(inner(x).map(work).collect())

    total(outer().map(for_each).collect())


# -- the topology: each op's chain of dynamic sources ---------------------------------------------
def test_each_op_knows_its_chain_of_dynamic_sources_outermost_first() -> None:
    topo = nested.topology
    chains = {path: [f"{s.path}.{s.output}" for s in flat.dynamic_chain] for path, flat in topo.ops.items()}
    assert chains == {"outer": [], "inner": ["outer.result"], "work": ["outer.result", "inner.result"],
                      "per_outer": ["outer.result"], "total": []}
    assert topo.op("work").mapped_on is not None and topo.op("work").mapped_on.path == "inner"


def test_inputs_mapped_over_two_unrelated_dynamic_outputs_are_refused() -> None:
    # Dagster's test_multi_direct: a cross product of two dynamic outputs is not nesting.
    with pytest.raises(DefinitionError, match=r"Op 'add' takes inputs mapped over two different dynamic outputs "
                                              r"\(outer.result and other_dynamic.result\)"):
        @job
        def _cross():
            def for_each(x):
                other_dynamic().map(lambda y: add(x, y))

            outer().map(for_each)


def test_inputs_from_two_different_inner_levels_are_refused() -> None:
    with pytest.raises(DefinitionError, match=r"two different dynamic outputs \(inner.result and inner_2.result\)"):
        @job
        def _two_inner():
            def for_each(x):
                first = inner(x)
                second = inner(x)
                first.map(lambda y: second.map(lambda z: add(y, z)))

            outer().map(for_each)


def test_a_mapped_op_cannot_collect_its_own_level() -> None:
    # Dagster's test_collect_and_dep, one level down: add runs per inner element and collects inner.
    with pytest.raises(DefinitionError, match=r"Op 'add' both runs once per dynamic element \(of inner.result\) "
                                              r"and collects a dynamic output \(input 'y' gathers inner.result\)"):
        @job
        def _bad():
            def for_each(x):
                values = inner(x)
                values.map(lambda v: add(v, values.collect()))

            outer().map(for_each)


def test_collecting_the_result_of_a_nested_map_outside_it_is_refused() -> None:
    """Which level a collect outside both maps gathers would be a guess: the body must say it."""
    with pytest.raises(DefinitionError, match=r"collect\(\) was called on 'work.result', the result of a map\(\) "
                                              r"whose function returns a dynamic output itself"):
        @job
        def _outside():
            total(outer().map(lambda x: inner(x).map(work)).collect())

    with pytest.raises(DefinitionError, match="Collect the inner level inside the mapped function"):
        @job
        def _dynamic_out_collected():  # Dagster's test_direct_dep: echo(dynamic_op().map(dynamic_add).collect())
            total(outer().map(inner).collect())

    with pytest.raises(DefinitionError, match="whose function returns a dynamic output itself"):
        @job
        def _chained():
            total(outer().map(inner).map(work).collect())


def test_a_mapped_op_with_a_dynamic_out_nothing_maps_over_runs() -> None:
    # Dagster's _is_fine_2 (test_direct_dep): dynamic_op().map(dynamic_add) is a valid job.
    @job
    def fine():
        outer().map(inner)

    result = fine.execute_in_process()
    assert result.success
    assert result.output_for_node("inner") == {"a,k0": 20, "a,k1": 21, "b,k0": 10}


def test_chained_map_over_a_nested_result_maps_the_inner_level() -> None:
    @job
    def chained():
        outer().map(inner).map(work)

    result = chained.execute_in_process()
    assert result.success
    assert result.output_for_node("work") == {"a,k0": ("a,k0", 20), "a,k1": ("a,k1", 21), "b,k0": ("b,k0", 10)}


def test_the_inner_map_may_live_in_a_graph() -> None:
    # Dagster's test_multi_composite_in_3 wiring (refused there): the inner map inside a graph.
    @graph
    def composed(x):
        return per_outer(inner(x).map(work).collect())

    @job
    def with_graph():
        total(outer().map(composed).collect())

    result = with_graph.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == [[("a,k0", 20), ("a,k1", 21)], [("b,k0", 10)]]
    keys = {e.step_key for e in result.get_step_success_events()}
    assert {"composed.inner[a]", "composed.work[a,k1]", "composed.per_outer[b]"} <= keys


# -- the plan: templates per level, keys, rebuilt steps ------------------------------------------
def test_step_key_helpers() -> None:
    assert step_key_at("work", 2, []) == "work"
    assert step_key_at("work", 2, ["a"]) == "work[a,?]"
    assert step_key_at("work", 2, ["a", "k0"]) == "work[a,k0]"
    assert step_key_at("per_outer", 1, ["a", "k0"]) == "per_outer[a]"  # keys beyond its depth: ignored
    assert step_key_at("total", 0, ["a"]) == "total"
    assert parse_step_key("work[a,?]") == ("work", ["a", "?"])
    assert parse_step_key("g.work[a,k0]") == ("g.work", ["a", "k0"])
    assert parse_step_key("total") == ("total", [])
    assert mapped_key("double", "k1") == "double[k1]"
    assert mapped_key("work[a,?]", "k1") == "work[a,k1]"


def test_the_plan_marks_templates_per_level() -> None:
    plan = build_plan(nested)
    work_step = plan.step("work")
    assert work_step.is_template and work_step.depth == 2
    assert [r.id for r in work_step.map_levels] == ["outer.result", "inner.result"]
    assert [s.key for s in plan.templates_by_source["outer.result"]] == ["inner", "work", "per_outer"]
    assert [s.key for s in plan.templates_by_source["inner.result"]] == ["work"]
    assert not plan.step("total").is_template and plan.depth_of["total"] == 0


def test_mapped_step_rebuilds_nested_steps_from_the_plan_alone() -> None:
    plan = build_plan(sched_nested_dynamic_outer_value_inside)
    step = mapped_step(plan, "add[a,k1]")
    assert step is not None
    assert step.mapping_key == "a,k1" and step.resolved_keys == ["a", "k1"]
    assert sorted(step.upstream) == ["emit_inner[a]", "emit_outer"]
    assert sorted(r.id for inp in step.inputs for r in inp.sources) == ["emit_inner[a].result[k1]",
                                                                      "emit_outer.result[a]"]
    collect = mapped_step(plan, "per_outer[b]")
    assert collect is not None and collect.mapping_key == "b"
    (collected,) = collect.inputs
    assert collected.kind == "collect" and [r.step_key for r in collected.sources] == ["add[b,?]"]
    assert collect_source(plan, collected.sources[0]) == (OutputRef(step_key="emit_inner[b]"), True)
    # Templates and keys of the wrong depth are not steps that run.
    assert mapped_step(plan, "add[a,?]") is None
    assert mapped_step(plan, "add[a]") is None
    assert mapped_step(plan, "per_outer[a,k0]") is None
    assert mapped_step(plan, "add") is None


def test_the_store_counts_nested_levels_with_new_steps_and_resolved_templates() -> None:
    """The update a store gets: templates of an outer element are new steps that wait on
    themselves, and resolve (with their per-element collectors) when the inner source finishes."""
    plan = build_plan(sched_nested_dynamic)
    state = InMemoryState(plan)
    updates: list[StepUpdate] = []
    original = state.apply

    def apply(update: StepUpdate):
        updates.append(update)
        return original(update)

    state.apply = apply  # type: ignore[method-assign]
    scheduler = Scheduler(plan, state, Lifecycle("run", plan.job_name))
    scheduler.start()
    outer_done = scheduler.complete("emit_outer", StepStatus.SUCCESS,
                                    [OutputRef(step_key="emit_outer", mapping_key=k) for k in ("a", "b")])
    assert [s.key for s in outer_done.to_run] == ["emit_inner[a]", "emit_inner[b]"]
    update = updates[-1]
    new = {n.key: n.upstream for n in update.new_steps}
    assert new["double[a,?]"] == ("double[a,?]",)  # no count releases a template
    assert new["per_outer[a]"] == ("double[a,?]",)
    resolved = {t.key: (t.status, t.collectors, t.instances) for t in update.templates}
    assert resolved["double"] == (StepStatus.SUCCESS, (), ("double[a,?]", "double[b,?]"))
    assert resolved["per_outer"] == (StepStatus.SUCCESS, ("total",), ("per_outer[a]", "per_outer[b]"))
    inner_done = scheduler.complete("emit_inner[a]", StepStatus.SUCCESS,
                                    [OutputRef(step_key="emit_inner[a]", mapping_key=k) for k in ("k0", "k1")])
    assert [s.key for s in inner_done.to_run] == ["double[a,k0]", "double[a,k1]"]
    (template,) = updates[-1].templates
    assert (template.key, template.collectors, template.instances) == (
        "double[a,?]", ("per_outer[a]",), ("double[a,k0]", "double[a,k1]"))
    assert state.pending["per_outer[a]"] == 2
    scheduler.complete("double[a,k0]", StepStatus.SUCCESS, [OutputRef(step_key="double[a,k0]")])
    last = scheduler.complete("double[a,k1]", StepStatus.SUCCESS, [OutputRef(step_key="double[a,k1]")])
    (collect,) = last.to_run
    assert collect.key == "per_outer[a]"
    assert [r.id for r in collect.inputs[0].sources] == ["double[a,k0].result", "double[a,k1].result"]


# -- running: values, mapping keys, IO managers ---------------------------------------------------
def test_nested_run_gives_each_step_its_joined_mapping_key() -> None:
    seen: list[tuple[str, list[str]]] = []

    class Recording(IOManager):
        def __init__(self) -> None:
            self.values: dict[tuple[str, ...], Any] = {}

        def handle_output(self, context, obj) -> None:
            self.values[tuple(context.get_identifier())] = obj

        def load_input(self, context):
            identifier = context.upstream_output.get_identifier()
            seen.append((context.step_key, identifier[1:]))
            return self.values[tuple(identifier)]

    manager = Recording()

    @io_manager
    def recording(_init_context):
        return manager

    result = nested.execute_in_process(resources={"io_manager": recording})
    assert result.success
    loads = {step: ident for step, ident in seen if step.startswith("work")}  # before reading results back
    collected = sorted(ident[0] for step, ident in seen if step == "per_outer[a]")
    assert result.output_for_node("total") == [[("a,k0", 20), ("a,k1", 21)], [("b,k0", 10)]]
    assert result.output_for_node("work") == {"a,k0": ("a,k0", 20), "a,k1": ("a,k1", 21), "b,k0": ("b,k0", 10)}
    assert result.output_for_node("inner") == {"a,k0": 20, "a,k1": 21, "b,k0": 10}
    assert result.output_for_node("per_outer") == {"a": [("a,k0", 20), ("a,k1", 21)], "b": [("b,k0", 10)]}
    assert loads == {"work[a,k0]": ["inner[a]", "result", "k0"], "work[a,k1]": ["inner[a]", "result", "k1"],
                     "work[b,k0]": ["inner[b]", "result", "k0"]}
    assert collected == ["work[a,k0]", "work[a,k1]"]


def test_the_outer_element_reaches_the_inner_map() -> None:
    result = sched_nested_dynamic_outer_value_inside.execute_in_process()
    assert result.success
    # per_outer[a] = (0 + 2) + (1 + 2), per_outer[b] = 0 + 1
    assert result.output_for_node("per_outer") == {"a": 5, "b": 1}
    assert result.output_for_node("total") == 6


def test_three_levels_deep() -> None:
    @op(out=DynamicOut())
    def start():
        yield from (DynamicOutput(None, mapping_key=k) for k in ("i0", "i1"))

    @op(out=DynamicOut())
    def level(_x):
        yield from (DynamicOutput(None, mapping_key=k) for k in ("i0", "i1"))

    @op
    def leaf(context: OpExecutionContext, _x):
        return context.get_mapping_key()

    @op
    def gather(values: list):
        return values

    @job
    def three():
        def second(x):
            return gather.alias("per_second")(level.alias("third")(x).map(leaf).collect())

        def first(x):
            return gather.alias("per_first")(level.alias("second")(x).map(second).collect())

        gather.alias("all")(start().map(first).collect())

    result = three.execute_in_process()
    assert result.success
    ks = ("i0", "i1")
    assert result.output_for_node("all") == [[[f"{a},{b},{c}" for c in ks] for b in ks] for a in ks]
    assert mapped_step(build_plan(three), "leaf[i1,i0,i1]") is not None
    skipped_or_done = {e.step_key for e in result.get_step_success_events()}
    assert {"leaf[i1,i0,i1]", "per_second[i1,i0]", "per_first[i1]", "third[i1,i0]"} <= skipped_or_done


# -- selection and re-execution ---------------------------------------------------------------------
def test_selecting_a_nested_mapped_op_without_its_source_names_the_fix() -> None:
    with pytest.raises(DefinitionError, match=r"Op 'inner' of job 'nested' is selected but runs once per element of "
                                              r"dynamic output 'result' of 'outer', which is not selected. "
                                              r"Select 'outer' too"):
        build_plan(nested, op_selection=["inner", "work", "per_outer"], parent_run_id="parent")
    # Re-executing part of a nested group in process widens it to the whole group, as on workers.
    rerun = nested.execute_in_process(parent_run_id="parent", step_selection=["work[a,k1]"])
    assert rerun.success
    ran = {e.step_key for e in rerun.get_step_success_events()}
    assert {"outer", "inner[a]", "work[a,k1]", "per_outer[a]"} <= ran and "total" not in ran


def test_reexecution_widens_to_the_whole_nested_group() -> None:
    plan = build_plan(nested)
    assert widen_dynamic(plan, {"work"}) == {"outer", "inner", "work", "per_outer"}
    assert widen_dynamic(plan, {"per_outer"}) == {"outer", "inner", "work", "per_outer"}
    scenario = SCENARIOS_BY_NAME["nested_dynamic_inner_element_fails"]
    statuses = {key: StepStatus.SUCCESS if outcome == "success" else
                StepStatus.FAILURE if outcome == "failure" else StepStatus.ABANDONED
                for key, outcome in scenario.expected.items()}
    statuses.update({"emit_inner": StepStatus.SUCCESS, "fail_on_one": StepStatus.SUCCESS,
                     "per_outer": StepStatus.SUCCESS, "fail_on_one[a,?]": StepStatus.SUCCESS,
                     "fail_on_one[b,?]": StepStatus.SUCCESS})
    plan = build_plan(scenario.job)
    assert steps_to_rerun(plan, statuses) == {"emit_outer", "emit_inner", "fail_on_one", "per_outer", "total"}
