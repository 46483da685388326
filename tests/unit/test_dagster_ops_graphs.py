"""Ops, graphs and the op context as Dagster documents them: op(None), OpDefinition built directly,
to_job(input_values=) and execute_in_process(input_values=), instance=, DagsterInstance.ephemeral(),
build_op_context(partition_key=, instance=) and the context fields."""

from __future__ import annotations

import pytest

from orchestrator import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DefinitionError,
    GraphDefinition,
    In,
    OpDefinition,
    Out,
    Output,
    asset,
    build_op_context,
    graph,
    job,
    materialize,
    op,
)


def test_op_none_and_op_call_forms_are_the_same() -> None:
    @op(None)
    def a(x: int) -> int:
        return x + 1

    @op()
    def b(x: int) -> int:
        return x + 2

    @op(version="v1", pool="db")
    def c() -> int:
        return 3

    assert a(1) == 2 and b(1) == 3 and c() == 3
    assert c.code_version == "v1" and c.version == "v1" and c.pool == "db"


def _add_one(_context, inputs):
    yield Output(inputs["num"] + 1)


def _returns(context, inputs):
    return inputs["a"] * inputs["b"]


def test_op_definition_built_directly_gets_a_dict_of_inputs() -> None:
    add_one = OpDefinition(name="add_one", ins={"num": In(int)}, outs={"result": Out(int)}, compute_fn=_add_one)
    multiply = OpDefinition(_returns, "multiply", ins={"a": In(int), "b": In(int)})
    assert list(add_one.ins) == ["num"] and list(multiply.outs) == ["result"]
    assert add_one.input_dict["num"].dagster_type is int and add_one.output_defs[0].dagster_type is int

    @op
    def two() -> int:
        return 2

    @job
    def direct():
        multiply(add_one(two()), two())

    result = direct.execute_in_process()
    assert result.output_for_node("add_one") == 3 and result.output_for_node("multiply") == 6
    graph_def = GraphDefinition(name="g", node_defs=[add_one])
    with pytest.raises(DefinitionError, match="not connected"):
        graph_def.to_job().execute_in_process()


@op
def double(x: int) -> int:
    return 2 * x


@graph
def doubling(x):
    double(x)


@graph
def outer(y):
    doubling(y)


def test_to_job_input_values_feed_graph_inputs_at_any_depth() -> None:
    assert doubling.to_job(input_values={"x": 21}).execute_in_process().output_for_node("double") == 42
    nested = outer.to_job(name="nested", input_values={"y": 5})
    assert nested.input_values == {"y": 5}
    assert nested.execute_in_process().output_for_node("doubling.double") == 10
    assert nested.execute_in_process(input_values={"y": 7}).output_for_node("doubling.double") == 14
    assert doubling.execute_in_process(input_values={"x": 3}).output_for_node("double") == 6
    with pytest.raises(DefinitionError, match="not inputs of graph 'doubling'"):
        doubling.to_job(input_values={"z": 1})
    with pytest.raises(Exception, match="expected int"):
        doubling.to_job(input_values={"x": "a"}).execute_in_process()


def test_execute_in_process_records_into_an_ephemeral_instance() -> None:
    instance = DagsterInstance.ephemeral()
    job_def = doubling.to_job(name="doubling_job", input_values={"x": 1})
    result = job_def.execute_in_process(instance=instance)
    run = instance.get_run_by_id(result.run_id)
    assert run is not None and run.is_success and run.job_name == "doubling_job"
    assert instance.has_run(result.run_id) and [r.run_id for r in instance.get_runs()] == [result.run_id]
    logs = instance.all_logs(result.run_id)
    assert [e.event_type for e in logs] == [e.event_type for e in result.all_events]
    assert [e.step_key for e in instance.all_logs(result.run_id, of_type=DagsterEventType.STEP_SUCCESS)] == ["double"]
    assert all(e.dagster_event is e for e in logs if e.is_dagster_event)

    @op
    def sees_instance(context) -> bool:
        return context.instance is instance

    @job
    def sees():
        sees_instance()

    assert sees.execute_in_process(instance=instance).output_for_node("sees_instance") is True
    assert len(instance.get_runs()) == 2


def test_instance_tracks_asset_materializations() -> None:
    @asset
    def numbers():
        return [1, 2, 3]

    instance = DagsterInstance.ephemeral()
    assert instance.get_latest_materialization_event(AssetKey("numbers")) is None
    materialize([numbers], instance=instance)
    event = instance.get_latest_materialization_event(AssetKey("numbers"))
    assert event is not None and event.asset_materialization.asset_key == AssetKey("numbers")
    assert instance.has_asset_key(AssetKey("numbers")) and instance.get_asset_keys() == [AssetKey("numbers")]
    instance.add_dynamic_partitions("regions", ["eu", "us", "eu"])
    assert instance.get_dynamic_partitions("regions") == ["eu", "us"]
    instance.delete_dynamic_partition("regions", "eu")
    assert not instance.has_dynamic_partition("regions", "eu")


def test_context_fields_dagster_has() -> None:
    @op
    def inspect_context(context):
        return {
            "handle": str(context.op_handle), "has_pk": context.has_partition_key,
            "retry": context.retry_number, "job": context.job_name, "op": context.op_def.name,
            "run": context.run.run_id == context.run_id, "tags": context.run.tags.get("team"),
        }

    @graph
    def wrapper():
        inspect_context()

    @job(tags={"team": "data"})
    def context_job():
        wrapper()

    seen = context_job.execute_in_process().output_for_node("wrapper.inspect_context")
    assert seen == {"handle": "wrapper.inspect_context", "has_pk": False, "retry": 0, "job": "context_job",
                    "op": "inspect_context", "run": True, "tags": "data"}


def test_build_op_context_takes_partition_key_and_instance() -> None:
    instance = DagsterInstance.ephemeral()

    @op
    def partitioned(context) -> str:
        assert context.instance is instance
        return context.partition_key

    context = build_op_context(partition_key="2024-01-01", instance=instance)
    assert context.has_partition_key and partitioned(context) == "2024-01-01"
    assert build_op_context().instance is not None  # an ephemeral one when none is given
    assert not build_op_context().has_partition_key
    assert build_op_context({"r": 1}).resources.r == 1  # resources come first, as in Dagster
