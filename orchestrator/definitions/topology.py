"""A job's graph flattened to its ops: one entry per op path (``outer.inner.op``) with every input
resolved through graph boundaries to the op output that feeds it. Built once per job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

from orchestrator.definitions.nodes import Binding, Source
from orchestrator.definitions.ops import OpDefinition
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.graphs import GraphDefinition
    from orchestrator.definitions.ops import NodeDefinition


def _as_graph(definition: NodeDefinition) -> GraphDefinition | None:
    """The node's definition as a graph, or None for an op.

    Ops are the only leaves, so a definition that is not an op is a graph. Asking it that way
    keeps this module from importing ``graphs``, which imports ``jobs``: the planner and the step
    runner read the topology, and must not reach the module that launches runs.
    """
    return None if isinstance(definition, OpDefinition) else cast("GraphDefinition", definition)


@dataclass(frozen=True)
class OutputPath:
    """Output ``output`` of the op at ``path``."""

    path: str
    output: str = "result"

    def prefixed(self, prefix: str) -> OutputPath:
        return OutputPath(prefix + self.path, self.output)


@dataclass(frozen=True)
class FlatInput:
    """How an op input is fed after flattening."""

    kind: Literal["direct", "fan_in", "collect", "unbound"]
    sources: tuple[OutputPath, ...] = ()


UNBOUND = FlatInput("unbound")


@dataclass
class FlatOp:
    """An op placed in a job: its path, definition, merged tags and hooks, and resolved inputs."""

    path: str
    op_def: OpDefinition
    tags: dict[str, str]
    hook_defs: frozenset
    retry_policy: RetryPolicy | None
    inputs: dict[str, FlatInput]
    #: The dynamic output this op maps over directly (the innermost of ``dynamic_chain``).
    mapped_on: OutputPath | None = None
    collects_from: list[OutputPath] = field(default_factory=list)
    #: Every dynamic output this op runs once per element of, outermost first: ``(outer,)`` for an
    #: op mapped over ``outer``, ``(outer, inner)`` for one mapped over ``inner`` inside that map.
    dynamic_chain: tuple[OutputPath, ...] = ()

    @property
    def upstream_paths(self) -> list[str]:
        seen: dict[str, None] = {}
        for flat_input in self.inputs.values():
            for src in flat_input.sources:
                seen.setdefault(src.path, None)
        return list(seen)


@dataclass
class Topology:
    """All ops of a job in dependency order, and the job-level outputs."""

    ops: dict[str, FlatOp]
    outputs: dict[str, OutputPath]
    graph_paths: set[str]

    def op(self, path: str) -> FlatOp:
        try:
            return self.ops[path]
        except KeyError:
            raise DefinitionError(f"No op at path '{path}' in this job.") from None

    def resolve_node_output(self, graph_def: GraphDefinition, node_path: str, output: str = "result") -> OutputPath:
        """The op output behind ``node_path``'s output, following graph output mappings."""
        g, prefix = graph_def, ""
        parts = node_path.split(".")
        for i, part in enumerate(parts):
            node = g.nodes.get(part)
            if node is None:
                raise DefinitionError(
                    f"No node '{node_path}' in '{graph_def.name}' (nodes at this level: {', '.join(g.nodes)})."
                )
            definition = node.definition
            subgraph = _as_graph(definition)
            if subgraph is None:
                if i != len(parts) - 1:
                    raise DefinitionError(f"'{prefix}{part}' is an op, so '{node_path}' names nothing inside it.")
                if output not in definition.output_names:
                    raise DefinitionError(f"Op '{node_path}' has no output '{output}' (outputs: {definition.output_names}).")
                return OutputPath(f"{prefix}{part}", output)
            if i == len(parts) - 1:
                if output not in subgraph.outputs:
                    raise DefinitionError(f"Graph '{node_path}' has no output '{output}' (outputs: {list(subgraph.outputs)}).")
                src, _dyn = subgraph.outputs[output]
                return self.resolve_node_output(subgraph, str(src.node), src.name).prefixed(f"{prefix}{part}.")
            g, prefix = subgraph, f"{prefix}{part}."
        raise DefinitionError(f"No node '{node_path}'.")

    def is_dynamic_output(self, src: OutputPath) -> bool:
        return self.ops[src.path].op_def.outs[src.output].is_dynamic


def flatten(graph_def: GraphDefinition) -> Topology:
    """Flatten nested graphs into ops keyed by path, resolve every input, and check dynamic wiring."""
    ops: dict[str, FlatOp] = {}
    graph_paths: set[str] = set()

    def resolve_output(g: GraphDefinition, prefix: str, node_name: str, output: str) -> OutputPath:
        definition = _as_graph(g.nodes[node_name].definition)
        while definition is not None:
            src, _dyn = definition.outputs[output]
            prefix = f"{prefix}{node_name}."
            g, node_name, output = definition, str(src.node), src.name
            definition = _as_graph(g.nodes[node_name].definition)
        return OutputPath(f"{prefix}{node_name}", output)

    def resolve(g: GraphDefinition, prefix: str, binding: Binding, env: dict[str, FlatInput]) -> FlatInput:
        def one(src: Source) -> FlatInput:
            if src.node is None:
                return env.get(src.name, UNBOUND)
            return FlatInput("direct", (resolve_output(g, prefix, src.node, src.name),))

        if binding.kind == "direct":
            return one(binding.sources[0])
        if binding.kind == "collect":
            inner = one(binding.sources[0])
            if inner.kind != "direct":
                raise DefinitionError(f"In '{g.name}', collect() needs a dynamic output, got a {inner.kind} input.")
            return FlatInput("collect", inner.sources)
        sources: list[OutputPath] = []
        for src in binding.sources:
            inner = one(src)
            if inner.kind == "unbound":
                raise DefinitionError(f"In '{g.name}', a fan-in input includes graph input '{src.name}', which is not connected.")
            sources.extend(inner.sources)
        return FlatInput("fan_in", tuple(sources))

    def walk(g: GraphDefinition, prefix: str, env: dict[str, FlatInput], hooks: frozenset) -> None:
        for node_name in g.node_order:
            node = g.nodes[node_name]
            path = f"{prefix}{node_name}"
            resolved = {name: resolve(g, prefix, b, env) for name, b in g.bindings.get(node_name, {}).items()}
            node_hooks = hooks | node.hook_defs
            subgraph = _as_graph(node.definition)
            if subgraph is not None:
                graph_paths.add(path)
                walk(subgraph, f"{path}.", resolved, node_hooks)
                continue
            definition = node.definition
            assert isinstance(definition, OpDefinition)
            inputs = {name: resolved.get(name, UNBOUND) for name in definition.ins}
            ops[path] = FlatOp(
                path=path, op_def=definition, tags={**definition.tags, **node.tags},
                hook_defs=node_hooks, retry_policy=node.retry_policy or definition.retry_policy,
                inputs=inputs,
            )

    walk(graph_def, "", {}, frozenset())
    outputs = {name: resolve_output(graph_def, "", str(src.node), src.name) for name, (src, _d) in graph_def.outputs.items()}
    topo = Topology(ops, outputs, graph_paths)
    _assign_mapping(topo)
    return topo


def _assign_mapping(topo: Topology) -> None:
    """Give each op its chain of dynamic sources (outermost first) and check the dynamic wiring.

    The chain says which elements an op runs once per, and follows the data: an input from a
    dynamic output brings the chain of the op yielding it plus that output; any other input from an
    op brings that op's chain. A collect gathers one level: the elements of a dynamic output (it
    brings the chain of the op yielding it), or the instances of a mapped op (its chain without the
    innermost level). An op's inputs must bring chains that lie on one line (each a prefix of the
    longest, which becomes the op's chain), and an op that collects runs at the level its collect
    returns to. Ops come in dependency order, so every upstream chain is known.
    """
    for flat in topo.ops.values():
        brought: list[tuple[OutputPath, ...]] = []
        collected: list[tuple[str, OutputPath, tuple[OutputPath, ...]]] = []  # input, gathered, level
        for name, flat_input in flat.inputs.items():
            if flat_input.kind == "direct":
                src = flat_input.sources[0]
                upstream_chain = topo.ops[src.path].dynamic_chain
                brought.append(upstream_chain + (src,) if topo.is_dynamic_output(src) else upstream_chain)
            elif flat_input.kind == "fan_in":
                for src in flat_input.sources:
                    if topo.is_dynamic_output(src) or topo.ops[src.path].dynamic_chain:
                        raise DefinitionError(
                            f"Fan-in input '{name}' of op '{flat.path}' includes the dynamic output of "
                            f"'{src.path}'. Use .collect() to gather dynamic results."
                        )
            elif flat_input.kind == "collect":
                src = flat_input.sources[0]
                upstream_chain = topo.ops[src.path].dynamic_chain
                if topo.is_dynamic_output(src):
                    collected.append((name, src, upstream_chain))
                elif upstream_chain:
                    collected.append((name, upstream_chain[-1], upstream_chain[:-1]))
                else:
                    raise DefinitionError(
                        f"Input '{name}' of op '{flat.path}' collects output '{src.output}' of "
                        f"'{src.path}', which is not dynamic."
                    )
                flat.collects_from.append(src)
        chain: tuple[OutputPath, ...] = ()
        for other in [*brought, *(level for _name, _src, level in collected)]:
            if other[:len(chain)] != chain[:len(other)]:
                first, second = next((a, b) for a, b in zip(chain, other, strict=False) if a != b)
                raise DefinitionError(
                    f"Op '{flat.path}' takes inputs mapped over two different dynamic outputs "
                    f"({first.path}.{first.output} and {second.path}.{second.output}); "
                    "collect one of them first."
                )
            chain = other if len(other) > len(chain) else chain
        for name, gathered, level in collected:
            if level != chain:
                inner = chain[-1]
                raise DefinitionError(
                    f"Op '{flat.path}' both runs once per dynamic element (of {inner.path}.{inner.output}) "
                    f"and collects a dynamic output (input '{name}' gathers {gathered.path}.{gathered.output}); "
                    "collect outside of the mapped function instead."
                )
        flat.dynamic_chain = chain
        flat.mapped_on = chain[-1] if chain else None
