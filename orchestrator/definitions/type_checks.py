"""Run-time type checks of op inputs and outputs: by Python annotation, or by Dagster type.

A Dagster type (``DagsterType`` or anything with its ``type_check(context, value)``) runs its own
check; a class registered with ``register_python_type`` (``usable_as_dagster_type``) stands for its
Dagster type; other annotations are checked structurally (``list[int]`` element by element).
"""

from __future__ import annotations

import collections.abc
import types
import typing
from typing import Any

from orchestrator.errors import DagsterTypeCheckDidNotPass

_ANY = object()

# Python class -> the Dagster type it stands for (``usable_as_dagster_type``). Kept here, where
# every check looks, so that this module needs nothing from the module defining Dagster types.
_PYTHON_TYPES: dict[type, Any] = {}


def register_python_type(python_type: type, dagster_type: Any) -> None:
    """Make annotations of ``python_type`` run ``dagster_type``'s check."""
    _PYTHON_TYPES[python_type] = dagster_type


def registered_python_type(python_type: type) -> Any:
    """The Dagster type ``python_type`` stands for, or None."""
    return _PYTHON_TYPES.get(python_type)


def _dagster_type_of(tp: Any) -> Any:
    """``tp`` as a Dagster type (an object with ``type_check``), or None for plain annotations."""
    if isinstance(tp, type):
        return _PYTHON_TYPES.get(tp)
    return tp if callable(getattr(tp, "type_check", None)) else None


def check_value(tp: Any, value: Any, context: Any = None) -> tuple[bool, str | None, dict[str, Any]]:
    """Check ``value`` against ``tp``: ``(success, description, metadata)``.

    A Dagster type runs its check with ``context`` (the step's op context, or None); a plain
    annotation is matched structurally and a mismatch is described as "expected X, got Y".
    """
    dagster_type = _dagster_type_of(tp)
    if dagster_type is not None:
        result = dagster_type.type_check(context, value)
        return result.success, result.description, dict(result.metadata)
    if matches(value, tp):
        return True, None, {}
    return False, f"expected {type_name(tp)}, got {describe(value)}", {}


def check_op_value(op_name: str, kind: str, name: str, tp: Any, value: Any, context: Any = None) -> None:
    """Run the type check of an op's input or output, in a run or when the op is called directly.

    Args:
        op_name: The op's name, for the message.
        kind: ``"input"`` or ``"output"``.
        name: The input's or output's name.
        tp: Its Dagster type or annotation; None checks nothing.
        value: The value to check.
        context: The op's context, given to a Dagster type's check function.

    Raises:
        DagsterTypeCheckDidNotPass: naming the op, the input or output, the type and why.
    """
    if tp is None:
        return
    success, description, metadata = check_value(tp, value, context)
    if success:
        return
    why = description or f"got {describe(value)}"
    raise DagsterTypeCheckDidNotPass(
        f"Type check failed for op '{op_name}' {kind} '{name}' (expected {type_name(tp)}): {why}",
        metadata=metadata, dagster_type=tp,
    )


def type_name(tp: Any) -> str:
    """A short readable name for an annotation (``int``, ``list[str]``, ``Optional[int]``)."""
    if tp is _ANY or tp is Any:
        return "Any"
    display = getattr(tp, "display_name", None)
    if isinstance(display, str) and not isinstance(tp, type):
        return display
    if tp is None or tp is type(None):
        return "None"
    if isinstance(tp, type) and not typing.get_args(tp):
        return tp.__qualname__
    return str(tp).replace("typing.", "")


def is_any(tp: Any) -> bool:
    return tp is _ANY or tp is Any or tp is object or tp is typing.Any


def matches(value: Any, tp: Any) -> bool:
    """Whether ``value`` fits ``tp``. Generic containers are checked element by element."""
    if is_any(tp):
        return True
    dagster_type = _dagster_type_of(tp)
    if dagster_type is not None:
        return bool(dagster_type.type_check(None, value).success)
    if tp is None or tp is type(None):
        return value is None
    if isinstance(tp, typing.TypeVar):
        return True
    origin = typing.get_origin(tp)
    if origin is None:
        if isinstance(tp, type):
            if tp is float and isinstance(value, int) and not isinstance(value, bool):
                return True  # PEP 484 numeric tower: an int is acceptable where a float is
            return isinstance(value, tp)
        if isinstance(tp, str):
            return True  # unresolved forward reference: nothing to check against
        return True
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return any(matches(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin is typing.Annotated:
        return matches(value, args[0])
    if origin in (list, set, frozenset, collections.abc.Sequence, collections.abc.Set):
        if not isinstance(value, origin):  # every origin in the tuple above is a class
            return False
        return not args or all(matches(v, args[0]) for v in value)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if not args:
            return True
        if len(args) == 2 and args[1] is Ellipsis:
            return all(matches(v, args[0]) for v in value)
        return len(args) == len(value) and all(matches(v, a) for v, a in zip(value, args))
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, collections.abc.Mapping):
            return False
        if not args:
            return True
        return all(matches(k, args[0]) and matches(v, args[1]) for k, v in value.items())
    if isinstance(origin, type):
        return isinstance(value, origin)
    return True


def describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__qualname__} ({text})"
