"""Config schemas for ops and resources, and validation of run config against them.

Follows Dagster's rules: a user's ``config_schema`` may be ``None``, a Python type, a
``typing`` generic, a dict of fields, a one-element list, one of the wrappers defined
here (:class:`Field`, :class:`Shape`, :class:`Permissive`, :class:`Selector`,
:class:`Array`, :class:`Noneable`, :class:`Enum`, the ``*Source`` types) or a pydantic
model class. :func:`normalize_schema` turns any of these into a tree of
:class:`ConfigType` nodes; :func:`validate_config` checks a value against it, collecting
every error, and returns the value with defaults applied.

Environment variables (``{"env": "NAME"}`` for the ``*Source`` types, ``EnvVar("NAME")`` in
``Config`` classes and resources) are read when the config is used, not when run config is
checked: :func:`validate_config` with ``resolve_env=False`` keeps each reference as
``{"env": "NAME"}`` (so what is stored in a run record holds no secret), and
:func:`resolve_env_vars` reads them later, in the process that runs the step.
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

from orchestrator.definitions.config.env_vars import EnvVar, IntEnvVar, env_ref, env_var_name_of
from orchestrator.errors import DagsterInvalidConfigDefinitionError, DefinitionError

__all__ = [
    "Array",
    "BoolSource",
    "Config",
    "Enum",
    "EnumValue",
    "Field",
    "IntSource",
    "Map",
    "Noneable",
    "Permissive",
    "PermissiveConfig",
    "ScalarUnion",
    "Selector",
    "Shape",
    "StringSource",
    "resolve_env_vars",
    "validate_config",
]

_REPR_LIMIT = 60
_CACHE_LIMIT = 4096

_ACCEPTED_FORMS = (
    "expected None, a type (str, int, float, bool, list, dict, typing.Any), a typing generic "
    "(list[X], dict[K, V], Optional[X]), a dict of field schemas, a one-element list, "
    "Field, Shape, Permissive, Selector, Array, Map, Noneable, Enum, ScalarUnion, StringSource, IntSource, "
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

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        """``value`` (already processed) with the environment variables it refers to read now."""
        return value

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
class _WrapperType(ConfigType):
    """A type around one inner type (``Array``, ``Noneable``), given as any schema ``normalize_schema`` takes.

    :param inner_type: the inner schema; a ``DagsterInvalidConfigDefinitionError`` names ``_where`` when it is not one.
    """

    inner: ConfigType

    #: What the inner schema is, in the error for one that is not a schema.
    _where: ClassVar[str]

    def __init__(self, inner_type: object) -> None:
        object.__setattr__(self, "inner", _normalize_nested(inner_type, self._where))


@dataclass(frozen=True, init=False)
class Array(_WrapperType):
    """A list config value whose elements all match one schema.

    Dagster's ``Array``: the same as the one-element list ``[inner_type]`` as a schema. Each
    element is checked (an error names its index, e.g. ``ops.load.config.tables[1]``); a tuple
    is accepted too, and the op receives a list.

    Args:
        inner_type: The schema every element must match: a type (``str``, ``int``...), a dict of
            fields, or any other config schema but a ``Field``.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``inner_type`` is not a config schema.

    Examples:
        >>> from orchestrator import Array, build_op_context, op
        >>> @op(config_schema={"tables": Array(str)})
        ... def count_tables(context) -> int:
        ...     return len(context.op_config["tables"])
        >>> count_tables(build_op_context(op_config={"tables": ["users", "orders"]}))
        2
    """

    _where = "Array element"

    # Spelled out, not only inherited: the docs' static analysis (griffe) gives an init=False
    # dataclass without its own __init__ an empty signature, and would reject the Args: above.
    def __init__(self, inner_type: object) -> None:
        super().__init__(inner_type)

    @property
    def label(self) -> str:
        return f"list[{self.inner.label}]"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, (list, tuple)):
            return self._mismatch(value, path, ctx)
        return [self.inner.process(v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, (list, tuple)):
            return value
        return [self.inner.resolve_env(v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]

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

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, Mapping):
            return value
        return {k: self.value.resolve_env(v, _join(path, k), ctx) for k, v in value.items()}

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        k, v = self.key.describe(seen), self.value.describe(seen)
        if isinstance(k, str) and isinstance(v, str):
            return f"dict[{k}, {v}]"
        return {"type": "dict", "key": k, "value": v}


_MAP_KEY_TYPES: dict[object, str] = {str: "str", int: "int", float: "float", bool: "bool"}


@dataclass(frozen=True, init=False)
class Map(MapType):
    """A dict config value whose keys are all of one scalar type and whose values all match one schema.

    For config keyed by names the schema cannot list in advance (tables, regions...). The same
    as ``dict[K, V]`` as a schema, plus ``key_label_name``, which names what the keys stand for in
    schema descriptions. Every key and value is checked; an error names the key's path.

    Args:
        key_type: The type of every key: ``str``, ``int``, ``float`` or ``bool`` (or Dagster's
            ``String``, ``Int``, ``Float``, ``Bool``).
        inner_type: The schema every value must match (any config schema but a ``Field``).
        key_label_name: What the keys stand for, e.g. ``"table"``. Defaults to None.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``key_type`` is not one of those scalar types, or
            ``inner_type`` is not a config schema.

    Examples:
        >>> from orchestrator import Map, build_op_context, op
        >>> @op(config_schema={"limits": Map(str, int, key_label_name="table")})
        ... def total_limit(context) -> int:
        ...     return sum(context.op_config["limits"].values())
        >>> total_limit(build_op_context(op_config={"limits": {"users": 2, "orders": 3}}))
        5
    """

    key_label_name: str | None = field(compare=False)

    def __init__(self, key_type: object, inner_type: object, key_label_name: str | None = None) -> None:
        key_type = getattr(key_type, "config_python_type", None) or key_type  # Dagster's String, Int...
        if key_type not in _MAP_KEY_TYPES:
            raise DagsterInvalidConfigDefinitionError(
                f"Map key_type must be one of str, int, float or bool (a scalar), got {_short(key_type)}."
            )
        object.__setattr__(self, "key", _SCALARS[key_type])
        object.__setattr__(self, "value", _normalize_nested(inner_type, "Map value"))
        object.__setattr__(self, "key_label_name", key_label_name)

    @property
    def key_type(self) -> ConfigType:
        return self.key

    @property
    def inner_type(self) -> ConfigType:
        return self.value

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        out = super().describe(seen)
        if self.key_label_name and isinstance(out, str):
            return {"type": out, "key_label_name": self.key_label_name}
        return out


@dataclass(frozen=True, init=False)
class ScalarUnion(ConfigType):
    """A config value given either as a scalar or as a dict or list: a short form and a long one.

    For a setting such as a location, written ``"s3://bucket/key"`` or ``{"bucket": ..., "key":
    ...}``. A dict, list or ``None`` is checked against ``non_scalar_schema``, anything else against
    ``scalar_type``; the op receives the value in the form it was given.

    Args:
        scalar_type: The type of the short form: ``str``, ``int``, ``float`` or ``bool``.
        non_scalar_schema: The schema of the long form: a dict of fields, a one-element list,
            ``Shape``, ``Array``...

    Raises:
        DagsterInvalidConfigDefinitionError: when ``scalar_type`` is not a scalar type, or
            ``non_scalar_schema`` is not a config schema.

    Examples:
        >>> from orchestrator import ScalarUnion, build_op_context, op
        >>> location = ScalarUnion(scalar_type=str, non_scalar_schema={"bucket": str, "key": str})
        >>> @op(config_schema={"location": location})
        ... def where(context):
        ...     return context.op_config["location"]
        >>> where(build_op_context(op_config={"location": "s3://bucket/key"}))
        's3://bucket/key'
        >>> where(build_op_context(op_config={"location": {"bucket": "b", "key": "k"}}))
        {'bucket': 'b', 'key': 'k'}
    """

    scalar_type: ConfigType
    non_scalar_type: ConfigType

    def __init__(self, scalar_type: object, non_scalar_schema: object, _key: str | None = None) -> None:
        scalar = _normalize_nested(scalar_type, "ScalarUnion scalar_type")
        if not isinstance(scalar, (ScalarType, AnyType)) or scalar in (_SCALARS[list], _SCALARS[dict]):
            raise DagsterInvalidConfigDefinitionError(f"ScalarUnion scalar_type must be str, int, float or bool, got {_short(scalar_type)}.")
        object.__setattr__(self, "scalar_type", scalar)
        object.__setattr__(self, "non_scalar_type", _normalize_nested(non_scalar_schema, "ScalarUnion non_scalar_schema"))

    @property
    def label(self) -> str:
        return f"{self.scalar_type.label} or {self.non_scalar_type.label}"

    @property
    def all_optional(self) -> bool:
        return self.non_scalar_type.all_optional

    def _branch(self, value: object) -> ConfigType:
        return self.non_scalar_type if isinstance(value, (Mapping, list, tuple)) or value is None else self.scalar_type

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        branch = self._branch(value)
        if branch is self.scalar_type:
            ok, out = _check_scalar(branch.py_type, value) if isinstance(branch, ScalarType) else (True, value)
            return out if ok else self._mismatch(value, path, ctx)
        return branch.process(value, path, ctx)

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        return self._branch(value).resolve_env(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {"type": "ScalarUnion", "scalar": self.scalar_type.describe(seen),
                "non_scalar": self.non_scalar_type.describe(seen)}


@dataclass(frozen=True, init=False)
class Noneable(_WrapperType):
    """A config value that may be ``None``: a value matching the inner schema, or nothing.

    A field of this type may be left out of run config: it is then set to ``None``, so the op
    can always read the key. The same as ``Optional[X]`` as a schema.

    Args:
        inner_type: The schema of the value when it is not ``None`` (any config schema but a
            ``Field``).

    Raises:
        DagsterInvalidConfigDefinitionError: when ``inner_type`` is not a config schema.

    Examples:
        >>> from orchestrator import Noneable, build_op_context, op
        >>> @op(config_schema={"limit": Noneable(int)})
        ... def limit(context):
        ...     return context.op_config["limit"]
        >>> print(limit(build_op_context(op_config={})))
        None
        >>> limit(build_op_context(op_config={"limit": 5}))
        5
    """

    _where = "Noneable"

    # Spelled out, not only inherited: the docs' static analysis (griffe) gives an init=False
    # dataclass without its own __init__ an empty signature, and would reject the Args: above.
    def __init__(self, inner_type: object) -> None:
        super().__init__(inner_type)

    @property
    def label(self) -> str:
        return f"{self.inner.label} | None"

    @property
    def all_optional(self) -> bool:
        return True

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        return None if value is None else self.inner.process(value, path, ctx)

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        return None if value is None else self.inner.resolve_env(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        inner = self.inner.describe(seen)
        if isinstance(inner, str):
            return f"{inner} | None"
        return {"type": "Noneable", "inner": inner}


@dataclass(frozen=True, init=False)
class Field:
    """One field of a config dict: its schema, its default, whether it is required, what it is for.

    Use it as a value of a dict schema (``{"rows": Field(int, default_value=10)}``) when a bare
    type is not enough. Left out of run config, a field with a default gets a copy of it; a field
    that is neither required nor defaulted is left out of the op's config (a ``Noneable`` one
    becomes ``None``). The default is checked against the schema when the ``Field`` is made;
    ``{"env": ...}`` references in it are read only when the config is used.

    Args:
        config: The field's schema: a type, a dict of fields, a one-element list, ``Shape``,
            ``Noneable``... (not another ``Field``).
        default_value: The value used when the field is left out. Defaults to no default
            (``has_default`` is then False).
        is_required: Whether run config must give the field. Defaults to True unless there is a
            ``default_value`` or the schema can be filled in on its own (``Noneable``, or a dict
            whose fields are all optional).
        description: What the field is for, shown in schema descriptions. Defaults to None.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``config`` is not a config schema or is a
            ``Field``, when ``is_required=True`` comes with a ``default_value``, or when the
            default does not match the schema.

    Examples:
        >>> from orchestrator import Field, build_op_context, op
        >>> @op(config_schema={"rows": Field(int, default_value=10, description="Rows to read.")})
        ... def read(context) -> int:
        ...     return context.op_config["rows"]
        >>> read(build_op_context())
        10
        >>> read(build_op_context(op_config={"rows": 3}))
        3
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
            raise DagsterInvalidConfigDefinitionError("Field(...) cannot wrap another Field.")
        config_type = _normalize_nested(config, "Field")
        has_default = default_value is not NO_DEFAULT
        if is_required is None:
            is_required = not has_default and not config_type.all_optional
        elif is_required and has_default:
            raise DagsterInvalidConfigDefinitionError(
                f"Field with is_required=True cannot have a default_value (got {_short(default_value)})."
            )
        if has_default:
            # Env sources are read at run time, so a default may name a variable not set now.
            ctx = _Ctx(resolve_env=False)
            config_type.process(copy.deepcopy(default_value), "", ctx)
            if ctx.errors:
                details = "; ".join(f"{p}: {m}" if p else m for p, m in ctx.errors)
                raise DagsterInvalidConfigDefinitionError(f"Invalid default_value {_short(default_value)}: {details}")
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
        raise DagsterInvalidConfigDefinitionError(f"{owner} expects a dict of field schemas, got {_short(fields)}.")
    out: dict[str, Field] = {}
    for name, schema in fields.items():
        if not isinstance(name, str):
            raise DagsterInvalidConfigDefinitionError(f"{owner} field names must be strings, got {_short(name)}.")
        try:
            out[name] = schema if isinstance(schema, Field) else Field(schema)
        except DefinitionError as exc:
            raise DagsterInvalidConfigDefinitionError(f"field {name!r}: {exc}") from None
    # Read-only so a normalized (and cached) schema can't be changed behind our back.
    return types.MappingProxyType(out)


@dataclass(frozen=True, init=False)
class _FieldsType(ConfigType):
    """A dict of named fields (``Shape``, ``Permissive``, ``Selector``): the fields, a description, and
    environment variables read field by field (keys not declared pass through as they are).

    :param fields: the fields, as ``Field``s or any schema (normalized; errors name the class).
    :param description: what the dict is for, shown in descriptions.
    """

    fields: Mapping[str, Field]
    description: str | None = field(compare=False)

    def __init__(self, fields: Mapping[str, object], description: str | None = None) -> None:
        object.__setattr__(self, "fields", _normalize_fields(fields, type(self).__name__))
        object.__setattr__(self, "description", description)

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        if not isinstance(value, Mapping):
            return value
        return {k: self.fields[k].config_type.resolve_env(v, _join(path, k), ctx) if k in self.fields else v
                for k, v in value.items()}


@dataclass(frozen=True, init=False)
class Shape(_FieldsType):
    """A config dict with a fixed set of fields: the required ones must be given, no other key may be.

    What a plain dict schema (``{"host": str}``) stands for; write ``Shape`` to give the dict a
    description. A missing or ``None`` value counts as an empty dict, so a shape whose fields are
    all optional can be left out. Every error is reported with its path, and an unknown key with
    the closest field name (``did you mean 'host'?``).

    Args:
        fields: The fields, by name: each a ``Field`` or any config schema (a type, a nested
            dict...).
        description: What the dict is for, shown in schema descriptions. Defaults to None.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``fields`` is not a dict with string keys, or a
            field's schema is not a config schema.

    Examples:
        >>> from orchestrator import Field, Shape, build_op_context, op
        >>> @op(config_schema=Shape({"host": str, "port": Field(int, default_value=5432)}))
        ... def address(context) -> str:
        ...     return f"{context.op_config['host']}:{context.op_config['port']}"
        >>> address(build_op_context(op_config={"host": "db"}))
        'db:5432'
    """

    permissive: ClassVar[bool] = False

    # Spelled out, not only inherited: the docs' static analysis (griffe) gives an init=False
    # dataclass without its own __init__ an empty signature, and would reject the Args: above.
    def __init__(self, fields: Mapping[str, object], description: str | None = None) -> None:
        super().__init__(fields, description)

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
    """A config dict with declared fields that also accepts keys it does not declare.

    The declared fields are checked as in :class:`Shape`; other keys reach the op as given,
    unchecked. ``Permissive()`` with no fields accepts any dict.

    Args:
        fields: The declared fields, by name: each a ``Field`` or any config schema. Defaults to
            none.
        description: What the dict is for, shown in schema descriptions. Defaults to None.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``fields`` is not a dict with string keys, or a
            field's schema is not a config schema.

    Examples:
        >>> from orchestrator import Permissive, build_op_context, op
        >>> @op(config_schema=Permissive({"name": str}))
        ... def echo(context) -> dict:
        ...     return context.op_config
        >>> echo(build_op_context(op_config={"name": "a", "extra": 1}))
        {'name': 'a', 'extra': 1}
    """

    permissive: ClassVar[bool] = True

    def __init__(self, fields: Mapping[str, object] | None = None, description: str | None = None) -> None:
        super().__init__(fields or {}, description)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return {"type": "Permissive", "fields": super().describe(seen)}


@dataclass(frozen=True, init=False)
class Selector(_FieldsType):
    """A config dict that sets exactly one of its fields: a choice between alternatives.

    For config that takes one of several forms, e.g. a source given as ``{"path": ...}`` or as
    ``{"url": ...}``. The op receives a dict holding the one key given. Left out, a selector
    whose only field is optional selects it (with its default, if it has one); otherwise giving
    none, or more than one, is a config error.

    Args:
        fields: The alternatives, by name: each a ``Field`` or any config schema (at least one).
        description: What the choice is for, shown in schema descriptions. Defaults to None.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``fields`` is empty, is not a dict with string
            keys, or a field's schema is not a config schema.

    Examples:
        >>> from orchestrator import Selector, build_op_context, op
        >>> @op(config_schema=Selector({"path": str, "url": str}))
        ... def source(context) -> dict:
        ...     return context.op_config
        >>> source(build_op_context(op_config={"url": "s3://bucket/key"}))
        {'url': 's3://bucket/key'}
    """

    def __init__(self, fields: Mapping[str, object], description: str | None = None) -> None:
        super().__init__(fields, description)
        if not self.fields:
            raise DagsterInvalidConfigDefinitionError("Selector needs at least one field.")

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
    """One allowed name of a config :class:`Enum`, and the Python value it stands for.

    Run config gives the name; the op receives ``python_value``.

    Args:
        config_value: The name run config uses (a string).
        python_value: The value the op receives for that name. Defaults to ``config_value``
            itself.
        description: What this choice means. Defaults to None.

    Raises:
        DagsterInvalidConfigDefinitionError: when ``config_value`` is not a string.

    Examples:
        >>> from orchestrator import EnumValue
        >>> EnumValue("RED").python_value
        'RED'
        >>> EnumValue("RED", python_value=(255, 0, 0), description="Pure red.").python_value
        (255, 0, 0)
    """

    config_value: str
    python_value: Any = NO_DEFAULT
    description: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.config_value, str):
            raise DagsterInvalidConfigDefinitionError(f"EnumValue name must be a string, got {_short(self.config_value)}.")
        if self.python_value is NO_DEFAULT:
            object.__setattr__(self, "python_value", self.config_value)


@dataclass(frozen=True, init=False)
class Enum(ConfigType):
    """A config value that is one of a fixed set of names, each standing for a Python value.

    Run config gives a name (a string); the op receives that name's ``python_value``; any other
    value is a config error listing the names. ``Enum.from_python_enum(MyEnum)`` builds one from a
    Python ``enum.Enum``: the names are the members' names and the op receives the members.

    Args:
        name: The enum's name, shown in errors and schema descriptions.
        enum_values: The allowed names, as :class:`EnumValue` objects (at least one, all distinct).

    Raises:
        DagsterInvalidConfigDefinitionError: when ``enum_values`` is empty, holds something that is
            not an ``EnumValue``, or repeats a name.

    Examples:
        >>> from orchestrator import Enum, EnumValue, build_op_context, op
        >>> level = Enum("Level", [EnumValue("LOW", python_value=1), EnumValue("HIGH", python_value=10)])
        >>> @op(config_schema={"level": level})
        ... def weight(context) -> int:
        ...     return context.op_config["level"]
        >>> weight(build_op_context(op_config={"level": "HIGH"}))
        10
    """

    name: str
    enum_values: tuple[EnumValue, ...]

    def __init__(self, name: str, enum_values: Sequence[EnumValue]) -> None:
        values = tuple(enum_values)
        if not values or not all(isinstance(v, EnumValue) for v in values):
            raise DagsterInvalidConfigDefinitionError(f"Enum {name!r} needs a non-empty list of EnumValue, got {_short(enum_values)}.")
        names = [v.config_value for v in values]
        if len(set(names)) != len(names):
            raise DagsterInvalidConfigDefinitionError(f"Enum {name!r} has duplicate values: {_quoted(names)}.")
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


def _read_env(var: str, py_type: type, path: str, ctx: _Ctx) -> object:
    """The value of environment variable ``var`` as ``py_type`` (str, int, float or bool), or an error."""
    raw = os.environ.get(var)
    if raw is None:
        ctx.error(path, f"environment variable {var!r} is not set in this process (it is read where the "
                        "step runs: set it there, on every worker for a submitted run)")
        return None
    if py_type is int or py_type is float:
        try:
            return py_type(raw.strip())
        except ValueError:
            ctx.error(path, f'Value stored in env variable "{var}" cannot be coerced into an {py_type.__name__}: '
                            f"received {_short(raw)}")
            return None
    if py_type is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        ctx.error(path, f'Value stored in env variable "{var}" cannot be coerced into a bool (true/false): '
                        f"received {_short(raw)}")
        return None
    return raw


def contains_env_ref(value: object) -> bool:
    """Whether ``value`` (processed config) holds a reference to an environment variable anywhere."""
    if isinstance(value, (EnvVar, IntEnvVar)):
        return True
    if isinstance(value, Mapping):
        return env_var_name_of(value) is not None or any(contains_env_ref(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_env_ref(v) for v in value)
    return False


@dataclass(frozen=True)
class SourceType(ConfigType):
    """A scalar given literally or as ``{"env": "VAR"}``, read from the environment when validated."""

    name: str
    scalar: ScalarType

    @property
    def label(self) -> str:
        return f"{self.scalar.name} or {{'env': 'VAR_NAME'}}"

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        var = env_var_name_of(value)
        if var is None:
            if isinstance(value, Mapping):
                return self._mismatch(value, path, ctx)
            ok, out = _check_scalar(self.scalar.py_type, value)
            return out if ok else self._mismatch(value, path, ctx)
        if not ctx.resolve_env:
            return env_ref(var)  # the reference, never the value: this form may be stored
        return _read_env(var, self.scalar.py_type, path, ctx)

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        var = env_var_name_of(value)
        return value if var is None else _read_env(var, self.scalar.py_type, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return self.name


@dataclass(frozen=True)
class ModelType(ConfigType):
    """A pydantic model class; validated by pydantic and returned as a plain dict.

    ``str``/``int``/``float``/``bool`` fields (also in nested models, lists and dicts of them) may
    be given as ``EnvVar("NAME")``, ``EnvVar.int("NAME")`` or ``{"env": "NAME"}``, or default to an
    ``EnvVar``: like the ``*Source`` types, those are read only when ``ctx.resolve_env`` is on, and
    kept as ``{"env": "NAME"}`` otherwise. ``omit`` names fields that are not config (a resource's
    nested resources); ``defaults`` are values under the given config (a resource instance's own).
    """

    model: type[BaseModel]
    omit: frozenset[str] = field(default=frozenset(), compare=False)
    defaults: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.model.__name__

    @property
    def all_optional(self) -> bool:
        given = set(self.defaults or ()) | set(self.omit)
        return all(not f.is_required() or (f.alias or n) in given for n, f in self.model.model_fields.items())

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if isinstance(value, BaseModel):
            value = config_dictionary(value)
        if value is None:
            value = {}
        refs: list[tuple[tuple[object, ...], str]] = []
        if isinstance(value, Mapping):
            data: object = dict(value)
            if self.defaults:
                data = {**copy.deepcopy(dict(self.defaults)), **value}
            assert isinstance(data, dict)
            for name in self.omit:
                if name in value:
                    ctx.error(_join(path, name), f"field {name!r} of {self.model.__name__} is a resource, not config: "
                                                 "set it when building the resource, not in run config")
                data[name] = None  # a placeholder: resource fields accept anything (see resources.py)
            data = _prepare_fields(self.model, data, path, (), ctx, refs)
        else:
            data = value
        try:
            instance = self.model.model_validate(data)
        except ValidationError as exc:
            ref_keys = [keys for keys, _ in refs]
            for err in exc.errors(include_url=False):
                loc = tuple(err["loc"])
                if not ctx.resolve_env and any(loc[: len(k)] == k for k in ref_keys):
                    continue  # a placeholder for an env reference: the value is checked when it is read
                err_path = _join(path, ".".join(str(part) for part in loc))
                msg = err["msg"]
                if err["type"] != "missing":  # for a missing field the input is the parent dict: noise
                    msg = f"{msg}; received {_received(err.get('input'))}"
                ctx.error(err_path, msg)
            return value
        try:
            dumped: Any = instance.model_dump(mode="json")
        except PydanticSerializationError:  # a field holds an arbitrary object: keep the Python form
            dumped = instance.model_dump()
        for name in self.omit:
            dumped.pop(name, None)
        if not ctx.resolve_env:
            for keys, var in refs:
                _put(dumped, keys, env_ref(var))
        return dumped

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        if not contains_env_ref(value):
            return value
        return self.process(value, path, ctx)

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


_ENV_SCALARS: dict[object, object] = {str: "", int: 0, float: 0.0, bool: False}


def _unwrap_optional(annotation: object) -> object:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_optional(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return _unwrap_optional(rest[0])
    return annotation


def _prepare_fields(model: type[BaseModel], data: dict[str, Any], path: str, keys: tuple[object, ...], ctx: _Ctx,
                    refs: list[tuple[tuple[object, ...], str]]) -> dict[str, Any]:
    """``data`` for ``model`` with env references replaced (read, or placeholders) and recorded in ``refs``."""
    out = dict(data)
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in out:
            raw = out[key]
        elif isinstance(info.default, (EnvVar, IntEnvVar)):
            raw = info.default  # a field defaulting to an env var: read like a given one
        else:
            continue
        out[key] = _prepare_value(info.annotation, raw, _join(path, key), (*keys, name), ctx, refs)
    return out


def _prepare_value(annotation: object, raw: object, path: str, keys: tuple[object, ...], ctx: _Ctx,
                   refs: list[tuple[tuple[object, ...], str]]) -> object:
    ann = _unwrap_optional(annotation)
    var = env_var_name_of(raw)
    if var is not None and ann in _ENV_SCALARS:
        refs.append((keys, var))
        if ctx.resolve_env:
            got = _read_env(var, typing.cast(type, ann), path, ctx)
            if got is not None:
                return got
        return _ENV_SCALARS[ann]  # a valid stand-in, so the rest of the model is still checked
    if is_config_class(ann):
        model = typing.cast("type[BaseModel]", ann)
        if isinstance(raw, BaseModel):
            raw = config_dictionary(raw)
        return _prepare_fields(model, dict(raw), path, keys, ctx, refs) if isinstance(raw, Mapping) else raw
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin in (list, Sequence, tuple) and args and isinstance(raw, (list, tuple)):
        return [_prepare_value(args[0], v, f"{path}[{i}]", (*keys, i), ctx, refs) for i, v in enumerate(raw)]
    if origin in (dict, Mapping) and len(args) == 2 and isinstance(raw, Mapping):
        return {k: _prepare_value(args[1], v, _join(path, k), (*keys, k), ctx, refs) for k, v in raw.items()}
    if isinstance(ann, type) and issubclass(ann, enum.Enum) and isinstance(raw, str):
        # Dagster's config names enum members; pydantic validates their values.
        if raw in ann.__members__ and raw not in {m.value for m in ann}:
            return ann.__members__[raw].value
    return raw


def _put(target: Any, keys: tuple[object, ...], value: object) -> None:
    for key in keys[:-1]:
        target = target[key]
    if keys:
        target[keys[-1]] = value


def config_value(value: object) -> object:
    """``value`` in run-config form: env vars as ``{"env": NAME}``, ``Config`` objects as dicts."""
    name = env_var_name_of(value) if isinstance(value, (EnvVar, IntEnvVar)) else None
    if name is not None:
        return env_ref(name)
    if isinstance(value, BaseModel):
        return config_dictionary(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Mapping):
        return {k: config_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [config_value(v) for v in value]
    return value


def config_dictionary(obj: BaseModel, omit: typing.Collection[str] = ()) -> dict[str, Any]:
    """The run config a ``Config`` (or resource) object stands for: its set fields and env-var fields.

    Defaults the user did not set are left out (the schema fills them in), except ``Literal``
    fields (union tags, as Dagster keeps them); ``EnvVar`` values
    become ``{"env": NAME}``; nested models become dicts; ``omit`` names fields to leave out.
    """
    out: dict[str, Any] = {}
    values = obj.__dict__
    for name, info in type(obj).model_fields.items():
        if name in omit or name not in values:
            continue
        value = values[name]
        # Literal fields are kept even when defaulted: they may tag the member of a discriminated union.
        if (name not in obj.model_fields_set and not isinstance(value, (EnvVar, IntEnvVar))
                and typing.get_origin(info.annotation) is not typing.Literal):
            continue
        out[info.alias or name] = config_value(value)
    for name, value in (obj.__pydantic_extra__ or {}).items():
        out[name] = config_value(value)
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

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        return self.inner.resolve_env(value, path, ctx)

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

# SourceType is a frozen dataclass, so each value's own docstring is set past its __setattr__.
StringSource = SourceType("StringSource", ScalarType(str, "str"))
object.__setattr__(StringSource, "__doc__", """A string config value, given as is or read from an environment variable.

Run config gives either the string or ``{"env": "VAR_NAME"}``. The variable is read when the
config is used, in the process that runs the step (a worker, for a submitted run), so what a run
stores holds the reference, never the secret; a variable that is not set there is a config error
that names it. For typed config, ``EnvVar("VAR_NAME")`` does the same in ``Config`` classes and
resources.

Examples:
    >>> import os
    >>> from orchestrator import StringSource, build_op_context, op
    >>> @op(config_schema={"token": StringSource})
    ... def token(context) -> str:
    ...     return context.op_config["token"]
    >>> os.environ["DOCS_TOKEN"] = "s3cret"
    >>> token(build_op_context(op_config={"token": {"env": "DOCS_TOKEN"}}))
    's3cret'
    >>> token(build_op_context(op_config={"token": "literal"}))
    'literal'
    >>> del os.environ["DOCS_TOKEN"]
""")
IntSource = SourceType("IntSource", ScalarType(int, "int"))
object.__setattr__(IntSource, "__doc__", """An integer config value, given as is or read from an environment variable.

Run config gives either the integer or ``{"env": "VAR_NAME"}``. The variable is read when the
config is used, in the process that runs the step, and its text parsed as an integer; a variable
that is not set there, or does not hold an integer, is a config error that names it. For typed
config, ``EnvVar.int("VAR_NAME")`` does the same in ``Config`` classes and resources.

Examples:
    >>> import os
    >>> from orchestrator import IntSource, build_op_context, op
    >>> @op(config_schema={"workers": IntSource})
    ... def workers(context) -> int:
    ...     return context.op_config["workers"]
    >>> os.environ["DOCS_WORKERS"] = "4"
    >>> workers(build_op_context(op_config={"workers": {"env": "DOCS_WORKERS"}}))
    4
    >>> workers(build_op_context(op_config={"workers": 2}))
    2
    >>> del os.environ["DOCS_WORKERS"]
""")
BoolSource = SourceType("BoolSource", ScalarType(bool, "bool"))
object.__setattr__(BoolSource, "__doc__", """A boolean config value, given as is or read from an environment variable.

Run config gives either ``true``/``false`` or ``{"env": "VAR_NAME"}``. The variable is read when
the config is used, in the process that runs the step: ``true``, ``1``, ``yes`` and ``on`` are
True, ``false``, ``0``, ``no`` and ``off`` are False (in any case); anything else, or a variable
that is not set there, is a config error that names it.

Examples:
    >>> import os
    >>> from orchestrator import BoolSource, build_op_context, op
    >>> @op(config_schema={"dry_run": BoolSource})
    ... def dry_run(context) -> bool:
    ...     return context.op_config["dry_run"]
    >>> os.environ["DOCS_DRY_RUN"] = "yes"
    >>> dry_run(build_op_context(op_config={"dry_run": {"env": "DOCS_DRY_RUN"}}))
    True
    >>> dry_run(build_op_context(op_config={"dry_run": False}))
    False
    >>> del os.environ["DOCS_DRY_RUN"]
""")


class Config(BaseModel):
    """Base class for typed op, asset and resource config: a pydantic model whose fields are the config.

    Annotate an op's or asset's ``config`` parameter with a subclass: its fields become the op's
    config schema (``ops.<op>.config`` in run config) and the op receives a checked instance.
    Keys it does not declare are rejected and instances are immutable. A field may be given (or
    default to) ``EnvVar("NAME")`` / ``EnvVar.int("NAME")``: the object keeps the reference and
    the op receives the value read where the step runs. An ``enum.Enum`` field also takes a
    member's name, as in Dagster's config.

    Args:
        **data: The field values, by field name.

    Raises:
        pydantic.ValidationError: when a field is missing, does not match its type, or is not
            declared.

    Examples:
        >>> from orchestrator import Config, RunConfig, job, op
        >>> class GreetConfig(Config):
        ...     name: str = "world"
        >>> @op
        ... def greet(config: GreetConfig) -> str:
        ...     return f"hello {config.name}"
        >>> @job
        ... def greet_job():
        ...     greet()
        >>> run_config = RunConfig(ops={"greet": GreetConfig(name="you")})
        >>> greet_job.execute_in_process(run_config=run_config).output_for_node("greet")
        'hello you'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        fields = type(self).model_fields
        for key, value in list(data.items()):
            info = fields.get(key)
            ann = _unwrap_optional(info.annotation) if info is not None else None
            if isinstance(ann, type) and issubclass(ann, enum.Enum) and isinstance(value, str):
                if value in ann.__members__ and value not in {m.value for m in ann}:
                    data[key] = ann.__members__[value]  # Dagster's config names enum members
        super().__init__(**data)
        # pydantic stores an EnvVar given for a str/int field as a plain str/int: keep the reference.
        for key, value in data.items():
            if isinstance(value, (EnvVar, IntEnvVar)) and key in fields:
                self.__dict__[key] = value

    def _convert_to_config_dictionary(self) -> dict[str, Any]:
        """This object as the config dict run config takes (env vars as ``{"env": NAME}``)."""
        return config_dictionary(self)

    @classmethod
    def to_config_schema(cls) -> type[Config]:
        """The config schema this class stands for (usable as any ``config_schema=``)."""
        return cls


class PermissiveConfig(Config):
    """A :class:`Config` that also accepts fields it does not declare.

    The declared fields are checked as in ``Config``; others are kept as given, unchecked, and
    read as attributes (or with ``model_dump()``). For config whose keys are not all known in
    advance.

    Args:
        **data: The field values, by name: the declared fields and any others.

    Raises:
        pydantic.ValidationError: when a declared field is missing or does not match its type.

    Examples:
        >>> from orchestrator import PermissiveConfig
        >>> class Loose(PermissiveConfig):
        ...     known: int = 1
        >>> loose = Loose(known=2, extra="x")
        >>> loose.model_dump()
        {'known': 2, 'extra': 'x'}
        >>> loose.extra
        'x'
    """

    model_config = ConfigDict(extra="allow", frozen=True)


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
    :class:`DagsterInvalidConfigDefinitionError` (a ``DefinitionError``) for anything that is not a valid schema.
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
        raise DagsterInvalidConfigDefinitionError(f"{where} cannot take a Field; pass the schema itself.")
    ct = normalize_schema(schema)
    if ct is None:
        raise DagsterInvalidConfigDefinitionError(f"Invalid config schema None in {where}: {_ACCEPTED_FORMS}.")
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
            raise DagsterInvalidConfigDefinitionError(
                f"A list config schema must have exactly one element (the element schema), got {_short(schema)}."
            )
        return Array(schema[0])
    if schema is Any or schema is object:
        return _ANY
    builtin = getattr(schema, "config_python_type", None)  # Dagster's Int, String, Float, Bool, Any
    if builtin is not None and not isinstance(schema, type):
        return _normalize(builtin)
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
        raise DagsterInvalidConfigDefinitionError(f"Invalid config schema {_short(schema)}: only Optional[X] unions are supported.")
    if origin is list:
        return Array(args[0]) if args else _SCALARS[list]
    if origin is dict:
        if not args:
            return _SCALARS[dict]
        return MapType(_normalize_nested(args[0], "dict key"), _normalize_nested(args[1], "dict value"))
    raise DagsterInvalidConfigDefinitionError(f"Invalid config schema {_short(schema)}: {_ACCEPTED_FORMS}.")


# --------------------------------------------------------------------------- entry points


def validate_config(schema: object, value: object, path: str,
                    resolve_env: bool = True) -> tuple[object, list[tuple[str, str]]]:
    """Check ``value`` against ``schema`` (raw or normalized).

    Returns ``(processed_value, errors)``: the value with defaults applied and every error
    found as ``(dotted_path, message)``, ``path`` being the prefix (e.g.
    ``ops.my_op.config``). Unknown keys are reported at the path of the dict holding them.
    The processed value is meaningless when there are errors. With ``resolve_env`` (the
    default) environment variables are read now; without, each stays ``{"env": "NAME"}`` in
    the result, to be read by :func:`resolve_env_vars` where the config is used.
    """
    ct = normalize_schema(schema)
    if ct is None:
        return value, []
    ctx = _Ctx(resolve_env=resolve_env)
    out = ct.process(value, path, ctx)
    return out, ctx.errors


def with_env_vars_read(obj: Any, path: str) -> Any:
    """A ``Config`` object with its ``EnvVar`` fields read now (the object itself when it has none).

    For calling an op directly with a config object built with ``EnvVar``s; ``ConfigError``
    (at ``path``) when a variable is not set.
    """
    if not isinstance(obj, BaseModel) or not contains_env_ref(config_dictionary(obj)):
        return obj
    from orchestrator.errors import ConfigError

    value, errors = validate_config(type(obj), obj, path)
    if errors:
        raise ConfigError(f"Invalid config object {type(obj).__name__}.", errors)
    return type(obj)(**typing.cast("dict[str, Any]", value))


def resolve_env_vars(schema: object, value: object, path: str) -> tuple[object, list[tuple[str, str]]]:
    """Read the environment variables that processed config ``value`` refers to, in this process.

    ``value`` is what :func:`validate_config` returned with ``resolve_env=False``. Returns
    ``(value, errors)``; the value is unchanged (the same object) when it refers to none.
    """
    ct = normalize_schema(schema)
    if ct is None or not contains_env_ref(value):
        return value, []
    ctx = _Ctx(resolve_env=True)
    out = ct.resolve_env(value, path, ctx)
    return out, ctx.errors


def describe_schema(schema: object) -> object:
    """A readable, JSON-friendly description of ``schema`` (e.g. ``{"a": {"type": "int", "default": 1}}``)."""
    ct = normalize_schema(schema)
    return "Any" if ct is None else ct.describe()
