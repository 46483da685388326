"""Jobs that materialize assets: ``define_asset_job`` (resolved against a repository's assets) and
``materialize`` (run some assets now). Upstream assets outside the selection are loaded from
what an earlier run stored through their IO manager."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_selection import AssetSelection, coerce_selection
from orchestrator.definitions.assets import AssetKey, AssetsDefinition, SourceAsset
from orchestrator.definitions.graphs import DependencyDefinition, GraphDefinition
from orchestrator.definitions.jobs import JobDefinition
from orchestrator.definitions.ops import OpDefinition
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.execution.results import ExecuteInProcessResult

__all__ = ["define_asset_job", "UnresolvedAssetJobDefinition", "materialize", "materialize_to_memory",
           "build_assets_job"]


class UnresolvedAssetJobDefinition:
    """An asset job by name and selection; it becomes a ``JobDefinition`` inside a repository."""

    def __init__(self, name: str, selection: Any = None, config: Any = None, description: str | None = None,
                 tags: Mapping[str, Any] | None = None, partitions_def: Any = None, executor_def: Any = None,
                 hooks: Any = None, op_retry_policy: RetryPolicy | None = None) -> None:
        self.name = name
        self.selection: AssetSelection = coerce_selection(selection)
        self.config = config
        self.description = description
        self.tags = dict(tags or {})
        self.partitions_def = partitions_def
        self.executor_def = executor_def
        self.hooks = hooks
        self.op_retry_policy = op_retry_policy

    def selected_keys(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        return self.selection.resolve(assets)

    def resolve(self, assets: Sequence[AssetsDefinition], source_assets: Sequence[SourceAsset] = (),
                resource_defs: Mapping[str, Any] | None = None,
                materialized_by: Mapping[AssetKey, list[str]] | None = None) -> JobDefinition:
        """Build the job over ``assets`` (all assets of the repository)."""
        by_key = _index(assets)
        selected = self.selected_keys(by_key)
        if not selected:
            raise DefinitionError(f"Asset job '{self.name}' selects no asset.")
        return build_assets_job(
            self.name, assets, selected, source_assets=source_assets, resource_defs=resource_defs,
            config=self.config, description=self.description, tags=self.tags,
            partitions_def=self.partitions_def, executor_def=self.executor_def, hooks=self.hooks,
            op_retry_policy=self.op_retry_policy, materialized_by=materialized_by,
        )

    def execute_in_process(self, *args: Any, **kwargs: Any) -> Any:
        raise DefinitionError(
            f"Asset job '{self.name}' must be resolved against its assets first: put it in a @repository or "
            "Definitions(assets=..., jobs=...) and use get_job(name), or call materialize([...])."
        )

    def __repr__(self) -> str:
        return f"<UnresolvedAssetJobDefinition {self.name}>"


def define_asset_job(name: str, selection: Any = None, config: Any = None, description: str | None = None,
                     tags: Mapping[str, Any] | None = None, partitions_def: Any = None, executor_def: Any = None,
                     hooks: Any = None, op_retry_policy: RetryPolicy | None = None) -> UnresolvedAssetJobDefinition:
    """A job materializing the selected assets (``"*"``/None for all, names, lists, ``AssetSelection``)."""
    return UnresolvedAssetJobDefinition(name, selection, config, description, tags, partitions_def,
                                        executor_def, hooks, op_retry_policy)


def _index(assets: Sequence[AssetsDefinition]) -> dict[AssetKey, AssetsDefinition]:
    by_key: dict[AssetKey, AssetsDefinition] = {}
    for a in assets:
        if a.key in by_key and by_key[a.key] is not a:
            raise DefinitionError(f"Two different assets have the key '{a.key}'. Asset keys must be unique.")
        by_key[a.key] = a
    return by_key


def build_assets_job(
    name: str,
    assets: Sequence[AssetsDefinition],
    selected: set[AssetKey],
    source_assets: Sequence[SourceAsset] = (),
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    executor_def: Any = None,
    hooks: Any = None,
    op_retry_policy: RetryPolicy | None = None,
    materialized_by: Mapping[AssetKey, list[str]] | None = None,
    default_io_manager: Any = None,
) -> JobDefinition:
    """A job whose nodes are the selected assets' ops, wired by asset dependencies."""
    by_key = _index(assets)
    sources = {s.key: s for s in source_assets}
    materialized_by = materialized_by or {}
    node_defs: list[OpDefinition] = []
    dependencies: dict[str, dict[str, DependencyDefinition]] = {}
    for key in sorted(selected):
        a = by_key[key]
        op_def = _job_copy(a.op)
        deps: dict[str, DependencyDefinition] = {}
        for input_name, in_def in op_def.ins.items():
            upstream_key = in_def.asset_key
            if upstream_key in selected:
                deps[input_name] = DependencyDefinition(by_key[upstream_key].op.name, "result")
                continue
            if upstream_key in by_key:
                in_def.input_manager_key = by_key[upstream_key].io_manager_key
            elif upstream_key in sources:
                in_def.input_manager_key = sources[upstream_key].io_manager_key
            elif in_def.is_nothing:
                continue
            else:
                raise DefinitionError(
                    f"Asset '{key}' reads asset '{upstream_key}' (parameter '{input_name}'), which is not "
                    "defined. Define it with @asset or SourceAsset, or rename the parameter."
                )
            in_def.metadata["orch/materialized_by"] = list(materialized_by.get(upstream_key, []))
        node_defs.append(op_def)
        dependencies[op_def.name] = deps
    if partitions_def is None:
        partitioned = {id(by_key[k].partitions_def): by_key[k].partitions_def for k in selected if by_key[k].partitions_def}
        if len(partitioned) > 1:
            raise DefinitionError(f"Asset job '{name}' selects assets with different partitions; split the job.")
        partitions_def = next(iter(partitioned.values()), None)
    graph_def = GraphDefinition(name=name, node_defs=node_defs, dependencies=dependencies, description=description)
    resources = dict(resource_defs or {})
    if "io_manager" not in resources:
        if default_io_manager is None:
            from orchestrator.definitions.io_managers.fs import fs_io_manager

            default_io_manager = fs_io_manager
        resources["io_manager"] = default_io_manager
    return JobDefinition(graph_def=graph_def, name=name, description=description, resource_defs=resources,
                         config=config, tags=tags, executor_def=executor_def, hooks=hooks,
                         op_retry_policy=op_retry_policy, partitions_def=partitions_def)


def _job_copy(op_def: OpDefinition) -> OpDefinition:
    """A copy of an asset's op whose inputs can be bound for one job without touching the original."""
    clone = copy.copy(op_def)
    clone.ins = {name: copy.copy(in_def) for name, in_def in op_def.ins.items()}
    for in_def in clone.ins.values():
        in_def.metadata = dict(in_def.metadata)
    return clone


def _split(assets: Sequence[Any]) -> tuple[list[AssetsDefinition], list[SourceAsset]]:
    defs = [a for a in assets if isinstance(a, AssetsDefinition)]
    sources = [a for a in assets if isinstance(a, SourceAsset)]
    other = [a for a in assets if not isinstance(a, (AssetsDefinition, SourceAsset))]
    if other:
        raise DefinitionError(f"materialize() takes assets (@asset or SourceAsset), got {other[0]!r}.")
    return defs, sources


def materialize(
    assets: Sequence[Any],
    run_config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    selection: Any = None,
    tags: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
    instance: Any = None,
    run_id: str | None = None,
) -> ExecuteInProcessResult:
    """Materialize assets now, in this process. Outputs persist through ``fs_io_manager`` by default."""
    return _materialize(assets, run_config, resources, partition_key, selection, tags, raise_on_error, run_id, None)


def materialize_to_memory(
    assets: Sequence[Any],
    run_config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    selection: Any = None,
    tags: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
) -> ExecuteInProcessResult:
    """Like ``materialize`` but outputs stay in memory (for tests)."""
    from orchestrator.definitions.io_managers.mem import mem_io_manager

    return _materialize(assets, run_config, resources, partition_key, selection, tags, raise_on_error, None,
                        mem_io_manager)


def _materialize(assets: Sequence[Any], run_config: Mapping[str, Any] | None, resources: Mapping[str, Any] | None,
                 partition_key: str | None, selection: Any, tags: Mapping[str, Any] | None, raise_on_error: bool,
                 run_id: str | None, default_io_manager: Any) -> ExecuteInProcessResult:
    defs, sources = _split(assets)
    by_key = _index(defs)
    selected = coerce_selection(selection).resolve(by_key)
    job_def = build_assets_job("__materialize__", defs, selected, source_assets=sources, resource_defs=resources,
                               default_io_manager=default_io_manager)
    return job_def.execute_in_process(run_config=run_config, partition_key=partition_key, tags=tags,
                                      raise_on_error=raise_on_error, run_id=run_id)
