"""Graphs: ops (and graphs) wired together by data dependencies, declared by a body or by a dict."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from orchestrator.definitions import composition
from orchestrator.definitions.nodes import Binding, Node, Source
from orchestrator.definitions.ops import NodeDefinition, check_name
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = [
    "DependencyDefinition",
    "MultiDependencyDefinition",
    "DynamicCollectDependencyDefinition",
    "NodeInvocation",
    "GraphIn",
    "GraphOut",
    "GraphDefinition",
    "graph",
]


@dataclass(frozen=True)
class DependencyDefinition:
    """In a ``GraphDefinition``'s ``dependencies``: an input fed by one output of another node.

    ``dependencies={"add": {"x": DependencyDefinition("one")}}`` feeds input ``x`` of node ``add``
    with output ``result`` of node ``one``: what calling ``add(one())`` in a ``@graph`` body records.

    Args:
        node: The name of the upstream node (its alias, if aliased).
        output: The name of the upstream node's output. Defaults to ``"result"``.
        description: What the dependency is for. Defaults to None.

    Examples:
        >>> from orchestrator import DependencyDefinition, GraphDefinition, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> adding = GraphDefinition(name="adding", node_defs=[one, add_one],
        ...                          dependencies={"add_one": {"x": DependencyDefinition("one")}})
        >>> adding.execute_in_process().output_for_node("add_one")
        2
    """

    node: str
    output: str = "result"
    description: str | None = None


@dataclass(frozen=True)
class MultiDependencyDefinition:
    """In a ``GraphDefinition``'s ``dependencies``: an input fed by the outputs of several nodes (fan-in).

    A fan-in: the input receives one value per dependency, in the order given, as a ``@graph`` body
    records for ``total([a(), b()])``. An upstream output that was not yielded (an optional
    output) is left out of the list.

    Args:
        dependencies: The upstream outputs, each a ``DependencyDefinition``.

    Examples:
        >>> from orchestrator import DependencyDefinition, GraphDefinition, MultiDependencyDefinition, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def total(numbers: list) -> int:
        ...     return sum(numbers)
        >>> both = MultiDependencyDefinition([DependencyDefinition("one"), DependencyDefinition("one")])
        >>> summing = GraphDefinition(name="summing", node_defs=[one, total], dependencies={"total": {"numbers": both}})
        >>> summing.execute_in_process().output_for_node("total")
        2
    """

    dependencies: Sequence[DependencyDefinition]


@dataclass(frozen=True)
class DynamicCollectDependencyDefinition:
    """In a ``GraphDefinition``'s ``dependencies``: an input fed by every value of a dynamic output.

    What ``dynamic_output.collect()`` records in a ``@graph`` body: the input waits for every value
    the upstream ``DynamicOut`` yielded (or every mapped step over it) and receives them as one list.

    Args:
        node_name: The name of the node with the dynamic output.
        output_name: The name of that output. Defaults to ``"result"``.

    Examples:
        >>> from orchestrator import DynamicCollectDependencyDefinition, DynamicOut, DynamicOutput, GraphDefinition, op
        >>> @op(out=DynamicOut(int))
        ... def numbers():
        ...     return [DynamicOutput(n, mapping_key=str(n)) for n in range(4)]
        >>> @op
        ... def total(values: list) -> int:
        ...     return sum(values)
        >>> deps = {"total": {"values": DynamicCollectDependencyDefinition("numbers")}}
        >>> summing = GraphDefinition(name="summing", node_defs=[numbers, total], dependencies=deps)
        >>> summing.execute_in_process().output_for_node("total")
        6
    """

    node_name: str
    output_name: str = "result"


class _FrozenTags(Mapping[str, Any]):
    """Node tags as a ``NodeInvocation`` holds them: read-only and hashable (Dagster's
    ``frozentags``), so that an invocation with tags can be a key of ``dependencies``."""

    __slots__ = ("_tags",)

    def __init__(self, tags: Mapping[str, Any]) -> None:
        self._tags = dict(tags)

    def __getitem__(self, key: str) -> Any:
        return self._tags[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tags)

    def __len__(self) -> int:
        return len(self._tags)

    def __hash__(self) -> int:
        # Tag values are strings in practice; repr() keeps a dict or list value from breaking the hash.
        return hash(tuple(sorted((key, repr(value)) for key, value in self._tags.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and self._tags == dict(other)

    def __repr__(self) -> str:
        return repr(self._tags)


@dataclass(frozen=True)
class NodeInvocation:
    """A key of a ``GraphDefinition``'s ``dependencies``: a node under an alias, with tags, hooks or retries.

    What ``my_op.alias("name")``, ``.tag(...)``, ``.with_hooks(...)`` and ``.with_retry_policy(...)``
    record in a ``@graph`` body. Use it to place one definition several times in a graph. A
    definition used only under aliases gets no node of its own name. As in Dagster, the tags
    are kept read-only and hashable and the hooks as a frozenset, so an invocation with tags or
    hooks is a valid dict key.

    Args:
        name: The name of the op or graph definition (one of ``node_defs``).
        alias: The node's name in the graph. Defaults to ``name``.
        tags: Node tags, over the definition's own. Defaults to none.
        hook_defs: Success and failure hooks of the node, a set of ``HookDefinition`` (kept as a
            frozenset). Defaults to none.
        retry_policy: The node's retry policy, over the definition's own. Defaults to the definition's.

    Examples:
        >>> from orchestrator import DependencyDefinition, GraphDefinition, NodeInvocation, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> twice = GraphDefinition(name="twice", node_defs=[one, add_one], dependencies={
        ...     "add_one": {"x": DependencyDefinition("one")},
        ...     NodeInvocation("add_one", alias="again"): {"x": DependencyDefinition("add_one")}})
        >>> twice.execute_in_process().output_for_node("again")
        3
        >>> tagged = NodeInvocation("add_one", alias="tagged", tags={"team": "data"})
        >>> thrice = GraphDefinition(name="thrice", node_defs=[one, add_one], dependencies={
        ...     "add_one": {"x": DependencyDefinition("one")},
        ...     tagged: {"x": DependencyDefinition("add_one")}})
        >>> thrice.execute_in_process().output_for_node("tagged"), tagged.tags
        (3, {'team': 'data'})
    """

    name: str
    alias: str | None = None
    tags: Mapping[str, str] | None = None
    hook_defs: AbstractSet[Any] | None = None
    retry_policy: RetryPolicy | None = None

    def __post_init__(self) -> None:
        # A frozen dataclass hashes its fields: store the tags and hooks in hashable forms, as
        # Dagster's NodeInvocation does (frozentags, frozenset).
        object.__setattr__(self, "tags", _FrozenTags(self.tags or {}))
        object.__setattr__(self, "hook_defs", frozenset(self.hook_defs or ()))


# ``dependencies=``: node name or NodeInvocation -> {input name: dependency}. Mapping keys are
# invariant, so the one-kind-of-key forms are listed too: a ``dict[str, ...]`` variable type-checks.
_DependencyMapping = (
    Mapping[str, Mapping[str, Any]]
    | Mapping[NodeInvocation, Mapping[str, Any]]
    | Mapping[str | NodeInvocation, Mapping[str, Any]]
)


class GraphIn:
    """Describes an input of a ``@graph``, for ``@graph(ins={"name": GraphIn(...)})``.

    A graph's inputs are the parameters of its function whether or not they are declared: ``ins``
    is accepted for Dagster's signature, and this package does not keep the descriptions given.
    Feed graph inputs from the enclosing body, or with ``to_job(input_values=...)``.

    Args:
        description: What the input is. Defaults to None.

    Examples:
        >>> from orchestrator import GraphIn, graph, op
        >>> @op
        ... def double(x: int) -> int:
        ...     return 2 * x
        >>> @graph(ins={"x": GraphIn(description="The number to double")})
        ... def doubling(x):
        ...     return double(x)
        >>> doubling.input_names, doubling.execute_in_process(input_values={"x": 21}).output_value()
        (['x'], 42)
    """

    def __init__(self, description: str | None = None) -> None:
        self.description = description


class GraphOut:
    """Declares an output of a ``@graph`` that has several: ``@graph(out={"a": GraphOut(), ...})``.

    The graph function then returns a dict of the node outputs that become the graph's outputs,
    by name; in an enclosing body, calling the graph returns them in the order declared. The
    names are what counts: this package does not keep the descriptions given.

    Args:
        description: What the output is. Defaults to None.

    Examples:
        >>> from orchestrator import GraphOut, graph, op
        >>> @op
        ... def halve(x: int) -> int:
        ...     return x // 2
        >>> @op
        ... def double(x: int) -> int:
        ...     return 2 * x
        >>> @graph(out={"low": GraphOut(), "high": GraphOut(description="Twice x")})
        ... def spread(x):
        ...     return {"low": halve(x), "high": double(x)}
        >>> spread.output_names, spread.execute_in_process(input_values={"x": 10}).output_value("high")
        (['low', 'high'], 20)
    """

    def __init__(self, description: str | None = None) -> None:
        self.description = description


class GraphDefinition(NodeDefinition):
    """A set of nodes (ops and graphs) and the data dependencies between them.

    ``@graph`` builds one from a function's body; build one directly to make graphs from data,
    naming each node's inputs' sources in ``dependencies``. A graph is a node itself (call it in
    another body to nest it), and ``to_job`` binds it to resources, config and an executor,
    making a job; ``execute_in_process`` runs it as an ad-hoc job.

    Args:
        name: The graph's name: letters, digits and underscores.
        node_defs: The op and graph definitions it uses. Every definition no key of
            ``dependencies`` names is a node of its own name. Defaults to none.
        dependencies: For each node (a name, or a ``NodeInvocation`` to alias it), its inputs'
            sources by input name: ``DependencyDefinition``, ``MultiDependencyDefinition`` or
            ``DynamicCollectDependencyDefinition``. Defaults to none.
        description: What the graph does. Defaults to None.
        config: How the graph's ops are configured, wherever the graph runs (as a job of its own or
            as a node of another graph), as in Dagster: a dict of its ops' config by node name
            (defaults, under what run config gives at ``ops.<graph>.ops``), or a ``ConfigMapping``
            from the graph's own config (``ops.<graph>.config``; ``ops.config`` for a job made with
            ``to_job``) to that dict. A ``PartitionedConfig`` is the config of jobs made with
            ``to_job``. Defaults to None.
        tags: String tags of the graph. Defaults to ``{}``.
        input_names: The graph's own inputs, which ``to_job(input_values=...)`` or an enclosing
            body feeds. Defaults to none.

    Raises:
        DefinitionError: when a dependency names a node, input or output that does not exist,
            two nodes share a name, or the dependencies form a cycle.

    Examples:
        >>> from orchestrator import DependencyDefinition, GraphDefinition, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> adding = GraphDefinition(name="adding", node_defs=[one, add_one],
        ...                          dependencies={"add_one": {"x": DependencyDefinition("one")}})
        >>> adding.node_order, adding.to_job().execute_in_process().output_for_node("add_one")
        (['one', 'add_one'], 2)
    """

    def __init__(
        self,
        name: str,
        node_defs: Sequence[NodeDefinition] | None = None,
        dependencies: _DependencyMapping | None = None,
        description: str | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        input_names: Sequence[str] | None = None,
        _nodes: dict[str, Node] | None = None,
        _bindings: dict[str, dict[str, Binding]] | None = None,
        _outputs: dict[str, tuple[Source, bool]] | None = None,
    ) -> None:
        self.name = check_name(name, "Graph")
        self.description = description
        self.config = config
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self._input_names = list(input_names or [])
        if _nodes is not None:
            self.nodes = _nodes
            self.bindings = _bindings or {}
        else:
            self.nodes, self.bindings = _nodes_from_dependencies(self.name, node_defs or [], dependencies or {})
        self.outputs: dict[str, tuple[Source, bool]] = dict(_outputs or {})
        self.node_order = _validate(self)
        self.source_module: str | None = None  # the module of the body function, to find the job by pointer

    # -- node interface --------------------------------------------------------------------
    @property
    def input_names(self) -> list[str]:
        return list(self._input_names)

    @property
    def output_names(self) -> list[str]:
        return list(self.outputs)

    def output_is_dynamic(self, output_name: str) -> bool:
        return self.outputs[output_name][1]

    @property
    def node_defs(self) -> list[NodeDefinition]:
        seen: dict[int, NodeDefinition] = {}
        for node in self.nodes.values():
            seen.setdefault(id(node.definition), node.definition)
        return list(seen.values())

    def to_job(
        self,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        executor_def: Any = None,
        hooks: Any = None,
        op_retry_policy: RetryPolicy | None = None,
        partitions_def: Any = None,
        run_tags: Mapping[str, Any] | None = None,
        logger_defs: Mapping[str, Any] | None = None,
        input_values: Mapping[str, Any] | None = None,
    ) -> JobDefinition:
        """Bind this graph to resources, config, hooks, tags and an executor, making a job.

        ``input_values`` feeds the graph's own inputs, so a graph with parameters becomes a job.

        Example::

            from orchestrator import graph, op

            @op
            def double(x: int) -> int:
                return 2 * x

            @graph
            def doubling(x):
                double(x)

            result = doubling.to_job(input_values={"x": 21}).execute_in_process()
            assert result.output_for_node("double") == 42
        """
        from orchestrator.definitions.jobs import JobDefinition
        from orchestrator.definitions.partitions import PartitionedConfig

        # A dict or ConfigMapping on the graph configures the graph's ops wherever the graph runs
        # (run config resolution applies it); a PartitionedConfig can only be the job's.
        if config is None and isinstance(self.config, PartitionedConfig):
            config = self.config
        return JobDefinition(
            graph_def=self, name=name, description=description, resource_defs=resource_defs,
            config=config, tags=tags, metadata=metadata,
            executor_def=executor_def, hooks=hooks, op_retry_policy=op_retry_policy,
            partitions_def=partitions_def, run_tags=run_tags, logger_defs=logger_defs,
            input_values=input_values,
        )

    def execute_in_process(self, run_config: Mapping[str, Any] | None = None, resources: Mapping[str, Any] | None = None,
                           input_values: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """Run this graph as an ad-hoc job in the current process (see ``JobDefinition.execute_in_process``);
        ``input_values`` feeds the graph's inputs."""
        return self.to_job(resource_defs=resources, input_values=input_values).execute_in_process(
            run_config=run_config, **kwargs)

    def __repr__(self) -> str:
        return f"<GraphDefinition {self.name}>"


def _nodes_from_dependencies(
    graph_name: str, node_defs: Sequence[NodeDefinition], dependencies: _DependencyMapping
) -> tuple[dict[str, Node], dict[str, dict[str, Binding]]]:
    defs_by_name: dict[str, NodeDefinition] = {}
    for d in node_defs:
        if not isinstance(d, NodeDefinition):
            raise DefinitionError(f"Graph '{graph_name}': node_defs must hold ops or graphs, got {d!r}.")
        if d.name in defs_by_name and defs_by_name[d.name] is not d:
            raise DefinitionError(
                f"Graph '{graph_name}' has two different definitions named '{d.name}'. Rename one."
            )
        defs_by_name[d.name] = d

    nodes: dict[str, Node] = {}
    bindings: dict[str, dict[str, Binding]] = {}
    used_defs: set[str] = set()
    for key, deps in dependencies.items():
        inv = key if isinstance(key, NodeInvocation) else NodeInvocation(str(key))
        if inv.name not in defs_by_name:
            raise DefinitionError(
                f"Graph '{graph_name}': dependencies name node '{inv.name}', but no op or graph of "
                f"that name is in node_defs ({', '.join(sorted(defs_by_name)) or 'none'})."
            )
        node_name = check_name(inv.alias or inv.name, "Node")
        if node_name in nodes:
            raise DefinitionError(f"Graph '{graph_name}' has two nodes named '{node_name}'. Use distinct aliases.")
        used_defs.add(inv.name)
        nodes[node_name] = Node(node_name, defs_by_name[inv.name], dict(inv.tags or {}),
                                frozenset(inv.hook_defs or ()), inv.retry_policy)
        node_bindings: dict[str, Binding] = {}
        for input_name, dep in (deps or {}).items():
            node_bindings[input_name] = _binding_of(graph_name, node_name, input_name, dep)
        bindings[node_name] = node_bindings
    for d in node_defs:
        if d.name not in used_defs and d.name not in nodes:
            nodes[d.name] = Node(d.name, d)
            bindings[d.name] = {}
    return nodes, bindings


def _binding_of(graph_name: str, node_name: str, input_name: str, dep: Any) -> Binding:
    if isinstance(dep, DependencyDefinition):
        return Binding("direct", (Source(dep.node, dep.output),))
    if isinstance(dep, MultiDependencyDefinition):
        sources = []
        for d in dep.dependencies:
            if not isinstance(d, DependencyDefinition):
                raise DefinitionError(
                    f"Graph '{graph_name}', node '{node_name}', input '{input_name}': "
                    f"MultiDependencyDefinition takes DependencyDefinition items, got {d!r}."
                )
            sources.append(Source(d.node, d.output))
        return Binding("fan_in", tuple(sources))
    if isinstance(dep, DynamicCollectDependencyDefinition):
        return Binding("collect", (Source(dep.node_name, dep.output_name),))
    raise DefinitionError(
        f"Graph '{graph_name}', node '{node_name}', input '{input_name}': expected a "
        f"DependencyDefinition, MultiDependencyDefinition or DynamicCollectDependencyDefinition, got {dep!r}."
    )


def _validate(g: GraphDefinition) -> list[str]:
    """Check every binding points at a real node, output and input; return nodes in dependency order."""
    upstream: dict[str, set[str]] = {name: set() for name in g.nodes}
    for node_name, node_bindings in g.bindings.items():
        node = g.nodes[node_name]
        for input_name, binding in node_bindings.items():
            if input_name not in node.definition.input_names:
                raise DefinitionError(
                    f"Graph '{g.name}': node '{node_name}' has no input named '{input_name}' "
                    f"(inputs: {', '.join(node.definition.input_names) or 'none'})."
                )
            for src in binding.sources:
                if src.node is None:
                    if src.name not in g._input_names:
                        raise DefinitionError(f"Graph '{g.name}' has no input named '{src.name}'.")
                    continue
                if src.node not in g.nodes:
                    raise DefinitionError(
                        f"Graph '{g.name}': input '{input_name}' of node '{node_name}' depends on "
                        f"node '{src.node}', which is not in the graph."
                    )
                src_def = g.nodes[src.node].definition
                if src.name not in src_def.output_names:
                    raise DefinitionError(
                        f"Graph '{g.name}': input '{input_name}' of node '{node_name}' reads output "
                        f"'{src.name}' of node '{src.node}', which has outputs "
                        f"{src_def.output_names or 'none'}."
                    )
                upstream[node_name].add(src.node)
    for out_name, (src, _dyn) in g.outputs.items():
        if src.node not in g.nodes or src.name not in g.nodes[src.node].definition.output_names:
            raise DefinitionError(f"Graph '{g.name}': output '{out_name}' maps to an unknown node output.")
    return _topological(g.name, upstream)


def _topological(graph_name: str, upstream: Mapping[str, set[str]]) -> list[str]:
    downstream: dict[str, list[str]] = {n: [] for n in upstream}
    pending = {n: len(ups) for n, ups in upstream.items()}
    for n, ups in upstream.items():
        for u in ups:
            downstream[u].append(n)
    ready = [n for n, c in pending.items() if c == 0]
    order: list[str] = []
    while ready:
        n = ready.pop()
        order.append(n)
        for d in downstream[n]:
            pending[d] -= 1
            if pending[d] == 0:
                ready.append(d)
    if len(order) != len(upstream):
        stuck = sorted(n for n, c in pending.items() if c > 0)
        raise DefinitionError(
            f"Graph '{graph_name}' has a dependency cycle among nodes {stuck}. "
            "Remove one of the dependencies so data flows one way."
        )
    return order


def build_graph_from_body(
    fn: Callable[..., Any], name: str, description: str | None = None, config: Any = None,
    tags: Mapping[str, Any] | None = None, out: Mapping[str, GraphOut] | GraphOut | None = None,
) -> GraphDefinition:
    """Record ``fn``'s body into a graph; its parameters become graph inputs."""
    params = [p.name for p in inspect.signature(fn).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    frame, ret = composition.record_body(name, fn, params)
    declared = list(out) if isinstance(out, Mapping) else None
    outputs = composition.output_sources(frame, ret, declared)
    used_inputs = {s.name for b in frame.bindings.values() for bind in b.values() for s in bind.sources if s.node is None}
    unused = [p for p in params if p not in used_inputs]
    if unused:
        raise DefinitionError(
            f"Graph '{name}' has parameter(s) {unused} that no op in its body uses. "
            "Pass each graph input to an op, or remove the parameter."
        )
    graph_def = GraphDefinition(
        name=name, description=description or inspect.getdoc(fn), config=config, tags=tags,
        input_names=params, _nodes=frame.nodes, _bindings=frame.bindings, _outputs=outputs,
    )
    graph_def.source_module = getattr(fn, "__module__", None)
    return graph_def


@overload
def graph(compose_fn: Callable[..., Any]) -> GraphDefinition: ...


@overload
def graph(
    compose_fn: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    out: Mapping[str, GraphOut] | GraphOut | None = None,
    ins: Mapping[str, GraphIn] | None = None,
) -> Callable[[Callable[..., Any]], GraphDefinition]: ...


def graph(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    out: Mapping[str, GraphOut] | GraphOut | None = None,
    ins: Mapping[str, GraphIn] | None = None,
) -> GraphDefinition | Callable[[Callable[..., Any]], GraphDefinition]:
    """Compose ops and graphs into a reusable graph by calling them in the decorated function.

    The body is run once, when decorated, to record the nodes and their data dependencies: each
    call of an op or graph adds a node, and passing one call's result to another wires an output
    to an input. The function's parameters are the graph's inputs; what it returns (one node
    output, or a dict of them with ``out``) are its outputs. Use the graph as a node in a
    ``@job`` or another ``@graph``, or make a job of it with ``to_job``.

    Args:
        compose_fn: The function, when used bare (``@graph``). Defaults to None (``@graph(...)``).
        name: The graph's name. Defaults to the function's name.
        description: What the graph does. Defaults to the function's docstring.
        config: How the graph's ops are configured, wherever the graph runs (as a job of its own or
            as a node of another graph), as in Dagster: a dict of its ops' config by node name
            (defaults, under what run config gives at ``ops.<graph>.ops``), or a ``ConfigMapping``
            from the graph's own config (``ops.<graph>.config``; ``ops.config`` for a job made with
            ``to_job``) to that dict. Defaults to None.
        tags: String tags of the graph. Defaults to ``{}``.
        out: Its outputs by name (``GraphOut`` values), for a function that returns a dict of
            several. Defaults to one output, ``result``, when the function returns a node output.
        ins: ``GraphIn`` descriptions of its inputs, accepted for Dagster's signature; the inputs
            are the function's parameters, and the descriptions are not kept. Defaults to None.

    Returns:
        The ``GraphDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when a parameter of the function feeds no op, or the body wires nodes
            that do not fit (an unknown input, a cycle).

    Examples:
        >>> from orchestrator import graph, op
        >>> @op
        ... def double(x: int) -> int:
        ...     return 2 * x
        >>> @graph
        ... def quadruple(x):
        ...     return double(double(x))
        >>> quadruple.to_job(input_values={"x": 5}).execute_in_process().output_value()
        20
        >>> from orchestrator import ConfigMapping, job
        >>> @op(config_schema={"n": int})
        ... def make(context) -> int:
        ...     return context.op_config["n"]
        >>> @graph(config=ConfigMapping(lambda outer: {"make": {"config": {"n": outer["m"] * 10}}},
        ...                             config_schema={"m": int}))
        ... def scaled():
        ...     return make()
        >>> @job
        ... def scaling():
        ...     scaled()
        >>> scaling.execute_in_process(run_config={"ops": {"scaled": {"config": {"m": 4}}}}).output_for_node("scaled.make")
        40
    """

    def wrap(fn: Callable[..., Any]) -> GraphDefinition:
        return build_graph_from_body(fn, name or fn.__name__, description, config, tags, out)

    if compose_fn is not None:
        return wrap(compose_fn)
    return wrap
