"""Foundation tests for run-time type checks driven by annotations."""

from __future__ import annotations

import pytest

from orchestrator import EventType, In, OrchestratorError, Out, TypeCheckError, job, op


@op
def return_str() -> str:
    return "five"


@op
def add_one(arg: int) -> int:
    return arg + 1


@op
def bad_return() -> int:
    return "not an int"  # type: ignore[return-value]


def test_wrong_input_type_raises_type_check_error():
    @job
    def j():
        add_one(return_str())

    with pytest.raises(TypeCheckError) as exc:
        j.execute_in_process()
    msg = str(exc.value)
    assert "add_one" in msg
    assert "input 'arg'" in msg
    assert "expected int" in msg
    assert "str" in msg and "'five'" in msg


def test_wrong_input_type_without_raise():
    @job
    def j():
        add_one(return_str())

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "add_one"
    assert failure.error.cls_name == "DagsterTypeCheckDidNotPass"  # Dagster's TypeCheckError subclass
    assert "input 'arg'" in failure.error.message and "expected int" in failure.error.message
    assert result.is_node_failed("add_one")
    assert result.is_node_success("return_str")


def test_wrong_return_type_raises_type_check_error():
    @job
    def j():
        bad_return()

    with pytest.raises(TypeCheckError) as exc:
        j.execute_in_process()
    msg = str(exc.value)
    assert "bad_return" in msg
    assert "output 'result'" in msg
    assert "expected int" in msg
    assert "str" in msg


def test_wrong_return_type_without_raise_skips_downstream():
    @job
    def j():
        add_one(bad_return())

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "bad_return"
    assert failure.error.cls_name == "DagsterTypeCheckDidNotPass"  # Dagster's TypeCheckError subclass
    assert result.is_node_skipped("add_one")
    # nothing was stored for the bad output
    assert not [e for e in result.all_events if e.event_type is EventType.STEP_OUTPUT and e.step_key == "bad_return"]


def test_type_check_error_is_orchestrator_error():
    assert issubclass(TypeCheckError, OrchestratorError)


def test_list_element_type_checked():
    @op
    def mixed() -> list:
        return [1, "2", 3]

    @op
    def total(values: list[int]) -> int:
        return sum(values)

    @job
    def j():
        total(mixed())

    result = j.execute_in_process(raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "total"
    assert failure.error.cls_name == "DagsterTypeCheckDidNotPass"  # Dagster's TypeCheckError subclass
    assert "list[int]" in failure.error.message


def test_list_element_type_ok():
    @op
    def nums() -> list[int]:
        return [1, 2, 3]

    @op
    def total(values: list[int]) -> int:
        return sum(values)

    @job
    def j():
        total(nums())

    assert j.execute_in_process().output_for_node("total") == 6


def test_list_return_element_type_checked():
    @op
    def nums() -> list[int]:
        return [1, 2.5]  # type: ignore[list-item]

    @job
    def j():
        nums()

    with pytest.raises(TypeCheckError) as exc:
        j.execute_in_process()
    assert "nums" in str(exc.value) and "output 'result'" in str(exc.value)


def test_optional_and_union_annotations():
    @op
    def none_value() -> int | None:
        return None

    @op
    def accept(x: int | None) -> str:
        return repr(x)

    @job
    def j():
        accept(none_value())

    assert j.execute_in_process().output_for_node("accept") == "None"


def test_in_and_out_dagster_types_checked():
    @op(ins={"x": In(int)}, out=Out(str))
    def stringify(x):
        return x  # wrong: returns int where Out(str) is declared

    @op
    def five() -> int:
        return 5

    @job
    def j():
        stringify(five())

    result = j.execute_in_process(raise_on_error=False)
    [failure] = result.get_step_failure_events()
    assert failure.error.cls_name == "DagsterTypeCheckDidNotPass"  # Dagster's TypeCheckError subclass
    assert "stringify" in failure.error.message and "expected str" in failure.error.message


def test_type_check_failure_is_not_retried():
    from orchestrator import RetryPolicy

    @op(retry_policy=RetryPolicy(max_retries=3))
    def bad() -> int:
        return "x"  # type: ignore[return-value]

    @job
    def j():
        bad()

    result = j.execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e for e in result.all_events if e.event_type is EventType.STEP_RETRY] == []


def test_config_input_type_checked_before_run():
    from orchestrator import ConfigError

    ran = []

    @op
    def first() -> int:
        ran.append(1)
        return 1

    @job
    def j():
        first()
        add_one()

    with pytest.raises(ConfigError) as exc:
        j.execute_in_process(run_config={"ops": {"add_one": {"inputs": {"arg": "x"}}}})
    assert "ops.add_one.inputs.arg" in str(exc.value)
    assert ran == []
