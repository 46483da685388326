"""Run-time type checks driven by Python annotations on op inputs and outputs."""

from __future__ import annotations

import collections.abc
import types
import typing
from typing import Any

_ANY = object()


def type_name(tp: Any) -> str:
    """A short readable name for an annotation (``int``, ``list[str]``, ``Optional[int]``)."""
    if tp is _ANY or tp is Any:
        return "Any"
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
