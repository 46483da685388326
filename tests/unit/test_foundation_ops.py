"""Foundation tests for @op: declaration, direct invocation, aliases, tags, outputs, inputs."""

from __future__ import annotations

import pytest

from orchestrator import (
    DefinitionError,
    EventType,
    In,
    InvocationError,
    Nothing,
    OpDefinition,
    Out,
    Output,
    TypeCheckError,
    build_op_context,
    job,
    op,
)
from orchestrator.plan.planner import build_plan


@op
def return_five() -> int:
    return 5


@op
def add_one(arg: int) -> int:
    return arg + 1


@op
def add_one_ctx(context, arg: int) -> int:
    context.log.info(f"adding one to {arg}")
    return arg + 1


# -- declaration --------------------------------------------------------------------------------

def test_op_decorator_makes_op_definition_with_inputs_and_outputs():
    assert isinstance(add_one, OpDefinition)
    assert add_one.name == "add_one"
    assert add_one.input_names == ["arg"]
    assert add_one.output_names == ["result"]
    assert add_one.has_context is False
    assert add_one_ctx.has_context is True
    assert add_one_ctx.input_names == ["arg"]


def test_op_name_ins_out_and_tags_arguments():
    @op(name="renamed", ins={"x": In(int)}, out=Out(str), tags={"team": "data"}, description="desc")
    def f(x):
        return str(x)

    assert f.name == "renamed"
    assert f.ins["x"].dagster_type is int
    assert f.outs["result"].dagster_type is str
    assert f.tags == {"team": "data"}
    assert f.description == "desc"
    assert f(3) == "3"


def test_ins_naming_missing_parameter_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @op(ins={"nope": In(int)})
        def f(x):
            return x

    msg = str(exc.value)
    assert "'f'" in msg and "'nope'" in msg


# -- direct invocation --------------------------------------------------------------------------

def test_direct_invocation_without_context():
    assert add_one(4) == 5
    assert add_one(arg=9) == 10
    assert return_five() == 5


def test_direct_invocation_with_context_and_without():
    assert add_one_ctx(build_op_context(), 4) == 5
    # an op that takes a context gets one built for it when none is given
    assert add_one_ctx(4) == 5


def test_direct_invocation_with_op_config():
    @op(config_schema={"n": int})
    def add_n(context, x: int) -> int:
        return x + context.op_config["n"]

    assert add_n(build_op_context(op_config={"n": 10}), 1) == 11
    assert add_n(build_op_context(op_config={"n": -1}), x=1) == 0


def test_direct_invocation_with_resources():
    class FakeDb:
        def get(self):
            return 42

    @op(required_resource_keys={"db"})
    def read(context) -> int:
        return context.resources.db.get()

    assert read(build_op_context(resources={"db": FakeDb()})) == 42


def test_direct_invocation_missing_resource_raises():
    @op(required_resource_keys={"db"})
    def read(context) -> int:
        return context.resources.db.get()

    with pytest.raises(InvocationError) as exc:
        read(build_op_context())
    assert "db" in str(exc.value)


def test_direct_invocation_type_check():
    with pytest.raises(TypeCheckError) as exc:
        add_one("four")
    msg = str(exc.value)
    assert "add_one" in msg and "arg" in msg and "int" in msg and "str" in msg


def test_direct_invocation_wrong_arguments():
    with pytest.raises(InvocationError):
        add_one(1, 2)
    with pytest.raises(InvocationError) as exc:
        add_one(nope=1)
    assert "nope" in str(exc.value)
    with pytest.raises(InvocationError) as exc:
        add_one()
    assert "arg" in str(exc.value)


def test_direct_invocation_uses_input_default():
    @op(ins={"x": In(int, default_value=7)})
    def double(x):
        return x * 2

    assert double() == 14
    assert double(1) == 2


def test_direct_invocation_of_multi_output_op_returns_tuple():
    @op(out={"a": Out(int), "b": Out(str)})
    def two():
        return 1, "b"

    assert two() == (1, "b")


# -- in a job -----------------------------------------------------------------------------------

def test_op_with_context_runs_in_job_and_logs():
    @job
    def j():
        add_one_ctx(return_five())

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("add_one_ctx") == 6
    logs = [e for e in result.all_events if e.event_type is EventType.LOG]
    assert any(e.message == "adding one to 5" and e.step_key == "add_one_ctx" for e in logs)


def test_second_and_third_call_get_unique_node_names():
    @job
    def j():
        add_one(add_one(add_one(return_five())))

    assert set(j.graph_def.nodes) == {"return_five", "add_one", "add_one_2", "add_one_3"}
    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("add_one") == 6
    assert result.output_for_node("add_one_2") == 7
    assert result.output_for_node("add_one_3") == 8
    assert {e.step_key for e in result.get_step_success_events()} == {
        "return_five", "add_one", "add_one_2", "add_one_3"}


def test_alias_gives_node_name_and_step_key():
    @job
    def j():
        x = add_one.alias("first")(return_five())
        add_one.alias("second")(x)

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("first") == 6
    assert result.output_for_node("second") == 7
    assert {e.step_key for e in result.get_step_success_events()} == {"return_five", "first", "second"}


def test_alias_rejects_invalid_name():
    with pytest.raises(DefinitionError):
        add_one.alias("not a name")


def test_tag_merges_node_tags_with_op_tags():
    @op(tags={"team": "data", "kind": "a"})
    def tagged() -> int:
        return 1

    @job
    def j():
        tagged.tag({"kind": "b", "extra": "x"})()

    plan = build_plan(j)
    step = plan.step("tagged")
    assert step.tags == {"team": "data", "kind": "b", "extra": "x"}
    assert j.execute_in_process().output_for_node("tagged") == 1


def test_aliased_op_cannot_be_called_outside_job():
    with pytest.raises(InvocationError) as exc:
        add_one.alias("x")(1)
    assert "'x'" in str(exc.value)


# -- outputs ------------------------------------------------------------------------------------

def test_multiple_outputs_via_returned_tuple():
    @op(out={"a": Out(int), "b": Out(int)})
    def split():
        return 1, 2

    @job
    def j():
        a, b = split()
        add_one.alias("from_a")(a)
        add_one.alias("from_b")(b)

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("split", "a") == 1
    assert result.output_for_node("split", "b") == 2
    assert result.output_for_node("from_a") == 2
    assert result.output_for_node("from_b") == 3


def test_multiple_outputs_via_yield_output():
    @op(out={"a": Out(int), "b": Out(int)})
    def split():
        yield Output(10, "a")
        yield Output(20, "b")

    @job
    def j():
        a, b = split()
        add_one.alias("from_a")(a)
        add_one.alias("from_b")(b)

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("from_a") == 11
    assert result.output_for_node("from_b") == 21
    outputs = [e for e in result.all_events if e.event_type is EventType.STEP_OUTPUT and e.step_key == "split"]
    assert [e.data["output_name"] for e in outputs] == ["a", "b"]


def test_multi_output_namedtuple_attribute_access():
    @op(out={"a": Out(int), "b": Out(int)})
    def split():
        return 3, 4

    @job
    def j():
        outs = split()
        add_one(outs.b)

    assert j.execute_in_process().output_for_node("add_one") == 5


def test_missing_required_output_fails_step():
    @op(out={"a": Out(int), "b": Out(int)})
    def only_a():
        yield Output(1, "a")

    @job
    def j():
        only_a()

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "only_a"
    assert "'b'" in failure.error.message and "is_required=False" in failure.error.message


def test_optional_output_not_yielded_skips_downstream_and_run_succeeds():
    @op(out={"a": Out(int), "b": Out(int, is_required=False)})
    def maybe():
        yield Output(1, "a")

    @job
    def j():
        a, b = maybe()
        add_one.alias("on_a")(a)
        add_one.alias("on_b")(b)

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is True
    assert result.is_node_success("maybe")
    assert result.is_node_success("on_a")
    assert result.output_for_node("on_a") == 2
    assert result.is_node_skipped("on_b")
    assert not result.is_node_failed("on_b")
    skipped = [e for e in result.all_events if e.event_type is EventType.STEP_SKIPPED]
    assert [e.step_key for e in skipped] == ["on_b"]
    assert result.get_step_failure_events() == []


def test_optional_output_skip_propagates_transitively():
    @op(out={"a": Out(int, is_required=False)})
    def nothing_yielded():
        if False:
            yield Output(1, "a")

    @job
    def j():
        add_one.alias("second")(add_one.alias("first")(nothing_yielded()))

    result = j.execute_in_process()
    assert result.success
    assert result.is_node_skipped("first")
    assert result.is_node_skipped("second")


# -- inputs -------------------------------------------------------------------------------------

def test_in_default_value_used_when_input_unconnected():
    @op(ins={"x": In(int, default_value=41)})
    def plus_one(x):
        return x + 1

    @job
    def j():
        plus_one()

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("plus_one") == 42


def test_python_default_parameter_is_input_default():
    @op
    def plus(x: int = 2, y: int = 3) -> int:
        return x + y

    @job
    def j():
        plus(return_five())

    assert j.execute_in_process().output_for_node("plus") == 8


def test_unconnected_input_without_default_is_definition_error_naming_fix():
    @job
    def j():
        add_one()

    with pytest.raises(DefinitionError) as exc:
        j.execute_in_process()
    msg = str(exc.value)
    assert "'arg'" in msg and "'add_one'" in msg and "default_value" in msg


def test_unconnected_input_from_run_config():
    @job
    def j():
        add_one()

    result = j.execute_in_process(run_config={"ops": {"add_one": {"inputs": {"arg": 10}}}})
    assert result.output_for_node("add_one") == 11


def test_nothing_input_orders_steps():
    order = []

    @op
    def first() -> None:
        order.append("first")

    @op(ins={"start": In(Nothing)})
    def second() -> int:
        order.append("second")
        return 2

    @job
    def j():
        second(start=first())

    plan = build_plan(j)
    assert plan.step("second").upstream == ["first"]
    assert [s.key for s in plan.steps] == ["first", "second"]
    result = j.execute_in_process()
    assert result.success
    assert order == ["first", "second"]
    assert result.output_for_node("second") == 2


def test_nothing_input_skipped_when_upstream_fails():
    @op
    def boom() -> None:
        raise ValueError("no")

    @op(ins={"start": In(Nothing)})
    def after() -> int:
        return 1

    @job
    def j():
        after(start=boom())

    result = j.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.is_node_failed("boom")
    assert result.is_node_skipped("after")


def test_nothing_output_ordering():
    order = []

    @op(out=Out(Nothing))
    def setup():
        order.append("setup")

    @op(ins={"ready": In(Nothing)})
    def work() -> str:
        order.append("work")
        return "done"

    @job
    def j():
        work(ready=setup())

    result = j.execute_in_process()
    assert result.success
    assert order == ["setup", "work"]
    assert result.output_for_node("work") == "done"
