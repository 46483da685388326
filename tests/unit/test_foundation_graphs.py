"""Foundation tests for graphs: nesting, graph inputs/outputs, programmatic graphs, to_job, fan-in."""

from __future__ import annotations

import pytest

from orchestrator import (
    DefinitionError,
    DependencyDefinition,
    EventType,
    GraphDefinition,
    GraphOut,
    MultiDependencyDefinition,
    NodeInvocation,
    ResourceDefinition,
    graph,
    job,
    op,
)
from orchestrator.plan.planner import build_plan


@op
def return_five() -> int:
    return 5


@op
def return_one() -> int:
    return 1


@op
def add_one(arg: int) -> int:
    return arg + 1


@op
def double(arg: int) -> int:
    return arg * 2


@op
def sum_all(values: list[int]) -> int:
    return sum(values)


# -- nesting ------------------------------------------------------------------------------------

@graph
def inner():
    return add_one(return_five())


@graph
def middle():
    return double(inner())


@graph
def outer():
    return add_one(middle())


def test_nested_graphs_depth_three_step_keys_and_outputs():
    @job
    def j():
        outer()

    result = j.execute_in_process()
    assert result.success
    keys = {e.step_key for e in result.get_step_success_events()}
    assert keys == {
        "outer.middle.inner.return_five",
        "outer.middle.inner.add_one",
        "outer.middle.double",
        "outer.add_one",
    }
    assert result.output_for_node("outer.middle.inner.return_five") == 5
    assert result.output_for_node("outer.middle.inner.add_one") == 6
    assert result.output_for_node("outer.middle.double") == 12
    assert result.output_for_node("outer.add_one") == 13


def test_output_for_node_of_graph_node_follows_output_mapping():
    @job
    def j():
        outer()

    result = j.execute_in_process()
    assert result.output_for_node("outer") == 13
    assert result.output_for_node("outer.middle") == 12
    assert result.output_for_node("outer.middle.inner") == 6
    assert result.is_node_success("outer")
    assert result.is_node_success("outer.middle.inner")


def test_outer_inner_op_path():
    @graph
    def inner_g():
        return add_one(return_five())

    @graph
    def outer_g():
        return inner_g()

    @job
    def j():
        outer_g()

    plan = build_plan(j)
    assert [s.key for s in plan.steps] == ["outer_g.inner_g.return_five", "outer_g.inner_g.add_one"]
    result = j.execute_in_process()
    assert result.output_for_node("outer_g.inner_g.add_one") == 6
    assert result.output_for_node("outer_g") == 6


def test_graph_inputs_passed_through_levels():
    @graph
    def level3(x):
        return add_one(x)

    @graph
    def level2(x):
        return double(level3(x))

    @graph
    def level1(x):
        return level2(x)

    @job
    def j():
        level1(return_five())

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("level1.level2.level3.add_one") == 6
    assert result.output_for_node("level1") == 12
    plan = build_plan(j)
    step = plan.step("level1.level2.level3.add_one")
    assert step.upstream == ["return_five"]


def test_graph_input_from_run_config_when_unconnected():
    @graph
    def g(x):
        return add_one(x)

    @job
    def j():
        g()

    result = j.execute_in_process(run_config={"ops": {"g": {"ops": {"add_one": {"inputs": {"arg": 41}}}}}})
    assert result.output_for_node("g") == 42


def test_graph_with_dict_outputs():
    @graph(out={"a": GraphOut(), "b": GraphOut()})
    def two():
        return {"a": add_one(return_five()), "b": double(return_one())}

    @job
    def j():
        a, b = two()
        sum_all([a, b])

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("two", "a") == 6
    assert result.output_for_node("two", "b") == 2
    assert result.output_for_node("sum_all") == 8


def test_graph_dict_output_mismatch_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @graph(out={"a": GraphOut(), "b": GraphOut()})
        def bad():
            return {"a": return_five()}

    assert "bad" in str(exc.value)


def test_job_body_returning_output_and_output_value():
    @job
    def j():
        return add_one(return_five())

    result = j.execute_in_process()
    assert result.output_value() == 6


def test_graph_to_job_output_value():
    @graph
    def g():
        return double(add_one(return_five()))

    result = g.to_job(name="g_job").execute_in_process()
    assert result.success
    assert result.output_value() == 12
    assert result.output_value("result") == 12


def test_unused_graph_parameter_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @graph
        def g(unused):
            return return_five()

    assert "unused" in str(exc.value)


# -- programmatic graphs ------------------------------------------------------------------------

def test_graph_definition_with_dependencies():
    g = GraphDefinition(
        name="prog",
        node_defs=[return_five, add_one, double],
        dependencies={
            "add_one": {"arg": DependencyDefinition("return_five", "result")},
            "double": {"arg": DependencyDefinition("add_one")},
        },
    )
    result = g.to_job().execute_in_process()
    assert result.success
    assert result.output_for_node("double") == 12
    assert [s.key for s in build_plan(g.to_job()).steps] == ["return_five", "add_one", "double"]


def test_graph_definition_fan_in_and_aliases():
    g = GraphDefinition(
        name="fan",
        node_defs=[return_five, return_one, add_one, sum_all],
        dependencies={
            NodeInvocation("add_one", alias="a1"): {"arg": DependencyDefinition("return_five")},
            NodeInvocation("add_one", alias="a2"): {"arg": DependencyDefinition("a1")},
            "sum_all": {
                "values": MultiDependencyDefinition([
                    DependencyDefinition("return_one"),
                    DependencyDefinition("a1"),
                    DependencyDefinition("a2"),
                ])
            },
        },
    )
    assert set(g.nodes) == {"return_five", "return_one", "a1", "a2", "sum_all"}
    result = g.to_job().execute_in_process()
    assert result.success
    assert result.output_for_node("a1") == 6
    assert result.output_for_node("a2") == 7
    assert result.output_for_node("sum_all") == 1 + 6 + 7


def test_graph_definition_fan_in_order_preserved():
    @op
    def collect(values: list) -> list:
        return values

    @op
    def v(context) -> str:
        return context.step_key

    deps = [DependencyDefinition(n) for n in ["c", "a", "b"]]
    g = GraphDefinition(
        name="ordered",
        node_defs=[v, collect],
        dependencies={
            NodeInvocation("v", alias="a"): {},
            NodeInvocation("v", alias="b"): {},
            NodeInvocation("v", alias="c"): {},
            "collect": {"values": MultiDependencyDefinition(deps)},
        },
    )
    assert g.to_job().execute_in_process().output_for_node("collect") == ["c", "a", "b"]


def test_graph_definition_cycle_is_definition_error_naming_nodes():
    with pytest.raises(DefinitionError) as exc:
        GraphDefinition(
            name="cyclic",
            node_defs=[add_one, double, return_five],
            dependencies={
                "add_one": {"arg": DependencyDefinition("double")},
                "double": {"arg": DependencyDefinition("add_one")},
            },
        )
    msg = str(exc.value)
    assert "cycle" in msg
    assert "add_one" in msg and "double" in msg
    assert "return_five" not in msg


def test_graph_definition_unknown_dependency_node():
    with pytest.raises(DefinitionError) as exc:
        GraphDefinition(
            name="g",
            node_defs=[add_one],
            dependencies={"add_one": {"arg": DependencyDefinition("missing")}},
        )
    assert "missing" in str(exc.value) and "add_one" in str(exc.value)


def test_graph_definition_unknown_input_name():
    with pytest.raises(DefinitionError) as exc:
        GraphDefinition(
            name="g",
            node_defs=[return_five, add_one],
            dependencies={"add_one": {"nope": DependencyDefinition("return_five")}},
        )
    assert "nope" in str(exc.value) and "add_one" in str(exc.value)


def test_graph_definition_duplicate_alias():
    with pytest.raises(DefinitionError) as exc:
        GraphDefinition(
            name="g",
            node_defs=[return_five, add_one],
            dependencies={
                NodeInvocation("add_one", alias="x"): {"arg": DependencyDefinition("return_five")},
                NodeInvocation("return_five", alias="x"): {},
            },
        )
    assert "'x'" in str(exc.value)


# -- to_job -------------------------------------------------------------------------------------

def test_to_job_with_name_resources_tags():
    seen = {}

    @op(required_resource_keys={"greeting"})
    def greet(context) -> str:
        seen["tags"] = context.run_tags
        return context.resources.greeting + "!"

    @graph
    def g():
        greet()

    j = g.to_job(
        name="greeting_job",
        resource_defs={"greeting": ResourceDefinition.hardcoded_resource("hello")},
        tags={"owner": "me"},
    )
    assert j.name == "greeting_job"
    result = j.execute_in_process(tags={"run": "1"})
    assert result.success
    assert result.output_for_node("greet") == "hello!"
    assert seen["tags"]["owner"] == "me"
    assert seen["tags"]["run"] == "1"
    assert all(e.job_name == "greeting_job" for e in result.all_events)


def test_to_job_missing_resource_is_definition_error():
    @op(required_resource_keys={"db"})
    def needs_db(context) -> int:
        return 1

    @graph
    def g():
        needs_db()

    with pytest.raises(DefinitionError) as exc:
        g.to_job()
    msg = str(exc.value)
    assert "'db'" in msg and "needs_db" in msg and "resource_defs" in msg


def test_to_job_config_default():
    @op(config_schema={"n": int})
    def configured(context) -> int:
        return context.op_config["n"]

    @graph
    def g():
        configured()

    j = g.to_job(config={"ops": {"configured": {"config": {"n": 3}}}})
    assert j.execute_in_process().output_for_node("configured") == 3
    overridden = j.execute_in_process(run_config={"ops": {"configured": {"config": {"n": 9}}}})
    assert overridden.output_for_node("configured") == 9


# -- fan-in -------------------------------------------------------------------------------------

def test_fan_in_list_in_job_body():
    @job
    def j():
        sum_all([return_five(), return_one(), add_one(return_one())])

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("sum_all") == 5 + 1 + 2
    plan = build_plan(j)
    [inp] = plan.step("sum_all").inputs
    assert inp.kind == "fan_in"
    assert [r.step_key for r in inp.sources] == ["return_five", "return_one", "add_one"]


def test_fan_in_skips_unyielded_optional_sources():
    from orchestrator import Out, Output

    @op(out={"a": Out(int, is_required=False)})
    def maybe():
        if False:
            yield Output(1, "a")

    @job
    def j():
        sum_all([return_five(), maybe()])

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("sum_all") == 5


def test_fan_in_with_failed_upstream_is_skipped():
    @op
    def boom() -> int:
        raise RuntimeError("boom")

    @job
    def j():
        sum_all([return_five(), boom()])

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert result.is_node_failed("boom")
    # a step downstream of a failed step is SKIPPED (DESIGN §5), never run with partial inputs
    assert result.is_node_skipped("sum_all")
    assert "sum_all" not in {e.step_key for e in result.all_events if e.event_type is EventType.STEP_START}
