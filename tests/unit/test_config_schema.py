"""Tests for orchestrator.definitions.config.schema: Dagster-style config schemas and validation."""

from __future__ import annotations

import copy
import enum
import json
from typing import Any, Dict, List, Optional, Union  # noqa: UP035 - the typing aliases are under test

import pydantic
import pytest

from orchestrator.definitions.config.schema import (
    Array,
    BoolSource,
    Config,
    Enum,
    EnumValue,
    Field,
    IntSource,
    Noneable,
    Permissive,
    ScalarType,
    Selector,
    Shape,
    StringSource,
    describe_schema,
    is_config_class,
    normalize_schema,
    validate_config,
)
from orchestrator.errors import DefinitionError

P = "ops.do_something.config"


def ok(schema: object, value: object) -> object:
    out, errors = validate_config(schema, value, P)
    assert errors == []
    return out


def errs(schema: object, value: object) -> list[tuple[str, str]]:
    _, errors = validate_config(schema, value, P)
    return errors


# --------------------------------------------------------------------------- no schema / scalars


@pytest.mark.parametrize("value", [None, 5, {"anything": [1, 2]}, "x"])
def test_none_schema_passes_value_through(value: object) -> None:
    out, errors = validate_config(None, value, P)
    assert out is value
    assert errors == []
    assert normalize_schema(None) is None


def test_str_accepts_str_and_rejects_int() -> None:
    assert ok(str, "hi") == "hi"
    assert errs(str, 5) == [(P, "expected str, received int (5)")]


def test_int_rejects_bool_str_and_float() -> None:
    assert ok(int, 3) == 3
    assert errs(int, True) == [(P, "expected int, received bool (True)")]
    assert errs(int, "3") == [(P, "expected int, received str ('3')")]
    assert errs(int, 3.5) == [(P, "expected int, received float (3.5)")]


def test_float_accepts_int_and_converts_it() -> None:
    out = ok(float, 3)
    assert out == 3.0 and type(out) is float
    assert ok(float, 2.5) == 2.5
    assert errs(float, False) == [(P, "expected float, received bool (False)")]


def test_bool_does_not_accept_ints() -> None:
    assert ok(bool, False) is False
    assert errs(bool, 1) == [(P, "expected bool, received int (1)")]
    assert errs(bool, 0) == [(P, "expected bool, received int (0)")]


@pytest.mark.parametrize("schema", [Any, object])
def test_any_and_object_accept_anything(schema: object) -> None:
    marker = object()
    assert ok(schema, marker) is marker
    assert ok(schema, None) is None


def test_bare_list_and_dict() -> None:
    assert ok(list, [1, "a"]) == [1, "a"]
    assert ok(dict, {"k": object}) == {"k": object}
    assert errs(list, {"a": 1}) == [(P, "expected list, received dict ({'a': 1})")]
    assert errs(dict, [1]) == [(P, "expected dict, received list ([1])")]


def test_received_value_is_truncated() -> None:
    [(path, msg)] = errs(int, "x" * 200)
    assert path == P
    assert msg == "expected int, received str ('" + "x" * 56 + "...)"
    assert len(msg) == len("expected int, received str ()") + 60


# --------------------------------------------------------------------------- typing generics


@pytest.mark.parametrize("schema", [list[int], List[int]])  # noqa: UP006
def test_list_generic_checks_every_element(schema: object) -> None:
    assert ok(schema, [1, 2]) == [1, 2]
    assert errs(schema, [1, "a", True]) == [
        (f"{P}[1]", "expected int, received str ('a')"),
        (f"{P}[2]", "expected int, received bool (True)"),
    ]
    assert errs(schema, 5) == [(P, "expected list[int], received int (5)")]


def test_list_of_str_typing_alias() -> None:
    assert ok(List[str], ["a"]) == ["a"]  # noqa: UP006
    assert errs(List[str], [1]) == [(f"{P}[0]", "expected str, received int (1)")]  # noqa: UP006


@pytest.mark.parametrize("schema", [dict[str, int], Dict[str, int]])  # noqa: UP006
def test_dict_generic_checks_keys_and_values(schema: object) -> None:
    assert ok(schema, {"a": 1, "b": 2}) == {"a": 1, "b": 2}
    assert errs(schema, {"a": "x", 3: 4}) == [
        (f"{P}.a", "expected int, received str ('x')"),
        (f"{P}.3", "invalid key: expected str, received int (3)"),
    ]


def test_dict_generic_float_values_are_converted() -> None:
    assert ok(dict[str, float], {"a": 1}) == {"a": 1.0}


@pytest.mark.parametrize("schema", [Optional[int], int | None])  # noqa: UP045
def test_optional_allows_none_and_is_optional_in_a_shape(schema: object) -> None:
    assert ok(schema, None) is None
    assert ok(schema, 4) == 4
    assert errs(schema, "x") == [(P, "expected int, received str ('x')")]
    assert ok({"n": schema}, {}) == {"n": None}


# --------------------------------------------------------------------------- shapes and fields


def test_dict_schema_is_a_shape_with_required_keys() -> None:
    schema = {"config_param": str, "count": int}
    assert ok(schema, {"config_param": "a", "count": 1}) == {"config_param": "a", "count": 1}
    assert errs(schema, {"config_param": "a"}) == [(f"{P}.count", "missing required field")]
    assert errs(schema, 5) == [(P, "expected dict, received int (5)")]


def test_nested_dict_paths() -> None:
    schema = {"outer": {"inner": {"leaf": int}}}
    assert ok(schema, {"outer": {"inner": {"leaf": 1}}}) == {"outer": {"inner": {"leaf": 1}}}
    assert errs(schema, {"outer": {"inner": {"leaf": "x"}}}) == [
        (f"{P}.outer.inner.leaf", "expected int, received str ('x')")
    ]


def test_shape_with_required_field_and_none_value_reports_missing() -> None:
    assert errs({"a": int}, None) == [(f"{P}.a", "missing required field")]


def test_unknown_field_did_you_mean() -> None:
    assert errs({"config_param": str}, {"config_param": "a", "config_parm": "b"}) == [
        (P, "unknown field 'config_parm' (did you mean 'config_param'?)")
    ]


def test_unknown_field_without_close_match_lists_allowed_fields() -> None:
    assert errs({"alpha": int, "beta": int}, {"alpha": 1, "beta": 2, "zzz": 3}) == [
        (P, "unknown field 'zzz' (allowed fields: 'alpha', 'beta')")
    ]
    assert errs({}, {"x": 1}) == [(P, "unknown field 'x' (no fields allowed)")]


def test_every_error_is_collected() -> None:
    schema = {"name": str, "count": int, "ratio": float, "config_param": str}
    value = {"name": 1, "count": "many", "ratio": 0.5, "config_parm": "x"}
    assert errs(schema, value) == [
        (f"{P}.name", "expected str, received int (1)"),
        (f"{P}.count", "expected int, received str ('many')"),
        (f"{P}.config_param", "missing required field"),
        (P, "unknown field 'config_parm' (did you mean 'config_param'?)"),
    ]


def test_errors_inside_arrays_of_shapes() -> None:
    schema = {"items": [{"name": str}]}
    assert errs(schema, {"items": [{"name": "a"}, {"nme": "b"}]}) == [
        (f"{P}.items[1].name", "missing required field"),
        (f"{P}.items[1]", "unknown field 'nme' (did you mean 'name'?)"),
    ]


def test_one_element_list_is_an_array() -> None:
    assert ok([int], [1, 2]) == [1, 2]
    assert ok(Array(str), ["a"]) == ["a"]
    assert errs(Array(str), ["a", 2]) == [(f"{P}[1]", "expected str, received int (2)")]
    assert normalize_schema([int]) == Array(int)


def test_field_default_is_applied_and_deep_copied() -> None:
    default = {"tags": ["a"]}
    schema = {"opts": Field(dict, default_value=default), "n": Field(int, default_value=1)}
    out = ok(schema, {})
    assert out == {"opts": {"tags": ["a"]}, "n": 1}
    out["opts"]["tags"].append("b")
    assert default == {"tags": ["a"]}
    assert ok(schema, {"n": 5}) == {"opts": {"tags": ["a"]}, "n": 5}


def test_field_is_required_defaults() -> None:
    assert Field(int).is_required is True
    assert Field(int, default_value=1).is_required is False
    assert Field(Noneable(int)).is_required is False
    assert Field({"a": Field(int, default_value=1)}).is_required is False
    assert Field({"a": int}).is_required is True


def test_optional_field_without_default_is_omitted() -> None:
    schema = {"a": Field(int, is_required=False), "b": int}
    assert ok(schema, {"b": 1}) == {"b": 1}
    assert ok(schema, {"a": 2, "b": 1}) == {"a": 2, "b": 1}


def test_required_field_with_default_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="is_required=True cannot have a default_value"):
        Field(int, default_value=1, is_required=True)


def test_invalid_default_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"Invalid default_value 'x': expected int, received str \('x'\)"):
        Field(int, default_value="x")


def test_all_optional_shape_is_filled_when_missing() -> None:
    schema = {"a": Field(int, default_value=1)}
    assert ok(schema, None) == {"a": 1}
    assert ok(schema, {}) == {"a": 1}


def test_nested_all_optional_shapes_are_filled() -> None:
    schema = {
        "outer": {
            "inner": {"x": Field(int, default_value=1), "maybe": Field(str, is_required=False)},
            "y": Field(str, default_value="s"),
        },
        "top": Field(float, default_value=0.5),
    }
    expected = {"outer": {"inner": {"x": 1}, "y": "s"}, "top": 0.5}
    assert ok(schema, None) == expected
    assert ok(schema, {"outer": {}}) == expected
    assert ok(schema, {"outer": {"inner": {"x": 2}}}) == {"outer": {"inner": {"x": 2}, "y": "s"}, "top": 0.5}


def test_shape_with_a_required_field_is_not_filled() -> None:
    schema = {"outer": {"req": int, "opt": Field(int, default_value=1)}}
    assert errs(schema, {}) == [(f"{P}.outer", "missing required field")]


def test_top_level_field_with_default() -> None:
    schema = Field(int, default_value=3)
    assert ok(schema, None) == 3
    assert ok(schema, 4) == 4
    assert ok(Field(int, is_required=False), None) is None


def test_explicit_shape() -> None:
    schema = Shape({"a": int}, description="a shape")
    assert ok(schema, {"a": 1}) == {"a": 1}
    assert errs(schema, {"a": 1, "b": 2}) == [(P, "unknown field 'b' (allowed fields: 'a')")]
    assert schema == Shape({"a": int})


def test_permissive_passes_unknown_keys_through() -> None:
    schema = Permissive({"a": int})
    assert ok(schema, {"a": 1, "extra": [1]}) == {"a": 1, "extra": [1]}
    assert errs(schema, {"a": "x", "extra": 1}) == [(f"{P}.a", "expected int, received str ('x')")]
    assert errs(schema, {"extra": 1}) == [(f"{P}.a", "missing required field")]
    assert ok(Permissive(), {"anything": 1}) == {"anything": 1}


# --------------------------------------------------------------------------- Noneable / Enum / Selector


def test_noneable() -> None:
    assert ok(Noneable(int), None) is None
    assert ok(Noneable(int), 3) == 3
    assert errs(Noneable(int), "3") == [(P, "expected int, received str ('3')")]
    assert ok({"a": Noneable(int), "b": int}, {"b": 1}) == {"a": None, "b": 1}
    assert ok({"a": Noneable({"x": Field(int, default_value=1)})}, {}) == {"a": None}


class Color(enum.Enum):
    RED = 1
    GREEN = 2


def test_enum_returns_python_value() -> None:
    schema = Enum("Color", [EnumValue("RED"), EnumValue("GREEN", python_value=Color.GREEN)])
    assert ok(schema, "RED") == "RED"
    assert ok(schema, "GREEN") is Color.GREEN
    assert errs(schema, "BLUE") == [(P, "expected Color (one of 'RED', 'GREEN'), received str ('BLUE')")]
    assert errs(schema, 1) == [(P, "expected Color (one of 'RED', 'GREEN'), received int (1)")]


def test_enum_default_is_converted_and_from_python_enum() -> None:
    schema = {"color": Field(Enum.from_python_enum(Color), default_value="RED")}
    assert ok(schema, {}) == {"color": Color.RED}
    assert ok(schema, {"color": "GREEN"}) == {"color": Color.GREEN}
    with pytest.raises(DefinitionError, match="Invalid default_value 'BLUE'"):
        Field(Enum.from_python_enum(Color), default_value="BLUE")
    with pytest.raises(DefinitionError, match="duplicate"):
        Enum("E", [EnumValue("A"), EnumValue("A")])


def test_selector_requires_exactly_one_key() -> None:
    schema = Selector({"file": {"path": str}, "memory": Noneable(int)})
    assert ok(schema, {"file": {"path": "/x"}}) == {"file": {"path": "/x"}}
    assert ok(schema, {"memory": None}) == {"memory": None}
    assert errs(schema, {}) == [(P, "expected exactly one of 'file', 'memory', received none")]
    assert errs(schema, {"file": {"path": "/x"}, "memory": 1}) == [
        (P, "expected exactly one of 'file', 'memory', received 2 ('file', 'memory')")
    ]
    assert errs(schema, {"fille": {"path": "/x"}}) == [(P, "unknown field 'fille' (did you mean 'file'?)")]
    assert errs(schema, {"file": {"path": 1}}) == [(f"{P}.file.path", "expected str, received int (1)")]


def test_selector_with_single_optional_field_is_filled() -> None:
    schema = Selector({"only": {"x": Field(int, default_value=7)}})
    assert ok(schema, None) == {"only": {"x": 7}}


# --------------------------------------------------------------------------- env sources


def test_string_source_literal_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCH_TEST_STR", "secret")
    assert ok(StringSource, "plain") == "plain"
    assert ok({"token": StringSource}, {"token": {"env": "ORCH_TEST_STR"}}) == {"token": "secret"}
    assert errs(StringSource, 5) == [(P, "expected str or {'env': 'VAR_NAME'}, received int (5)")]
    assert errs(StringSource, {"env": "A", "x": 1}) == [
        (P, "expected str or {'env': 'VAR_NAME'}, received dict ({'env': 'A', 'x': 1})")
    ]


def test_missing_env_var_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORCH_TEST_MISSING", raising=False)
    assert errs({"token": StringSource}, {"token": {"env": "ORCH_TEST_MISSING"}}) == [
        (f"{P}.token", "environment variable 'ORCH_TEST_MISSING' is not set in this process (it is read where "
                       "the step runs: set it there, on every worker for a submitted run)")
    ]


def test_int_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCH_TEST_INT", " 42 ")
    monkeypatch.setenv("ORCH_TEST_BAD_INT", "forty")
    assert ok(IntSource, 3) == 3
    assert ok(IntSource, {"env": "ORCH_TEST_INT"}) == 42
    assert errs(IntSource, {"env": "ORCH_TEST_BAD_INT"}) == [
        (P, 'Value stored in env variable "ORCH_TEST_BAD_INT" cannot be coerced into an int: received \'forty\'')
    ]
    assert errs(IntSource, True) == [(P, "expected int or {'env': 'VAR_NAME'}, received bool (True)")]


def test_bool_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCH_TEST_T", "True")
    monkeypatch.setenv("ORCH_TEST_F", "0")
    monkeypatch.setenv("ORCH_TEST_BAD", "maybe")
    assert ok(BoolSource, True) is True
    assert ok(BoolSource, {"env": "ORCH_TEST_T"}) is True
    assert ok(BoolSource, {"env": "ORCH_TEST_F"}) is False
    assert errs(BoolSource, {"env": "ORCH_TEST_BAD"}) == [
        (P, 'Value stored in env variable "ORCH_TEST_BAD" cannot be coerced into a bool (true/false): '
            "received 'maybe'")
    ]
    assert errs(BoolSource, 1) == [(P, "expected bool or {'env': 'VAR_NAME'}, received int (1)")]


def test_env_default_is_read_at_validation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORCH_TEST_LATER", raising=False)
    schema = {"token": Field(StringSource, default_value={"env": "ORCH_TEST_LATER"})}
    monkeypatch.setenv("ORCH_TEST_LATER", "now")
    assert ok(schema, {}) == {"token": "now"}


# --------------------------------------------------------------------------- pydantic models


class Inner(Config):
    host: str
    port: int = 5432


class MyConfig(Config):
    name: str
    retries: int = 3
    inner: Inner
    tags: list[str] = pydantic.Field(default_factory=list)


def test_is_config_class() -> None:
    assert is_config_class(MyConfig)
    assert is_config_class(pydantic.BaseModel)
    assert not is_config_class(int)
    assert not is_config_class(list[int])
    assert not is_config_class(MyConfig(name="a", inner=Inner(host="h")))


def test_config_class_is_frozen_and_forbids_extra() -> None:
    cfg = MyConfig(name="a", inner={"host": "h"})
    with pytest.raises(pydantic.ValidationError):
        cfg.name = "b"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        MyConfig(name="a", inner={"host": "h"}, bogus=1)


def test_pydantic_config_returns_plain_dict_with_defaults() -> None:
    out = ok(MyConfig, {"name": "a", "inner": {"host": "h"}})
    assert out == {"name": "a", "retries": 3, "inner": {"host": "h", "port": 5432}, "tags": []}
    assert type(out) is dict and type(out["inner"]) is dict
    json.dumps(out)
    assert MyConfig.model_validate(out) == MyConfig(name="a", inner=Inner(host="h"))


def test_pydantic_errors_have_full_paths() -> None:
    value = {"retries": "many", "inner": {"port": "x", "extra": 1}}
    not_int = "Input should be a valid integer, unable to parse string as an integer"
    assert errs(MyConfig, value) == [
        (f"{P}.name", "Field required"),
        (f"{P}.retries", f"{not_int}; received str ('many')"),
        (f"{P}.inner.host", "Field required"),
        (f"{P}.inner.port", f"{not_int}; received str ('x')"),
        (f"{P}.inner.extra", "Extra inputs are not permitted; received int (1)"),
    ]


def test_pydantic_list_error_path_and_non_dict() -> None:
    assert errs(MyConfig, {"name": "a", "inner": {"host": "h"}, "tags": ["ok", 3]}) == [
        (f"{P}.tags.1", "Input should be a valid string; received int (3)")
    ]
    [(path, msg)] = errs(MyConfig, 5)
    assert path == P
    assert msg.endswith("; received int (5)")


def test_plain_base_model_and_model_inside_shape() -> None:
    class Plain(pydantic.BaseModel):
        x: int = 1

    assert ok(Plain, None) == {"x": 1}
    assert ok({"p": Plain}, {}) == {"p": {"x": 1}}
    assert errs({"m": MyConfig}, {"m": {"name": "a"}}) == [(f"{P}.m.inner", "Field required")]


# --------------------------------------------------------------------------- invalid schemas


class NotASchema:
    pass


@pytest.mark.parametrize(
    "schema",
    [42, NotASchema, "str", [int, str], [], Union[int, str], tuple[int, int], {1: int}],  # noqa: UP007
)
def test_invalid_schemas_raise_definition_error(schema: object) -> None:
    with pytest.raises(DefinitionError):
        normalize_schema(schema)


def test_definition_error_explains_accepted_forms() -> None:
    with pytest.raises(DefinitionError) as exc:
        normalize_schema(42)
    assert str(exc.value).startswith("Invalid config schema 42: expected None, a type (str, int, float, bool")
    assert "pydantic model class" in str(exc.value)


def test_nested_definition_error_names_the_field() -> None:
    with pytest.raises(DefinitionError, match=r"^field 'outer': field 'bad': Invalid config schema 42"):
        normalize_schema({"outer": {"bad": 42}})


def test_misused_wrappers_raise_definition_error() -> None:
    with pytest.raises(DefinitionError, match="cannot wrap another Field"):
        Field(Field(int))
    with pytest.raises(DefinitionError, match="Array element cannot take a Field"):
        Array(Field(int))
    with pytest.raises(DefinitionError, match="Invalid config schema None in Noneable"):
        Noneable(None)
    with pytest.raises(DefinitionError, match="at least one field"):
        Selector({})
    with pytest.raises(DefinitionError, match="Enum 'E' needs a non-empty list"):
        Enum("E", [])


# --------------------------------------------------------------------------- normalize / describe


def test_normalize_is_cached_and_idempotent() -> None:
    schema = {"a": int, "b": [str]}
    first = normalize_schema(schema)
    assert normalize_schema(schema) is first
    assert normalize_schema(first) is first
    assert normalize_schema(int) == ScalarType(int, "int")


def test_validate_accepts_normalized_schema() -> None:
    ct = normalize_schema({"a": Field(int, default_value=2)})
    assert validate_config(ct, {}, P) == ({"a": 2}, [])


def test_validate_does_not_mutate_input() -> None:
    value = {"a": {"b": 1}}
    snapshot = copy.deepcopy(value)
    ok({"a": {"b": int, "c": Field(int, default_value=2)}}, value)
    assert value == snapshot


def test_describe_schema() -> None:
    assert describe_schema({"config_param": str}) == {"config_param": "str"}
    assert describe_schema({"a": Field(int, default_value=1, description="count")}) == {
        "a": {"type": "int", "default": 1, "description": "count"}
    }
    assert describe_schema(None) == "Any"
    assert describe_schema(
        {
            "xs": [int],
            "m": dict[str, float],
            "n": Noneable(str),
            "o": Field(str, is_required=False),
            "s": StringSource,
            "c": Enum("C", [EnumValue("A")]),
        }
    ) == {
        "xs": ["int"],
        "m": "dict[str, float]",
        "n": {"type": "str | None", "required": False},
        "o": {"type": "str", "required": False},
        "s": "StringSource",
        "c": {"type": "Enum", "name": "C", "values": ["A"]},
    }
    assert describe_schema(Permissive({"a": int})) == {"type": "Permissive", "fields": {"a": "int"}}
    assert describe_schema(Selector({"a": int})) == {"type": "Selector", "one_of": {"a": "int"}}
    assert describe_schema(Field(int, default_value=3)) == {"type": "int", "default": 3}


def test_describe_pydantic_model() -> None:
    assert describe_schema(MyConfig) == {
        "name": "str",
        "retries": {"type": "int", "default": 3},
        "inner": {"host": "str", "port": {"type": "int", "default": 5432}},
        "tags": {"type": ["str"], "default": []},
    }
    json.dumps(describe_schema(MyConfig))
