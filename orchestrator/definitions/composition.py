"""Dependency extraction: a job or graph body is called once with symbolic outputs, and every op
call inside it is recorded as a node with its input bindings."""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.nodes import Binding, Node, Source
from orchestrator.errors import DefinitionError, InvocationError

if TYPE_CHECKING:
    from orchestrator.definitions.ops import NodeDefinition
    from orchestrator.definitions.retries import RetryPolicy

_local = threading.local()


@dataclass
class _Frame:
    """The body being recorded: its nodes in call order and how their inputs are bound."""

    name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    bindings: dict[str, dict[str, Binding]] = field(default_factory=dict)
    explicit_names: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def _stack() -> list[_Frame]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def in_composition() -> bool:
    """Whether a job or graph body is being recorded on this thread."""
    return bool(_stack())


class OutputHandle:
    """The symbolic output of a node invoked in a body. Pass it to other ops to make an edge."""

    def __init__(self, frame: _Frame, node: str, output: str, dynamic: bool, nested: bool = False) -> None:
        self._frame = frame
        self.node_name = node
        self.output_name = output
        self.is_dynamic = dynamic
        #: What ``map()`` returned for a function whose result is itself dynamic (it mapped again,
        #: or returned a DynamicOut): each element has elements of its own.
        self._nested = nested

    def __repr__(self) -> str:
        kind = "DynamicOutput" if self.is_dynamic else "Output"
        return f"<{kind} handle {self.node_name}.{self.output_name}>"

    def map(self, fn: Callable[[OutputHandle], Any]) -> Any:
        """Run ``fn``'s ops once per element of this dynamic output; returns their dynamic outputs."""
        if not self.is_dynamic:
            raise DefinitionError(
                f"map() was called on output '{self.output_name}' of node '{self.node_name}', "
                "which is not dynamic. Only a DynamicOut output (or the result of map) can be mapped."
            )
        result = fn(OutputHandle(self._frame, self.node_name, self.output_name, dynamic=False))
        return _as_dynamic(result, self._nested)

    def collect(self) -> CollectedHandle:
        """Gather every element of this dynamic output into one list input downstream."""
        if not self.is_dynamic:
            raise DefinitionError(
                f"collect() was called on output '{self.output_name}' of node '{self.node_name}', "
                "which is not dynamic. Only a DynamicOut output (or the result of map) can be collected."
            )
        if self._nested:
            # A collect gathers one level; which one would be a guess, so the body says it.
            raise DefinitionError(
                f"collect() was called on '{self.node_name}.{self.output_name}', the result of a map() whose "
                "function returns a dynamic output itself (it maps again, or returns a DynamicOut), so its "
                "elements have elements of their own. Collect the inner level inside the mapped function, e.g. "
                "outer().map(lambda x: per_outer(inner(x).map(work).collect())).collect()."
            )
        return CollectedHandle(self._frame, self.node_name, self.output_name)

    def __iter__(self) -> Any:
        raise DefinitionError(
            f"Node '{self.node_name}' has a single output, so its result cannot be unpacked. "
            "Declare several outputs with out={'a': Out(), 'b': Out()} to return a tuple."
        )

    def __bool__(self) -> bool:
        raise DefinitionError(
            f"The output of node '{self.node_name}' is symbolic inside a job or graph body: its "
            "value only exists when the job runs, so it cannot be tested with if/and/or here."
        )


class CollectedHandle:
    """A dynamic output gathered with ``collect()``: binds a downstream input to the list of elements."""

    def __init__(self, frame: _Frame, node: str, output: str) -> None:
        self._frame = frame
        self.node_name = node
        self.output_name = output

    def __repr__(self) -> str:
        return f"<collected {self.node_name}.{self.output_name}>"


class GraphInputHandle:
    """A graph's own input, seen inside the graph body."""

    def __init__(self, frame: _Frame, name: str) -> None:
        self._frame = frame
        self.input_name = name

    def __repr__(self) -> str:
        return f"<graph input {self.input_name}>"


_SYMBOLIC = (OutputHandle, CollectedHandle, GraphInputHandle)


def _as_dynamic(value: Any, nested: bool = False) -> Any:
    """What ``map()`` returns for its function's result ``value``: each output, now dynamic (once
    per element). ``nested``: the mapped output already had elements within elements."""
    if value is None:
        return None
    if isinstance(value, OutputHandle):
        return OutputHandle(value._frame, value.node_name, value.output_name, dynamic=True,
                            nested=nested or value.is_dynamic)
    if isinstance(value, tuple):
        items = [_as_dynamic(v, nested) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: _as_dynamic(v, nested) for k, v in value.items()}
    raise DefinitionError(
        f"The function given to map() returned {value!r}; it must return the output of an op "
        "invoked inside it (or a tuple/dict of them, or None)."
    )


def contains_symbolic(args: tuple | list, kwargs: Mapping[str, Any]) -> bool:
    """Whether any argument is (or contains) a symbolic output from a body."""
    for value in [*args, *kwargs.values()]:
        if isinstance(value, _SYMBOLIC):
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(v, _SYMBOLIC) for v in value):
            return True
    return False


def _check_frame(frame: _Frame, handle: Any, node_name: str, input_name: str) -> None:
    if handle._frame is not frame:
        raise DefinitionError(
            f"Input '{input_name}' of node '{node_name}' in '{frame.name}' was given {handle!r}, "
            "which comes from another job or graph body. Outputs can only be wired within the body "
            "that produced them; pass them in as graph inputs instead."
        )


def _bind_value(frame: _Frame, node_name: str, node_def: NodeDefinition, input_name: str, value: Any) -> Binding:
    if isinstance(value, OutputHandle):
        _check_frame(frame, value, node_name, input_name)
        if value.is_dynamic:
            raise DefinitionError(
                f"Input '{input_name}' of node '{node_name}' was given the dynamic output "
                f"'{value.output_name}' of '{value.node_name}' directly. Use "
                f"{value.node_name}().map(fn) to run once per element, or .collect() to get a list."
            )
        return Binding("direct", (Source(value.node_name, value.output_name),))
    if isinstance(value, CollectedHandle):
        _check_frame(frame, value, node_name, input_name)
        return Binding("collect", (Source(value.node_name, value.output_name),))
    if isinstance(value, GraphInputHandle):
        _check_frame(frame, value, node_name, input_name)
        return Binding("direct", (Source(None, value.input_name),))
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _SYMBOLIC) for v in value):
        sources = []
        for item in value:
            if isinstance(item, CollectedHandle) or (isinstance(item, OutputHandle) and item.is_dynamic):
                raise DefinitionError(
                    f"Fan-in input '{input_name}' of node '{node_name}' includes a dynamic output "
                    f"({item!r}); collect it on its own input instead."
                )
            _check_frame(frame, item, node_name, input_name)
            if isinstance(item, GraphInputHandle):
                sources.append(Source(None, item.input_name))
            else:
                sources.append(Source(item.node_name, item.output_name))
        return Binding("fan_in", tuple(sources))
    raise InvocationError(
        f"Input '{input_name}' of node '{node_name}' in '{frame.name}' was given {value!r}, which is "
        "not the output of an op. Inside a job or graph body, inputs must come from other ops. "
        f"For a constant, give the input a default (In(default_value=...)) or set it in run config "
        f"at ops.{node_name}.inputs.{input_name}."
    )


def invoke(
    node_def: NodeDefinition,
    given_alias: str | None,
    tags: Mapping[str, str],
    hook_defs: frozenset,
    retry_policy: RetryPolicy | None,
    args: tuple,
    kwargs: Mapping[str, Any],
) -> Any:
    """Record a call of ``node_def`` in the current body and return its symbolic outputs."""
    frame = _stack()[-1]
    if given_alias is not None:
        if given_alias in frame.nodes:
            raise DefinitionError(
                f"'{frame.name}' has two nodes named '{given_alias}'. Give each alias a unique name."
            )
        name = given_alias
        frame.explicit_names.add(name)
    else:
        name = node_def.name
        n = frame.counts.get(name, 1)
        while name in frame.nodes:
            n += 1
            name = f"{node_def.name}_{n}"
        frame.counts[node_def.name] = n

    input_names = list(node_def.input_names)
    if len(args) > len(input_names):
        raise DefinitionError(
            f"Node '{name}' ({node_def.name}) takes {len(input_names)} input(s) "
            f"({', '.join(input_names) or 'none'}) but was given {len(args)} positional argument(s)."
        )
    given: dict[str, Any] = dict(zip(input_names, args))
    for key, value in kwargs.items():
        if key not in input_names:
            hint = f" Its inputs are: {', '.join(input_names)}." if input_names else " It has no inputs."
            raise DefinitionError(f"Node '{name}' ({node_def.name}) has no input named '{key}'.{hint}")
        if key in given:
            raise DefinitionError(f"Node '{name}' got input '{key}' both by position and by name.")
        given[key] = value
    bindings = {key: _bind_value(frame, name, node_def, key, value) for key, value in given.items()}

    frame.nodes[name] = Node(name, node_def, dict(tags), frozenset(hook_defs), retry_policy)
    frame.bindings[name] = bindings

    outputs = [OutputHandle(frame, name, out, node_def.output_is_dynamic(out)) for out in node_def.output_names]
    if not outputs:
        return None
    if len(outputs) == 1:
        return outputs[0]
    cls = namedtuple(f"{node_def.name}_outputs", node_def.output_names)  # type: ignore[misc]
    return cls(*outputs)


def record_body(name: str, fn: Callable[..., Any], input_names: list[str]) -> tuple[_Frame, Any]:
    """Call a body function with symbolic inputs, returning the recorded frame and its return value."""
    frame = _Frame(name)
    stack = _stack()
    stack.append(frame)
    try:
        ret = fn(**{n: GraphInputHandle(frame, n) for n in input_names})
    finally:
        stack.pop()
    return frame, ret


def output_sources(frame: _Frame, ret: Any, declared: list[str] | None) -> dict[str, tuple[Any, bool]]:
    """Map a body's return value to graph outputs: ``{output_name: (Source, is_dynamic)}``."""
    def source_of(out_name: str, value: Any) -> tuple[Any, bool]:
        if isinstance(value, OutputHandle):
            _check_frame(frame, value, frame.name, out_name)
            return Source(value.node_name, value.output_name), value.is_dynamic
        if isinstance(value, GraphInputHandle):
            raise DefinitionError(
                f"Graph '{frame.name}' returns its own input '{value.input_name}' as output "
                f"'{out_name}'; return the output of an op instead."
            )
        raise DefinitionError(
            f"Graph '{frame.name}' output '{out_name}' must be the output of an op invoked in its "
            f"body, got {value!r}."
        )

    if ret is None:
        if declared:
            raise DefinitionError(
                f"Graph '{frame.name}' declares outputs {declared} but its body returns nothing."
            )
        return {}
    if isinstance(ret, dict):
        if declared is not None and set(ret) != set(declared):
            raise DefinitionError(
                f"Graph '{frame.name}' declares outputs {sorted(declared)} but its body returns "
                f"{sorted(ret)}. Return a dict with exactly the declared output names."
            )
        return {k: source_of(k, v) for k, v in ret.items()}
    if isinstance(ret, tuple) and hasattr(ret, "_fields") and declared and len(declared) > 1:
        return {k: source_of(k, getattr(ret, k)) for k in declared}
    if declared is not None and len(declared) > 1:
        raise DefinitionError(
            f"Graph '{frame.name}' declares outputs {declared}; return a dict keyed by output name."
        )
    out_name = declared[0] if declared else "result"
    return {out_name: source_of(out_name, ret)}
