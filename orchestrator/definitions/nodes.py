"""The pieces a graph is made of: nodes (a definition placed under a name) and the bindings that
feed their inputs from sources.

Both ways of declaring a graph produce them -- recording a body (``composition``) and a
``dependencies`` dict (``graphs``) -- and flattening (``topology``) reads them, so they live
here, below all three, and none of those modules has to import another for its data types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from orchestrator.definitions.ops import NodeDefinition
    from orchestrator.definitions.retries import RetryPolicy

__all__ = ["Source", "Binding", "Node"]


@dataclass(frozen=True)
class Source:
    """Where an input's value comes from: ``node``'s output ``name``, or the graph input ``name``."""

    node: str | None
    name: str


@dataclass(frozen=True)
class Binding:
    """How one input is fed: one source, a fan-in list of sources, or a collected dynamic output."""

    kind: Literal["direct", "fan_in", "collect"]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Node:
    """A definition placed in a graph under a name, with node-level tags, hooks and retry policy."""

    name: str
    definition: NodeDefinition
    tags: dict[str, str] = field(default_factory=dict)
    hook_defs: frozenset = frozenset()
    retry_policy: RetryPolicy | None = None
