"""Dagster-compatibility bugs the docstring writers found (issue 18), each fixed as Dagster behaves:
hook output values and resources, ``dagster_run`` of in-process runs, hashable ``NodeInvocation``,
bare ``List``, ``Optional`` of a type with a loader, graph assets and nested graph config, unknown
keyword arguments, ``SensorResult`` pass-through, the ``materialize`` resource hint, resources
of Dagster types, direct-call type checks, and config schemas checked when an op is defined."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from orchestrator import (
    AssetCheckSpec,
    AssetIn,
    AssetMaterialization,
    AssetOut,
    ConfigError,
    ConfigMapping,
    DagsterInvalidConfigDefinitionError,
    DagsterType,
    DagsterTypeCheckDidNotPass,
    DefinitionError,
    DependencyDefinition,
    DynamicOut,
    DynamicOutput,
    GraphDefinition,
    In,
    List,
    NodeInvocation,
    Nothing,
    Optional,
    Out,
    Output,
    ResourceDefinition,
    SensorResult,
    asset,
    asset_check,
    build_hook_context,
    build_sensor_context,
    check_dagster_type,
    dagster_type_loader,
    graph,
    graph_asset,
    graph_multi_asset,
    job,
    load_assets_from_modules,
    materialize,
    materialize_to_memory,
    multi_asset,
    op,
    resource,
    sensor,
    success_hook,
)

# -- 1. HookContext.op_output_values -------------------------------------------------------------


def test_success_hook_sees_output_values_by_output_name_and_mapping_key() -> None:
    seen: dict[str, Any] = {}

    @success_hook
    def record(context) -> None:
        seen[context.op.name] = context.op_output_values

    @op(out={"total": Out(int), "label": Out(str)})
    def two() -> tuple[int, str]:
        return 3, "three"

    @op(out=DynamicOut(int))
    def fan():
        yield DynamicOutput(1, mapping_key="a")
        yield DynamicOutput(2, mapping_key="b")

    @job(hooks={record})
    def outputs_job():
        two()
        fan()

    assert outputs_job.execute_in_process().success
    assert seen["two"] == {"total": 3, "label": "three"}
    assert seen["fan"] == {"result": {"a": 1, "b": 2}}


# -- 2. build_hook_context builds resource definitions ----------------------------------------------


def test_build_hook_context_builds_resource_definitions_and_tears_them_down() -> None:
    torn_down: list[str] = []

    @resource(config_schema={"channel": str})
    def outbox(init_context):
        yield [init_context.resource_config["channel"]]
        torn_down.append("outbox")

    @success_hook(required_resource_keys={"alerts", "plain"})
    def alert(context) -> None:
        context.resources.alerts.append(f"{context.job_name}: {context.resources.plain}")

    with build_hook_context(resources={"alerts": outbox.configured({"channel": "#data"}), "plain": "x"},
                            job_name="nightly") as context:
        alert(context)
        assert context.resources.alerts == ["#data", "nightly: x"]
        assert torn_down == []
    assert torn_down == ["outbox"]


def test_build_hook_context_takes_dagsters_positional_order() -> None:
    # Dagster: build_hook_context(resources, op, run_id, job_name, op_exception).
    context = build_hook_context(None, None, "r1", "j1", ValueError("boom"))
    assert (context.run_id, context.job_name, str(context.op_exception)) == ("r1", "j1", "boom")


# -- 3. dagster_run of an in-process run ----------------------------------------------------------


def test_dagster_run_of_an_in_process_run_has_its_tags_config_and_lineage() -> None:
    @op(config_schema={"n": int})
    def one(context) -> int:
        return context.op_config["n"]

    @job(tags={"owner": "ops"})
    def tagged():
        one()

    config = {"ops": {"one": {"config": {"n": 1}}}}
    first = tagged.execute_in_process(run_config=config, tags={"team": "x"})
    assert first.dagster_run.tags == {"owner": "ops", "team": "x"}
    assert first.dagster_run.run_config == config
    again = tagged.execute_in_process(run_config=config, parent_run_id=first.run_id, step_selection=["one"])
    assert (again.dagster_run.parent_run_id, again.dagster_run.root_run_id) == (first.run_id, first.run_id)


# -- 4. NodeInvocation is hashable ----------------------------------------------------------------


def test_node_invocation_with_tags_and_hooks_is_a_dependencies_key() -> None:
    fired: list[str] = []

    @success_hook
    def note(context) -> None:
        fired.append(context.op.name)

    @op
    def one() -> int:
        return 1

    @op
    def add_one(x: int) -> int:
        return x + 1

    invocation = NodeInvocation("add_one", alias="tagged", tags={"team": "data"}, hook_defs={note})
    assert hash(invocation) == hash(NodeInvocation("add_one", alias="tagged", tags={"team": "data"}, hook_defs={note}))
    assert isinstance(invocation.hook_defs, frozenset) and dict(invocation.tags) == {"team": "data"}
    built = GraphDefinition(name="tagged_graph", node_defs=[one, add_one], dependencies={
        "one": {}, invocation: {"x": DependencyDefinition("one")}})
    result = built.to_job().execute_in_process()
    assert result.output_for_node("tagged") == 2
    assert fired == ["tagged"]
    assert built.to_job().topology.op("tagged").tags["team"] == "data"


# -- 5. bare List is List[Any] --------------------------------------------------------------------


def test_bare_list_checks_that_the_value_is_a_list() -> None:
    assert check_dagster_type(List, [1, "a"]).success
    assert not check_dagster_type(List, 1).success

    @op(ins={"xs": In(List)})
    def count(xs) -> int:
        return len(xs)

    @op
    def not_a_list() -> int:
        return 1

    @job
    def counting():
        count(not_a_list())

    result = counting.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.failure_error.cls_name == "DagsterTypeCheckDidNotPass"
    assert "input 'xs' (expected List[Any])" in result.failure_error.message


# -- 6. Optional[T] of a type with a loader ----------------------------------------------------------


def test_optional_of_a_type_with_a_loader_takes_the_loaders_config_or_none() -> None:
    @dagster_type_loader(config_schema={"n": int})
    def repeat(_context, config):
        return ["x"] * config["n"]

    xs_type = DagsterType(lambda _, v: isinstance(v, list), name="Xs", loader=repeat)

    @op(ins={"xs": In(Optional[xs_type])})
    def count(xs) -> int:
        return -1 if xs is None else len(xs)

    @job
    def counting():
        count()

    def run(value: Any) -> int:
        return counting.execute_in_process(run_config={"ops": {"count": {"inputs": {"xs": value}}}}).output_for_node("count")

    assert run({"n": 3}) == 3
    assert run(None) == -1
    with pytest.raises(ConfigError) as caught:
        run({"m": 3})
    assert [e.path for e in caught.value.errors] == ["ops.count.inputs.xs.n", "ops.count.inputs.xs"]


# -- 7. graph_asset takes no deps ------------------------------------------------------------------


def test_graph_asset_rejects_deps_and_orders_after_a_nothing_input() -> None:
    order: list[str] = []

    @asset
    def zeta() -> int:
        order.append("zeta")
        return 1

    @op(ins={"start": In(Nothing)})
    def first() -> int:
        order.append("first")
        return 2

    @op
    def second(x: int) -> int:
        order.append("second")
        return x + 1

    with pytest.raises(TypeError, match="unexpected keyword argument 'deps'.*AssetIn\\(dagster_type=Nothing\\)"):
        graph_asset(deps=["zeta"])(lambda: second(first()))

    @graph_asset(ins={"zeta": AssetIn(dagster_type=Nothing)})
    def omega(zeta):
        return second(first(start=zeta))

    result = materialize([omega, zeta])
    assert result.output_for_node("omega") == 3
    assert order == ["zeta", "first", "second"]
    assert omega.asset_deps == {omega.key: {zeta.key}}


# -- 8. a graph's config applies where the graph is a node ---------------------------------------------


@op(config_schema={"n": int})
def make(context) -> int:
    return context.op_config["n"]


def test_a_nested_graphs_dict_config_is_the_default_of_its_ops() -> None:
    @graph(config={"make": {"config": {"n": 5}}})
    def inner():
        return make()

    @job
    def outer():
        inner()

    assert outer.execute_in_process().output_for_node("inner.make") == 5
    override = {"ops": {"inner": {"ops": {"make": {"config": {"n": 7}}}}}}
    assert outer.execute_in_process(run_config=override).output_for_node("inner.make") == 7
    assert inner.to_job().execute_in_process().output_for_node("make") == 5


def test_a_nested_graphs_config_mapping_maps_its_own_config() -> None:
    @graph(config=ConfigMapping(lambda c: {"make": {"config": {"n": c["m"] * 10}}}, config_schema={"m": int}))
    def scaled():
        return make()

    @graph
    def middle():
        scaled()

    @job
    def outer():
        middle()

    config = {"ops": {"middle": {"ops": {"scaled": {"config": {"m": 4}}}}}}
    assert outer.execute_in_process(run_config=config).output_for_node("middle.scaled.make") == 40
    assert scaled.to_job().execute_in_process(run_config={"ops": {"config": {"m": 2}}}).output_for_node("make") == 20
    with pytest.raises(ConfigError) as caught:
        outer.execute_in_process()
    assert [e.path for e in caught.value.errors] == ["ops.middle.ops.scaled.config.m"]
    bypass = {"ops": {"middle": {"ops": {"scaled": {"config": {"m": 1}, "ops": {"make": {"config": {"n": 1}}}}}}}}
    with pytest.raises(ConfigError, match="has a config mapping"):
        outer.execute_in_process(run_config=bypass)


def test_a_graph_assets_config_applies_in_asset_jobs() -> None:
    @op
    def plus_one(x: int) -> int:
        return x + 1

    @graph_asset(config={"make": {"config": {"n": 5}}})
    def configured_asset():
        return plus_one(make())

    assert materialize_to_memory([configured_asset]).output_for_node("configured_asset") == 6


# -- 9. unknown keyword arguments ---------------------------------------------------------------------


def test_unknown_keyword_arguments_are_type_errors_naming_them() -> None:
    @asset
    def upstream() -> int:
        return 1

    cases = {
        "asset_check": lambda: asset_check(asset=upstream, bogus=1),
        "@multi_asset": lambda: multi_asset(outs={"a": AssetOut()}, bogus=1),
        "@graph_asset": lambda: graph_asset(bogus=1),
        "graph_multi_asset": lambda: graph_multi_asset(outs={"a": AssetOut()}, bogus=1),
        "load_assets_from_modules": lambda: load_assets_from_modules([], bogus=1),
        "@asset": lambda: asset(bogus=1),
    }
    for name, call in cases.items():
        with pytest.raises(TypeError, match=f"{name}.*unexpected keyword argument 'bogus'"):
            call()
    # Dagster's scheduling-only arguments are still accepted.
    asset_check(asset=upstream, automation_condition=None, pool="p")
    graph_asset(legacy_freshness_policy=None, automation_condition=None)
    multi_asset(outs={"a": AssetOut()}, pool="p")
    assert load_assets_from_modules([], backfill_policy=None) == []


def test_multi_asset_uses_non_argument_deps_as_deps() -> None:
    @multi_asset(outs={"a": AssetOut()}, non_argument_deps={"zeta"})
    def several():
        return 1

    assert {d.to_user_string() for d in several.asset_deps[several.keys_by_output_name["a"]]} == {"zeta"}


def test_graph_assets_refuse_check_specs_and_run_their_hooks() -> None:
    @op
    def one() -> int:
        return 1

    with pytest.raises(DefinitionError, match="check_specs \\('rows'\\), which @graph_asset does not support"):
        graph_asset(check_specs=[AssetCheckSpec("rows", asset="g")])(lambda: one())
    with pytest.raises(DefinitionError, match="which @graph_multi_asset does not support"):
        graph_multi_asset(outs={"g": AssetOut()}, check_specs=[AssetCheckSpec("rows", asset="g")])(
            lambda: {"g": one()})

    fired: list[str] = []

    @success_hook
    def note(context) -> None:
        fired.append(context.op.name)

    @graph_asset(hooks={note})
    def hooked():
        return one()

    assert materialize_to_memory([hooked]).success
    assert fired == ["one"]


# -- 10. SensorResult's partition requests and asset events ---------------------------------------------


def test_sensor_results_partition_requests_and_asset_events_reach_the_tick_and_the_scheduler() -> None:
    from orchestrator.distributed.scheduler.run_requests import RunRequestError
    from orchestrator.distributed.scheduler.sensors import _evaluate

    @op
    def noop() -> None:
        return None

    @job
    def noop_job():
        noop()

    request = SimpleNamespace(partitions_def_name="regions", partition_keys=["eu"])

    @sensor(job=noop_job)
    def adds_partitions(_context):
        return SensorResult(dynamic_partitions_requests=[request], asset_events=[AssetMaterialization("files")])

    tick = adds_partitions.evaluate_tick(build_sensor_context())
    assert tick.dynamic_partitions_requests == [request]
    assert [e.asset_key.to_user_string() for e in tick.asset_events] == ["files"]

    env = SimpleNamespace(view=None, location=SimpleNamespace(repository=None), resources_for=lambda keys: {})
    state = SimpleNamespace(cursor=None, last_run_key=None, last_tick_end=None, started_at=None)
    with pytest.raises(RunRequestError, match="'adds_partitions' returned dynamic_partitions_requests"):
        _evaluate(env, adds_partitions, state)  # type: ignore[arg-type]


# -- 11. materialize names its own parameter ---------------------------------------------------------------


def test_materialize_missing_io_manager_names_resources() -> None:
    @asset(io_manager_key="warehouse")
    def stored() -> int:
        return 1

    with pytest.raises(DefinitionError, match=r"Add resources=\{'warehouse': \.\.\.\} to the materialize\(\) call"):
        materialize([stored])
    with pytest.raises(DefinitionError, match=r"to the materialize_to_memory\(\) call"):
        materialize_to_memory([stored])


# -- 12. resources of Dagster types and their loaders ------------------------------------------------------


def test_steps_get_the_resources_their_types_and_loaders_declare() -> None:
    @dagster_type_loader(config_schema={"n": int}, required_resource_keys={"source"})
    def from_source(context, config):
        return [context.resources.source] * config["n"]

    checked_type = DagsterType(lambda context, v: context.resources.checker(v), name="Checked",
                               loader=from_source, required_resource_keys={"checker"})

    @op(ins={"xs": In(checked_type)}, out=Out(checked_type))
    def passthrough(xs):
        return xs

    resources = {"source": ResourceDefinition.hardcoded_resource("a"),
                 "checker": ResourceDefinition.hardcoded_resource(lambda v: isinstance(v, list))}

    @job(resource_defs=resources)
    def typed():
        passthrough()

    result = typed.execute_in_process(run_config={"ops": {"passthrough": {"inputs": {"xs": {"n": 2}}}}})
    assert result.output_for_node("passthrough") == ["a", "a"]
    with pytest.raises(DefinitionError, match="needs resource 'checker' \\(Dagster type of input 'xs'\\)"):
        @job
        def untyped():
            passthrough()


# -- 13. calling an op directly type-checks like a run -----------------------------------------------------


def test_direct_calls_check_inputs_and_outputs_with_dagsters_error() -> None:
    @op
    def wrong() -> int:
        return "a"  # type: ignore[return-value]

    @op
    def plus_one(x: int) -> int:
        return x + 1

    @op(out={"n": Out(int), "s": Out(str)})
    def pair():
        return 1, 2

    @op(out={"n": Out(int)})
    def yields_wrong():
        yield Output("x", "n")

    with pytest.raises(DagsterTypeCheckDidNotPass, match="op 'wrong' output 'result' \\(expected int\\)"):
        wrong()
    with pytest.raises(DagsterTypeCheckDidNotPass, match="op 'plus_one' input 'x' \\(expected int\\)"):
        plus_one("1")
    with pytest.raises(DagsterTypeCheckDidNotPass, match="op 'pair' output 's'"):
        pair()
    with pytest.raises(DagsterTypeCheckDidNotPass, match="op 'yields_wrong' output 'n'"):
        list(yields_wrong())
    assert plus_one(1) == 2


# -- 14. config schemas are checked when the op is defined ----------------------------------------------------


def test_an_invalid_config_schema_fails_when_the_op_is_defined() -> None:
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="config_schema of op 'broken' is invalid"):
        @op(config_schema={"n": object()})
        def broken(context) -> None:
            return None

    with pytest.raises(DagsterInvalidConfigDefinitionError, match="config_schema of resource 'bad_store'"):
        @resource(config_schema={"url": "str"})
        def bad_store(_context) -> None:
            return None
