"""Foundation tests for definition-time errors and the error hierarchy."""

from __future__ import annotations

import pytest

import orchestrator
from orchestrator import (
    ConfigError,
    DefinitionError,
    DynamicOut,
    DynamicOutput,
    InvocationError,
    OrchestratorError,
    RunNotFoundError,
    RunTimeoutError,
    TypeCheckError,
    graph,
    job,
    op,
)


@op
def return_five() -> int:
    return 5


@op
def add_one(arg: int) -> int:
    return arg + 1


@op(out=DynamicOut())
def emit():
    yield DynamicOutput(1, mapping_key="a")


@pytest.mark.parametrize("cls", [
    DefinitionError, ConfigError, TypeCheckError, RunTimeoutError, RunNotFoundError, InvocationError,
])
def test_errors_derive_from_orchestrator_error(cls):
    assert issubclass(cls, OrchestratorError)
    assert issubclass(OrchestratorError, Exception)


def test_all_error_names_exported():
    for name in ["OrchestratorError", "DefinitionError", "ConfigError", "TypeCheckError", "RunTimeoutError"]:
        assert hasattr(orchestrator, name)


def test_unknown_input_name():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            add_one(nope=return_five())

    msg = str(exc.value)
    assert "'add_one'" in msg
    assert "'nope'" in msg
    assert "arg" in msg  # lists the real inputs


def test_plain_value_as_input_in_job_body():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            add_one(5)

    msg = str(exc.value)
    assert "'add_one'" in msg and "'arg'" in msg
    assert "not the output of an op" in msg
    assert "default_value" in msg or "run config" in msg


def test_too_many_positional_arguments():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            add_one(return_five(), return_five())

    msg = str(exc.value)
    assert "'add_one'" in msg
    assert "1 input" in msg and "2 positional" in msg


def test_same_input_by_position_and_name():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            five = return_five()
            add_one(five, arg=five)

    assert "'arg'" in str(exc.value)


def test_dynamic_output_without_map_or_collect():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            add_one(emit())

    msg = str(exc.value)
    assert "'add_one'" in msg and "emit" in msg
    assert ".map(" in msg and ".collect()" in msg


def test_op_called_outside_job_with_leaked_output_handle():
    leaked = []

    @job
    def j():
        leaked.append(return_five())

    with pytest.raises(InvocationError) as exc:
        add_one(leaked[0])
    msg = str(exc.value)
    assert "'add_one'" in msg
    assert "outside of a @job or @graph" in msg
    assert isinstance(exc.value, DefinitionError)


def test_duplicate_explicit_aliases():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            five = return_five()
            add_one.alias("same")(five)
            add_one.alias("same")(five)

    msg = str(exc.value)
    assert "'same'" in msg
    assert "unique" in msg


def test_output_from_another_job_body():
    leaked = []

    @job
    def first():
        leaked.append(return_five())

    with pytest.raises(DefinitionError) as exc:
        @job
        def second():
            add_one(leaked[0])

    msg = str(exc.value)
    assert "'add_one'" in msg
    assert "another job or graph" in msg
    assert "graph inputs" in msg


def test_output_from_outer_body_used_in_nested_graph_body():
    with pytest.raises(DefinitionError) as exc:
        @job
        def outer_job():
            five = return_five()

            @graph
            def inner():
                return add_one(five)

            inner()

    assert "another job or graph" in str(exc.value)


def test_unpacking_single_output_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            a, b = return_five()

    assert "return_five" in str(exc.value)


def test_using_symbolic_output_in_condition_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            if return_five():
                pass

    assert "return_five" in str(exc.value)


def test_job_with_parameters_is_definition_error():
    with pytest.raises(DefinitionError) as exc:
        @job
        def j(x):
            add_one(x)

    assert "x" in str(exc.value)


def test_missing_resource_at_job_decoration():
    @op(required_resource_keys={"warehouse"})
    def load(context) -> int:
        return 1

    with pytest.raises(DefinitionError) as exc:
        @job
        def j():
            load()

    msg = str(exc.value)
    assert "'warehouse'" in msg and "load" in msg and "resource_defs" in msg


def test_invalid_op_name():
    with pytest.raises(DefinitionError):
        op(name="bad name")(lambda: 1)
