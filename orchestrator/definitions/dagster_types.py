"""Dagster types: named run-time checks for op inputs and outputs, and how to load an input from
run config.

``DagsterType(type_check_fn, name=...)`` checks values with a function returning a bool or a
``TypeCheck``; ``PythonObjectDagsterType(cls)`` checks ``isinstance``. The built-ins ``Any``,
``Bool``, ``Int``, ``Float`` and ``String`` and the builders ``List[...]``, ``Optional[...]``,
``Dict[...]``, ``Set[...]`` and ``Tuple[...]`` are Dagster's. ``usable_as_dagster_type`` (or
``make_python_type_usable_as_dagster_type``) makes a Python class stand for a Dagster type, so an
annotation ``x: MyClass`` runs that type's check. A failed check raises
``DagsterTypeCheckDidNotPass`` and fails the step (in process and on workers alike).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any as TypingAny
from typing import TypeVar

from orchestrator.definitions.metadata import MetadataValue, normalize_metadata
from orchestrator.definitions.type_checks import check_value, register_python_type, registered_python_type, type_name
from orchestrator.errors import DagsterTypeCheckError, DefinitionError

__all__ = [
    "TypeCheck", "DagsterType", "PythonObjectDagsterType", "DagsterTypeLoader", "DagsterTypeLoaderContext",
    "dagster_type_loader", "usable_as_dagster_type", "make_python_type_usable_as_dagster_type",
    "resolve_dagster_type", "check_dagster_type", "Any", "Bool", "Int", "Float", "String", "List", "Optional", "Dict", "Set",
    "Tuple",
]

T = TypeVar("T")


class TypeCheck:
    """What a ``DagsterType``'s check function may return instead of a bool: ``success``, a
    description and metadata, shown when the check fails.

    Example::

        from orchestrator import DagsterType, TypeCheck

        def is_positive(_context, value):
            return TypeCheck(success=isinstance(value, int) and value > 0, description=f"got {value!r}")

        Positive = DagsterType(type_check_fn=is_positive, name="Positive")
        assert Positive.type_check(None, 3).success and not Positive.type_check(None, -1).success
    """

    def __init__(self, success: bool, description: str | None = None,
                 metadata: Mapping[str, TypingAny] | None = None) -> None:
        self.success = bool(success)
        self.description = description
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)

    def __repr__(self) -> str:
        return f"TypeCheck(success={self.success!r}, description={self.description!r})"


class DagsterTypeLoaderContext:
    """What a type loader sees: the step's ``resources``, ``log``, ``op_def`` and ``op_config``.

    Example::

        from orchestrator import DagsterTypeLoaderContext, dagster_type_loader

        @dagster_type_loader(config_schema=str)
        def upper_loader(context: DagsterTypeLoaderContext, value: str) -> str:
            return value.upper()
    """

    def __init__(self, resources: TypingAny = None, log: TypingAny = None, op_def: TypingAny = None,
                 op_config: TypingAny = None, run_id: str | None = None) -> None:
        self.resources = resources
        self.log = log
        self.op_def = op_def
        self.op_config = op_config
        self.run_id = run_id


class DagsterTypeLoader:
    """Builds an input's value from its run config (``ops.<op>.inputs.<name>``) when nothing feeds it."""

    def __init__(self, loader_fn: Callable[[DagsterTypeLoaderContext, TypingAny], TypingAny], schema: TypingAny,
                 required_resource_keys: set[str] | frozenset[str] | None = None) -> None:
        self.loader_fn = loader_fn
        self.schema = schema
        self.required_resource_keys = frozenset(required_resource_keys or ())

    def construct_from_config_value(self, context: DagsterTypeLoaderContext, config_value: TypingAny) -> TypingAny:
        return self.loader_fn(context, config_value)


def dagster_type_loader(config_schema: TypingAny, required_resource_keys: set[str] | None = None
                        ) -> Callable[[Callable[..., TypingAny]], DagsterTypeLoader]:
    """Turn ``fn(context, config_value) -> value`` into a loader for ``DagsterType(loader=...)``.

    Example::

        from orchestrator import DagsterType, In, dagster_type_loader, job, op

        @dagster_type_loader(config_schema={"n": int})
        def repeat_loader(_context, config):
            return ["x"] * config["n"]

        Xs = DagsterType(lambda _, v: isinstance(v, list), name="Xs", loader=repeat_loader)

        @op(ins={"xs": In(Xs)})
        def count(xs):
            return len(xs)

        @job
        def counting():
            count()

        result = counting.execute_in_process(run_config={"ops": {"count": {"inputs": {"xs": {"n": 3}}}}})
        assert result.output_for_node("count") == 3
    """

    def wrap(fn: Callable[..., TypingAny]) -> DagsterTypeLoader:
        return DagsterTypeLoader(fn, config_schema, required_resource_keys)

    return wrap


class DagsterType:
    """A named type check for op inputs and outputs (``In(dagster_type=...)``, ``Out(...)``).

    ``type_check_fn(context, value)`` returns a bool or a ``TypeCheck``; a failure raises
    ``DagsterTypeCheckDidNotPass`` in the step. ``loader`` builds unconnected inputs from run config.

    Example::

        from orchestrator import DagsterType, DagsterTypeCheckDidNotPass, In, job, op

        EvenInt = DagsterType(lambda _ctx, v: isinstance(v, int) and v % 2 == 0, name="EvenInt")

        @op(ins={"n": In(EvenInt)})
        def half(n):
            return n // 2

        assert half(4) == 2
    """

    def __init__(
        self,
        type_check_fn: Callable[[TypingAny, TypingAny], TypingAny],
        key: str | None = None,
        name: str | None = None,
        is_builtin: bool = False,
        description: str | None = None,
        loader: DagsterTypeLoader | None = None,
        required_resource_keys: set[str] | frozenset[str] | None = None,
        kind: str = "REGULAR",
        typing_type: TypingAny = TypingAny,
        metadata: Mapping[str, TypingAny] | None = None,
    ) -> None:
        if not callable(type_check_fn):
            raise DefinitionError(f"DagsterType {name or key!r}: type_check_fn must be callable.")
        params = [p for p in inspect.signature(type_check_fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(params) != 2 and not any(p.kind is p.VAR_POSITIONAL
                                         for p in inspect.signature(type_check_fn).parameters.values()):
            raise DefinitionError(
                f"DagsterType {name or key!r}: type_check_fn must take two arguments (context, value), "
                f"it takes {len(params)}."
            )
        if key is None and name is None:
            raise DefinitionError("DagsterType needs a name (or a key).")
        self.key: str = key or str(name)
        self._name = name
        self.description = description
        self.loader = loader
        self.required_resource_keys = frozenset(required_resource_keys or ()) | (
            loader.required_resource_keys if loader else frozenset())
        self.is_builtin = is_builtin
        self.kind = kind
        self.typing_type = typing_type
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)
        self._type_check_fn = type_check_fn
        #: Set on the built-in scalars (``Int``...): the Python type they mean in a config schema.
        self.config_python_type: TypingAny = None

    @property
    def name(self) -> str:
        return self._name or self.key

    @property
    def unique_name(self) -> str:
        return self.key

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def is_nothing(self) -> bool:
        return self.kind == "NOTHING"

    @property
    def is_any(self) -> bool:
        return self.kind == "ANY"

    def type_check(self, context: TypingAny, value: TypingAny) -> TypeCheck:
        """Run the check; a bool result becomes a ``TypeCheck``. A check that raises, or returns
        something else, raises ``DagsterTypeCheckError`` naming this type."""
        try:
            outcome = self._type_check_fn(context, value)
        except Exception as exc:
            raise DagsterTypeCheckError(
                f"The type check function of Dagster type '{self.display_name}' raised "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if isinstance(outcome, TypeCheck):
            return outcome
        if isinstance(outcome, bool):
            return TypeCheck(outcome)
        raise DagsterTypeCheckError(
            f"The type check function of Dagster type '{self.display_name}' returned {outcome!r}; it "
            "must return a bool or a TypeCheck."
        )

    def __repr__(self) -> str:
        return f"<DagsterType {self.display_name}>"


class PythonObjectDagsterType(DagsterType):
    """A Dagster type whose check is ``isinstance(value, python_type)`` (a class or a tuple of them).

    Example::

        from orchestrator import PythonObjectDagsterType

        class Report:
            pass

        ReportType = PythonObjectDagsterType(Report, name="ReportType")
        assert ReportType.type_check(None, Report()).success
        assert not ReportType.type_check(None, "text").success
    """

    def __init__(self, python_type: type | tuple[type, ...], key: str | None = None, name: str | None = None,
                 **kwargs: TypingAny) -> None:
        self.python_type = python_type
        if isinstance(python_type, tuple):
            type_desc = "one of " + ", ".join(t.__name__ for t in python_type)
            default_name = "Union[" + ", ".join(t.__name__ for t in python_type) + "]"
        else:
            type_desc = python_type.__name__
            default_name = python_type.__name__
        type_name = name or default_name

        def check(_context: TypingAny, value: TypingAny) -> TypeCheck:
            if isinstance(value, python_type):
                return TypeCheck(True)
            return TypeCheck(False, description=(
                f"Value of type {type(value)} failed type check for Dagster type {key or type_name}, "
                f"expected value to be of Python type {type_desc}."))

        super().__init__(check, key=key, name=type_name, typing_type=python_type, **kwargs)


# -- built-ins -------------------------------------------------------------------------------------

def _scalar(name: str, python_type: type, desc: str) -> DagsterType:
    def check(_context: TypingAny, value: TypingAny) -> TypeCheck:
        if isinstance(value, python_type):
            return TypeCheck(True)
        return TypeCheck(False, description=(
            f'Value "{value}" of python type "{type(value).__name__}" must be a {desc}.'))

    loader = DagsterTypeLoader(lambda _ctx, v: v, python_type)
    scalar = DagsterType(check, name=name, is_builtin=True, typing_type=python_type, loader=loader)
    scalar.config_python_type = python_type  # as a config schema it is its Python type's
    return scalar


Any: DagsterType = DagsterType(lambda _c, _v: True, name="Any", is_builtin=True, kind="ANY",
                               loader=DagsterTypeLoader(lambda _ctx, v: v, TypingAny))
Any.config_python_type = TypingAny
Bool = _scalar("Bool", bool, "bool")
Int = _scalar("Int", int, "int")
Float = _scalar("Float", float, "float")
String = _scalar("String", str, "string")

_BUILTINS: dict[TypingAny, DagsterType] = {bool: Bool, int: Int, float: Float, str: String}


# -- Python classes that stand for Dagster types ----------------------------------------------------

def make_python_type_usable_as_dagster_type(python_type: type, dagster_type: DagsterType) -> None:
    """Let annotations of ``python_type`` mean ``dagster_type`` (its check runs for them).

    Example::

        from orchestrator import DagsterType, make_python_type_usable_as_dagster_type, op

        class Even(int):
            pass

        EvenType = DagsterType(lambda _ctx, v: isinstance(v, int) and v % 2 == 0, name="Even")
        make_python_type_usable_as_dagster_type(Even, EvenType)

        @op
        def double(n: Even) -> int:
            return n * 2

        assert double(2) == 4
    """
    existing = registered_python_type(python_type)
    if existing is not None and existing is not dagster_type:
        raise DefinitionError(
            f"Python type {python_type.__name__} already stands for Dagster type '{existing.display_name}'; "
            f"it cannot also stand for '{dagster_type.display_name}'."
        )
    register_python_type(python_type, dagster_type)


def usable_as_dagster_type(
    name: type | str | None = None,
    description: str | None = None,
    loader: DagsterTypeLoader | None = None,
) -> TypingAny:
    """Class decorator: make the class a Dagster type (an ``isinstance`` check), usable in annotations.

    Example::

        from orchestrator import usable_as_dagster_type, op

        @usable_as_dagster_type(name="Celsius", description="A temperature")
        class Celsius:
            def __init__(self, degrees: float) -> None:
                self.degrees = degrees

        @op
        def warm(t: Celsius) -> bool:
            return t.degrees > 20

        assert warm(Celsius(25.0)) is True
    """

    def wrap(cls: type) -> type:
        make_python_type_usable_as_dagster_type(
            cls, PythonObjectDagsterType(cls, name=given_name or cls.__name__, description=description, loader=loader))
        return cls

    if isinstance(name, type):
        given_name: str | None = None
        return wrap(name)
    given_name = name
    return wrap


# -- builders: List[...], Optional[...], Dict[...], Set[...], Tuple[...] ------------------------------

def resolve_dagster_type(tp: TypingAny) -> DagsterType | None:
    """The Dagster type for ``tp`` when it has one: a ``DagsterType`` itself, a class made usable as
    one, or a built-in scalar class. Other annotations are checked as annotations (``type_checks``)."""
    if isinstance(tp, DagsterType):
        return tp
    if isinstance(tp, type):
        return registered_python_type(tp)
    if tp is Dict:
        return _ANY_DICT
    if tp is Set:
        return _ANY_SET
    if tp is Tuple:
        return _ANY_TUPLE
    return None


def check_dagster_type(dagster_type: TypingAny, value: TypingAny) -> TypeCheck:
    """Run the type check of ``dagster_type`` (a ``DagsterType``, or a Python type or annotation)
    on ``value`` outside any op, as in a unit test.

    Example::

        from orchestrator import Int, check_dagster_type

        assert check_dagster_type(Int, 1).success and not check_dagster_type(Int, "1").success
    """
    success, description, metadata = check_value(dagster_type, value, None)
    return TypeCheck(success, description, metadata)


def _element_check(tp: TypingAny) -> Callable[[TypingAny, TypingAny], TypeCheck]:
    def check(context: TypingAny, value: TypingAny) -> TypeCheck:
        success, description, metadata = check_value(tp, value, context)
        return TypeCheck(success, description, metadata)

    return check


def _display(tp: TypingAny) -> str:
    return type_name(tp)


class _ListBuilder:
    """``List[inner]``: a list whose every element passes ``inner``'s check."""

    def __getitem__(self, inner: TypingAny) -> DagsterType:
        element = _element_check(inner)

        def check(context: TypingAny, value: TypingAny) -> TypeCheck:
            if not isinstance(value, list):
                return TypeCheck(False, description=f"Value must be a list, got {type(value).__name__}.")
            for i, item in enumerate(value):
                result = element(context, item)
                if not result.success:
                    return TypeCheck(False, description=f"Element {i}: {result.description or 'failed its check'}",
                                     metadata=result.metadata)
            return TypeCheck(True)

        return DagsterType(check, name=f"List[{_display(inner)}]", is_builtin=True, typing_type=list)

    def __repr__(self) -> str:
        return "List"


class _OptionalBuilder:
    """``Optional[inner]``: None, or a value passing ``inner``'s check."""

    def __getitem__(self, inner: TypingAny) -> DagsterType:
        element = _element_check(inner)

        def check(context: TypingAny, value: TypingAny) -> TypeCheck:
            return TypeCheck(True) if value is None else element(context, value)

        inner_dt = resolve_dagster_type(inner) or _BUILTINS.get(inner)
        return DagsterType(check, name=f"Optional[{_display(inner)}]", is_builtin=True,
                           loader=inner_dt.loader if inner_dt else None, typing_type=typing.Optional[TypingAny])

    def __repr__(self) -> str:
        return "Optional"


class _DictBuilder:
    """``Dict`` (any dict) or ``Dict[key, value]`` (every key and value checked)."""

    def __getitem__(self, kv: tuple[TypingAny, TypingAny]) -> DagsterType:
        if not isinstance(kv, tuple) or len(kv) != 2:
            raise DefinitionError("Dict[...] takes a key type and a value type: Dict[str, int].")
        key_check, value_check = _element_check(kv[0]), _element_check(kv[1])

        def check(context: TypingAny, value: TypingAny) -> TypeCheck:
            if not isinstance(value, dict):
                return TypeCheck(False, description=f"Value must be a dict, got {type(value).__name__}.")
            for k, v in value.items():
                for result in (key_check(context, k), value_check(context, v)):
                    if not result.success:
                        return TypeCheck(False, description=f"Entry {k!r}: {result.description or 'failed its check'}")
            return TypeCheck(True)

        return DagsterType(check, name=f"Dict[{_display(kv[0])},{_display(kv[1])}]", is_builtin=True, typing_type=dict)

    def type_check(self, context: TypingAny, value: TypingAny) -> TypeCheck:
        return _ANY_DICT.type_check(context, value)

    @property
    def display_name(self) -> str:
        return "Dict"

    def __repr__(self) -> str:
        return "Dict"


class _SetBuilder:
    """``Set`` (any set) or ``Set[inner]``."""

    def __getitem__(self, inner: TypingAny) -> DagsterType:
        element = _element_check(inner)

        def check(context: TypingAny, value: TypingAny) -> TypeCheck:
            if not isinstance(value, (set, frozenset)):
                return TypeCheck(False, description=f"Value must be a set, got {type(value).__name__}.")
            bad = [v for v in value if not element(context, v).success]
            return TypeCheck(not bad, description=f"Elements {bad!r} failed their check." if bad else None)

        return DagsterType(check, name=f"Set[{_display(inner)}]", is_builtin=True, typing_type=set)

    def type_check(self, context: TypingAny, value: TypingAny) -> TypeCheck:
        return _ANY_SET.type_check(context, value)

    @property
    def display_name(self) -> str:
        return "Set"

    def __repr__(self) -> str:
        return "Set"


class _TupleBuilder:
    """``Tuple`` (any tuple) or ``Tuple[a, b, ...]`` (that many elements, each checked)."""

    def __getitem__(self, inners: TypingAny) -> DagsterType:
        inners = inners if isinstance(inners, tuple) else (inners,)
        checks = [_element_check(t) for t in inners]

        def check(context: TypingAny, value: TypingAny) -> TypeCheck:
            if not isinstance(value, tuple) or len(value) != len(checks):
                return TypeCheck(False, description=f"Value must be a tuple of {len(checks)} elements, got {value!r}.")
            for i, (c, v) in enumerate(zip(checks, value)):
                result = c(context, v)
                if not result.success:
                    return TypeCheck(False, description=f"Element {i}: {result.description or 'failed its check'}")
            return TypeCheck(True)

        return DagsterType(check, name="Tuple[" + ",".join(_display(t) for t in inners) + "]", is_builtin=True,
                           typing_type=tuple)

    def type_check(self, context: TypingAny, value: TypingAny) -> TypeCheck:
        return _ANY_TUPLE.type_check(context, value)

    @property
    def display_name(self) -> str:
        return "Tuple"

    def __repr__(self) -> str:
        return "Tuple"


_ANY_DICT = PythonObjectDagsterType(dict, name="Dict")
_ANY_SET = PythonObjectDagsterType((set, frozenset), name="Set")
_ANY_TUPLE = PythonObjectDagsterType(tuple, name="Tuple")

List = _ListBuilder()
Optional = _OptionalBuilder()
Dict = _DictBuilder()
Set = _SetBuilder()
Tuple = _TupleBuilder()
