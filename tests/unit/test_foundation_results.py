"""Foundation tests for execute_in_process and ExecuteInProcessResult."""

from __future__ import annotations

import pytest

from orchestrator import (
    DefinitionError,
    ErrorInfo,
    EventType,
    ExecuteInProcessResult,
    OrchestratorError,
    RunEvent,
    job,
    op,
)


class Boom(Exception):
    pass


@op
def return_five() -> int:
    return 5


@op
def add_one(arg: int) -> int:
    return arg + 1


@op
def add_two(arg: int) -> int:
    return arg + 2


@op
def boom(arg: int) -> int:
    raise Boom(f"boom on {arg}")


@job
def linear():
    add_two(add_one(return_five()))


@job
def with_failure():
    five = return_five()
    add_two(boom(five))
    add_one(five)


def test_success_and_outputs():
    result = linear.execute_in_process()
    assert isinstance(result, ExecuteInProcessResult)
    assert result.success is True
    assert result.output_for_node("return_five") == 5
    assert result.output_for_node("add_one") == 6
    assert result.output_for_node("add_two") == 8
    assert result.is_node_success("add_two")
    assert not result.is_node_failed("add_two")
    assert not result.is_node_skipped("add_two")


def test_given_run_id_is_used():
    seen = []

    @op
    def rid(context) -> str:
        seen.append(context.run_id)
        return context.run_id

    @job
    def j():
        rid()

    result = j.execute_in_process(run_id="my-run-123")
    assert result.run_id == "my-run-123"
    assert seen == ["my-run-123"]
    assert all(e.run_id == "my-run-123" for e in result.all_events)


def test_generated_run_ids_differ():
    a = linear.execute_in_process()
    b = linear.execute_in_process()
    assert a.run_id and b.run_id and a.run_id != b.run_id


def test_run_tags_reach_context():
    seen = {}

    @op
    def tagged(context) -> int:
        seen.update(context.run_tags)
        return 1

    @job(tags={"job_tag": "j"})
    def j():
        tagged()

    j.execute_in_process(tags={"run_tag": "r"})
    assert seen["job_tag"] == "j"
    assert seen["run_tag"] == "r"


def test_all_events_ordered_and_well_formed():
    result = linear.execute_in_process()
    events = result.all_events
    assert all(isinstance(e, RunEvent) for e in events)
    assert all(isinstance(e.event_type, EventType) for e in events)
    assert events[0].event_type is EventType.RUN_START
    assert events[-1].event_type is EventType.RUN_SUCCESS
    assert events[0].step_key is None and events[-1].step_key is None
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)
    assert all(isinstance(e.message, str) and e.message for e in events)
    step_events = [(e.event_type, e.step_key) for e in events
                   if e.event_type in (EventType.STEP_START, EventType.STEP_SUCCESS)]
    assert step_events == [
        (EventType.STEP_START, "return_five"), (EventType.STEP_SUCCESS, "return_five"),
        (EventType.STEP_START, "add_one"), (EventType.STEP_SUCCESS, "add_one"),
        (EventType.STEP_START, "add_two"), (EventType.STEP_SUCCESS, "add_two"),
    ]
    # every step's output is recorded between its start and its success
    for key in ["return_five", "add_one", "add_two"]:
        kinds = [e.event_type for e in events if e.step_key == key]
        assert kinds == [EventType.STEP_START, EventType.STEP_OUTPUT, EventType.STEP_SUCCESS]


def test_step_success_events():
    result = linear.execute_in_process()
    assert [e.step_key for e in result.get_step_success_events()] == ["return_five", "add_one", "add_two"]
    assert result.get_step_failure_events() == []


def test_raise_on_error_propagates_op_exception_type():
    with pytest.raises(Boom, match="boom on 5"):
        with_failure.execute_in_process()


def test_raise_on_error_false_reports_failure():
    result = with_failure.execute_in_process(raise_on_error=False)
    assert result.success is False
    failures = result.get_step_failure_events()
    assert [e.step_key for e in failures] == ["boom"]
    error = failures[0].error
    assert isinstance(error, ErrorInfo)
    assert error.cls_name == "Boom"
    assert error.message == "boom on 5"
    assert "Traceback" in error.traceback
    assert "raise Boom" in error.traceback
    assert "boom" in failures[0].message
    assert result.all_events[-1].event_type is EventType.RUN_FAILURE
    assert not any(e.event_type is EventType.RUN_SUCCESS for e in result.all_events)


def test_failure_skips_downstream_but_runs_independent_branch():
    result = with_failure.execute_in_process(raise_on_error=False)
    assert result.is_node_failed("boom")
    assert result.is_node_skipped("add_two")
    skipped = [e for e in result.all_events if e.event_type is EventType.STEP_SKIPPED]
    assert [e.step_key for e in skipped] == ["add_two"]
    assert "boom" in skipped[0].message
    # independent branch still ran
    assert result.is_node_success("add_one")
    assert result.output_for_node("add_one") == 6
    assert "add_two" not in {e.step_key for e in result.all_events if e.event_type is EventType.STEP_START}


def test_output_for_node_of_failed_or_skipped_node_raises():
    result = with_failure.execute_in_process(raise_on_error=False)
    with pytest.raises(OrchestratorError) as exc:
        result.output_for_node("add_two")
    assert "add_two" in str(exc.value)


def test_output_for_unknown_node_raises():
    result = linear.execute_in_process()
    with pytest.raises(OrchestratorError) as exc:
        result.output_for_node("nope")
    assert "nope" in str(exc.value)


def test_output_value_for_job_without_outputs_raises():
    result = linear.execute_in_process()
    with pytest.raises(OrchestratorError):
        result.output_value()


def test_output_value_of_job_output():
    @job
    def j():
        return add_two(return_five())

    assert j.execute_in_process().output_value() == 7


def test_log_events():
    @op
    def chatty(context) -> int:
        context.log.info("x")
        context.log.warning("careful %s", "now")
        return 1

    @job
    def j():
        chatty()

    result = j.execute_in_process()
    logs = [e for e in result.all_events if e.event_type is EventType.LOG]
    assert [(e.message, e.step_key) for e in logs] == [("x", "chatty"), ("careful now", "chatty")]
    assert logs[0].data.get("level") == "INFO"
    assert logs[1].data.get("level") == "WARNING"
    # the logs are between the step's start and success
    idx = {id(e): i for i, e in enumerate(result.all_events)}
    start = next(e for e in result.all_events if e.event_type is EventType.STEP_START)
    success = next(e for e in result.all_events if e.event_type is EventType.STEP_SUCCESS)
    assert idx[id(start)] < idx[id(logs[0])] < idx[id(success)]


# -- op selection -------------------------------------------------------------------------------

def _started(result):
    return {e.step_key for e in result.all_events if e.event_type is EventType.STEP_START}


def test_op_selection_with_upstream_star():
    result = linear.execute_in_process(op_selection=["*add_one"])
    assert result.success
    assert _started(result) == {"return_five", "add_one"}
    assert result.output_for_node("add_one") == 6


def test_op_selection_downstream_plus():
    result = linear.execute_in_process(op_selection=["return_five+"])
    assert result.success
    assert _started(result) == {"return_five", "add_one"}


def test_op_selection_downstream_star():
    result = linear.execute_in_process(op_selection=["return_five*"])
    assert _started(result) == {"return_five", "add_one", "add_two"}


def test_op_selection_string_form():
    result = linear.execute_in_process(op_selection="*add_one")
    assert _started(result) == {"return_five", "add_one"}


def test_op_selection_single_op_without_upstream_config_raises():
    with pytest.raises(DefinitionError) as exc:
        linear.execute_in_process(op_selection=["add_one"])
    msg = str(exc.value)
    assert "add_one" in msg and "return_five" in msg and "inputs.arg" in msg


def test_op_selection_single_op_with_input_config_runs():
    result = linear.execute_in_process(
        op_selection=["add_one"], run_config={"ops": {"add_one": {"inputs": {"arg": 5}}}}
    )
    assert result.success
    assert _started(result) == {"add_one"}
    assert result.output_for_node("add_one") == 6


def test_op_selection_unknown_op_raises():
    with pytest.raises(DefinitionError) as exc:
        linear.execute_in_process(op_selection=["nope"])
    assert "nope" in str(exc.value)


def test_events_for_failure_of_each_run_are_separate():
    r1 = with_failure.execute_in_process(raise_on_error=False)
    r2 = linear.execute_in_process()
    assert r1.run_id != r2.run_id
    assert not any(e.run_id == r1.run_id for e in r2.all_events)
