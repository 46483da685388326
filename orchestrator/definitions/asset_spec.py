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

    Give it in ``deps=`` of ``@asset``, ``@multi_asset``, ``AssetSpec`` or ``AssetCheckSpec`` when
    an asset must run after another without reading its value (a plain key or definition in
    ``deps`` means the same without a mapping), or when the dependency needs a partition mapping.
    Two ``AssetDep`` are equal when their key and mapping are.

    Args:
        asset: The upstream asset: its definition, an ``AssetSpec``, an ``AssetKey``, a ``"a/b"``
            string or a list of parts.
        partition_mapping: Which upstream partitions a downstream partition depends on. Defaults to
            None: inferred from the two partitions definitions.

    Raises:
        DefinitionError: when ``asset`` does not name an asset.

    Examples:
        >>> from orchestrator import AssetDep, LastPartitionMapping, asset
        >>> @asset
        ... def raw_events():
        ...     return None
        >>> @asset(deps=[AssetDep(raw_events)])
        ... def sessions():
        ...     return "built after raw_events"
        >>> sessions.dependency_keys
        {AssetKey(['raw_events'])}
        >>> AssetDep("raw_events", partition_mapping=LastPartitionMapping())
        AssetDep(AssetKey(['raw_events']), partition_mapping=LastPartitionMapping())
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
    """Describes one asset apart from the code that computes it: key, dependencies, group, metadata...

    Given to ``@multi_asset(specs=...)``, each spec declares one asset the function materializes
    (it yields a ``MaterializeResult(asset_key=...)`` per spec). Given on its own to
    ``Definitions(assets=...)`` or ``materialize``, it declares an external asset that other assets
    depend on but nothing here materializes; assets that read it load it through the IO manager
    named by ``with_io_manager_key`` (default ``io_manager``). ``replace_attributes`` and
    ``merge_attributes`` make changed copies.

    Args:
        key: The asset's key: an ``AssetKey``, a ``"a/b"`` string or a list of parts.
        deps: The upstream assets it depends on (keys, strings, definitions, specs or ``AssetDep``).
            Defaults to none.
        description: What the asset holds. Defaults to None.
        metadata: Metadata describing the asset. Defaults to none.
        skippable: Whether a ``@multi_asset`` may leave this asset out of a run. Defaults to False.
        group_name: The asset's group. Defaults to None (the ``"default"`` group).
        code_version: The version of the code that computes it. Defaults to None.
        automation_condition: Accepted for Dagster compatibility; kept, but it starts no run.
        owners: Owners (``"team:sales"``, emails). Defaults to none.
        tags: String tags. Defaults to none.
        kinds: Kinds of the asset (``"python"``, ``"snowflake"``). Defaults to none.
        partitions_def: The asset's partitions (a ``@multi_asset``'s own is used when this is None).
            Defaults to None.
        freshness_policy: Accepted for Dagster compatibility; kept, but it changes no run.
        legacy_freshness_policy: Dagster's older name for ``freshness_policy``.

    Raises:
        DefinitionError: when ``key`` does not name an asset, or a dependency is given twice with
            different partition mappings.

    Examples:
        >>> from orchestrator import AssetSpec, MaterializeResult, materialize, multi_asset
        >>> @multi_asset(specs=[AssetSpec("users", group_name="crm"), AssetSpec("orders", deps=["users"])])
        ... def sync():
        ...     yield MaterializeResult(asset_key="users")
        ...     yield MaterializeResult(asset_key="orders")
        >>> sync.get_asset_spec("users").group_name, sync.get_asset_spec("orders").group_name
        ('crm', 'default')
        >>> [m.asset_key.to_user_string() for m in materialize([sync]).asset_materializations_for_node("sync")]
        ['users', 'orders']
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
