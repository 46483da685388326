"""Asset specs and dependencies: what is known about an asset apart from the code that computes it.

An ``AssetSpec`` names an asset and describes it (group, metadata, owners, dependencies...). Given
to ``@multi_asset(specs=...)`` it declares the assets a function materializes; given on its own to
``Definitions(assets=...)`` it declares an external asset that other assets read but nothing here
materializes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orchestrator.definitions.asset_key import AssetKey
from orchestrator.errors import DefinitionError

__all__ = ["AssetSpec", "AssetDep", "coerce_deps", "IO_MANAGER_KEY_METADATA"]

# Dagster's metadata key for the IO manager that loads an external asset.
IO_MANAGER_KEY_METADATA = "dagster/io_manager_key"


class AssetDep:
    """A dependency on an upstream asset, optionally with a partition mapping.

    Example::

        @asset(deps=[AssetDep("raw_events", partition_mapping=TimeWindowPartitionMapping(start_offset=-1))])
        def sessions(): ...
    """

    def __init__(self, asset: Any, *, partition_mapping: Any = None) -> None:
        self.asset_key = AssetKey.from_coercible(asset)
        self.partition_mapping = partition_mapping

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AssetDep) and other.asset_key == self.asset_key
                and other.partition_mapping == self.partition_mapping)

    def __hash__(self) -> int:
        return hash(self.asset_key)

    def __repr__(self) -> str:
        return f"AssetDep({self.asset_key!r}, partition_mapping={self.partition_mapping!r})"


def coerce_deps(deps: Iterable[Any] | None) -> list[AssetDep]:
    """``deps=`` items (keys, strings, definitions, specs, ``AssetDep``) as ``AssetDep``s, in order."""
    result: dict[AssetKey, AssetDep] = {}
    for dep in deps or []:
        if isinstance(dep, AssetDep):
            item = dep
        elif isinstance(dep, AssetSpec):
            item = AssetDep(dep.key)
        else:
            keys = getattr(dep, "keys", None)
            if keys is not None and not isinstance(keys, (str, AssetKey)) and not callable(keys) and len(keys) > 1:
                for key in sorted(keys):  # a multi-asset as a dependency: every asset it makes
                    result.setdefault(key, AssetDep(key))
                continue
            item = AssetDep(dep)
        if item.asset_key in result and result[item.asset_key] != item:
            raise DefinitionError(f"Dependency '{item.asset_key}' is given twice with different partition mappings.")
        result[item.asset_key] = item
    return list(result.values())


class AssetSpec:
    """Describes one asset: key, dependencies, group, metadata, owners, tags, kinds, partitions.

    Example::

        orders = AssetSpec("orders", group_name="sales", description="Raw orders, loaded by Fivetran")

        @multi_asset(specs=[AssetSpec("users"), AssetSpec("orders_clean", deps=["orders"])])
        def sync(context):
            yield MaterializeResult(asset_key="users")
            yield MaterializeResult(asset_key="orders_clean")

        defs = Definitions(assets=[orders, sync])
    """

    def __init__(self, key: Any, *, deps: Iterable[Any] | None = None, description: str | None = None,
                 metadata: Mapping[str, Any] | None = None, skippable: bool = False, group_name: str | None = None,
                 code_version: str | None = None, automation_condition: Any = None,
                 owners: Sequence[str] | None = None, tags: Mapping[str, str] | None = None,
                 kinds: Iterable[str] | None = None, partitions_def: Any = None,
                 freshness_policy: Any = None, legacy_freshness_policy: Any = None) -> None:
        self.key = AssetKey.from_coercible(key)
        self.deps = coerce_deps(deps)
        self.description = description
        self.metadata = dict(metadata or {})
        self.skippable = skippable
        self.group_name = group_name
        self.code_version = code_version
        self.automation_condition = automation_condition
        self.owners = list(owners or [])
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.kinds = set(kinds or [])
        self.partitions_def = partitions_def
        self.freshness_policy = freshness_policy or legacy_freshness_policy

    _FIELDS = ("key", "deps", "description", "metadata", "skippable", "group_name", "code_version",
               "automation_condition", "owners", "tags", "kinds", "partitions_def", "freshness_policy")

    def _values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._FIELDS}

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        """A copy with the given attributes replaced (``key=``, ``group_name=``, ``deps=``...)."""
        unknown = set(changes) - set(self._FIELDS)
        if unknown:
            raise DefinitionError(f"AssetSpec has no attribute(s) {sorted(unknown)}.")
        values = {**self._values(), **changes}
        key = values.pop("key")
        return AssetSpec(key, **values)

    def merge_attributes(self, *, deps: Iterable[Any] | None = None, metadata: Mapping[str, Any] | None = None,
                         owners: Sequence[str] | None = None, tags: Mapping[str, str] | None = None,
                         kinds: Iterable[str] | None = None) -> AssetSpec:
        """A copy with the given deps, metadata, owners, tags and kinds added to its own."""
        return self.replace_attributes(
            deps=[*self.deps, *coerce_deps(deps)], metadata={**self.metadata, **(metadata or {})},
            owners=[*self.owners, *(o for o in owners or [] if o not in self.owners)],
            tags={**self.tags, **(tags or {})}, kinds=self.kinds | set(kinds or []),
        )

    def with_io_manager_key(self, io_manager_key: str) -> AssetSpec:
        """A copy whose downstream assets load it through resource ``io_manager_key``."""
        return self.merge_attributes(metadata={IO_MANAGER_KEY_METADATA: io_manager_key})

    @property
    def io_manager_key(self) -> str:
        return str(self.metadata.get(IO_MANAGER_KEY_METADATA, "io_manager"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetSpec) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"AssetSpec(key={self.key!r}, group_name={self.group_name!r})"
