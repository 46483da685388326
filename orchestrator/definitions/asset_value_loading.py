"""Reading an asset's stored value outside a run (``Definitions.load_asset_value``): through the IO
manager that stores it, with the context a downstream asset would load it with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.io_managers.base import InputContext, OutputContext
from orchestrator.definitions.resources import ResourceProvider, as_resource_definition
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.repositories import RepositoryDefinition

__all__ = ["load_asset_value"]


def load_asset_value(repo: RepositoryDefinition, key: AssetKey, partition_key: str | None,
                     python_type: type | None, metadata: Mapping[str, Any] | None) -> Any:
    """The value of asset ``key`` (one partition of it) that its IO manager has stored."""
    resources: dict[str, Any] = dict(repo.resources)
    partitions_def: Any = None
    if key in repo.asset_keys:
        assets_def = repo.get_assets_def(key)
        manager_key = assets_def.get_io_manager_key_for_asset_key(key)
        resources = {**resources, **assets_def.resource_defs}
        partitions_def = assets_def.partitions_def
    else:
        sources = [s for s in repo.source_assets if s.key == key]
        if not sources:
            raise DefinitionError(f"No asset '{key}' in this code location, so its value cannot be loaded.")
        manager_key = sources[0].io_manager_key
        resources = {**resources, **sources[0].resource_defs}
        partitions_def = sources[0].partitions_def
    if partitions_def is not None and partition_key is None:
        raise DefinitionError(f"Asset '{key}' is partitioned: pass partition_key= to load one partition.")
    if manager_key not in resources:
        if manager_key != "io_manager":
            raise DefinitionError(f"Asset '{key}' is stored by IO manager '{manager_key}', which is not a resource here.")
        from orchestrator.definitions.io_managers.fs import fs_io_manager

        resources[manager_key] = fs_io_manager  # the default of asset jobs
    defs = {k: as_resource_definition(k, v) for k, v in resources.items()}
    provider = ResourceProvider(defs, None, run_id="load_asset_value")
    try:
        manager = provider.get(manager_key)
        keys = [partition_key] if partition_key is not None else []
        upstream = OutputContext(name="result", asset_key=key, partition_key=partition_key, partition_keys=keys,
                                 asset_partitions_def=partitions_def, metadata=metadata)
        return manager.load_input(InputContext(upstream_output=upstream, asset_key=key, dagster_type=python_type,
                                               partition_key=partition_key, partition_keys=keys,
                                               asset_partitions_def=partitions_def, metadata=metadata))
    finally:
        provider.teardown()
