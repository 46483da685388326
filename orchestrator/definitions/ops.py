"""Ops: Python functions that are the units of work, with their declared inputs and outputs."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, get_origin, get_type_hints, overload

from orchestrator.definitions.config.schema_at_definition import check_schema_at_definition
from orchestrator.definitions.context_base import OpContextBase
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError, InvocationError

__all__ = [
    "In",
    "Out",
    "DynamicOut",
    "Output",
    "DynamicOutput",
    "Nothing",
    "OpDefinition",
    "DecoratedOpFunction",
    "op",
]

T = TypeVar("T")

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAPPING_KEY_RE = re.compile(r"^[A-Za-z0-9_]+$")


class _NoValue:
    def __repr__(self) -> str:
        return "NoValue"

    def __reduce__(self) -> str:
        # Unpickle (e.g. a shipped job) to the module's one instance: code compares by identity.
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


class _NothingType:
    """Marker type for inputs and outputs that only order steps and carry no value."""

    def __repr__(self) -> str:
        return "Nothing"

    def __reduce__(self) -> str:
        # Unpickle (e.g. a shipped job) to the module's one instance: code compares by identity.
        return "Nothing"


Nothing: Any = _NothingType()
Nothing.__doc__ = """The type of an input or output that carries no value and only orders ops.

Give it to ``In(Nothing)`` or ``Out(Nothing)`` when one op must run after another but needs
nothing from it (a table created, then filled). An ``Out(Nothing)`` output stores nothing and
needs no IO manager; an ``In(Nothing)`` input is not a parameter of the op's function. Wire it as
any input (``fill(after=create())``, or a list of upstream outputs to wait for all of them).

Examples:
    >>> from orchestrator import In, Nothing, Out, job, op
    >>> @op(out=Out(Nothing))
    ... def create_table():
    ...     pass
    >>> @op(ins={"after": In(Nothing)})
    ... def fill_table():
    ...     return "filled"
    >>> @job
    ... def tables():
    ...     fill_table(after=create_table())
    >>> tables.execute_in_process().output_for_node("fill_table")
    'filled'
"""


def check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise DefinitionError(
            f"{what} name {name!r} is not valid: use letters, digits and underscores, "
            "not starting with a digit."
        )
    return name


class In:
    """Declares an op input: its type, a default value, a description and metadata.

    Give ``@op(ins={"name": In(...)})`` when a parameter needs more than its annotation says: a
    description, metadata, a default, or ``In(Nothing)`` for an input that only orders the op after
    another and passes no value (such an input needs no parameter). The value an op receives is
    checked against ``dagster_type`` (``TypeCheckError`` when it does not match).

    Args:
        dagster_type: The type of the value (a Python type or a ``DagsterType``; ``Nothing`` for an
            ordering-only input). Defaults to the parameter's annotation, else any value.
        description: What the input is, shown in the UI and the docs. Defaults to None.
        default_value: The value used when nothing feeds the input. Defaults to the parameter's
            default, else none (an unconnected input without one is a ``DefinitionError``).
        metadata: Free-form metadata of the input, given to the IO manager's ``InputContext``.
            Defaults to ``{}``.
        asset_key: The ``AssetKey`` an unconnected input reads. Together with
            ``input_manager_key``, the input is loaded as that asset by that IO manager. Defaults to None.
        input_manager_key: The resource key of the IO manager that loads ``asset_key``. Unlike
            Dagster, it is used only with ``asset_key`` (for an unconnected input of a plain op).
            Defaults to None.

    Examples:
        >>> from orchestrator import In, op
        >>> @op(ins={"n": In(int, description="How many", default_value=2)})
        ... def double(n):
        ...     return 2 * n
        >>> double.ins["n"].description, double(), double(5)
        ('How many', 4, 10)
    """

    def __init__(
        self,
        dagster_type: Any = None,
        description: str | None = None,
        default_value: Any = NO_VALUE,
        metadata: Mapping[str, Any] | None = None,
        asset_key: Any = None,
        input_manager_key: str | None = None,
    ) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.default_value = default_value
        self.metadata = dict(metadata or {})
        self.asset_key = asset_key
        self.input_manager_key = input_manager_key

    @property
    def has_default(self) -> bool:
        return self.default_value is not NO_VALUE

    @property
    def is_nothing(self) -> bool:
        return self.dagster_type is Nothing

    def _copy(self) -> In:
        """The op's own copy: ops fill in annotation types and defaults on it, never on the user's
        ``In``, which other ops may share (with other annotations)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(vars(self))
        clone.metadata = dict(self.metadata)
        return clone


class Out:
    """Declares an op output: its type, whether it must be produced, and its IO manager.

    ``@op(out=Out(...))`` describes an op's one output, ``result``; ``@op(out={"a": Out(), "b": Out()})``
    declares several, and the op then returns a tuple of their values in that order (or yields an
    ``Output(value, name)`` for each). Each value is checked against ``dagster_type`` and stored by
    the IO manager ``io_manager_key`` names, from which downstream steps load it.

    Args:
        dagster_type: The type of the value (``TypeCheckError`` when the value does not match).
            Defaults to the op's return annotation, else any value.
        description: What the output is, shown in the UI and the docs. Defaults to None.
        is_required: Whether the op must produce the output: a required output left out fails
            the step. An optional one may be left out, and the ops that need it are then skipped.
            Defaults to True.
        io_manager_key: The resource key of the IO manager that stores the value. Defaults to
            ``"io_manager"``.
        metadata: Free-form metadata of the output, given to the IO manager's ``OutputContext``.
            Defaults to ``{}``.
        code_version: The version of the code computing this output. Defaults to None.

    Examples:
        >>> from orchestrator import Out, job, op
        >>> @op(out={"total": Out(int), "label": Out(str, description="A name for the total")})
        ... def count():
        ...     return 3, "three"
        >>> @job
        ... def counting():
        ...     count()
        >>> counting.execute_in_process().output_for_node("count", "label")
        'three'
    """

    is_dynamic = False

    def __init__(
        self,
        dagster_type: Any = None,
        description: str | None = None,
        is_required: bool = True,
        io_manager_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        code_version: str | None = None,
    ) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.is_required = is_required
        self.io_manager_key = io_manager_key or "io_manager"
        self.metadata = dict(metadata or {})
        self.code_version = code_version

    @property
    def is_nothing(self) -> bool:
        return self.dagster_type is Nothing

    def _copy(self) -> Out:
        """The op's own copy (a ``DynamicOut`` stays one): ops type it from their return annotation,
        never the user's ``Out``, which other ops may share."""
        clone = object.__new__(type(self))
        clone.__dict__.update(vars(self))
        clone.metadata = dict(self.metadata)
        return clone


class DynamicOut(Out):
    """Declares an output yielded any number of times, each value with its own ``mapping_key``.

    The op yields (or returns a list of) ``DynamicOutput(value, mapping_key=...)``. In a job body,
    ``.map(fn)`` on the output runs ``fn`` once per value, as steps ``fn[mapping_key]``, and
    ``.collect()`` gathers the results into one list input. With the Celery executor, each mapped
    step is its own task, so the values fan out over the workers.

    Args:
        dagster_type: The type of each value. Defaults to any value.
        description: What the output is, shown in the UI and the docs. Defaults to None.
        is_required: Kept for Dagster's signature: either way the op may yield no values, and the
            ops mapped over the output are then skipped. Defaults to True.
        io_manager_key: The resource key of the IO manager that stores each value. Defaults to
            ``"io_manager"``.
        metadata: Free-form metadata of the output. Defaults to ``{}``.

    Examples:
        >>> from orchestrator import DynamicOut, DynamicOutput, job, op
        >>> @op(out=DynamicOut(str))
        ... def names():
        ...     for name in ["a", "b"]:
        ...         yield DynamicOutput(name.upper(), mapping_key=name)
        >>> @op
        ... def lower(name: str) -> str:
        ...     return name.lower()
        >>> @job
        ... def each_name():
        ...     names().map(lower)
        >>> each_name.execute_in_process().output_for_node("lower")
        {'a': 'a', 'b': 'b'}
    """

    is_dynamic = True

    def __init__(self, dagster_type: Any = None, description: str | None = None,
                 is_required: bool = True, io_manager_key: str | None = None,
                 metadata: Mapping[str, Any] | None = None) -> None:
        super().__init__(dagster_type, description, is_required, io_manager_key, metadata)


class Output(Generic[T]):
    """A value an op returns or yields for one of its outputs, with metadata.

    Return an ``Output`` to attach metadata to a value; yield one per output (by name) from a
    generator op that has several. The metadata is normalized to ``MetadataValue`` objects, as
    Dagster does, and is shown on the run's STEP_OUTPUT event. ``Output[T]`` as an op's return
    annotation types the output as ``T``. Two outputs are equal when their value, name and
    metadata are.

    Args:
        value: The value of the output, stored by the output's IO manager.
        output_name: The name of the output it is for. Defaults to ``"result"``.
        metadata: Metadata about the value (plain values or ``MetadataValue`` objects). Defaults to ``{}``.
        data_version: Dagster's data version of the value; kept on the object, not recorded in the
            run's events. Defaults to None.
        tags: Tags of the value; kept on the object, not recorded in the run's events. Defaults to ``{}``.

    Examples:
        >>> from orchestrator import Output, op
        >>> @op
        ... def five() -> Output[int]:
        ...     return Output(5, metadata={"source": "constant"})
        >>> out = five()
        >>> out.value, out.output_name, out.metadata["source"].value
        (5, 'result', 'constant')
    """

    def __init__(self, value: T, output_name: str = "result",
                 metadata: Mapping[str, Any] | None = None, data_version: Any = None,
                 tags: Mapping[str, str] | None = None) -> None:
        from orchestrator.definitions.metadata import normalize_metadata

        self.value = value
        self.output_name = output_name
        self.metadata = normalize_metadata(metadata, allow_invalid=True)
        self.data_version = data_version
        self.tags = dict(tags or {})

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and isinstance(other, Output) and other.value == self.value
                and other.output_name == self.output_name and other.metadata == self.metadata)

    __hash__ = None  # type: ignore[assignment]  # mutable value holder, compared by value

    def __repr__(self) -> str:
        return f"Output({self.value!r}, output_name={self.output_name!r})"


class DynamicOutput(Output[T]):
    """One value of a dynamic output (``DynamicOut``), identified by its ``mapping_key``.

    An op with a ``DynamicOut`` yields one per value (or returns a list of them). The mapping key
    becomes part of the key of each mapped step (``process[key]``), so it must be unique within
    the output and made of letters, digits and underscores.

    Args:
        value: The value, stored by the output's IO manager.
        mapping_key: The value's key within the output: letters, digits and underscores.
        output_name: The name of the dynamic output it is for. Defaults to ``"result"``.
        metadata: Metadata about the value. Defaults to ``{}``.

    Raises:
        InvocationError: when ``mapping_key`` holds other characters than letters, digits and underscores.

    Examples:
        >>> from orchestrator import DynamicOut, DynamicOutput, op
        >>> @op(out=DynamicOut(int))
        ... def squares():
        ...     return [DynamicOutput(n * n, mapping_key=f"n{n}") for n in range(3)]
        >>> [(o.mapping_key, o.value) for o in squares()]
        [('n0', 0), ('n1', 1), ('n2', 4)]
    """

    def __init__(self, value: T, mapping_key: str, output_name: str = "result",
                 metadata: Mapping[str, Any] | None = None) -> None:
        if not isinstance(mapping_key, str) or not _MAPPING_KEY_RE.match(mapping_key):
            raise InvocationError(
                f"DynamicOutput mapping_key {mapping_key!r} is not valid: use only letters, "
                "digits and underscores (it becomes part of the step key)."
            )
        super().__init__(value, output_name, metadata)
        self.mapping_key = mapping_key

    def __repr__(self) -> str:
        return f"DynamicOutput({self.value!r}, mapping_key={self.mapping_key!r}, output_name={self.output_name!r})"


class NodeDefinition:
    """What ops and graphs share: a name, inputs, outputs, and how they are invoked in a body."""

    name: str
    description: str | None
    tags: dict[str, str]

    @property
    def input_names(self) -> list[str]:
        raise NotImplementedError

    @property
    def output_names(self) -> list[str]:
        raise NotImplementedError

    def output_is_dynamic(self, output_name: str) -> bool:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from orchestrator.definitions import composition

        if composition.in_composition():
            return composition.invoke(self, None, {}, frozenset(), None, args, kwargs)
        return self._direct_call(args, kwargs)

    def _direct_call(self, args: tuple, kwargs: dict) -> Any:
        raise InvocationError(
            f"{type(self).__name__} '{self.name}' can only be invoked inside a @job or @graph body."
        )

    def alias(self, name: str) -> PendingNodeInvocation:
        """Invoke this definition under another node name in a job or graph body."""
        return PendingNodeInvocation(self).alias(name)

    def tag(self, tags: Mapping[str, str]) -> PendingNodeInvocation:
        """Invoke this definition with extra node tags."""
        return PendingNodeInvocation(self).tag(tags)

    def with_hooks(self, hook_defs: Any) -> PendingNodeInvocation:
        """Invoke this definition with success/failure hooks attached to the node."""
        return PendingNodeInvocation(self).with_hooks(hook_defs)

    def with_retry_policy(self, retry_policy: RetryPolicy) -> PendingNodeInvocation:
        """Invoke this definition with a node-level retry policy."""
        return PendingNodeInvocation(self).with_retry_policy(retry_policy)


class PendingNodeInvocation:
    """A definition with an alias, tags, hooks or retry policy, waiting to be called in a body."""

    def __init__(self, node_def: NodeDefinition, given_alias: str | None = None,
                 tags: Mapping[str, str] | None = None, hook_defs: frozenset = frozenset(),
                 retry_policy: RetryPolicy | None = None) -> None:
        self.node_def = node_def
        self.given_alias = given_alias
        self.tags = dict(tags or {})
        self.hook_defs = frozenset(hook_defs)
        self.retry_policy = retry_policy

    @property
    def name(self) -> str:
        return self.given_alias or self.node_def.name

    def _copy(self, **changes: Any) -> PendingNodeInvocation:
        values: dict[str, Any] = dict(node_def=self.node_def, given_alias=self.given_alias, tags=self.tags,
                                      hook_defs=self.hook_defs, retry_policy=self.retry_policy)
        values.update(changes)
        return PendingNodeInvocation(**values)

    def alias(self, name: str) -> PendingNodeInvocation:
        return self._copy(given_alias=check_name(name, "Node alias"))

    def tag(self, tags: Mapping[str, str]) -> PendingNodeInvocation:
        return self._copy(tags={**self.tags, **{str(k): str(v) for k, v in tags.items()}})

    def with_hooks(self, hook_defs: Any) -> PendingNodeInvocation:
        return self._copy(hook_defs=self.hook_defs | frozenset(hook_defs))

    def with_retry_policy(self, retry_policy: RetryPolicy) -> PendingNodeInvocation:
        return self._copy(retry_policy=retry_policy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from orchestrator.definitions import composition

        if not composition.in_composition():
            if self.given_alias is None and not self.tags and not self.hook_defs:
                return self.node_def(*args, **kwargs)
            raise InvocationError(
                f"'{self.name}' (an aliased, tagged or hooked '{self.node_def.name}') can only be "
                "invoked inside a @job or @graph body; call the op itself to run it directly."
            )
        return composition.invoke(self.node_def, self.given_alias, self.tags, self.hook_defs,
                                  self.retry_policy, args, kwargs)


def _checking_generator(items: Any, check: Callable[[Any], None]) -> Any:
    """``items`` re-yielded, each passed to ``check`` first (a direct call of a generator op)."""
    for item in items:
        check(item)
        yield item


def _is_asset_result(value: Any) -> bool:
    """Whether ``value`` reports on assets (``MaterializeResult``, ``AssetCheckResult``) rather than
    being the value of an output."""
    from orchestrator.definitions.asset_results import AssetCheckResult, MaterializeResult

    return isinstance(value, (MaterializeResult, AssetCheckResult))


_CONTEXT_NAMES = {"context", "_context", "_", "ctx", "_ctx"}


def _is_context_param(param: inspect.Parameter, hints: Mapping[str, Any]) -> bool:
    hint = hints.get(param.name)
    if isinstance(hint, type) and issubclass(hint, OpContextBase):
        return True
    return param.name in _CONTEXT_NAMES and hint is None


def _is_resource_param(param: inspect.Parameter, hints: Mapping[str, Any]) -> bool:
    from orchestrator.definitions.resources import is_resource_annotation

    return param.name in hints and is_resource_annotation(hints[param.name])


def _is_config_param(param: inspect.Parameter, hints: Mapping[str, Any]) -> bool:
    hint = hints.get(param.name)
    if param.name != "config" or not isinstance(hint, type):
        return False
    if "pydantic.main" not in sys.modules:
        # A Config class is a pydantic model, so none exists before pydantic.main (BaseModel) is
        # imported; checking first keeps defining ops free of importing pydantic.
        return False
    from orchestrator.definitions.config.schema import is_config_class

    return is_config_class(hint)


class DecoratedOpFunction:
    """A function given to ``@op`` (or ``@asset``): its signature declares the op's inputs.

    ``OpDefinition`` reads the parameters of a wrapped function (``context`` first, then one per
    input, then ``config``); a bare function given to ``OpDefinition`` is instead called Dagster's
    way, as ``compute_fn(context, inputs)`` with a dict of the declared ``ins``.
    """

    __slots__ = ("decorated_fn",)

    def __init__(self, decorated_fn: Callable[..., Any]) -> None:
        self.decorated_fn = decorated_fn


class OpDefinition(NodeDefinition):
    """An op: a compute function with declared inputs, outputs, config and resource needs.

    ``@op`` builds one from a function's signature; build one directly to make ops from data (a
    factory). Built directly (Dagster's signature), a compute function of two parameters
    ``(context, inputs)`` is called with ``inputs`` a dict of the declared ``ins`` (Dagster's
    convention), and it returns or yields the outputs (``"result"`` unless ``outs`` says); any
    other function's parameters name its inputs, as under ``@op``. Calling an op outside a job
    body runs it directly, inputs as arguments (an op that takes a context gets a fresh
    ``build_op_context()`` unless one is passed first), and returns what its function returns.

    Args:
        compute_fn: The function computing the outputs.
        name: The op's name, unique in a job: letters, digits and underscores. Defaults to the
            function's name.
        ins: The inputs, by name. Defaults to the function's parameters (none for ``(context, inputs)``).
        outs: The outputs, by name. Defaults to one output, ``result``.
        description: What the op does. Defaults to the function's docstring.
        config_schema: The schema of the op's config, read as ``context.op_config``. Defaults to none.
        required_resource_keys: The resources the op reads from ``context.resources``; a job
            without one of them is a ``DefinitionError``. Defaults to none.
        tags: String tags of the op, on each of its steps (``celery/queue`` picks the Celery queue
            its steps run on). Defaults to ``{}``.
        version: Dagster's older name of ``code_version``. Defaults to None.
        retry_policy: How its failed steps are retried (over the job's ``op_retry_policy``).
            Defaults to no retries.
        code_version: The version of the op's code. Defaults to ``version``.
        pool: Dagster's concurrency pool of the op; kept as ``op.pool``, it does not limit
            concurrency here. Defaults to None.

    Raises:
        DefinitionError: when the name is not valid, ``compute_fn`` is not callable, ``ins`` names
            an input the function has no parameter for, or an ``ins``/``outs`` value is not an
            ``In``/``Out``.

    Examples:
        >>> from orchestrator import In, OpDefinition, Out, Output
        >>> def _add_one(_context, inputs):
        ...     yield Output(inputs["num"] + 1)
        >>> add_one = OpDefinition(name="add_one", ins={"num": In(int)}, outs={"result": Out(int)},
        ...                        compute_fn=_add_one)
        >>> add_one.input_names, [output.value for output in add_one(num=1)]
        (['num'], [2])
    """

    def __init__(
        self,
        compute_fn: Callable[..., Any] | DecoratedOpFunction,
        name: str | None = None,
        ins: Mapping[str, In] | None = None,
        outs: Mapping[str, Out] | None = None,
        description: str | None = None,
        config_schema: Any = None,
        required_resource_keys: set[str] | frozenset[str] | None = None,
        tags: Mapping[str, Any] | None = None,
        version: str | None = None,
        retry_policy: RetryPolicy | None = None,
        code_version: str | None = None,
        pool: str | None = None,
    ) -> None:
        decorated = isinstance(compute_fn, DecoratedOpFunction)
        fn: Callable[..., Any] = compute_fn.decorated_fn if isinstance(compute_fn, DecoratedOpFunction) else compute_fn
        if not callable(fn):
            raise DefinitionError(f"OpDefinition {name!r}: compute_fn must be a function, got {fn!r}.")
        self.compute_fn = fn
        # Dagster's compute_fn(context, inputs) convention, for functions that are not decorated.
        self._inputs_as_dict = not decorated and _takes_inputs_dict(fn, ins)
        self.name = check_name(name or fn.__name__, "Op")
        self.description = description or inspect.getdoc(fn)
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.retry_policy = retry_policy
        self.code_version = code_version or version
        self.pool = pool
        self.required_resource_keys = frozenset(required_resource_keys or ())
        check_schema_at_definition(config_schema, f"op '{self.name}'")
        self.config_schema = config_schema
        self.asset_key: Any = None  # set when this op computes a software-defined asset
        self.is_async = inspect.iscoroutinefunction(fn)
        self.is_generator = inspect.isgeneratorfunction(fn)
        if self._inputs_as_dict:
            self._init_from_declarations(ins, outs)
            return
        compute_fn = fn

        sig = inspect.signature(compute_fn)
        try:
            hints = get_type_hints(compute_fn, include_extras=True)
        except Exception:  # unresolvable forward references: fall back to raw annotations
            hints = {k: v for k, v in getattr(compute_fn, "__annotations__", {}).items()}
        params = list(sig.parameters.values())
        self.has_context = bool(params) and _is_context_param(params[0], hints)
        if self.has_context:
            params = params[1:]
        self.config_class: type | None = None
        self.config_param: str | None = None
        input_params: list[inspect.Parameter] = []
        resource_params: list[str] = []
        for p in params:
            if _is_config_param(p, hints):
                self.config_class = hints[p.name]
                self.config_param = p.name
            elif p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            elif _is_resource_param(p, hints):
                resource_params.append(p.name)
            else:
                input_params.append(p)
        # Parameters annotated as resources (ResourceParam[T], a ConfigurableResource class) get the
        # resource of that key: they are required resources, not inputs.
        self.resource_params = tuple(resource_params)
        self.required_resource_keys = self.required_resource_keys | frozenset(resource_params)

        declared = dict(ins or {})
        param_names = [p.name for p in input_params]
        for in_name, in_def in declared.items():
            if not isinstance(in_def, In):
                raise DefinitionError(f"Op '{self.name}': ins['{in_name}'] must be an In(...), got {in_def!r}.")
            if in_name not in param_names and not in_def.is_nothing:
                raise DefinitionError(
                    f"Op '{self.name}' declares input '{in_name}' in ins= but its function has no "
                    f"parameter of that name (parameters: {param_names or 'none'}). "
                    "Add the parameter or remove the input."
                )
        self.ins: dict[str, In] = {}
        for p in input_params:
            in_def = declared[p.name]._copy() if p.name in declared else In()
            if in_def.dagster_type is None and p.name in hints:
                in_def.dagster_type = hints[p.name]
            if not in_def.has_default and p.default is not inspect.Parameter.empty:
                in_def.default_value = p.default
            self.ins[p.name] = in_def
        for in_name, in_def in declared.items():
            if in_def.is_nothing:
                self.ins[in_name] = in_def._copy()

        if outs is None:
            ret = _output_type(hints.get("return"))
            self.outs: dict[str, Out] = {"result": Out(dagster_type=ret if _checkable_return(ret) else None)}
        else:
            self.outs = {out_name: out_def._copy() if isinstance(out_def, Out) else out_def
                         for out_name, out_def in outs.items()}
        for out_name, out_def in self.outs.items():
            check_name(out_name, f"Output of op '{self.name}'")
            if not isinstance(out_def, Out):
                raise DefinitionError(f"Op '{self.name}': out['{out_name}'] must be Out(...) or DynamicOut(...).")
        self.return_annotation = hints.get("return")

    def _init_from_declarations(self, ins: Mapping[str, In] | None, outs: Mapping[str, Out] | None) -> None:
        """Inputs and outputs exactly as declared, for a compute function called ``(context, inputs)``."""
        self.has_context = True
        self.resource_params = ()
        self.config_class = None
        self.config_param = None
        self.return_annotation = None
        self.ins = {}
        for in_name, in_def in (ins or {}).items():
            check_name(in_name, f"Input of op '{self.name}'")
            if not isinstance(in_def, In):
                raise DefinitionError(f"Op '{self.name}': ins['{in_name}'] must be an In(...), got {in_def!r}.")
            self.ins[in_name] = in_def._copy()
        self.outs = {"result": Out()} if outs is None else {
            out_name: out_def._copy() if isinstance(out_def, Out) else out_def for out_name, out_def in outs.items()}
        for out_name, out_def in self.outs.items():
            check_name(out_name, f"Output of op '{self.name}'")
            if not isinstance(out_def, Out):
                raise DefinitionError(f"Op '{self.name}': outs['{out_name}'] must be Out(...) or DynamicOut(...).")

    # -- Dagster's accessors ---------------------------------------------------------------
    @property
    def version(self) -> str | None:
        return self.code_version

    @property
    def input_dict(self) -> dict[str, In]:
        return dict(self.ins)

    @property
    def output_dict(self) -> dict[str, Out]:
        return dict(self.outs)

    @property
    def input_defs(self) -> list[In]:
        return list(self.ins.values())

    @property
    def output_defs(self) -> list[Out]:
        return list(self.outs.values())

    # -- node interface --------------------------------------------------------------------
    @property
    def input_names(self) -> list[str]:
        return list(self.ins)

    @property
    def output_names(self) -> list[str]:
        return list(self.outs)

    def output_is_dynamic(self, output_name: str) -> bool:
        return self.outs[output_name].is_dynamic

    @property
    def value_inputs(self) -> list[str]:
        """Inputs passed to the compute function (``Nothing`` inputs only order steps)."""
        return [n for n, d in self.ins.items() if not d.is_nothing]

    # -- direct invocation -----------------------------------------------------------------
    def _direct_call(self, args: tuple, kwargs: dict) -> Any:
        from orchestrator.definitions import composition
        from orchestrator.definitions.type_checks import check_op_value
        from orchestrator.execution.context import OpExecutionContext, build_op_context

        if composition.contains_symbolic(args, kwargs):
            raise InvocationError(
                f"Op '{self.name}' was called with the output of another op outside of a @job or "
                "@graph body. Call ops with plain values to run them directly, or wire them "
                "together inside a @job or @graph function."
            )
        positional = list(args)
        context = None
        if positional and isinstance(positional[0], OpExecutionContext):
            context = positional.pop(0)
        elif isinstance(kwargs.get("context"), OpExecutionContext):
            context = kwargs.pop("context")
        config_value = kwargs.pop(self.config_param, None) if self.config_param else None
        if self.config_class is not None and positional and isinstance(positional[0], self.config_class):
            config_value = positional.pop(0)
        if config_value is not None:
            from orchestrator.definitions.config.schema import with_env_vars_read

            config_value = with_env_vars_read(config_value, f"ops.{self.name}.config")  # EnvVar fields
        names = self.value_inputs
        resource_values = self._direct_resources(positional, kwargs, len(names))
        if self.has_context and context is None:
            context = build_op_context(resources=resource_values)
        elif context is not None and resource_values:
            from orchestrator.definitions.resources import Resources

            # Resources given as arguments join those of the context given.
            context._resources = Resources({**context.resources._asdict(), **resource_values})
        if context is not None:
            context = context._for_op(self)
        if len(positional) > len(names):
            raise InvocationError(
                f"Op '{self.name}' takes {len(names)} input(s) ({', '.join(names) or 'none'}) "
                f"but was given {len(positional)} positional argument(s)."
            )
        values = dict(zip(names, positional))
        for key, value in kwargs.items():
            if key not in names:
                raise InvocationError(f"Op '{self.name}' has no input named '{key}' (inputs: {names}).")
            if key in values:
                raise InvocationError(f"Op '{self.name}' got input '{key}' twice.")
            values[key] = value
        for n in names:
            if n not in values:
                if self.ins[n].has_default:
                    values[n] = self.ins[n].default_value
                else:
                    raise InvocationError(f"Op '{self.name}' is missing a value for input '{n}'.")
            if not self.ins[n].is_nothing:
                check_op_value(self.name, "input", n, self.ins[n].dagster_type, values[n], context)
        call_kwargs = dict(values)
        for rname in self.resource_params:
            if rname in resource_values:
                call_kwargs[rname] = resource_values[rname]
            elif context is not None:
                call_kwargs[rname] = getattr(context.resources, rname)
            else:
                raise InvocationError(
                    f"Op '{self.name}' needs resource '{rname}': pass it as {self.name}({rname}=...) or in "
                    f"build_op_context(resources={{'{rname}': ...}})."
                )
        if self.config_param:
            if config_value is None and context is not None:
                config_value = context._typed_config(self)
            call_kwargs[self.config_param] = config_value
        return self._checked_outputs(self.invoke_compute(context, call_kwargs, unwrap_async=True), context)

    def _checked_outputs(self, result: Any, context: Any) -> Any:
        """What a direct call returns, its outputs type-checked as in a run (Dagster checks them
        too): a generator's items as they are yielded, else the value, tuple or ``Output``."""
        from orchestrator.definitions.type_checks import check_op_value

        def check(name: str, value: Any) -> None:
            out = self.outs.get(name)
            if out is not None and not out.is_nothing and not _is_asset_result(value):
                check_op_value(self.name, "output", name, out.dagster_type, value, context)

        def check_item(item: Any, position_name: str) -> None:
            if isinstance(item, Output):
                # ``return Output(5), Output("x")``: unnamed Outputs take their position's name, as in a run.
                check(position_name if item.output_name == "result" else item.output_name, item.value)
            else:
                check(position_name, item)

        if inspect.isgenerator(result):
            return _checking_generator(result, lambda item: check(item.output_name, item.value)
                                       if isinstance(item, Output) else None)
        names = list(self.outs)
        if isinstance(result, Output):
            check(result.output_name, result.value)
        elif len(names) == 1:
            out = self.outs[names[0]]
            if out.is_dynamic and isinstance(result, (list, tuple)):
                for item in result:
                    check_item(item, names[0])
            elif result is not None or out.is_required:
                check(names[0], result)
        elif isinstance(result, tuple) and len(result) == len(names):
            for name, item in zip(names, result):
                check_item(item, name)
        return result

    def configured(self, config_or_config_fn: Any, name: str, config_schema: Any = None,
                   description: str | None = None) -> OpDefinition:
        """A copy named ``name`` whose config is given here: a fixed dict, or ``config_fn(new_config)``
        with ``new_config`` checked against ``config_schema`` (see :func:`orchestrator.configured`)."""
        import copy

        from orchestrator.definitions.config.configured_schema import ConfiguredType

        if not name:
            raise DefinitionError(
                f"Configuring op '{self.name}' needs a name for the copy: configured({self.name}, name='...')(...), "
                "or decorate a function (its name is used)."
            )
        clone = copy.copy(self)
        clone.name = check_name(name, "Op")
        clone.ins = {k: v._copy() for k, v in self.ins.items()}
        clone.outs = {k: v._copy() for k, v in self.outs.items()}
        clone.description = description or self.description
        clone.config_schema = ConfiguredType(config_schema, self.config_class or self.config_schema,
                                             config_or_config_fn, f"op '{clone.name}'")
        if self.config_class is not None:
            # The op still receives its Config object, built from the config the copy gives it.
            clone._configured_config_class = self.config_class  # type: ignore[attr-defined]
            clone.config_class = None
        return clone

    def _direct_resources(self, positional: list[Any], kwargs: dict[str, Any], n_inputs: int) -> dict[str, Any]:
        """Resource parameters given directly (by name, or positionally after the inputs); removed
        from ``positional``/``kwargs``."""
        values = {n: kwargs.pop(n) for n in self.resource_params if n in kwargs}
        rest = [n for n in self.resource_params if n not in values]
        while len(positional) > n_inputs and rest:
            values[rest.pop(0)] = positional.pop(n_inputs)
        return values

    def invoke_compute(self, context: Any, kwargs: dict[str, Any], unwrap_async: bool = True) -> Any:
        """Call the compute function; coroutines run to completion on a fresh event loop."""
        if self._inputs_as_dict:
            result = self.compute_fn(context, dict(kwargs))
        else:
            result = self.compute_fn(context, **kwargs) if self.has_context else self.compute_fn(**kwargs)
        if unwrap_async and inspect.iscoroutine(result):
            import asyncio

            result = asyncio.run(result)
        return result

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name}>"


def _takes_inputs_dict(fn: Callable[..., Any], ins: Mapping[str, In] | None) -> bool:
    """Whether an undecorated compute function follows Dagster's ``(context, inputs)`` convention.

    It does when it takes exactly two positional parameters and its second is not an input of
    that name: either it is called ``inputs``, or some declared value input is no parameter of
    the function. Otherwise (as the package's own asset and check builders pass) its parameters
    name its inputs, as under ``@op``.
    """
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return False
    if len(params) != 2:
        return False
    declared = dict(ins or {})
    second = params[1].name
    if second in declared:
        return False
    if second == "inputs":
        return True
    names = {p.name for p in params}
    return any(name not in names and not in_def.is_nothing for name, in_def in declared.items())


def _output_type(ret: Any) -> Any:
    """The output type a return annotation declares: ``T`` for ``Output[T]`` (untyped for ``Output``)."""
    if ret is Output or ret is DynamicOutput:
        return None
    if get_origin(ret) in (Output, DynamicOutput):
        args: tuple[Any, ...] = tuple(getattr(ret, "__args__", ()))
        return args[0] if len(args) == 1 else None
    return ret


def _checkable_return(ret: Any) -> bool:
    if ret is None or ret is inspect.Signature.empty:
        return False
    origin = getattr(ret, "__origin__", None)
    import collections.abc as cabc

    return origin not in (cabc.Iterator, cabc.Generator, cabc.Iterable, cabc.AsyncIterator)


@overload
def op(compute_fn: Callable[..., Any]) -> OpDefinition: ...


@overload
def op(
    compute_fn: None = None,
    *,
    name: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    description: str | None = None,
    code_version: str | None = None,
    version: str | None = None,
    pool: str | None = None,
) -> Callable[[Callable[..., Any]], OpDefinition]: ...


def op(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    description: str | None = None,
    code_version: str | None = None,
    version: str | None = None,
    pool: str | None = None,
) -> OpDefinition | Callable[[Callable[..., Any]], OpDefinition]:
    """Turn a function into an op, the unit of work a job runs as one step.

    The function's parameters declare the op: a first parameter named ``context`` (or annotated
    ``OpExecutionContext``) receives the context; a ``config`` parameter annotated with a
    ``Config`` class receives the op's config; parameters annotated as resources receive them;
    every other parameter is an input, typed by its annotation. What it returns is the output
    ``result`` (typed by the return annotation), or the outputs of ``out``; a generator op yields
    ``Output`` objects. ``@op``, ``@op()`` and ``@op(None)`` are the same.

    Args:
        compute_fn: The function, when used bare (``@op``). Defaults to None (``@op(...)``).
        name: The op's name, unique in a job. Defaults to the function's name.
        ins: More about some inputs (``In`` by parameter name), and ``In(Nothing)`` inputs that
            only order the op. Defaults to the parameters as they are.
        out: The op's output (an ``Out``), or its several outputs by name (the function then
            returns a tuple in that order). Defaults to one output, ``result``.
        config_schema: The schema of the op's config (``context.op_config``). Defaults to none.
        required_resource_keys: The resources the op reads from ``context.resources``. Defaults to none.
        tags: String tags of the op, on each of its steps (``celery/queue`` picks the Celery queue).
            Defaults to ``{}``.
        retry_policy: How its failed steps are retried. Defaults to the job's ``op_retry_policy``.
        description: What the op does. Defaults to the function's docstring.
        code_version: The version of the op's code. Defaults to ``version``.
        version: Dagster's older name of ``code_version``. Defaults to None.
        pool: Dagster's concurrency pool; kept as ``op.pool``, it does not limit concurrency here.
            Defaults to None.

    Returns:
        The ``OpDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when the name is not valid, ``ins`` names an input that is no parameter of
            the function, or ``out`` holds something other than ``Out`` objects.

    Examples:
        >>> from orchestrator import op
        >>> @op(tags={"team": "data"})
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> add_one(1), add_one.input_names, add_one.tags
        (2, ['x'], {'team': 'data'})
    """

    def wrap(fn: Callable[..., Any]) -> OpDefinition:
        if isinstance(out, Out):
            own_out = out._copy()  # typed from this function's annotation without touching the user's Out
            outs: Mapping[str, Out] | None = {"result": own_out}
            if own_out.dagster_type is None:
                try:
                    ret = _output_type(get_type_hints(fn).get("return"))
                except Exception:
                    ret = None
                if _checkable_return(ret) and not own_out.is_dynamic:
                    own_out.dagster_type = ret
        else:
            outs = out
        return OpDefinition(
            DecoratedOpFunction(fn), name=name, ins=ins, outs=outs, config_schema=config_schema,
            required_resource_keys=required_resource_keys, tags=tags,
            retry_policy=retry_policy, description=description, code_version=code_version or version, pool=pool,
        )

    if compute_fn is not None:
        return wrap(compute_fn)
    return wrap
