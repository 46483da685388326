"""Events and results as Dagster documents them: DagsterEventType, the event accessors,
ExpectationResult, AssetObservation, AssetMaterialization, Output metadata, MetadataValue kinds,
context.log_event and add_output_metadata, and the result accessors."""

from __future__ import annotations

import json

import pytest

from orchestrator import (
    AssetKey,
    AssetMaterialization,
    AssetObservation,
    DagsterEventType,
    EventType,
    ExpectationResult,
    Failure,
    MetadataValue,
    Out,
    Output,
    RunEvent,
    TableColumn,
    TableRecord,
    TableSchema,
    build_op_context,
    job,
    op,
)
from orchestrator.definitions.metadata import decode_metadata, normalize_metadata
from orchestrator.events import jsonable


def test_event_type_has_dagsters_members_and_values() -> None:
    assert DagsterEventType.STEP_SUCCESS.value == "STEP_SUCCESS"
    assert DagsterEventType.RUN_START.value == "PIPELINE_START"
    assert DagsterEventType.PIPELINE_SUCCESS is DagsterEventType.RUN_SUCCESS
    assert DagsterEventType.STEP_RETRY is DagsterEventType.STEP_UP_FOR_RETRY
    assert EventType is DagsterEventType
    assert DagsterEventType.RUN_START.display_name == "RUN_START"
    for name in ("STEP_EXPECTATION_RESULT", "ASSET_OBSERVATION", "ASSET_CHECK_EVALUATION", "HANDLED_OUTPUT",
                 "LOADED_INPUT", "ENGINE_EVENT", "RESOURCE_INIT_FAILURE", "STEP_RESTARTED"):
        assert DagsterEventType[name].value == name


def test_events_stored_before_dagsters_values_still_load() -> None:
    old = RunEvent.model_validate_json(json.dumps({"event_type": "RUN_SUCCESS", "run_id": "r", "job_name": "j"}))
    assert old.event_type is DagsterEventType.RUN_SUCCESS and old.is_job_success
    retry = RunEvent.model_validate_json(json.dumps({"event_type": "STEP_RETRY", "run_id": "r", "job_name": "j"}))
    assert retry.is_step_up_for_retry
    new = RunEvent(event_type=DagsterEventType.RUN_START, run_id="r", job_name="j")
    assert json.loads(new.model_dump_json())["event_type"] == "PIPELINE_START"
    assert str(new) == "RUN_START"


@op
def emit(context) -> Output[int]:
    context.log_event(ExpectationResult(success=True, label="positive", metadata={"n": 5}))
    context.log_event(AssetObservation(asset_key=["raw", "orders"], metadata={"rows": 10}))
    yield AssetMaterialization(asset_key="orders_table", description="stored", metadata={
        "path": MetadataValue.path("/data/orders"), "preview": MetadataValue.md("| a |"),
        "schema": TableSchema(columns=[TableColumn("id", "int")]),
    })
    yield Output(5, metadata={"source": "constant", "count": 1})


@op
def add_one(context, x: int) -> int:
    context.add_output_metadata({"rows": x + 1})
    return x + 1


@job
def events_job():
    add_one(emit())


def test_event_accessors_answer_dagsters_questions() -> None:
    result = events_job.execute_in_process()
    kinds = [e.event_type for e in result.all_events]
    assert kinds[0] == DagsterEventType.RUN_START and kinds[-1] == DagsterEventType.RUN_SUCCESS
    assert [e.step_key for e in result.all_events if e.is_step_success] == ["emit", "add_one"]
    outputs = [e for e in result.all_events if e.is_successful_output]
    assert [e.event_type_value for e in outputs] == ["STEP_OUTPUT", "STEP_OUTPUT"]
    assert not any(e.is_failure for e in result.all_events)
    [mat_event] = result.get_asset_materialization_events()
    assert mat_event.is_step_materialization and mat_event.asset_key == AssetKey("orders_table")
    assert mat_event.materialization.description == "stored"
    assert mat_event.event_specific_data.materialization.asset_key == AssetKey("orders_table")
    assert mat_event.step_materialization_data.materialization.metadata["preview"] == MetadataValue.md("| a |")
    [obs_event] = result.get_asset_observation_events()
    assert obs_event.is_asset_observation and obs_event.asset_key == AssetKey(["raw", "orders"])
    assert {e.step_key for e in result.all_node_events} == {"emit", "add_one"}
    with pytest.raises(AttributeError, match="only set on ASSET_MATERIALIZATION"):
        _ = outputs[0].materialization
    assert result.get_run_success_event().is_job_success


def test_result_accessors_for_materializations_observations_expectations() -> None:
    result = events_job.execute_in_process()
    [expectation] = result.expectation_results_for_node("emit")
    assert expectation == ExpectationResult(True, "positive", metadata={"n": 5})
    assert expectation.metadata["n"] == MetadataValue.int(5)
    [observation] = result.asset_observations_for_node("emit")
    assert observation.metadata["rows"].value == 10
    [mat] = result.asset_materializations_for_node("emit")
    assert mat.metadata["path"] == MetadataValue.path("/data/orders")
    assert mat.metadata["schema"].value.columns[0].type == "int"
    assert result.asset_materializations_for_node("add_one") == []
    assert result.expectation_results_for_node("add_one") == []
    output_meta = [e.data["metadata"] for e in result.events_for_node("add_one") if e.is_successful_output]
    assert output_meta == [{"rows": 6}]
    emit_meta = [e.data["metadata"] for e in result.events_for_node("emit") if e.is_successful_output]
    assert emit_meta == [{"source": "constant", "count": 1}]


def test_log_event_on_a_direct_context_collects_the_events() -> None:
    context = build_op_context()
    assert list(emit(context))[-1] == Output(5, metadata={"source": "constant", "count": 1})
    logged = context.get_events()
    assert [type(e).__name__ for e in logged] == ["ExpectationResult", "AssetObservation"]
    assert [e.event_type for e in context.events] == [DagsterEventType.STEP_EXPECTATION_RESULT,
                                                      DagsterEventType.ASSET_OBSERVATION]
    with pytest.raises(Exception, match="log_event takes"):
        context.log_event("not an event")


def test_metadata_values_normalize_and_round_trip_through_events() -> None:
    raw = {"t": "x", "i": 3, "f": 1.5, "b": True, "j": {"a": [1]}, "n": None, "k": AssetKey("a"),
           "u": MetadataValue.url("http://x"), "ts": MetadataValue.timestamp(1700000000.0),
           "tbl": MetadataValue.table([TableRecord({"id": 1, "ok": True})]),
           "run": MetadataValue.dagster_run("abc"), "job": MetadataValue.job("j"), "fl": MetadataValue.float(2)}
    normal = normalize_metadata(raw)
    assert normal["t"] == MetadataValue.text("x") and normal["i"] == MetadataValue.int(3)
    assert normal["b"] == MetadataValue.bool(True) and normal["j"] == MetadataValue.json({"a": [1]})
    assert normal["n"] == MetadataValue.null() and normal["k"].value == AssetKey("a")
    assert [c.type for c in normal["tbl"].schema.columns] == ["int", "bool"]
    wire = json.loads(json.dumps(jsonable(normal)))
    assert wire["i"] == 3 and wire["t"] == "x"  # plain kinds stay plain for other readers
    assert decode_metadata(wire) == normal
    assert decode_metadata(wire)["fl"].value == 2.0 and isinstance(decode_metadata(wire)["fl"].value, float)
    with pytest.raises(Exception, match="has no metadata kind"):
        normalize_metadata({"x": object()})
    assert normalize_metadata({"x": object()}, allow_invalid=True)["x"].value == "[object] (unserializable)"


def test_failure_metadata_reaches_failure_data() -> None:
    @op
    def fails():
        raise Failure(description="no rows", metadata={"table": MetadataValue.text("orders"), "rows": 0})

    @job
    def failing():
        fails()

    result = failing.execute_in_process(raise_on_error=False)
    data = result.failure_data_for_node("fails")
    assert data.error.cls_name == "Failure" and "no rows" in data.error.message
    assert data.user_failure_data.metadata == {"table": MetadataValue.text("orders"), "rows": MetadataValue.int(0)}
    assert result.get_run_failure_event().is_failure
    assert result.failure_data_for_node("nothing_here") is None


def test_retry_attempts_are_counted() -> None:
    from orchestrator import RetryPolicy

    attempts = {"n": 0}

    @op(retry_policy=RetryPolicy(max_retries=2))
    def flaky():
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise RuntimeError("not yet")
        return 1

    @job
    def retrying():
        flaky()

    result = retrying.execute_in_process()
    assert result.success and result.retry_attempts_for_node("flaky") == 2


def test_multiple_outputs_returned_as_unnamed_outputs_take_their_positions() -> None:
    @op(out={"a": Out(), "b": Out()})
    def two():
        return Output(1), Output("x", metadata={"m": 1})

    @job
    def pair():
        two()

    result = pair.execute_in_process()
    assert (result.output_for_node("two", "a"), result.output_for_node("two", "b")) == (1, "x")
