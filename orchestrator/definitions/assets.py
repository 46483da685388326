"""Software-defined assets: a function (an op, or a graph of ops) that computes named, persistent data
from the assets it depends on.

An ``AssetsDefinition`` is a node (op or graph) plus which asset each of its outputs materializes
(``keys_by_output_name``), which asset each of its inputs reads (``keys_by_input_name``), the checks
its outputs report (``check_specs_by_output_name``) and a spec per asset (group, metadata,
dependencies, partitions). Asset jobs place these nodes in a graph, so assets run through the same
planner and step runner as any op. ``@asset`` makes the one-op, one-asset kind; ``multi_assets``
has ``@multi_asset`` and the graph-backed decorators; ``asset_checks`` has ``@asset_check``.
"""

from __future__ import annotations

import copy
import inspect
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from orchestrator.definitions.asset_check_spec import AssetCheckSpec
from orchestrator.definitions.asset_key import AssetCheckKey, AssetKey
from orchestrator.definitions.asset_spec import IO_MANAGER_KEY_METADATA, AssetDep, AssetSpec, coerce_deps
from orchestrator.definitions.keyword_args import reject_unknown_kwargs
from orchestrator.definitions.ops import In, NodeDefinition, Nothing, OpDefinition, Out
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError, InvocationError
from orchestrator.events import EventType, jsonable

__all__ = ["AssetKey", "AssetIn", "AssetsDefinition", "AssetMaterialization", "asset", "SourceAsset",
           "is_result_annotation", "asset_output_type"]

DEFAULT_GROUP = "default"


class AssetIn:
    """How a parameter of an asset function reads an upstream asset, when its name is not the key.

    By default a parameter ``orders`` reads the asset ``orders`` (with the asset's ``key_prefix``).
    Give ``ins={"orders": AssetIn(...)}`` to read another key or prefix, load it through another
    input manager, type-check it, or map partitions.

    Args:
        key: The upstream asset's key (an ``AssetKey``, ``"a/b"`` string or list of parts).
            Defaults to None: the parameter's name.
        metadata: Metadata of the input, seen by the IO manager as ``context.definition_metadata``.
            Defaults to none.
        key_prefix: A prefix for the parameter's name, instead of ``key``. Defaults to None.
        input_manager_key: The resource that loads the value, instead of the upstream asset's IO
            manager. Defaults to None.
        partition_mapping: Which upstream partitions a downstream partition reads. Defaults to
            None: inferred from the two partitions definitions.
        dagster_type: The type the loaded value is checked against. Defaults to the parameter's
            annotation.

    Raises:
        DefinitionError: when both ``key`` and ``key_prefix`` are given.

    Examples:
        >>> from orchestrator import AssetIn, asset, materialize
        >>> @asset(key=["warehouse", "orders"])
        ... def orders():
        ...     return [{"id": 1}, {"id": 2}]
        >>> @asset(ins={"rows": AssetIn(key=["warehouse", "orders"])})
        ... def order_count(rows) -> int:
        ...     return len(rows)
        >>> materialize([orders, order_count]).output_for_node("order_count")
        2
    """

    def __init__(self, key: Any = None, metadata: Mapping[str, Any] | None = None,
                 key_prefix: str | Sequence[str] | None = None, input_manager_key: str | None = None,
                 partition_mapping: Any = None, dagster_type: Any = None) -> None:
        if key is not None and key_prefix is not None:
            raise DefinitionError("AssetIn takes key= or key_prefix=, not both.")
        self.key = AssetKey.from_coercible(key) if key is not None else None
        self.key_prefix = key_prefix
        self.metadata = dict(metadata or {})
        self.input_manager_key = input_manager_key
        self.partition_mapping = partition_mapping
        self.dagster_type = dagster_type


class AssetMaterialization:
    """Record that an op materialized an asset outside the asset framework (with metadata).

    Yield one from an op (or pass it to ``context.log_event``) when a plain op writes a table or
    file that is an asset: the run records an ASSET_MATERIALIZATION event, which asset sensors
    and ``result.asset_materializations_for_node`` read. Assets defined with ``@asset`` record
    theirs without it. The metadata is kept as given (it is normalized to ``MetadataValue`` when read
    back from a run's events); unlike Dagster's, it takes no ``tags``.

    Args:
        asset_key: The asset materialized: an ``AssetKey``, a ``"a/b"`` string or a list of parts.
        description: What was materialized. Defaults to None.
        metadata: Metadata of the materialization (plain values or ``MetadataValue``). Defaults to none.
        partition: The partition key materialized, for partitioned assets. Defaults to None.

    Raises:
        DefinitionError: when ``asset_key`` does not name an asset.

    Examples:
        >>> from orchestrator import AssetMaterialization, Output, job, op
        >>> @op
        ... def write_report():
        ...     yield AssetMaterialization(asset_key="report", metadata={"rows": 10})
        ...     yield Output(None)
        >>> @job
        ... def reports():
        ...     write_report()
        >>> [m.asset_key for m in reports.execute_in_process().asset_materializations_for_node("write_report")]
        [AssetKey(['report'])]
    """

    def __init__(self, asset_key: AssetKey | str | Sequence[str], description: str | None = None,
                 metadata: Mapping[str, Any] | None = None, partition: str | None = None) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key)
        self.description = description
        self.metadata = dict(metadata or {})
        self.partition = partition

    @property
    def label(self) -> str:
        """The asset key's path parts joined by spaces (Dagster's label of the materialization)."""
        return " ".join(str(part) for part in self.asset_key.path)

    def to_event_data(self) -> tuple[EventType, str, dict[str, Any]]:
        return (EventType.ASSET_MATERIALIZATION, f"Materialized asset '{self.asset_key}'.",
                {"asset_key": list(self.asset_key.path), "metadata": jsonable(self.metadata),
                 "partition": self.partition, "description": self.description})


def _is_op(node_def: NodeDefinition) -> bool:
    return isinstance(node_def, OpDefinition)


class AssetsDefinition:
    """One or more assets computed by one node (an op or a graph).

    ``@asset``, ``@multi_asset``, ``@graph_asset`` and ``@graph_multi_asset`` make one; so do
    ``AssetsDefinition.from_op`` and ``AssetsDefinition.from_graph`` for an existing op or graph.
    It says which asset each node output materializes, which asset each input reads, the checks the
    node reports and a spec per asset (group, metadata, dependencies, partitions). Asset jobs run
    it as a node of their graph, through the same planner and step runner as any op; calling it
    calls the op's function directly (for tests). Backfill policies are kept but change no run.

    Args:
        keys_by_input_name: The asset each input of ``node_def`` reads, by input name.
        keys_by_output_name: The asset each output of ``node_def`` materializes, by output name.
        node_def: The op or graph that computes the assets.
        partitions_def: The partitions of the assets. Defaults to None (unpartitioned).
        partition_mappings: A partition mapping per upstream asset key, for assets without a spec in
            ``specs``. Defaults to inferred mappings.
        asset_deps: The upstream keys of each asset, for assets without a spec in ``specs``. Defaults
            to every upstream asset read by the node.
        selected_asset_keys: The assets this definition materializes when it is a subset. Defaults to all.
        can_subset: Whether a job may select some of the assets only (the node then reads
            ``context.selected_output_names``). Defaults to False.
        resource_defs: Resources the assets need; a job running them gets them. Defaults to none.
        group_names_by_key: The group of each asset without a spec. Defaults to ``"default"``.
        metadata_by_key: The metadata of each asset without a spec. Defaults to none.
        tags_by_key: The tags of each asset without a spec. Defaults to none.
        descriptions_by_key: The description of each asset without a spec. Defaults to none.
        check_specs_by_output_name: The asset check each output reports, by output name. Defaults to none.
        selected_asset_check_keys: The checks this definition evaluates when it is a subset. Defaults to all.
        owners_by_key: The owners of each asset without a spec. Defaults to none.
        code_versions_by_key: The code version of each asset without a spec. Defaults to none.
        specs: An ``AssetSpec`` per asset; a spec replaces the ``*_by_key`` values, ``asset_deps`` and
            ``partition_mappings`` for its asset. Defaults to none.
        backfill_policy: Kept on the definition; it changes no run. Defaults to None.
        is_subset: Whether this is a subset of a larger definition. Defaults to False.
        hook_defs: Hooks that run on the node's step in every job that runs it. Defaults to none.

    Raises:
        DefinitionError: when ``node_def`` is not an op or graph, the maps name inputs or outputs it
            does not have, or two outputs materialize the same key.

    Examples:
        >>> from orchestrator import AssetsDefinition, asset, materialize, op
        >>> @op
        ... def fetch():
        ...     return [1, 2]
        >>> fetched = AssetsDefinition.from_op(fetch, group_name="raw")
        >>> fetched.key, fetched.group_name
        (AssetKey(['fetch']), 'raw')
        >>> @asset
        ... def total(fetch):
        ...     return sum(fetch)
        >>> materialize([fetched, total]).output_for_node("total")
        3
    """

    def __init__(
        self,
        *,
        keys_by_input_name: Mapping[str, AssetKey],
        keys_by_output_name: Mapping[str, AssetKey],
        node_def: NodeDefinition,
        partitions_def: Any = None,
        partition_mappings: Mapping[AssetKey, Any] | None = None,
        asset_deps: Mapping[AssetKey, Iterable[AssetKey]] | None = None,
        selected_asset_keys: Iterable[AssetKey] | None = None,
        can_subset: bool = False,
        resource_defs: Mapping[str, Any] | None = None,
        group_names_by_key: Mapping[AssetKey, str] | None = None,
        metadata_by_key: Mapping[AssetKey, Mapping[str, Any]] | None = None,
        tags_by_key: Mapping[AssetKey, Mapping[str, str]] | None = None,
        descriptions_by_key: Mapping[AssetKey, str] | None = None,
        check_specs_by_output_name: Mapping[str, AssetCheckSpec] | None = None,
        selected_asset_check_keys: Iterable[AssetCheckKey] | None = None,
        owners_by_key: Mapping[AssetKey, Sequence[str]] | None = None,
        code_versions_by_key: Mapping[AssetKey, str | None] | None = None,
        specs: Sequence[AssetSpec] | None = None,
        backfill_policy: Any = None,
        is_subset: bool = False,
        hook_defs: Any = None,
        **_ignored: Any,  # Dagster's scheduling-only arguments (freshness, automation) change no run
    ) -> None:
        if not isinstance(node_def, NodeDefinition):
            raise DefinitionError(f"AssetsDefinition needs an op or graph as node_def, got {node_def!r}.")
        self.node_def = node_def
        self._keys_by_input_name = {n: AssetKey.from_coercible(k) for n, k in keys_by_input_name.items()}
        self._keys_by_output_name = {n: AssetKey.from_coercible(k) for n, k in keys_by_output_name.items()}
        for out_name in self._keys_by_output_name:
            if out_name not in node_def.output_names:
                raise DefinitionError(f"Node '{node_def.name}' has no output '{out_name}' (outputs: {node_def.output_names}).")
        for in_name in self._keys_by_input_name:
            if in_name not in node_def.input_names:
                raise DefinitionError(f"Node '{node_def.name}' has no input '{in_name}' (inputs: {node_def.input_names}).")
        self._check_specs_by_output_name = dict(check_specs_by_output_name or {})
        self.partitions_def = partitions_def
        self.can_subset = can_subset
        self.resource_defs = dict(resource_defs or {})
        self.backfill_policy = backfill_policy
        self.hook_defs = frozenset(hook_defs or ())
        all_keys = list(self._keys_by_output_name.values())
        if len(set(all_keys)) != len(all_keys):
            raise DefinitionError(f"Node '{node_def.name}' materializes the same asset key from two outputs.")
        upstream_all = [k for k in self._keys_by_input_name.values() if k not in set(all_keys)]
        mappings = {AssetKey.from_coercible(k): m for k, m in (partition_mappings or {}).items()}

        given_specs = {s.key: s for s in specs or []}
        self._specs_by_key: dict[AssetKey, AssetSpec] = {}
        for key in all_keys:
            spec = given_specs.get(key)
            if spec is None:
                deps_keys = list((asset_deps or {}).get(key, upstream_all))
                spec = AssetSpec(
                    key, deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in deps_keys],
                    description=(descriptions_by_key or {}).get(key),
                    metadata=(metadata_by_key or {}).get(key), group_name=(group_names_by_key or {}).get(key),
                    owners=(owners_by_key or {}).get(key), tags=(tags_by_key or {}).get(key),
                    code_version=(code_versions_by_key or {}).get(key), partitions_def=partitions_def,
                )
            if spec.group_name is None:
                spec = spec.replace_attributes(group_name=DEFAULT_GROUP)
            self._specs_by_key[key] = spec
        self._selected_keys = frozenset(selected_asset_keys) if selected_asset_keys is not None else frozenset(all_keys)
        all_checks = {s.key for s in self._check_specs_by_output_name.values()}
        self._selected_check_keys = (frozenset(selected_asset_check_keys) if selected_asset_check_keys is not None
                                     else frozenset(all_checks))
        self.is_subset = is_subset
        if _is_op(node_def):
            # The op knows its asset key (one-asset definitions) and partitions, so a direct call of
            # the asset (with build_asset_context) can answer context.asset_key and partition_time_window.
            if len(all_keys) == 1:
                node_def.asset_key = all_keys[0]  # type: ignore[attr-defined]
            node_def._partitions_def = partitions_def  # type: ignore[attr-defined]

    # -- keys --------------------------------------------------------------------------------
    @property
    def key(self) -> AssetKey:
        """The asset key, for a definition of exactly one asset."""
        keys = sorted(self.keys)
        if len(keys) != 1:
            shown = ", ".join(k.to_user_string() for k in keys) or "none"
            raise DefinitionError(
                f"'{self.node_def.name}' defines {len(keys)} assets ({shown}), so it has no single .key; use .keys."
            )
        return keys[0]

    @property
    def keys(self) -> set[AssetKey]:
        """The assets this definition materializes (only the selected ones of a subset)."""
        return set(self._selected_keys)

    @property
    def all_keys(self) -> set[AssetKey]:
        return set(self._keys_by_output_name.values())

    @property
    def keys_by_output_name(self) -> dict[str, AssetKey]:
        return {n: k for n, k in self._keys_by_output_name.items() if k in self._selected_keys}

    @property
    def node_keys_by_output_name(self) -> dict[str, AssetKey]:
        return dict(self._keys_by_output_name)

    @property
    def keys_by_input_name(self) -> dict[str, AssetKey]:
        return dict(self._keys_by_input_name)

    @property
    def node_keys_by_input_name(self) -> dict[str, AssetKey]:
        return dict(self._keys_by_input_name)

    @property
    def dependency_keys(self) -> set[AssetKey]:
        """Every asset some selected asset of this definition depends on."""
        return {d.asset_key for key in self._selected_keys for d in self._specs_by_key[key].deps}

    @property
    def asset_deps(self) -> dict[AssetKey, set[AssetKey]]:
        return {key: {d.asset_key for d in spec.deps} for key, spec in self._specs_by_key.items()}

    @property
    def upstream_keys(self) -> list[AssetKey]:
        """Every asset upstream of this definition, in input order (assets it makes itself excluded)."""
        own = self.all_keys
        seen: dict[AssetKey, None] = {}
        for key in self._keys_by_input_name.values():
            if key not in own:
                seen.setdefault(key, None)
        for key in sorted(self._selected_keys):
            for dep in self._specs_by_key[key].deps:
                if dep.asset_key not in own:
                    seen.setdefault(dep.asset_key, None)
        return list(seen)

    # -- checks ------------------------------------------------------------------------------
    @property
    def check_specs_by_output_name(self) -> dict[str, AssetCheckSpec]:
        return {n: s for n, s in self._check_specs_by_output_name.items() if s.key in self._selected_check_keys}

    @property
    def node_check_specs_by_output_name(self) -> dict[str, AssetCheckSpec]:
        return dict(self._check_specs_by_output_name)

    @property
    def check_specs(self) -> list[AssetCheckSpec]:
        return list(self.check_specs_by_output_name.values())

    @property
    def check_keys(self) -> set[AssetCheckKey]:
        return set(self._selected_check_keys)

    @property
    def check_key(self) -> AssetCheckKey:
        keys = sorted(self.check_keys)
        if len(keys) != 1:
            raise DefinitionError(f"'{self.node_def.name}' has {len(keys)} checks, so it has no single .check_key.")
        return keys[0]

    def get_spec_for_check_key(self, check_key: AssetCheckKey) -> AssetCheckSpec:
        for spec in self._check_specs_by_output_name.values():
            if spec.key == check_key:
                return spec
        raise DefinitionError(f"'{self.node_def.name}' has no check '{check_key.to_user_string()}'.")

    # -- per-asset attributes ------------------------------------------------------------------
    @property
    def specs(self) -> list[AssetSpec]:
        return [self._specs_by_key[k] for k in sorted(self._selected_keys)]

    @property
    def specs_by_key(self) -> dict[AssetKey, AssetSpec]:
        return {k: self._specs_by_key[k] for k in self._selected_keys}

    def get_asset_spec(self, key: Any = None) -> AssetSpec:
        return self._specs_by_key[AssetKey.from_coercible(key) if key is not None else self.key]

    @property
    def group_names_by_key(self) -> dict[AssetKey, str]:
        return {k: str(s.group_name) for k, s in self.specs_by_key.items()}

    @property
    def group_name(self) -> str:
        """The group of this definition's assets (``"default"`` unless given)."""
        groups = sorted(set(self.group_names_by_key.values())) or [DEFAULT_GROUP]
        return groups[0] if len(groups) == 1 else ", ".join(groups)

    @property
    def descriptions_by_key(self) -> dict[AssetKey, str]:
        return {k: s.description for k, s in self.specs_by_key.items() if s.description}

    @property
    def description(self) -> str | None:
        if len(self._selected_keys) == 1:
            return self._specs_by_key[next(iter(self._selected_keys))].description or self.node_def.description
        return self.node_def.description

    @property
    def metadata_by_key(self) -> dict[AssetKey, dict[str, Any]]:
        return {k: dict(s.metadata) for k, s in self.specs_by_key.items()}

    @property
    def metadata(self) -> dict[str, Any]:
        return self.metadata_by_key.get(self.key, {}) if len(self._selected_keys) == 1 else {}

    @property
    def tags_by_key(self) -> dict[AssetKey, dict[str, str]]:
        return {k: dict(s.tags) for k, s in self.specs_by_key.items()}

    @property
    def owners_by_key(self) -> dict[AssetKey, list[str]]:
        return {k: list(s.owners) for k, s in self.specs_by_key.items()}

    @property
    def code_versions_by_key(self) -> dict[AssetKey, str | None]:
        return {k: s.code_version for k, s in self.specs_by_key.items()}

    @property
    def partition_mappings(self) -> dict[AssetKey, Any]:
        result: dict[AssetKey, Any] = {}
        for spec in self._specs_by_key.values():
            for dep in spec.deps:
                if dep.partition_mapping is not None:
                    result[dep.asset_key] = dep.partition_mapping
        return result

    def get_partition_mapping(self, upstream_key: AssetKey) -> Any:
        """The partition mapping of the dependency on ``upstream_key`` (None: inferred)."""
        return self.partition_mappings.get(upstream_key)

    # -- the node ----------------------------------------------------------------------------
    @property
    def op(self) -> OpDefinition:
        """The op computing these assets (``DefinitionError`` for a graph-backed definition)."""
        if not isinstance(self.node_def, OpDefinition):
            raise DefinitionError(f"Assets '{self.node_def.name}' are computed by a graph, not an op; use .node_def.")
        return self.node_def

    @property
    def input_keys(self) -> dict[str, AssetKey]:
        """Node inputs that carry upstream values (not ordering-only ``deps``) -> upstream keys."""
        node = self.node_def
        if isinstance(node, OpDefinition):
            return {n: k for n, k in self._keys_by_input_name.items() if not node.ins[n].is_nothing}
        return dict(self._keys_by_input_name)

    @property
    def dep_keys(self) -> list[AssetKey]:
        node = self.node_def
        if isinstance(node, OpDefinition):
            return [k for n, k in self._keys_by_input_name.items() if node.ins[n].is_nothing]
        return []

    @property
    def is_executable(self) -> bool:
        return True

    is_materializable = is_executable

    def get_output_name_for_asset_key(self, key: Any) -> str:
        key = AssetKey.from_coercible(key)
        for name, k in self._keys_by_output_name.items():
            if k == key:
                return name
        raise DefinitionError(f"'{self.node_def.name}' does not materialize asset '{key}'.")

    def get_io_manager_key_for_asset_key(self, key: Any) -> str:
        """The IO manager resource that stores (and loads) asset ``key``."""
        return output_io_manager_key(self.node_def, self.get_output_name_for_asset_key(key))

    @property
    def io_manager_key(self) -> str:
        return self.get_io_manager_key_for_asset_key(self.key)

    @property
    def required_resource_keys(self) -> frozenset[str]:
        node = self.node_def
        ops = [node] if isinstance(node, OpDefinition) else _graph_ops(node)
        keys: set[str] = set()
        for op_def in ops:
            keys |= op_def.required_resource_keys
            keys |= {o.io_manager_key for o in op_def.outs.values() if not o.is_nothing}
        return frozenset(keys)

    # -- copies ------------------------------------------------------------------------------
    def _rebuild(self, **changes: Any) -> AssetsDefinition:
        values: dict[str, Any] = dict(
            keys_by_input_name=self._keys_by_input_name, keys_by_output_name=self._keys_by_output_name,
            node_def=self.node_def, partitions_def=self.partitions_def, selected_asset_keys=self._selected_keys,
            can_subset=self.can_subset, resource_defs=self.resource_defs,
            check_specs_by_output_name=self._check_specs_by_output_name,
            selected_asset_check_keys=self._selected_check_keys, specs=list(self._specs_by_key.values()),
            backfill_policy=self.backfill_policy, is_subset=self.is_subset, hook_defs=self.hook_defs,
        )
        values.update(changes)
        node = values["node_def"]
        if node is self.node_def and _is_op(node):
            # The op records its asset key: a renamed or regrouped copy gets its own op object.
            values["node_def"] = copy.copy(node)
        rebuilt = object.__new__(type(self))
        AssetsDefinition.__init__(rebuilt, **values)
        return rebuilt

    def with_attributes(self, *, asset_key_replacements: Mapping[AssetKey, AssetKey] | None = None,
                        group_names_by_key: Mapping[AssetKey, str] | None = None, **_ignored: Any) -> AssetsDefinition:
        """A copy with asset keys replaced (in outputs, inputs, deps and checks) and groups set."""
        replace = dict(asset_key_replacements or {})
        groups = dict(group_names_by_key or {})

        def r(key: AssetKey) -> AssetKey:
            return replace.get(key, key)

        specs = []
        for spec in self._specs_by_key.values():
            deps = [AssetDep(r(d.asset_key), partition_mapping=d.partition_mapping) for d in spec.deps]
            specs.append(spec.replace_attributes(key=r(spec.key), deps=deps,
                                                 group_name=groups.get(spec.key, spec.group_name)))
        checks = {n: s.replace_key(r(s.asset_key)) for n, s in self._check_specs_by_output_name.items()}
        return self._rebuild(
            keys_by_input_name={n: r(k) for n, k in self._keys_by_input_name.items()},
            keys_by_output_name={n: r(k) for n, k in self._keys_by_output_name.items()},
            selected_asset_keys={r(k) for k in self._selected_keys}, specs=specs, check_specs_by_output_name=checks,
            selected_asset_check_keys={AssetCheckKey(r(c.asset_key), c.name) for c in self._selected_check_keys},
        )

    def with_resources(self, resource_defs: Mapping[str, Any]) -> AssetsDefinition:
        """A copy whose jobs get these resources (the definition's own win on a clash)."""
        return self._rebuild(resource_defs={**resource_defs, **self.resource_defs})

    def with_hooks(self, hook_defs: Any) -> AssetsDefinition:
        return self._rebuild(hook_defs=self.hook_defs | frozenset(hook_defs))

    def subset_for(self, selected_asset_keys: Iterable[AssetKey],
                   selected_asset_check_keys: Iterable[AssetCheckKey] | None = None) -> AssetsDefinition:
        """The part of this definition that materializes ``selected_asset_keys`` (and those checks)."""
        keys = set(selected_asset_keys) & self.all_keys
        checks = set(selected_asset_check_keys if selected_asset_check_keys is not None else self._selected_check_keys)
        return self._rebuild(selected_asset_keys=keys, selected_asset_check_keys=checks, is_subset=True)

    def to_source_asset(self, key: Any = None) -> SourceAsset:
        """This asset as seen from another code location: loaded through its IO manager."""
        k = AssetKey.from_coercible(key) if key is not None else self.key
        spec = self._specs_by_key[k]
        return SourceAsset(k, metadata=spec.metadata, io_manager_key=self.get_io_manager_key_for_asset_key(k),
                           description=spec.description, partitions_def=self.partitions_def, group_name=spec.group_name)

    # -- alternative constructors --------------------------------------------------------------
    @staticmethod
    def from_graph(graph_def: Any, *, keys_by_input_name: Mapping[str, AssetKey] | None = None,
                   keys_by_output_name: Mapping[str, AssetKey] | None = None,
                   key_prefix: str | Sequence[str] | None = None,
                   internal_asset_deps: Mapping[str, set[AssetKey]] | None = None,
                   partitions_def: Any = None, partition_mappings: Mapping[str, Any] | None = None,
                   resource_defs: Mapping[str, Any] | None = None, group_name: str | None = None,
                   group_names_by_output_name: Mapping[str, str | None] | None = None,
                   descriptions_by_output_name: Mapping[str, str] | None = None,
                   metadata_by_output_name: Mapping[str, Mapping[str, Any] | None] | None = None,
                   tags_by_output_name: Mapping[str, Mapping[str, str] | None] | None = None,
                   owners_by_output_name: Mapping[str, Sequence[str] | None] | None = None,
                   code_versions_by_output_name: Mapping[str, str | None] | None = None,
                   can_subset: bool = False, check_specs: Sequence[AssetCheckSpec] | None = None,
                   **_ignored: Any) -> AssetsDefinition:
        """Assets computed by a graph: one per graph output (``result``: the graph's own name).

        Example::

            @graph
            def store_files(raw_files):
                return upload(compress(raw_files))

            stored = AssetsDefinition.from_graph(store_files, group_name="files")
        """
        return _from_node(graph_def, keys_by_input_name, keys_by_output_name, key_prefix, internal_asset_deps,
                          partitions_def, partition_mappings, resource_defs, group_name, group_names_by_output_name,
                          descriptions_by_output_name, metadata_by_output_name, tags_by_output_name,
                          owners_by_output_name, code_versions_by_output_name, can_subset, check_specs)

    @staticmethod
    def from_op(op_def: OpDefinition, *, keys_by_input_name: Mapping[str, AssetKey] | None = None,
                keys_by_output_name: Mapping[str, AssetKey] | None = None,
                key_prefix: str | Sequence[str] | None = None,
                internal_asset_deps: Mapping[str, set[AssetKey]] | None = None,
                partitions_def: Any = None, partition_mappings: Mapping[str, Any] | None = None,
                group_name: str | None = None, group_names_by_output_name: Mapping[str, str | None] | None = None,
                descriptions_by_output_name: Mapping[str, str] | None = None,
                metadata_by_output_name: Mapping[str, Mapping[str, Any] | None] | None = None,
                tags_by_output_name: Mapping[str, Mapping[str, str] | None] | None = None,
                owners_by_output_name: Mapping[str, Sequence[str] | None] | None = None,
                code_versions_by_output_name: Mapping[str, str | None] | None = None,
                can_subset: bool = False, **_ignored: Any) -> AssetsDefinition:
        """Assets computed by an existing op: one per op output (``result``: the op's own name).

        Example::

            @op
            def fetch() -> list:
                return [1, 2]

            fetched = AssetsDefinition.from_op(fetch)
            assert fetched.key == AssetKey("fetch")
        """
        return _from_node(op_def, keys_by_input_name, keys_by_output_name, key_prefix, internal_asset_deps,
                          partitions_def, partition_mappings, None, group_name, group_names_by_output_name,
                          descriptions_by_output_name, metadata_by_output_name, tags_by_output_name,
                          owners_by_output_name, code_versions_by_output_name, can_subset, None)

    # -- running -----------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the asset's function directly (for tests): ``my_asset(upstream_value)``."""
        if not isinstance(self.node_def, OpDefinition):
            raise InvocationError(
                f"Assets '{self.node_def.name}' are computed by a graph, which cannot be called directly; "
                "materialize them with materialize([...]) instead."
            )
        return self.node_def(*args, **kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in sorted(self.keys))
        return f"<AssetsDefinition {keys}>"


def _graph_ops(graph_def: Any) -> list[OpDefinition]:
    result: list[OpDefinition] = []
    for node in graph_def.nodes.values():
        definition = node.definition
        if isinstance(definition, OpDefinition):
            result.append(definition)
        else:
            result.extend(_graph_ops(definition))
    return result


def output_io_manager_key(node_def: Any, output_name: str) -> str:
    """The IO manager key of a node output, following graph outputs to the op that produces them."""
    while not isinstance(node_def, OpDefinition):
        src, _dynamic = node_def.outputs[output_name]
        node_def, output_name = node_def.nodes[src.node].definition, src.name
    return node_def.outs[output_name].io_manager_key


def _from_node(node_def: Any, keys_by_input_name: Mapping[str, AssetKey] | None,
               keys_by_output_name: Mapping[str, AssetKey] | None, key_prefix: str | Sequence[str] | None,
               internal_asset_deps: Mapping[str, set[AssetKey]] | None, partitions_def: Any,
               partition_mappings: Mapping[str, Any] | None, resource_defs: Mapping[str, Any] | None,
               group_name: str | None, group_names_by_output_name: Mapping[str, str | None] | None,
               descriptions_by_output_name: Mapping[str, str] | None,
               metadata_by_output_name: Mapping[str, Mapping[str, Any] | None] | None,
               tags_by_output_name: Mapping[str, Mapping[str, str] | None] | None,
               owners_by_output_name: Mapping[str, Sequence[str] | None] | None,
               code_versions_by_output_name: Mapping[str, str | None] | None, can_subset: bool,
               check_specs: Sequence[AssetCheckSpec] | None) -> AssetsDefinition:
    prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or [])
    ins = {n: AssetKey.from_coercible(k) for n, k in (keys_by_input_name or {}).items()}
    for name in node_def.input_names:
        ins.setdefault(name, AssetKey([name]))
    check_outputs = {s.get_python_identifier(): s for s in check_specs or []}
    if keys_by_output_name is not None:
        outs = {n: AssetKey.from_coercible(k) for n, k in keys_by_output_name.items()}
    else:
        names = [n for n in node_def.output_names if n not in check_outputs]
        outs = {n: AssetKey([*prefix, node_def.name if n == "result" else n]) for n in names}
    mappings = {ins[n]: m for n, m in (partition_mappings or {}).items()}
    upstream = list(dict.fromkeys(ins.values()))
    deps_by_key = {outs[n]: set(keys) for n, keys in (internal_asset_deps or {}).items()}
    specs = []
    for out_name, key in outs.items():
        deps = deps_by_key.get(key, set(upstream) - set(outs.values()))
        specs.append(AssetSpec(
            key, deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in sorted(deps)],
            description=(descriptions_by_output_name or {}).get(out_name),
            metadata=(metadata_by_output_name or {}).get(out_name),
            group_name=(group_names_by_output_name or {}).get(out_name) or group_name,
            tags=(tags_by_output_name or {}).get(out_name), owners=(owners_by_output_name or {}).get(out_name),
            code_version=(code_versions_by_output_name or {}).get(out_name), partitions_def=partitions_def,
        ))
    return AssetsDefinition(keys_by_input_name=ins, keys_by_output_name=outs, node_def=node_def,
                            partitions_def=partitions_def, can_subset=can_subset, resource_defs=resource_defs,
                            check_specs_by_output_name=check_outputs, specs=specs)


class SourceAsset:
    """An asset produced outside this code base, loaded through an IO manager by downstream assets.

    Declare one for data another system writes (a table loaded by Fivetran, logs written by web
    servers): assets that read it as a parameter load it through its IO manager; nothing here
    materializes it. ``AssetSpec`` is the newer way to declare such an asset. Unlike Dagster's,
    it cannot be observed: ``observe_fn`` is refused.

    Args:
        key: The asset's key: an ``AssetKey``, a ``"a/b"`` string or a list of parts.
        metadata: Metadata describing the asset. Defaults to none.
        io_manager_key: The IO manager resource that loads it. Defaults to ``io_manager`` (or the
            key of ``io_manager_def``).
        io_manager_def: An IO manager that loads it, stored as resource ``<key>__io_manager`` unless
            ``io_manager_key`` is given. Defaults to None.
        description: What the asset holds. Defaults to None.
        partitions_def: The asset's partitions, for partitioned downstream reads. Defaults to None.
        group_name: The asset's group. Defaults to ``"default"``.
        resource_defs: Resources its IO manager needs; a job loading it gets them. Defaults to none.
        observe_fn: Not supported: a ``DefinitionError`` says to drop it.
        op_tags: Accepted for Dagster compatibility and ignored (a source asset has no op here).
        tags: String tags. Defaults to none.

    Raises:
        DefinitionError: when ``observe_fn`` is given or ``key`` does not name an asset.

    Examples:
        >>> from orchestrator import ConfigurableIOManager, SourceAsset, asset, materialize
        >>> class LogStore(ConfigurableIOManager):
        ...     def handle_output(self, context, obj):
        ...         raise NotImplementedError("raw_logs is written by the web servers")
        ...     def load_input(self, context):
        ...         return ["GET /", "POST /login"]
        >>> raw_logs = SourceAsset("raw_logs", io_manager_def=LogStore())
        >>> @asset
        ... def request_count(raw_logs):
        ...     return len(raw_logs)
        >>> materialize([raw_logs, request_count]).output_for_node("request_count")
        2
    """

    def __init__(self, key: Any, metadata: Mapping[str, Any] | None = None, io_manager_key: str | None = None,
                 io_manager_def: Any = None, description: str | None = None, partitions_def: Any = None,
                 group_name: str | None = None, resource_defs: Mapping[str, Any] | None = None,
                 observe_fn: Callable[..., Any] | None = None, op_tags: Mapping[str, Any] | None = None,
                 *, tags: Mapping[str, str] | None = None, **_ignored: Any) -> None:
        if observe_fn is not None:
            raise DefinitionError("Observable source assets (observe_fn=) are not supported; drop observe_fn.")
        self.key = AssetKey.from_coercible(key)
        self.metadata = dict(metadata or {})
        self.resource_defs = dict(resource_defs or {})
        if io_manager_def is not None:
            io_manager_key = io_manager_key or f"{self.key.to_python_identifier()}__io_manager"
            self.resource_defs[io_manager_key] = io_manager_def
        self.io_manager_key = io_manager_key or str(self.metadata.get(IO_MANAGER_KEY_METADATA, "io_manager"))
        self.description = description
        self.partitions_def = partitions_def
        self.group_name = group_name or DEFAULT_GROUP
        self.tags = dict(tags or {})

    @property
    def keys(self) -> set[AssetKey]:
        return {self.key}

    def with_attributes(self, *, key: Any = None, group_name: str | None = None, **_ignored: Any) -> SourceAsset:
        clone = copy.copy(self)
        if key is not None:
            clone.key = AssetKey.from_coercible(key)
        if group_name is not None:
            clone.group_name = group_name
        return clone

    def with_resources(self, resource_defs: Mapping[str, Any]) -> SourceAsset:
        clone = copy.copy(self)
        clone.resource_defs = {**resource_defs, **self.resource_defs}
        return clone

    def __repr__(self) -> str:
        return f"<SourceAsset {self.key.to_user_string()}>"


def source_asset_from_spec(spec: AssetSpec) -> SourceAsset:
    """An external ``AssetSpec`` as what downstream assets load it as."""
    return SourceAsset(spec.key, metadata=spec.metadata, io_manager_key=spec.io_manager_key,
                       description=spec.description, partitions_def=spec.partitions_def, group_name=spec.group_name,
                       tags=spec.tags)


def is_result_annotation(ret: Any) -> bool:
    """Whether a return annotation says the function returns results, not a value to store
    (``MaterializeResult``, ``AssetCheckResult``, ``None``, or an iterator/tuple of them)."""
    from orchestrator.definitions.asset_check_spec import AssetCheckResult
    from orchestrator.definitions.asset_results import MaterializeResult

    if ret is None or ret is type(None):
        return True
    if isinstance(ret, type):
        return issubclass(ret, (MaterializeResult, AssetCheckResult))
    args = typing.get_args(ret)
    return bool(args) and all(a is Ellipsis or is_result_annotation(a) for a in args)


def asset_output_type(fn: Callable[..., Any], dagster_type: Any) -> Any:
    """The type an asset's output is checked against: ``dagster_type``, else the return annotation;
    None when the function returns results (``MaterializeResult``...) rather than a value."""
    if dagster_type is not None:
        return dagster_type
    try:
        ret = typing.get_type_hints(fn).get("return", inspect.Signature.empty)
    except Exception:
        ret = inspect.Signature.empty
    if ret is inspect.Signature.empty or is_result_annotation(ret):
        return None
    from orchestrator.definitions.ops import _checkable_return

    return ret if _checkable_return(ret) else None


_CONTEXT_NAMES = ("context", "_context", "_", "ctx", "_ctx")


def function_inputs(fn: Callable[..., Any], op_name: str) -> list[inspect.Parameter]:
    """The parameters of an asset function that are upstream assets (not context, config, resources)."""
    from orchestrator.definitions.ops import _is_config_param, _is_context_param

    try:
        hints = typing.get_type_hints(fn, include_extras=True)  # extras: ResourceParam[T] is Annotated
    except Exception:
        hints = dict(getattr(fn, "__annotations__", {}))
    params = list(inspect.signature(fn).parameters.values())
    if params and (_is_context_param(params[0], hints) or params[0].name in _CONTEXT_NAMES):
        params = params[1:]
    result = []
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or _is_config_param(p, hints):
            continue
        if _is_resource_param(hints.get(p.name)):
            continue
        result.append(p)
    return result


def _is_resource_param(hint: Any) -> bool:
    """Whether an annotation marks a parameter as a resource (``ResourceParam[T]``, a
    ``ConfigurableResource`` or IO manager class...): the same rule as ops'."""
    from orchestrator.definitions.resources import is_resource_annotation

    return hint is not None and is_resource_annotation(hint)


def build_asset_ins(fn: Callable[..., Any], asset_name: str, ins: Mapping[str, AssetIn] | None,
                    deps: Iterable[Any] | None, key_prefix: Sequence[str]) -> tuple[
                        dict[str, In], dict[str, AssetKey], dict[AssetKey, Any]]:
    """Op inputs for an asset function: its parameters (upstream assets) and ``deps`` (ordering only).

    Returns ``(op ins, input name -> upstream key, upstream key -> partition mapping)``.
    """
    given = dict(ins or {})
    params = function_inputs(fn, asset_name)
    names = [p.name for p in params]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise DefinitionError(
            f"Asset '{asset_name}' has ins= for {unknown}, which are not parameters of its function "
            f"(parameters: {names or 'none'})."
        )
    op_ins: dict[str, In] = {}
    keys: dict[str, AssetKey] = {}
    mappings: dict[AssetKey, Any] = {}
    for p in params:
        asset_in = given.get(p.name)
        if asset_in is not None and asset_in.key is not None:
            upstream = asset_in.key
        else:
            prefix = asset_in.key_prefix if asset_in is not None and asset_in.key_prefix is not None else key_prefix
            upstream = AssetKey(p.name).with_prefix(prefix) if prefix else AssetKey(p.name)
        keys[p.name] = upstream
        op_ins[p.name] = In(dagster_type=asset_in.dagster_type if asset_in else None,
                            metadata=asset_in.metadata if asset_in else None, asset_key=upstream,
                            input_manager_key=asset_in.input_manager_key if asset_in else None)
        if asset_in is not None and asset_in.partition_mapping is not None:
            mappings[upstream] = asset_in.partition_mapping
    for dep in coerce_deps(deps):
        if dep.asset_key in keys.values():
            continue
        name = f"{dep.asset_key.to_python_identifier()}"
        while name in op_ins:
            name = f"_{name}"
        op_ins[name] = In(Nothing, asset_key=dep.asset_key)
        keys[name] = dep.asset_key
        if dep.partition_mapping is not None:
            mappings[dep.asset_key] = dep.partition_mapping
    return op_ins, keys, mappings


def asset_op_tags(op_tags: Mapping[str, Any] | None, compute_kind: str | None) -> dict[str, Any]:
    tags = dict(op_tags or {})
    if compute_kind:
        tags["kind"] = compute_kind
    return tags


@overload
def asset(compute_fn: Callable[..., Any]) -> AssetsDefinition: ...


@overload
def asset(
    compute_fn: None = None,
    *,
    name: str | None = None,
    key: Any = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[Any] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    io_manager_def: Any = None,
    description: str | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    op_tags: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    compute_kind: str | None = None,
    kinds: Iterable[str] | None = None,
    code_version: str | None = None,
    dagster_type: Any = None,
    owners: Sequence[str] | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    output_required: bool = True,
    **scheduling: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


def asset(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    key: Any = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[Any] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    io_manager_def: Any = None,
    description: str | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    op_tags: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    compute_kind: str | None = None,
    kinds: Iterable[str] | None = None,
    code_version: str | None = None,
    dagster_type: Any = None,
    owners: Sequence[str] | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    output_required: bool = True,
    **scheduling: Any,
) -> AssetsDefinition | Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare an asset: a function that computes one named, persistent value from upstream assets.

    The function's parameters (after an optional ``context``) are the upstream assets it reads,
    by name; what it returns is stored by the asset's IO manager (``fs_io_manager`` by default),
    and a ``MaterializeResult`` says the function stored its data itself. The asset's op is named
    after its key (``a/b`` runs as op ``a__b``). Use it bare (``@asset``) or with arguments
    (``@asset(group_name=...)``). Of Dagster's scheduling-only arguments, ``automation_condition``,
    ``auto_materialize_policy``, ``freshness_policy``, ``legacy_freshness_policy``,
    ``backfill_policy`` and ``pool`` are accepted and change nothing about a run.

    Args:
        compute_fn: The function, when used as ``@asset`` without arguments.
        name: The last part of the asset's key. Defaults to the function's name.
        key: The whole key (an ``AssetKey``, ``"a/b"`` string or list of parts), instead of
            ``name``/``key_prefix``.
        key_prefix: A prefix for the key, also applied to the parameters' upstream keys. Defaults to none.
        deps: Upstream assets it runs after without reading them (keys, definitions, specs,
            ``AssetDep``). Defaults to none.
        ins: ``AssetIn`` per parameter, to read another key, prefix or input manager. Defaults to none.
        config_schema: The schema of the asset's config (``context.op_config``). Defaults to none.
        required_resource_keys: Resource keys the function reads from ``context.resources``.
            Defaults to none.
        resource_defs: Resources the asset needs; a job running it gets them. Defaults to none.
        io_manager_key: The IO manager resource that stores it. Defaults to ``io_manager``.
        io_manager_def: An IO manager that stores it, kept as resource ``<key>__io_manager`` unless
            ``io_manager_key`` is given. Defaults to None.
        description: What the asset holds. Defaults to the function's docstring.
        partitions_def: The asset's partitions; the function reads ``context.partition_key``.
            Defaults to None.
        group_name: The asset's group. Defaults to ``"default"``.
        metadata: Metadata of the asset (and of its output). Defaults to none.
        retry_policy: How the asset's step is retried when it raises. Defaults to no retries.
        op_tags: Tags of the asset's op. Defaults to none.
        tags: String tags of the asset. Defaults to none.
        compute_kind: A kind shown for the op (its ``kind`` tag), also added to ``kinds``. Defaults to None.
        kinds: Kinds of the asset (``"python"``, ``"snowflake"``). Defaults to none.
        code_version: The version of the code that computes it. Defaults to None.
        dagster_type: The type the returned value is checked against. Defaults to the return annotation.
        owners: Owners (``"team:sales"``, emails). Defaults to none.
        check_specs: ``AssetCheckSpec`` of checks of this asset that the function reports, yielding an
            ``AssetCheckResult`` after its output. Defaults to none.
        output_required: Whether the function must produce the value; with False it may yield
            nothing, and downstream assets are skipped. Defaults to True.
        **scheduling: Dagster's scheduling-only arguments named above; also ``non_argument_deps``
            (Dagster's older name for ``deps``) and ``hooks`` (hooks run on the asset's step).

    Returns:
        An ``AssetsDefinition`` (or, with arguments, a decorator that makes one).

    Raises:
        TypeError: when a keyword argument is unknown (it is named).
        DefinitionError: when ``key`` is given with ``name``/``key_prefix``, ``ins`` names something
            that is not a parameter, or a check spec targets another asset.

    Examples:
        >>> from orchestrator import asset, materialize
        >>> @asset
        ... def numbers() -> list[int]:
        ...     return [1, 2, 3]
        >>> @asset(group_name="stats")
        ... def total(numbers: list[int]) -> int:
        ...     return sum(numbers)
        >>> materialize([numbers, total]).output_for_node("total")
        6
    """
    reject_unknown_kwargs("@asset", scheduling, _SCHEDULING_ARGS)

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        if key is not None and (name is not None or key_prefix is not None):
            raise DefinitionError("@asset takes key= or name=/key_prefix=, not both.")
        prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or [])
        asset_key = AssetKey.from_coercible(key) if key is not None else AssetKey([*prefix, name or fn.__name__])
        all_deps = [*(deps or []), *(scheduling.get("non_argument_deps") or [])]  # Dagster's older name for deps
        op_ins, keys_by_input, mappings = build_asset_ins(fn, asset_key.to_user_string(), ins, all_deps, prefix)
        resources = dict(resource_defs or {})
        manager_key = io_manager_key
        if io_manager_def is not None:
            manager_key = manager_key or f"{asset_key.to_python_identifier()}__io_manager"
            resources[manager_key] = io_manager_def
        outs: dict[str, Out] = {"result": Out(dagster_type=asset_output_type(fn, dagster_type),
                                              io_manager_key=manager_key or "io_manager", metadata=metadata,
                                              code_version=code_version, is_required=output_required)}
        checks = {}
        for spec in check_specs or []:
            if spec.asset_key != asset_key:
                raise DefinitionError(
                    f"Asset '{asset_key}' has check spec '{spec.name}' for asset '{spec.asset_key}'; a check spec "
                    "on @asset must target that asset."
                )
            checks[spec.get_python_identifier()] = spec
            outs[spec.get_python_identifier()] = Out(Nothing, is_required=False)
        op_def = OpDefinition(
            fn, name=asset_key.to_python_identifier(), ins=op_ins, outs=outs, config_schema=config_schema,
            required_resource_keys=required_resource_keys, tags=asset_op_tags(op_tags, compute_kind),
            retry_policy=retry_policy, description=description, code_version=code_version,
        )
        own_spec = AssetSpec(
            asset_key, deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in dict.fromkeys(keys_by_input.values())],
            description=description or op_def.description, metadata=metadata, group_name=group_name,
            code_version=code_version, owners=owners, tags=tags, kinds=set(kinds or ()) | ({compute_kind} if compute_kind else set()),
            partitions_def=partitions_def,
        )
        return AssetsDefinition(keys_by_input_name=keys_by_input, keys_by_output_name={"result": asset_key},
                                node_def=op_def, partitions_def=partitions_def, resource_defs=resources,
                                check_specs_by_output_name=checks, specs=[own_spec],
                                backfill_policy=scheduling.get("backfill_policy"), hook_defs=scheduling.get("hooks"))

    if compute_fn is not None:
        return wrap(compute_fn)
    return wrap


# Accepted for compatibility: most tell Dagster's daemon when to run assets, which this package's
# scheduler does through schedules and sensors instead; ``non_argument_deps`` and ``hooks`` are used.
_SCHEDULING_ARGS = frozenset({"automation_condition", "auto_materialize_policy", "freshness_policy",
                              "legacy_freshness_policy", "backfill_policy", "pool", "non_argument_deps",
                              "hooks"})
