"""Config schemas for ops and resources, and validation of run config against them.

Follows Dagster's rules: a user's ``config_schema`` may be ``None``, a Python type, a
``typing`` generic, a dict of fields, a one-element list, one of the wrappers defined
here (:class:`Field`, :class:`Shape`, :class:`Permissive`, :class:`Selector`,
:class:`Array`, :class:`Noneable`, :class:`Enum`, the ``*Source`` types) or a pydantic
model class. :func:`normalize_schema` turns any of these into a tree of
:class:`ConfigType` nodes; :func:`validate_config` checks a value against it, collecting
every error, and returns the value with defaults applied.
"""

from __future__ import annotations

import copy
import difflib
import enum
import os
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticSerializationError

from orchestrator.errors import DefinitionError

__all__ = [
    "Array",
    "BoolSource",
    "Config",
    "Enum",
    "EnumValue",
    "Field",
    "IntSource",
    "Noneable",
    "Permissive",
    "Selector",
    "Shape",
    "StringSource",
]

_REPR_LIMIT = 60
_CACHE_LIMIT = 4096

_ACCEPTED_FORMS = (
    "expected None, a type (str, int, float, bool, list, dict, typing.Any), a typing generic "
    "(list[X], dict[K, V], Optional[X]), a dict of field schemas, a one-element list, "
    "Field, Shape, Permissive, Selector, Array, Noneable, Enum, StringSource, IntSource, "
    "BoolSource, or a pydantic model class"
)


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        # Unpickle (e.g. a shipped job) to the module's one instance: code compares by identity.
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


# --------------------------------------------------------------------------- helpers


def _short(value: object) -> str:
    """``repr`` cut to a readable length, so huge values don't flood error messages."""
    text = repr(value)
    if len(text) > _REPR_LIMIT:
        text = text[: _REPR_LIMIT - 3] + "..."
    return text


def _received(value: object) -> str:
    if value is None:
        return "None"
    return f"{type(value).__name__} ({_short(value)})"


def _join(path: str, key: object) -> str:
    key = str(key)
    if not key:
        return path
    return f"{path}.{key}" if path else key


def _quoted(names: typing.Iterable[object]) -> str:
    return ", ".join(repr(n) for n in names)


def _unknown_field_message(key: object, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1) if isinstance(key, str) else []
    if close:
        return f"unknown field {key!r} (did you mean {close[0]!r}?)"
    if allowed:
        return f"unknown field {key!r} (allowed fields: {_quoted(allowed)})"
    return f"unknown field {key!r} (no fields allowed)"


def _jsonable(value: object) -> object:
    """``value`` if it is plain JSON data, otherwise its repr, for :func:`describe_schema`."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _jsonable(v) for k, v in value.items()}
    return repr(value)


class _Ctx:
    """Accumulates errors during one validation pass; ``resolve_env`` is off when checking defaults."""

    __slots__ = ("errors", "resolve_env")

    def __init__(self, resolve_env: bool) -> None:
        self.errors: list[tuple[str, str]] = []
        self.resolve_env = resolve_env

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))


# --------------------------------------------------------------------------- config types


class ConfigType:
    """A node of a normalized schema. Subclasses are frozen dataclasses."""

    @property
    def label(self) -> str:
        """Short type name used in error messages (``int``, ``list[str]``, ``dict``)."""
        raise NotImplementedError

    @property
    def all_optional(self) -> bool:
        """Whether a missing value can be filled in without the user giving anything."""
        return False

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        """Check ``value``, record errors in ``ctx`` and return it with defaults applied."""
        raise NotImplementedError

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        """JSON-friendly description; ``seen`` stops recursion through self-referencing models."""
        raise NotImplementedError

    def _mismatch(self, value: object, path: str, ctx: _Ctx) -> object:
        ctx.error(path, f"expected {self.label}, received {_received(value)}")
        return value


@dataclass(frozen=True)
class AnyType(ConfigType):
    """Accepts any value unchanged (``typing.Any`` / ``object``)."""

    @property
    def label(self) -> str:
        return "Any"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        return value

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return "Any"


@dataclass(frozen=True)
class ScalarType(ConfigType):
    """A plain Python type checked with ``isinstance`` (bools are not ints; ints become floats)."""

    py_type: type
    name: str

    @property
    def label(self) -> str:
        return self.name

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        ok, out = _check_scalar(self.py_type, value)
        return out if ok else self._mismatch(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return self.name


def _check_scalar(py_type: type, value: object) -> tuple[bool, object]:
    # bool subclasses int, but config that says int (or float) should not take True.
    if isinstance(value, bool) and py_type is not bool:
        return False, value
    if py_type is float and isinstance(value, int):
        return True, float(value)
    return isinstance(value, py_type), value


@dataclass(frozen=True, init=False)
class Array(ConfigType):
    """A list whose elements all match ``inner``."""

    inner: ConfigType

    def __init__(self, inner_type: object) -> None:
        object.__setattr__(self, "inner", _normalize_nested(inner_type, "Array element"))

    @property
    def label(self) -> str:
        return f"list[{self.inner.label}]"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, (list, tuple)):
            return self._mismatch(value, path, ctx)
        return [self.inner.process(v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return [self.inner.describe(seen)]


@dataclass(frozen=True)
class MapType(ConfigType):
    """A dict with arbitrary keys of type ``key`` and values of type ``value`` (``dict[K, V]``)."""

    key: ConfigType
    value: ConfigType

    @property
    def label(self) -> str:
        return f"dict[{self.key.label}, {self.value.label}]"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, Mapping):
            return self._mismatch(value, path, ctx)
        out: dict[object, object] = {}
        for k, v in value.items():
            item_path = _join(path, k)
            key_ctx = _Ctx(ctx.resolve_env)
            new_key = self.key.process(k, item_path, key_ctx)
            for p, msg in key_ctx.errors:
                ctx.error(p, f"invalid key: {msg}")
            out[new_key] = self.value.process(v, item_path, ctx)
        return out

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        k, v = self.key.describe(seen), self.value.describe(seen)
        if isinstance(k, str) and isinstance(v, str):
            return f"dict[{k}, {v}]"
        return {"type": "dict", "key": k, "value": v}


@dataclass(frozen=True, init=False)
class Noneable(ConfigType):
    """``inner`` or ``None``; a missing field of this type is set to ``None``."""

    inner: ConfigType

    def __init__(self, inner_type: object) -> None:
        object.__setattr__(self, "inner", _normalize_nested(inner_type, "Noneable"))

    @property
    def label(self) -> str:
        return f"{self.inner.label} | None"

    @property
    def all_optional(self) -> bool:
        return True

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        return None if value is None else self.inner.process(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        inner = self.inner.describe(seen)
        if isinstance(inner, str):
            return f"{inner} | None"
        return {"type": "Noneable", "inner": inner}


@dataclass(frozen=True, init=False)
class Field:
    """A field of a :class:`Shape`: its schema, default, whether it is required, and a description.

    ``is_required`` defaults to True unless a default is given or the schema can be
    filled in on its own (``Noneable``, or a shape whose fields are all optional).
    ``default_value`` is ``NO_DEFAULT`` when absent; check :attr:`has_default`.
    """

    config_type: ConfigType
    default_value: Any
    is_required: bool
    description: str | None

    def __init__(
        self,
        config: object,
        default_value: object = NO_DEFAULT,
        is_required: bool | None = None,
        description: str | None = None,
    ) -> None:
        if isinstance(config, Field):
            raise DefinitionError("Field(...) cannot wrap another Field.")
        config_type = _normalize_nested(config, "Field")
        has_default = default_value is not NO_DEFAULT
        if is_required is None:
            is_required = not has_default and not config_type.all_optional
        elif is_required and has_default:
            raise DefinitionError(
                f"Field with is_required=True cannot have a default_value (got {_short(default_value)})."
            )
        if has_default:
            # Env sources are read at run time, so a default may name a variable not set now.
            ctx = _Ctx(resolve_env=False)
            config_type.process(copy.deepcopy(default_value), "", ctx)
            if ctx.errors:
                details = "; ".join(f"{p}: {m}" if p else m for p, m in ctx.errors)
                raise DefinitionError(f"Invalid default_value {_short(default_value)}: {details}")
        object.__setattr__(self, "config_type", config_type)
        object.__setattr__(self, "default_value", default_value)
        object.__setattr__(self, "is_required", bool(is_required))
        object.__setattr__(self, "description", description)

    @property
    def has_default(self) -> bool:
        return self.default_value is not NO_DEFAULT

    def fill_missing(self, path: str, ctx: _Ctx) -> tuple[bool, object]:
        """The value to use when the field is absent, as ``(present, value)``; absent means omit."""
        if self.has_default:
            return True, self.config_type.process(copy.deepcopy(self.default_value), path, ctx)
        if self.is_required:
            return False, None
        if isinstance(self.config_type, Noneable):
            return True, None
        if self.config_type.all_optional:
            return True, self.config_type.process(None, path, ctx)
        return False, None

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        type_desc = self.config_type.describe(seen)
        extra: dict[str, object] = {}
        if self.has_default:
            extra["default"] = _jsonable(self.default_value)
        elif not self.is_required:
            extra["required"] = False
        if self.description:
            extra["description"] = self.description
        return {"type": type_desc, **extra} if extra else type_desc


def _normalize_fields(fields: Mapping[str, object] | None, owner: str) -> Mapping[str, Field]:
    if fields is None:
        fields = {}
    if not isinstance(fields, Mapping):
        raise DefinitionError(f"{owner} expects a dict of field schemas, got {_short(fields)}.")
    out: dict[str, Field] = {}
    for name, schema in fields.items():
        if not isinstance(name, str):
            raise DefinitionError(f"{owner} field names must be strings, got {_short(name)}.")
        try:
            out[name] = schema if isinstance(schema, Field) else Field(schema)
        except DefinitionError as exc:
            raise DefinitionError(f"field {name!r}: {exc}") from None
    # Read-only so a normalized (and cached) schema can't be changed behind our back.
    return types.MappingProxyType(out)


@dataclass(frozen=True, init=False)
class Shape(ConfigType):
    """A dict with exactly the given fields; unknown keys are errors."""

    fields: Mapping[str, Field]
    description: str | None = field(compare=False)

    permissive: ClassVar[bool] = False

    def __init__(self, fields: Mapping[str, object], description: str | None = None) -> None:
        object.__setattr__(self, "fields", _normalize_fields(fields, type(self).__name__))
        object.__setattr__(self, "description", description)

    @property
    def label(self) -> str:
        return "dict"

    @property
    def all_optional(self) -> bool:
        return all(not f.is_required for f in self.fields.values())

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        # Dagster treats a null shape (e.g. an empty ``config:`` in YAML) as an empty dict.
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            return self._mismatch(value, path, ctx)
        out: dict[object, object] = {}
        for name, fdef in self.fields.items():
            field_path = _join(path, name)
            if name in value:
                out[name] = fdef.config_type.process(value[name], field_path, ctx)
                continue
            present, filled = fdef.fill_missing(field_path, ctx)
            if present:
                out[name] = filled
            elif fdef.is_required:
                ctx.error(field_path, "missing required field")
        allowed = list(self.fields)
        for key, extra in value.items():
            if key in self.fields:
                continue
            if self.permissive:
                out[key] = extra
            else:
                ctx.error(path, _unknown_field_message(key, allowed))
        return out

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {name: f.describe(seen) for name, f in self.fields.items()}


@dataclass(frozen=True, init=False)
class Permissive(Shape):
    """Like :class:`Shape`, but keys not declared pass through unchecked."""

    permissive: ClassVar[bool] = True

    def __init__(self, fields: Mapping[str, object] | None = None, description: str | None = None) -> None:
        super().__init__(fields or {}, description)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {"type": "Permissive", "fields": super().describe(seen)}


@dataclass(frozen=True, init=False)
class Selector(ConfigType):
    """A dict with exactly one of the given fields set (a tagged choice)."""

    fields: Mapping[str, Field]
    description: str | None = field(compare=False)

    def __init__(self, fields: Mapping[str, object], description: str | None = None) -> None:
        normalized = _normalize_fields(fields, "Selector")
        if not normalized:
            raise DefinitionError("Selector needs at least one field.")
        object.__setattr__(self, "fields", normalized)
        object.__setattr__(self, "description", description)

    @property
    def label(self) -> str:
        return f"dict with exactly one of {_quoted(self.fields)}"

    @property
    def all_optional(self) -> bool:
        return len(self.fields) == 1 and not next(iter(self.fields.values())).is_required

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            return self._mismatch(value, path, ctx)
        allowed = list(self.fields)
        known = [k for k in value if k in self.fields]
        for key in value:
            if key not in self.fields:
                ctx.error(path, _unknown_field_message(key, allowed))
        if len(known) > 1:
            ctx.error(path, f"expected exactly one of {_quoted(allowed)}, received {len(known)} ({_quoted(known)})")
            return value
        if known:
            name = known[0]
            return {name: self.fields[name].config_type.process(value[name], _join(path, name), ctx)}
        if len(value) > len(known):
            return value  # only unknown keys, already reported
        if self.all_optional:
            name = allowed[0]
            present, filled = self.fields[name].fill_missing(_join(path, name), ctx)
            return {name: filled} if present else {}
        ctx.error(path, f"expected exactly one of {_quoted(allowed)}, received none")
        return value

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {"type": "Selector", "one_of": {n: f.describe(seen) for n, f in self.fields.items()}}


@dataclass(frozen=True)
class EnumValue:
    """One allowed name of an :class:`Enum` and the Python value it stands for (default: the name)."""

    config_value: str
    python_value: Any = NO_DEFAULT
    description: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.config_value, str):
            raise DefinitionError(f"EnumValue name must be a string, got {_short(self.config_value)}.")
        if self.python_value is NO_DEFAULT:
            object.__setattr__(self, "python_value", self.config_value)


@dataclass(frozen=True, init=False)
class Enum(ConfigType):
    """A string naming one of ``enum_values``; validation returns that value's ``python_value``."""

    name: str
    enum_values: tuple[EnumValue, ...]

    def __init__(self, name: str, enum_values: Sequence[EnumValue]) -> None:
        values = tuple(enum_values)
        if not values or not all(isinstance(v, EnumValue) for v in values):
            raise DefinitionError(f"Enum {name!r} needs a non-empty list of EnumValue, got {_short(enum_values)}.")
        names = [v.config_value for v in values]
        if len(set(names)) != len(names):
            raise DefinitionError(f"Enum {name!r} has duplicate values: {_quoted(names)}.")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "enum_values", values)

    @classmethod
    def from_python_enum(cls, enum_type: type[enum.Enum], name: str | None = None) -> Enum:
        """An Enum whose names are the members' names and whose values are the members."""
        return cls(name or enum_type.__name__, [EnumValue(m.name, python_value=m) for m in enum_type])

    @property
    def label(self) -> str:
        return f"{self.name} (one of {_quoted(v.config_value for v in self.enum_values)})"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if isinstance(value, str):
            for ev in self.enum_values:
                if ev.config_value == value:
                    return ev.python_value
        return self._mismatch(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {"type": "Enum", "name": self.name, "values": [v.config_value for v in self.enum_values]}


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class SourceType(ConfigType):
    """A scalar given literally or as ``{"env": "VAR"}``, read from the environment when validated."""

    name: str
    scalar: ScalarType

    @property
    def label(self) -> str:
        return f"{self.scalar.name} or {{'env': 'VAR_NAME'}}"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, Mapping):
            ok, out = _check_scalar(self.scalar.py_type, value)
            return out if ok else self._mismatch(value, path, ctx)
        var = value.get("env")
        if set(value) != {"env"} or not isinstance(var, str):
            return self._mismatch(value, path, ctx)
        if not ctx.resolve_env:
            return value
        raw = os.environ.get(var)
        if raw is None:
            ctx.error(path, f"environment variable {var!r} is not set")
            return None
        return self._convert(raw, var, path, ctx)

    def _convert(self, raw: str, var: str, path: str, ctx: _Ctx) -> object:
        py_type = self.scalar.py_type
        if py_type is int:
            try:
                return int(raw.strip())
            except ValueError:
                ctx.error(path, f"environment variable {var!r} is not an int: received {_short(raw)}")
                return None
        if py_type is bool:
            lowered = raw.strip().lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
            ctx.error(path, f"environment variable {var!r} is not a bool (true/false): received {_short(raw)}")
            return None
        return raw

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return self.name


@dataclass(frozen=True)
class ModelType(ConfigType):
    """A pydantic model class; validated by pydantic and returned as a plain dict."""

    model: type[BaseModel]

    @property
    def label(self) -> str:
        return self.model.__name__

    @property
    def all_optional(self) -> bool:
        return all(not f.is_required() for f in self.model.model_fields.values())

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        try:
            instance = self.model.model_validate({} if value is None else value)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                err_path = _join(path, ".".join(str(part) for part in err["loc"]))
                msg = err["msg"]
                if err["type"] != "missing":  # for a missing field the input is the parent dict: noise
                    msg = f"{msg}; received {_received(err.get('input'))}"
                ctx.error(err_path, msg)
            return value
        try:
            return instance.model_dump(mode="json")
        except PydanticSerializationError:  # a field holds an arbitrary object: keep the Python form
            return instance.model_dump()

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        if self.model in seen:
            return self.model.__name__
        seen = seen | {self.model}
        out: dict[str, object] = {}
        for name, info in self.model.model_fields.items():
            try:
                type_desc = _describe_annotation(info.annotation, seen)
            except DefinitionError:
                type_desc = str(info.annotation).replace("typing.", "")
            extra: dict[str, object] = {}
            if not info.is_required():
                try:
                    extra["default"] = _jsonable(info.get_default(call_default_factory=True))
                except Exception:  # noqa: BLE001 - a user factory may fail any way; describing must not
                    extra["default"] = "<factory>"
            if info.description:
                extra["description"] = info.description
            out[name] = {"type": type_desc, **extra} if extra else type_desc
        return out


def _describe_annotation(annotation: object, seen: frozenset[type]) -> object:
    ct = normalize_schema(annotation)
    return "Any" if ct is None else ct.describe(seen)


@dataclass(frozen=True)
class DefaultedType(ConfigType):
    """A top-level ``Field`` with a default: a missing (``None``) value becomes the default."""

    inner: ConfigType
    default: Any

    @property
    def label(self) -> str:
        return self.inner.label

    @property
    def all_optional(self) -> bool:
        return True

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if value is None:
            value = copy.deepcopy(self.default)
        return self.inner.process(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {"type": self.inner.describe(seen), "default": _jsonable(self.default)}


_ANY = AnyType()
_SCALARS: dict[object, ConfigType] = {
    str: ScalarType(str, "str"),
    int: ScalarType(int, "int"),
    float: ScalarType(float, "float"),
    bool: ScalarType(bool, "bool"),
    list: ScalarType(list, "list"),
    dict: ScalarType(dict, "dict"),
}

StringSource = SourceType("StringSource", ScalarType(str, "str"))
IntSource = SourceType("IntSource", ScalarType(int, "int"))
BoolSource = SourceType("BoolSource", ScalarType(bool, "bool"))


class Config(BaseModel):
    """Base class for typed op/resource config: unknown keys are rejected and instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- normalization


def is_config_class(tp: object) -> bool:
    """Whether ``tp`` is a pydantic model class (so it is validated by pydantic)."""
    try:
        return isinstance(tp, type) and issubclass(tp, BaseModel)
    except TypeError:  # generic aliases such as list[int] pass isinstance(type) on some versions
        return False


# Keyed by id(); the stored schema keeps the object alive so its id can't be reused.
_CACHE: dict[int, tuple[object, ConfigType | None]] = {}


def normalize_schema(schema: object) -> ConfigType | None:
    """Turn a user ``config_schema`` into a :class:`ConfigType` tree; ``None`` means no config.

    Results are cached by object identity, so calling this repeatedly on the same schema is
    cheap. Schemas are assumed not to change after they are first used. Raises
    :class:`DefinitionError` for anything that is not a valid schema.
    """
    if schema is None:
        return None
    if isinstance(schema, ConfigType):
        return schema
    hit = _CACHE.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    result = _normalize(schema)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[id(schema)] = (schema, result)
    return result


def _normalize_nested(schema: object, where: str) -> ConfigType:
    if isinstance(schema, Field):
        raise DefinitionError(f"{where} cannot take a Field; pass the schema itself.")
    ct = normalize_schema(schema)
    if ct is None:
        raise DefinitionError(f"Invalid config schema None in {where}: {_ACCEPTED_FORMS}.")
    return ct


def _normalize(schema: object) -> ConfigType | None:
    if isinstance(schema, Field):
        if schema.has_default:
            return DefaultedType(schema.config_type, schema.default_value)
        if not schema.is_required and not schema.config_type.all_optional:
            return Noneable(schema.config_type)
        return schema.config_type
    if isinstance(schema, dict):
        return Shape(schema)
    if isinstance(schema, list):
        if len(schema) != 1:
            raise DefinitionError(
                f"A list config schema must have exactly one element (the element schema), got {_short(schema)}."
            )
        return Array(schema[0])
    if schema is Any or schema is object:
        return _ANY
    scalar = _SCALARS.get(schema) if isinstance(schema, type) else None
    if scalar is not None:
        return scalar
    if is_config_class(schema):
        return ModelType(typing.cast("type[BaseModel]", schema))
    origin = typing.get_origin(schema)
    args = typing.get_args(schema)
    if origin is typing.Annotated:
        return _normalize_nested(args[0], "Annotated")
    if origin is typing.Union or origin is types.UnionType:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return Noneable(rest[0])
        raise DefinitionError(f"Invalid config schema {_short(schema)}: only Optional[X] unions are supported.")
    if origin is list:
        return Array(args[0]) if args else _SCALARS[list]
    if origin is dict:
        if not args:
            return _SCALARS[dict]
        return MapType(_normalize_nested(args[0], "dict key"), _normalize_nested(args[1], "dict value"))
    raise DefinitionError(f"Invalid config schema {_short(schema)}: {_ACCEPTED_FORMS}.")


# --------------------------------------------------------------------------- entry points


def validate_config(schema: object, value: object, path: str) -> tuple[object, list[tuple[str, str]]]:
    """Check ``value`` against ``schema`` (raw or normalized), reading env sources now.

    Returns ``(processed_value, errors)``: the value with defaults applied and every error
    found as ``(dotted_path, message)``, ``path`` being the prefix (e.g.
    ``ops.my_op.config``). Unknown keys are reported at the path of the dict holding them.
    The processed value is meaningless when there are errors.
    """
    ct = normalize_schema(schema)
    if ct is None:
        return value, []
    ctx = _Ctx(resolve_env=True)
    out = ct.process(value, path, ctx)
    return out, ctx.errors


def describe_schema(schema: object) -> object:
    """A readable, JSON-friendly description of ``schema`` (e.g. ``{"a": {"type": "int", "default": 1}}``)."""
    ct = normalize_schema(schema)
    return "Any" if ct is None else ct.describe()
