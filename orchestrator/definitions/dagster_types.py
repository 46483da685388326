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
    "resolve_dagster_type", "type_resource_keys", "check_dagster_type", "Any", "Bool", "Int", "Float", "String", "List", "Optional", "Dict", "Set",
    "Tuple",
]

T = TypeVar("T")


class TypeCheck:
    """The outcome of a type check: whether it passed, and why.

    A ``DagsterType``'s check function returns a bool or a ``TypeCheck``; return a ``TypeCheck`` to
    say why a value failed. When a check fails in a step, the description and metadata become the
    ``description`` and ``metadata`` of the ``DagsterTypeCheckDidNotPass`` that fails the step.

    Args:
        success: Whether the value passed the check (any value is turned into a bool).
        description: Why the value passed or failed, shown with the failure. Defaults to None.
        metadata: Metadata about the check (``{"rows": 3}``); raw values become ``MetadataValue``
            objects as in ``Output``, and a value of no metadata kind becomes a text placeholder
            naming its type. Defaults to no metadata.

    Examples:
        >>> from orchestrator import DagsterType, TypeCheck
        >>> def is_positive(_context, value):
        ...     return TypeCheck(success=value > 0, description=f"got {value!r}", metadata={"value": value})
        >>> Positive = DagsterType(is_positive, name="Positive")
        >>> Positive.type_check(None, -1)
        TypeCheck(success=False, description='got -1')
        >>> Positive.type_check(None, -1).metadata["value"].value
        -1
    """

    def __init__(self, success: bool, description: str | None = None,
                 metadata: Mapping[str, TypingAny] | None = None) -> None:
        self.success = bool(success)
        self.description = description
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)

    def __repr__(self) -> str:
        return f"TypeCheck(success={self.success!r}, description={self.description!r})"


class DagsterTypeLoaderContext:
    """What a type loader is given as its first argument: the step's resources, log, op and config.

    The step that loads an input through a ``@dagster_type_loader`` builds one of these and calls
    the loader with it and the input's config value. You build one yourself only to call a loader
    in a test. Dagster's context has more (``instance``, ``step_context``...); this one holds what
    is listed here.

    Args:
        resources: The step's resources (``context.resources.<key>``). Defaults to None.
        log: The step's logger (``context.log.info(...)``). Defaults to None.
        op_def: The ``OpDefinition`` whose input is loaded. Defaults to None.
        op_config: The op's config (``ops.<op>.config`` of the run config). Defaults to None.
        run_id: The id of the run. Defaults to None.

    Examples:
        >>> from orchestrator import DagsterType, DagsterTypeLoaderContext, In, dagster_type_loader, job, op
        >>> @dagster_type_loader(config_schema=str)
        ... def tagged(context: DagsterTypeLoaderContext, value):
        ...     return f"{context.op_def.name}:{value}"
        >>> Tagged = DagsterType(lambda _, v: isinstance(v, str), name="Tagged", loader=tagged)
        >>> @op(ins={"text": In(Tagged)})
        ... def echo(text):
        ...     return text
        >>> @job
        ... def echoing():
        ...     echo()
        >>> echoing.execute_in_process(run_config={"ops": {"echo": {"inputs": {"text": "hi"}}}}).output_for_node("echo")
        'echo:hi'
    """

    def __init__(self, resources: TypingAny = None, log: TypingAny = None, op_def: TypingAny = None,
                 op_config: TypingAny = None, run_id: str | None = None) -> None:
        self.resources = resources
        self.log = log
        self.op_def = op_def
        self.op_config = op_config
        self.run_id = run_id


class DagsterTypeLoader:
    """Builds an input's value from run config when no upstream output feeds the input.

    A ``DagsterType`` with a loader lets an unconnected input be given in run config at
    ``ops.<op>.inputs.<name>``: the config value is validated against ``schema`` with the rest of
    the run config (a mismatch is a ``ConfigError`` naming that path), then ``loader_fn`` turns it
    into the input's value. Build one with ``@dagster_type_loader``.

    Args:
        loader_fn: ``fn(context, config_value) -> value``; ``context`` is a
            ``DagsterTypeLoaderContext``.
        schema: The config schema of the input's config value (``int``, ``{"n": int}``, a
            ``Field``...).
        required_resource_keys: Resource keys ``loader_fn`` uses. A step whose op has an input of a
            type with this loader is given them, as in Dagster (the job must define them). Defaults
            to none.

    Examples:
        >>> from orchestrator import DagsterTypeLoader, DagsterTypeLoaderContext
        >>> doubling = DagsterTypeLoader(lambda _context, n: n * 2, schema=int)
        >>> doubling.construct_from_config_value(DagsterTypeLoaderContext(), 21)
        42
    """

    def __init__(self, loader_fn: Callable[[DagsterTypeLoaderContext, TypingAny], TypingAny], schema: TypingAny,
                 required_resource_keys: set[str] | frozenset[str] | None = None) -> None:
        self.loader_fn = loader_fn
        self.schema = schema
        self.required_resource_keys = frozenset(required_resource_keys or ())

    def construct_from_config_value(self, context: DagsterTypeLoaderContext, config_value: TypingAny) -> TypingAny:
        return self.loader_fn(context, config_value)


def dagster_type_loader(config_schema: TypingAny, required_resource_keys: set[str] | None = None
                        ) -> Callable[[Callable[..., TypingAny]], DagsterTypeLoader]:
    """Decorator: turn ``fn(context, config_value) -> value`` into a ``DagsterTypeLoader``.

    Give the loader to ``DagsterType(loader=...)``: an input of that type that no upstream output
    feeds can then be given in run config at ``ops.<op>.inputs.<name>``. The value there is
    validated against ``config_schema`` before the run starts (``ConfigError`` naming the path when
    it does not match), then the decorated function builds the input's value in the step.

    Args:
        config_schema: The config schema of the value given in run config (``int``,
            ``{"n": int}``, a ``Field``...).
        required_resource_keys: Resource keys the loader uses (``context.resources.<key>``). A
            step whose op has an input of a type with this loader is given them, as in Dagster
            (the job must define them). Defaults to none.

    Returns:
        A decorator that takes ``fn(context, config_value)`` and returns a ``DagsterTypeLoader``.

    Examples:
        >>> from orchestrator import DagsterType, In, dagster_type_loader, job, op
        >>> @dagster_type_loader(config_schema={"n": int})
        ... def repeat_loader(_context, config):
        ...     return ["x"] * config["n"]
        >>> Xs = DagsterType(lambda _, v: isinstance(v, list), name="Xs", loader=repeat_loader)
        >>> @op(ins={"xs": In(Xs)})
        ... def count(xs):
        ...     return len(xs)
        >>> @job
        ... def counting():
        ...     count()
        >>> counting.execute_in_process(run_config={"ops": {"count": {"inputs": {"xs": {"n": 3}}}}}).output_for_node("count")
        3
    """

    def wrap(fn: Callable[..., TypingAny]) -> DagsterTypeLoader:
        return DagsterTypeLoader(fn, config_schema, required_resource_keys)

    return wrap


class DagsterType:
    """A named run-time check for op inputs and outputs.

    Use it where a Python annotation is not enough (``In(EvenInt)``, ``Out(EvenInt)``, or an
    annotation of a class made usable as a Dagster type). Each value an op receives or returns is
    checked with ``type_check_fn(context, value)``, which returns a bool or a ``TypeCheck``; a
    failed check fails the step with ``DagsterTypeCheckDidNotPass``, in process and on workers
    alike, and a check that raises fails it with ``DagsterTypeCheckError``. Calling an op directly
    (``half(3)``) checks its inputs and outputs too, raising ``DagsterTypeCheckDidNotPass`` as a
    run does (and as Dagster does).

    Args:
        type_check_fn: ``fn(context, value) -> bool | TypeCheck``; ``context`` is the step's op
            context (None when ``type_check`` is called directly).
        key: A unique key for the type. Defaults to ``name``.
        name: The name shown in messages. One of ``name`` and ``key`` is required.
        is_builtin: Whether this is one of the built-in types (``Int``, ``List[...]``...).
            Defaults to False.
        description: What values of the type are. Defaults to None.
        loader: A ``DagsterTypeLoader`` (``@dagster_type_loader``) that builds an unconnected
            input of this type from its run config. Defaults to None: a value given in run config
            is then the input's value, checked against the type before the run starts.
        required_resource_keys: Resource keys the check uses; the loader's are added. A step whose
            op has an input or output of this type is given them, as in Dagster (the job must
            define them). Defaults to none.
        kind: Dagster's ``DagsterTypeKind``, as its name: ``"REGULAR"`` (the default), ``"ANY"``
            or ``"NOTHING"``.
        typing_type: The Python type the values have, for tools. Defaults to ``typing.Any``.
        metadata: Metadata about the type, normalized as an ``Output``'s. Defaults to none.

    Raises:
        DefinitionError: when ``type_check_fn`` is not callable or does not take two arguments
            ``(context, value)``, or when neither ``name`` nor ``key`` is given.

    Examples:
        >>> from orchestrator import DagsterType, In, job, op
        >>> EvenInt = DagsterType(lambda _context, v: isinstance(v, int) and v % 2 == 0, name="EvenInt")
        >>> @op(ins={"n": In(EvenInt)})
        ... def half(n):
        ...     return n // 2
        >>> @op
        ... def three():
        ...     return 3
        >>> @job
        ... def halving():
        ...     half(three())
        >>> halving.execute_in_process(raise_on_error=False).success
        False
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
    """A Dagster type whose check is ``isinstance(value, python_type)``.

    The quickest way to check that an op receives or returns instances of a class. A failed check
    says which Python type was expected and which one came. To make annotations of the class run
    the check (``def op_fn(report: Report)``), use ``@usable_as_dagster_type`` or
    ``make_python_type_usable_as_dagster_type`` instead of ``In(...)``.

    Args:
        python_type: The class, or a tuple of classes (any of them passes).
        key: A unique key for the type. Defaults to ``name``.
        name: The type's name. Defaults to the class name (``Union[A, B]`` for a tuple).
        **kwargs: The other arguments of ``DagsterType``: ``description``, ``loader``,
            ``required_resource_keys``, ``is_builtin``, ``kind``, ``metadata``.

    Examples:
        >>> from orchestrator import PythonObjectDagsterType
        >>> class Report:
        ...     pass
        >>> ReportType = PythonObjectDagsterType(Report, description="A finished report")
        >>> ReportType.name, ReportType.type_check(None, Report()).success
        ('Report', True)
        >>> ReportType.type_check(None, "text").description
        "Value of type <class 'str'> failed type check for Dagster type Report, ..."
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
Any.__doc__ = """The Dagster type and config type that accepts every value.

As a Dagster type (``In(Any)``, ``Out(Any)``) its check always passes, as for an input or
output that declares no type. As a config schema (``config_schema=Any``, ``{"x": Any}``) any
config value is accepted as given. An input of type ``Any`` can be given in run config at
``ops.<op>.inputs.<name>``; the config value is the input's value.

Examples:
    >>> from orchestrator import Any, check_dagster_type, job, op
    >>> check_dagster_type(Any, object()).success
    True
    >>> @op(config_schema={"payload": Any})
    ... def echo(context):
    ...     return context.op_config["payload"]
    >>> @job
    ... def echoing():
    ...     echo()
    >>> result = echoing.execute_in_process(run_config={"ops": {"echo": {"config": {"payload": [1, "a"]}}}})
    >>> result.output_for_node("echo")
    [1, 'a']
"""
Bool = _scalar("Bool", bool, "bool")
Bool.__doc__ = """The Dagster type and config type of booleans (``True``, ``False``).

As a Dagster type (``In(Bool)``, ``Out(Bool)``) its check passes ``bool`` values only. As a
config schema it means ``bool``: ``config_schema={"dry_run": Bool}``. An input of type ``Bool``
can be given in run config at ``ops.<op>.inputs.<name>``.

Examples:
    >>> from orchestrator import Bool, check_dagster_type
    >>> check_dagster_type(Bool, True).success
    True
    >>> check_dagster_type(Bool, 1).description
    'Value "1" of python type "int" must be a bool.'
"""
Int = _scalar("Int", int, "int")
Int.__doc__ = """The Dagster type and config type of integers.

As a Dagster type (``In(Int)``, ``Out(Int)``) its check passes ``int`` values (``bool`` is an
``int`` in Python, so it passes too). As a config schema it means ``int``:
``config_schema={"n": Int}``. An input of type ``Int`` can be given in run config at
``ops.<op>.inputs.<name>``, validated as an int before the run starts.

Examples:
    >>> from orchestrator import In, Int, job, op
    >>> @op(ins={"n": In(Int)}, config_schema={"step": Int})
    ... def add(context, n):
    ...     return n + context.op_config["step"]
    >>> @job
    ... def adding():
    ...     add()
    >>> config = {"ops": {"add": {"inputs": {"n": 1}, "config": {"step": 2}}}}
    >>> adding.execute_in_process(run_config=config).output_for_node("add")
    3
"""
Float = _scalar("Float", float, "float")
Float.__doc__ = """The Dagster type and config type of floating-point numbers.

As a Dagster type (``In(Float)``, ``Out(Float)``) its check passes ``float`` values only: as in
Dagster, an ``int`` is not a ``Float`` (a plain ``float`` annotation still accepts ints). As a
config schema it means ``float``, and there an int is accepted and given to the op as a float.

Examples:
    >>> from orchestrator import Float, check_dagster_type
    >>> check_dagster_type(Float, 0.5).success
    True
    >>> check_dagster_type(Float, 1).description
    'Value "1" of python type "int" must be a float.'
"""
String = _scalar("String", str, "string")
String.__doc__ = """The Dagster type and config type of strings.

As a Dagster type (``In(String)``, ``Out(String)``) its check passes ``str`` values only. As a
config schema it means ``str``: ``config_schema={"table": String}``. An input of type ``String``
can be given in run config at ``ops.<op>.inputs.<name>``.

Examples:
    >>> from orchestrator import Out, String, job, op
    >>> @op(out=Out(String))
    ... def label():
    ...     return 42
    >>> @job
    ... def labelling():
    ...     label()
    >>> labelling.execute_in_process(raise_on_error=False).success
    False
"""

_BUILTINS: dict[TypingAny, DagsterType] = {bool: Bool, int: Int, float: Float, str: String}


# -- Python classes that stand for Dagster types ----------------------------------------------------

def make_python_type_usable_as_dagster_type(python_type: type, dagster_type: DagsterType) -> None:
    """Make annotations of a Python class run a Dagster type's check.

    After the call, an op input or output annotated with ``python_type`` is checked with
    ``dagster_type`` (not with ``isinstance``), in process and on workers alike. Use it for
    classes you cannot decorate with ``@usable_as_dagster_type`` (another library's). The mapping
    is process-wide: make the call where the class or the job is defined, so workers importing the
    code make it too.

    Args:
        python_type: The class used in annotations.
        dagster_type: The ``DagsterType`` whose check annotated values must pass.

    Raises:
        DefinitionError: when ``python_type`` already stands for another Dagster type.

    Examples:
        >>> from orchestrator import DagsterType, job, make_python_type_usable_as_dagster_type, op
        >>> class Even(int):
        ...     pass
        >>> EvenType = DagsterType(lambda _context, v: isinstance(v, int) and v % 2 == 0, name="Even")
        >>> make_python_type_usable_as_dagster_type(Even, EvenType)
        >>> @op
        ... def three() -> Even:
        ...     return 3
        >>> @job
        ... def odd():
        ...     three()
        >>> odd.execute_in_process(raise_on_error=False).success
        False
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
    """Class decorator: make a class stand for a Dagster type in op annotations.

    The decorated class gets a ``PythonObjectDagsterType`` (an ``isinstance`` check), so an op
    input or output annotated with the class is checked as a Dagster type and shown under its
    name. Use it bare (``@usable_as_dagster_type``) or with arguments. The class itself is returned
    unchanged.

    Args:
        name: The Dagster type's name. Defaults to the class name. (Used bare, the decorator
            receives the class here.)
        description: What values of the type are. Defaults to None.
        loader: A ``DagsterTypeLoader`` (``@dagster_type_loader``) that builds an unconnected
            input of this type from run config. Defaults to None.

    Returns:
        The class decorator; used bare, the class itself.

    Raises:
        DefinitionError: when the class already stands for another Dagster type.

    Examples:
        >>> from orchestrator import op, usable_as_dagster_type
        >>> @usable_as_dagster_type(name="Celsius", description="A temperature")
        ... class Celsius:
        ...     def __init__(self, degrees: float) -> None:
        ...         self.degrees = degrees
        >>> @op
        ... def warm(t: Celsius) -> bool:
        ...     return t.degrees > 20
        >>> warm(Celsius(25.0))
        True
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
    if tp is List:
        return _ANY_LIST
    if tp is Dict:
        return _ANY_DICT
    if tp is Set:
        return _ANY_SET
    if tp is Tuple:
        return _ANY_TUPLE
    return None


def type_resource_keys(dagster_type: TypingAny) -> frozenset[str]:
    """The resource keys the check and the loader of an input's or output's type use (none for a
    plain annotation). The step provides them, as Dagster does, so the job must define them.

    Args:
        dagster_type: A ``DagsterType``, a class made usable as one, a builder such as ``List``,
            a plain annotation, or None.
    """
    resolved = resolve_dagster_type(dagster_type) if dagster_type is not None else None
    return frozenset(getattr(resolved, "required_resource_keys", None) or ())


def _inner_keys(*inners: TypingAny) -> frozenset[str]:
    # A container type runs its elements' checks with the step's context: it needs their resources.
    return frozenset().union(*(type_resource_keys(inner) for inner in inners))


def check_dagster_type(dagster_type: TypingAny, value: TypingAny) -> TypeCheck:
    """Check a value against a Dagster type outside any op, as in a unit test.

    It runs the same check a step runs on an op's inputs and outputs. A type check function that
    uses its context gets None.

    Args:
        dagster_type: A ``DagsterType`` (``Int``, ``List[Int]``, your own), a class made usable as
            one, or a plain Python type or annotation (``int``, ``list[str]``), matched as an op's
            annotation is.
        value: The value to check.

    Returns:
        A ``TypeCheck``: ``success``, and a ``description`` of the failure.

    Raises:
        DagsterTypeCheckError: when the type's check function raises, or returns neither a bool
            nor a ``TypeCheck``.

    Examples:
        >>> from orchestrator import Int, List, check_dagster_type
        >>> check_dagster_type(Int, 1)
        TypeCheck(success=True, description=None)
        >>> check_dagster_type(List[Int], [1, "2"]).description
        'Element 1: Value "2" of python type "str" must be a int.'
        >>> check_dagster_type(list[int], [1, 2]).success
        True
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

        return DagsterType(check, name=f"List[{_display(inner)}]", is_builtin=True, typing_type=list,
                           required_resource_keys=_inner_keys(inner))

    def type_check(self, context: TypingAny, value: TypingAny) -> TypeCheck:
        # Bare ``List`` is ``List[Any]``, as in Dagster: any list passes, anything else fails.
        return _ANY_LIST.type_check(context, value)

    @property
    def display_name(self) -> str:
        return "List[Any]"

    def __repr__(self) -> str:
        return "List"


class _OptionalType(DagsterType):
    """The type ``Optional[inner]`` builds. Like Dagster's ``OptionalType`` it keeps the type it
    wraps: run config reads ``inner_type`` to know whether an input's config is the inner type's
    loader config (a user type) or the value itself (a scalar)."""

    def __init__(self, type_check_fn: Callable[[TypingAny, TypingAny], TypingAny], inner_type: DagsterType | None,
                 **kwargs: TypingAny) -> None:
        super().__init__(type_check_fn, **kwargs)
        self.inner_type = inner_type


class _OptionalBuilder:
    """``Optional[inner]``: None, or a value passing ``inner``'s check."""

    def __getitem__(self, inner: TypingAny) -> DagsterType:
        element = _element_check(inner)

        def check(context: TypingAny, value: TypingAny) -> TypeCheck:
            return TypeCheck(True) if value is None else element(context, value)

        inner_dt = resolve_dagster_type(inner) or _BUILTINS.get(inner)
        loader = inner_dt.loader if inner_dt else None
        if inner_dt is not None and loader is not None and not inner_dt.is_builtin:
            loader = _optional_loader(loader)
        return _OptionalType(check, inner_dt, name=f"Optional[{_display(inner)}]", is_builtin=True, loader=loader,
                             typing_type=typing.Optional[TypingAny], required_resource_keys=_inner_keys(inner))

    def __repr__(self) -> str:
        return "Optional"


def _optional_loader(inner: DagsterTypeLoader) -> DagsterTypeLoader:
    """The loader of ``Optional[T]`` for a ``T`` with its own loader, as Dagster builds it: its
    config is ``T``'s loader config or None, and None loads as None."""
    # Imported here: the config schema module loads pydantic, which `import orchestrator` avoids.
    from orchestrator.definitions.config.schema import Noneable

    def load(context: DagsterTypeLoaderContext, config_value: TypingAny) -> TypingAny:
        return None if config_value is None else inner.construct_from_config_value(context, config_value)

    return DagsterTypeLoader(load, Noneable(inner.schema), inner.required_resource_keys)


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

        return DagsterType(check, name=f"Dict[{_display(kv[0])},{_display(kv[1])}]", is_builtin=True, typing_type=dict,
                           required_resource_keys=_inner_keys(*kv))

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

        return DagsterType(check, name=f"Set[{_display(inner)}]", is_builtin=True, typing_type=set,
                           required_resource_keys=_inner_keys(inner))

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
                           typing_type=tuple, required_resource_keys=_inner_keys(*inners))

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
List.__doc__ = """Builds the Dagster type of lists whose elements all pass a type: ``List[Int]``.

``List[inner]`` is a ``DagsterType`` for ``In``/``Out``; ``inner`` is a Dagster type (``Int``,
your own) or a Python type or annotation (``int``, ``dict[str, int]``). A value passes when it is
a ``list`` and every element passes ``inner``'s check; the failure names the first bad element.
Bare ``List`` is ``List[Any]``, as in Dagster: any ``list`` passes. For config schemas use
``[int]`` or ``Array(int)``, not ``List[...]``.

Examples:
    >>> from orchestrator import Int, List, check_dagster_type
    >>> List[Int]
    <DagsterType List[Int]>
    >>> check_dagster_type(List[Int], [1, 2]).success
    True
    >>> check_dagster_type(List[int], [1, "2"]).description
    "Element 1: expected int, got str ('2')"
    >>> check_dagster_type(List, ["a", 1]).success, check_dagster_type(List, 1).description
    (True, 'Value must be a list, got int.')
"""
_ANY_LIST = List[TypingAny]
Optional = _OptionalBuilder()
Optional.__doc__ = """Builds the Dagster type of values that are None or pass a type: ``Optional[Int]``.

``Optional[inner]`` is a ``DagsterType`` for ``In``/``Out``; ``inner`` is a Dagster type or a
Python type. ``None`` always passes; any other value must pass ``inner``'s check. An
unconnected input of type ``Optional[Int]`` (or of another built-in scalar) can be given in run
config at ``ops.<op>.inputs.<name>``; for ``Optional[T]`` of a type ``T`` with its own loader, the
config there is ``T``'s loader config (checked against its schema) or None, as in Dagster. For
config schemas use ``Noneable(...)``.

Examples:
    >>> from orchestrator import Int, Optional, check_dagster_type
    >>> check_dagster_type(Optional[Int], None).success
    True
    >>> check_dagster_type(Optional[Int], 3).success
    True
    >>> check_dagster_type(Optional[Int], "3").success
    False
    >>> from orchestrator import DagsterType, In, dagster_type_loader, job, op
    >>> @dagster_type_loader(config_schema={"n": int})
    ... def repeat_loader(_context, config):
    ...     return ["x"] * config["n"]
    >>> Xs = DagsterType(lambda _, v: isinstance(v, list), name="Xs", loader=repeat_loader)
    >>> @op(ins={"xs": In(Optional[Xs])})
    ... def count(xs) -> int:
    ...     return 0 if xs is None else len(xs)
    >>> @job
    ... def counting():
    ...     count()
    >>> counting.execute_in_process(run_config={"ops": {"count": {"inputs": {"xs": {"n": 3}}}}}).output_for_node("count")
    3
"""
Dict = _DictBuilder()
Dict.__doc__ = """The Dagster type of dicts: ``Dict`` (any dict) or ``Dict[key, value]``.

Bare ``Dict`` passes any ``dict``. ``Dict[K, V]`` is a ``DagsterType`` whose check also runs
``K``'s check on every key and ``V``'s on every value (Dagster types or Python types); the
failure names the first bad entry. For config schemas use ``Map(str, int)`` or
``Permissive()``, not ``Dict[...]``.

Raises:
    DefinitionError: when ``Dict[...]`` is not given exactly two types (``Dict[str, int]``).

Examples:
    >>> from orchestrator import Dict, Int, check_dagster_type
    >>> check_dagster_type(Dict, {"a": 1}).success
    True
    >>> check_dagster_type(Dict[str, Int], {"a": 1}).success
    True
    >>> check_dagster_type(Dict[str, int], {"a": "b"}).description
    "Entry 'a': expected int, got str ('b')"
"""
Set = _SetBuilder()
Set.__doc__ = """The Dagster type of sets: ``Set`` (any set) or ``Set[inner]``.

Bare ``Set`` passes any ``set`` or ``frozenset``. ``Set[inner]`` is a ``DagsterType`` whose check
also runs ``inner``'s check (a Dagster type or a Python type) on every element; the failure
lists the elements that did not pass.

Examples:
    >>> from orchestrator import Set, check_dagster_type
    >>> check_dagster_type(Set, frozenset({1})).success
    True
    >>> check_dagster_type(Set[int], {1, 2}).success
    True
    >>> check_dagster_type(Set[int], {"x"}).description
    "Elements ['x'] failed their check."
"""
Tuple = _TupleBuilder()
Tuple.__doc__ = """The Dagster type of tuples: ``Tuple`` (any tuple) or ``Tuple[a, b, ...]``.

Bare ``Tuple`` passes any ``tuple``. ``Tuple[a, b]`` is a ``DagsterType`` that passes tuples of
exactly that many elements, each passing the check of the type at its position (Dagster types
or Python types); the failure names the first bad element.

Examples:
    >>> from orchestrator import Int, Tuple, check_dagster_type
    >>> check_dagster_type(Tuple, (1, "a")).success
    True
    >>> check_dagster_type(Tuple[Int, str], (1, "a")).success
    True
    >>> check_dagster_type(Tuple[Int, str], (1, 2)).description
    'Element 1: expected str, got int (2)'
"""
