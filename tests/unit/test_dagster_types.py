"""Dagster types as Dagster documents them: DagsterType, PythonObjectDagsterType, TypeCheck,
usable_as_dagster_type, make_python_type_usable_as_dagster_type, loaders, the built-ins and the
List/Optional/Dict/Set/Tuple builders, DagsterTypeCheckDidNotPass, Output[T] annotations."""

from __future__ import annotations

import pytest

from orchestrator import (
    Any,
    Bool,
    ConfigError,
    DagsterType,
    DagsterTypeCheckDidNotPass,
    DagsterTypeCheckError,
    DagsterTypeLoaderContext,
    Dict,
    Float,
    In,
    Int,
    List,
    Optional,
    Out,
    Output,
    PythonObjectDagsterType,
    Set,
    String,
    Tuple,
    TypeCheck,
    TypeCheckError,
    check_dagster_type,
    dagster_type_loader,
    job,
    make_python_type_usable_as_dagster_type,
    op,
    usable_as_dagster_type,
)


def test_builtin_scalars_check_as_dagster_does() -> None:
    assert check_dagster_type(Int, 1).success and not check_dagster_type(Int, "1").success
    assert check_dagster_type(String, "s").success and not check_dagster_type(String, 1).success
    assert check_dagster_type(Float, 1.5).success and not check_dagster_type(Float, 1).success
    assert check_dagster_type(Bool, False).success and not check_dagster_type(Bool, 0).success
    assert check_dagster_type(Any, object()).success
    failed = check_dagster_type(Int, "1")
    assert failed.description == 'Value "1" of python type "str" must be a int.'


def test_builders_check_their_elements() -> None:
    assert check_dagster_type(List[Int], [1, 2]).success
    bad = check_dagster_type(List[Int], [1, "x"])
    assert not bad.success and bad.description.startswith("Element 1:")
    assert check_dagster_type(Optional[Int], None).success and not check_dagster_type(Optional[Int], "a").success
    assert check_dagster_type(Dict[str, int], {"a": 1}).success and not check_dagster_type(Dict[str, int], {"a": "b"}).success
    assert check_dagster_type(Dict, {}).success and not check_dagster_type(Dict, []).success
    assert check_dagster_type(Set[int], {1}).success and not check_dagster_type(Set[int], {"a"}).success
    assert check_dagster_type(Tuple[int, str], (1, "a")).success and not check_dagster_type(Tuple[int, str], (1,)).success
    assert List[Int].display_name == "List[Int]"


def test_dagster_type_check_fn_bool_or_type_check() -> None:
    positive = DagsterType(lambda _ctx, v: TypeCheck(v > 0, description=f"{v} <= 0", metadata={"v": v}),
                           name="Positive", description="a positive number")
    assert positive.name == "Positive" and positive.unique_name == "Positive"
    assert positive.type_check(None, 1).success
    result = positive.type_check(None, -1)
    assert not result.success and result.description == "-1 <= 0" and result.metadata["v"].value == -1

    raising = DagsterType(lambda _ctx, v: 1 / 0, name="Raises")
    with pytest.raises(DagsterTypeCheckError, match="Raises.*ZeroDivisionError"):
        raising.type_check(None, 1)
    wrong = DagsterType(lambda _ctx, v: "yes", name="Wrong")
    with pytest.raises(DagsterTypeCheckError, match="must return a bool or a TypeCheck"):
        wrong.type_check(None, 1)
    with pytest.raises(Exception, match="two arguments"):
        DagsterType(lambda v: True, name="OneArg")


EvenType = DagsterType(lambda _ctx, v: isinstance(v, int) and v % 2 == 0, name="EvenType")


# Module level: annotations (``from __future__ import annotations``) must resolve to these classes.
@usable_as_dagster_type(name="Celsius")
class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


@op
def warm(t: Celsius) -> bool:
    return t.degrees > 20


class Small(int):
    pass


SmallType = DagsterType(lambda _c, v: isinstance(v, int) and v < 10, name="Small")
make_python_type_usable_as_dagster_type(Small, SmallType)


@op
def emit_small() -> Small:
    return 50  # an int, so a plain annotation would pass; the Dagster type's check fails it


@op(ins={"n": In(EvenType)}, out=Out(EvenType))
def halve_to_even(n):
    return n // 2


@op
def four() -> int:
    return 4


@op
def six() -> int:
    return 6


@job
def even_ok():
    halve_to_even(four())


@job
def odd_out():
    halve_to_even(six())


def test_failing_check_raises_dagster_type_check_did_not_pass() -> None:
    assert even_ok.execute_in_process().output_for_node("halve_to_even") == 2
    with pytest.raises(DagsterTypeCheckDidNotPass) as info:
        odd_out.execute_in_process()
    assert isinstance(info.value, TypeCheckError)  # the package's own name still catches it
    assert "halve_to_even" in str(info.value) and "output 'result'" in str(info.value)
    assert info.value.dagster_type is EvenType
    result = odd_out.execute_in_process(raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "halve_to_even" and failure.error.cls_name == "DagsterTypeCheckDidNotPass"


def test_type_check_sees_the_op_context() -> None:
    seen = {}

    def needs_context(context, value):
        seen["resource"] = context.resources.limit
        return value < context.resources.limit

    Bounded = DagsterType(needs_context, name="Bounded", required_resource_keys={"limit"})

    @op(ins={"x": In(Bounded)}, required_resource_keys={"limit"})
    def bounded(x):
        return x

    @job(resource_defs={"limit": 10})
    def bounded_job():
        bounded(four())

    assert bounded_job.execute_in_process().success and seen["resource"] == 10


def test_python_object_type_and_usable_as_dagster_type() -> None:
    class Report:
        pass

    ReportType = PythonObjectDagsterType(Report)
    assert ReportType.name == "Report" and ReportType.type_check(None, Report()).success
    message = ReportType.type_check(None, 3).description
    assert "failed type check for Dagster type Report" in message

    assert warm(Celsius(25.0)) is True
    with pytest.raises(TypeCheckError):
        warm("hot")

    @usable_as_dagster_type
    class Bare:
        pass

    assert check_dagster_type(Bare, Bare()).success

    @job
    def small_job():
        emit_small()

    with pytest.raises(DagsterTypeCheckDidNotPass, match="Small"):
        small_job.execute_in_process()
    with pytest.raises(Exception, match="already stands for"):
        make_python_type_usable_as_dagster_type(Small, Int)


def test_loader_builds_an_input_from_run_config() -> None:
    calls = []

    @dagster_type_loader(config_schema={"n": int})
    def repeat_loader(context: DagsterTypeLoaderContext, config):
        calls.append(context.op_def.name)
        return ["x"] * config["n"]

    Xs = DagsterType(lambda _c, v: isinstance(v, list), name="Xs", loader=repeat_loader)

    @op(ins={"xs": In(Xs)})
    def count(xs):
        return len(xs)

    @job
    def counting():
        count()

    result = counting.execute_in_process(run_config={"ops": {"count": {"inputs": {"xs": {"n": 3}}}}})
    assert result.output_for_node("count") == 3 and calls == ["count"]
    with pytest.raises(ConfigError, match=r"ops\.count\.inputs\.xs"):
        counting.execute_in_process(run_config={"ops": {"count": {"inputs": {"xs": {"n": "three"}}}}})


def test_builtins_are_config_types_too() -> None:
    @op(config_schema={"n": Int, "name": String})
    def configured(context):
        return context.op_config["name"] * context.op_config["n"]

    @job
    def config_job():
        configured()

    run_config = {"ops": {"configured": {"config": {"n": 2, "name": "ab"}}}}
    assert config_job.execute_in_process(run_config=run_config).output_for_node("configured") == "abab"
    with pytest.raises(ConfigError):
        config_job.execute_in_process(run_config={"ops": {"configured": {"config": {"n": "2", "name": "ab"}}}})


def test_output_generic_annotation_types_the_output() -> None:
    @op
    def typed() -> Output[int]:
        return Output("five")

    @op
    def untyped() -> Output:
        return Output("anything")

    @job
    def generic():
        typed()
        untyped()

    assert typed.outs["result"].dagster_type is int and untyped.outs["result"].dagster_type is None
    result = generic.execute_in_process(raise_on_error=False)
    assert result.is_node_failed("typed") and result.is_node_success("untyped")


def test_list_and_optional_inputs_in_a_job() -> None:
    @op(ins={"xs": In(List[Int]), "label": In(Optional[String])})
    def total(xs, label):
        return (label or "total", sum(xs))

    @op
    def numbers():
        return [1, 2, "3"]

    @job
    def summing():
        total(numbers())

    run_config = {"ops": {"total": {"inputs": {"label": None}}}}
    with pytest.raises(DagsterTypeCheckDidNotPass, match="Element 2"):
        summing.execute_in_process(run_config=run_config)
