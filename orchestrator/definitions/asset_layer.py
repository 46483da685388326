"""The asset layer of a job: which op outputs materialize which assets, which op inputs read which
assets (and how, when the upstream asset is not made in the same run), which outputs carry check
results, and the partitions of each asset.

Asset jobs build one (``asset_jobs.build_assets_job``); the planner and the step runner read it by
op path, so multi-assets and graph-backed assets need no special ops. Plain jobs have none; the
helpers here then fall back to the asset key an op records on itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_check_spec import AssetCheckSpec
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.assets import AssetsDefinition, output_io_manager_key
from orchestrator.definitions.multi_partitions import typed_partition_key
from orchestrator.definitions.ops import OpDefinition
from orchestrator.definitions.partition_mappings import upstream_partition_keys

if TYPE_CHECKING:
    from orchestrator.definitions.graphs import GraphDefinition
    from orchestrator.definitions.topology import Topology

__all__ = ["AssetLayer", "ExternalLoad", "output_asset_key", "asset_layer_of"]


@dataclass(frozen=True)
class ExternalLoad:
    """An op input whose upstream asset this run does not materialize: load it through its IO manager."""

    asset_key: AssetKey
    io_manager_key: str
    materialized_by: tuple[str, ...] = ()

    def to_plan_value(self) -> dict[str, Any]:
        return {"asset_key": list(self.asset_key.path), "io_manager_key": self.io_manager_key,
                "materialized_by": list(self.materialized_by)}


@dataclass
class AssetLayer:
    """Asset facts of one job, by op path (``node`` or ``graph_node.inner_op``)."""

    output_keys: dict[tuple[str, str], AssetKey] = field(default_factory=dict)
    check_outputs: dict[tuple[str, str], AssetCheckSpec] = field(default_factory=dict)
    input_keys: dict[tuple[str, str], AssetKey] = field(default_factory=dict)
    external_loads: dict[tuple[str, str], ExternalLoad] = field(default_factory=dict)
    assets_by_op: dict[str, AssetsDefinition] = field(default_factory=dict)
    partitions_by_key: dict[AssetKey, Any] = field(default_factory=dict)
    selected_outputs: dict[str, frozenset[str]] = field(default_factory=dict)
    #: op path -> check outputs ``(op path, output)`` it waits for: blocking checks of assets it reads.
    blocking_deps: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @staticmethod
    def build(graph_def: GraphDefinition, topology: Topology, nodes: Mapping[str, AssetsDefinition],
              external_keys: Mapping[AssetKey, tuple[str, Any]],
              materialized_by: Mapping[AssetKey, Sequence[str]] | None = None) -> AssetLayer:
        """The layer of a job whose top-level node ``name`` computes ``nodes[name]``.

        ``external_keys`` maps every asset the job may read but not make to ``(io manager key,
        partitions def)``.
        """
        layer = AssetLayer()
        made_by = materialized_by or {}
        for assets_def in nodes.values():
            for key in assets_def.all_keys:
                layer.partitions_by_key[key] = assets_def.partitions_def
        for key, (_manager, partitions_def) in external_keys.items():
            layer.partitions_by_key.setdefault(key, partitions_def)
        for node_name, assets_def in nodes.items():
            for out_name, key in assets_def.node_keys_by_output_name.items():
                src = topology.resolve_node_output(graph_def, node_name, out_name)
                layer.output_keys[(src.path, src.output)] = key
            for out_name, spec in assets_def.check_specs_by_output_name.items():
                src = topology.resolve_node_output(graph_def, node_name, out_name)
                layer.check_outputs[(src.path, src.output)] = spec
            node_def = graph_def.nodes[node_name].definition
            op_paths = [node_name] if isinstance(node_def, OpDefinition) else [
                p for p in topology.ops if p.startswith(node_name + ".")]
            for path in op_paths:
                layer.assets_by_op[path] = assets_def
            if isinstance(node_def, OpDefinition):
                selected = {n for n, k in assets_def.node_keys_by_output_name.items() if k in assets_def.keys}
                selected |= set(assets_def.check_specs_by_output_name)
                selected |= set(node_def.output_names) - set(assets_def.node_keys_by_output_name) - set(
                    assets_def.node_check_specs_by_output_name)
                layer.selected_outputs[node_name] = frozenset(selected)
            for in_name, upstream_key in assets_def.node_keys_by_input_name.items():
                for path, op_input in _input_targets(node_def, in_name, node_name):
                    layer.input_keys[(path, op_input)] = upstream_key
                    flat_input = topology.ops[path].inputs.get(op_input)
                    if flat_input is not None and flat_input.kind == "unbound" and upstream_key in external_keys:
                        manager = external_keys[upstream_key][0]
                        layer.external_loads[(path, op_input)] = ExternalLoad(
                            upstream_key, manager, tuple(made_by.get(upstream_key, ())))
        layer._add_blocking_deps(nodes, topology)
        return layer

    def _add_blocking_deps(self, nodes: Mapping[str, AssetsDefinition], topology: Topology) -> None:
        """Assets that read an asset wait for its blocking checks run by separate steps (``@asset_check(
        blocking=True)``); a failed one fails its step, so they are skipped."""
        blocking = [(path, out, spec) for (path, out), spec in self.check_outputs.items() if spec.blocking]
        for check_path, out, spec in blocking:
            for node_name, assets_def in nodes.items():
                if spec.asset_key not in assets_def.node_keys_by_input_name.values():
                    continue
                if spec.asset_key in assets_def.all_keys or check_path == node_name:
                    continue
                for path in [p for p, a in self.assets_by_op.items() if a is assets_def]:
                    if path != check_path:
                        self.blocking_deps.setdefault(path, []).append((check_path, out))

    # -- what the planner and step runner ask ----------------------------------------------------
    def asset_key_for_output(self, op_path: str, output_name: str) -> AssetKey | None:
        return self.output_keys.get((op_path, output_name))

    def check_spec_for_output(self, op_path: str, output_name: str) -> AssetCheckSpec | None:
        return self.check_outputs.get((op_path, output_name))

    def check_specs_for_op(self, op_path: str) -> list[AssetCheckSpec]:
        return [spec for (path, _out), spec in self.check_outputs.items() if path == op_path]

    def asset_key_for_input(self, op_path: str, input_name: str) -> AssetKey | None:
        return self.input_keys.get((op_path, input_name))

    def external_load(self, op_path: str, input_name: str) -> ExternalLoad | None:
        return self.external_loads.get((op_path, input_name))

    def assets_def_for_op(self, op_path: str) -> AssetsDefinition | None:
        return self.assets_by_op.get(op_path)

    def selected_output_names(self, op_path: str) -> frozenset[str] | None:
        return self.selected_outputs.get(op_path)

    def partitions_def_for(self, key: AssetKey) -> Any:
        return self.partitions_by_key.get(key)

    def partition_key_for(self, key: AssetKey | None, run_partition_key: str | None) -> str | None:
        """The partition of asset ``key`` a run for ``run_partition_key`` writes (None: unpartitioned)."""
        if key is None:
            return run_partition_key
        partitions_def = self.partitions_by_key.get(key)
        if partitions_def is None:
            return None
        return typed_partition_key(partitions_def, run_partition_key)

    def upstream_partition_keys(self, op_path: str, input_name: str, run_partition_key: str | None) -> list[str] | None:
        """The partitions of the upstream asset that input ``input_name`` of ``op_path`` reads."""
        upstream_key = self.input_keys.get((op_path, input_name))
        if upstream_key is None:
            return None
        downstream = self.assets_by_op.get(op_path)
        downstream_def = downstream.partitions_def if downstream is not None else None
        mapping = downstream.get_partition_mapping(upstream_key) if downstream is not None else None
        keys = upstream_partition_keys(mapping, typed_partition_key(downstream_def, run_partition_key),
                                       downstream_def, self.partitions_by_key.get(upstream_key))
        if keys is None:
            return None
        return [str(k) for k in keys]


def _input_targets(node_def: Any, input_name: str, prefix: str) -> list[tuple[str, str]]:
    """The op inputs (by op path) a node input feeds: itself for an op, the bound inner inputs for a graph."""
    if isinstance(node_def, OpDefinition):
        return [(prefix, input_name)]
    targets: list[tuple[str, str]] = []
    for inner_name, bindings in node_def.bindings.items():
        for inner_input, binding in bindings.items():
            if any(src.node is None and src.name == input_name for src in binding.sources):
                inner = node_def.nodes[inner_name].definition
                targets.extend(_input_targets(inner, inner_input, f"{prefix}.{inner_name}"))
    return targets


def asset_layer_of(job: Any) -> AssetLayer | None:
    layer = getattr(job, "asset_layer", None)
    return layer if isinstance(layer, AssetLayer) else None


def output_asset_key(job: Any, op_path: str, output_name: str, op_def: Any) -> AssetKey | None:
    """The asset an op output materializes: from the job's asset layer, else the op's own key."""
    layer = asset_layer_of(job)
    if layer is not None:
        return layer.asset_key_for_output(op_path, output_name)
    key = getattr(op_def, "asset_key", None)
    return key if isinstance(key, AssetKey) and output_name == "result" else None


def external_io_manager_key(assets_def: AssetsDefinition, key: AssetKey) -> str:
    return output_io_manager_key(assets_def.node_def, assets_def.get_output_name_for_asset_key(key))
