"""``MaterializeResult``: what an asset returns when it stores its data itself.

The asset's materialization is recorded with the result's metadata, and its IO manager is not
called (unless ``value=`` is given). Check results ride along in ``check_results``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from orchestrator.definitions.asset_check_spec import AssetCheckResult
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.metadata import MetadataValue, normalize_metadata
from orchestrator.definitions.ops import NO_VALUE
from orchestrator.errors import DefinitionError

__all__ = ["MaterializeResult"]


class MaterializeResult:
    """What an asset returns when it stores its data itself: metadata and check results, no value.

    Return one from an ``@asset`` (or yield one per asset from a ``@multi_asset``) that wrote its
    table or file on its own: the run records the asset's materialization with ``metadata``, and
    the asset's IO manager is not called (downstream assets usually depend on it with ``deps=``,
    or load it through an IO manager that reads what it wrote). Given ``value=``, the IO manager
    stores that value as usual.
    Check results in ``check_results`` are recorded as the asset's check evaluations.

    Args:
        asset_key: The asset this result is for. Defaults to None: the step's one asset (a
            ``@multi_asset`` needs it).
        metadata: Metadata of the materialization (plain values or ``MetadataValue``). Defaults to none.
        check_results: ``AssetCheckResult`` per check of the asset declared in ``check_specs``.
            Defaults to none.
        data_version: Dagster's data version; kept on the object, not recorded in the run's events.
            Defaults to None.
        tags: Tags; kept on the object, not recorded in the run's events. Defaults to none.
        value: A value for the asset's IO manager to store. Defaults to no value (nothing is stored).

    Raises:
        DefinitionError: when an item of ``check_results`` is not an ``AssetCheckResult``.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetCheckSpec, MaterializeResult, asset, materialize
        >>> @asset(check_specs=[AssetCheckSpec("has_rows", asset="table")])
        ... def table() -> MaterializeResult:
        ...     rows = 3  # the asset wrote its table itself
        ...     return MaterializeResult(metadata={"rows": rows}, check_results=[AssetCheckResult(passed=rows > 0)])
        >>> result = materialize([table])
        >>> result.asset_materializations_for_node("table")[0].metadata["rows"].value
        3
        >>> [e.passed for e in result.get_asset_check_evaluations()]
        [True]
    """

    def __init__(self, *, asset_key: Any = None, metadata: Mapping[str, Any] | None = None,
                 check_results: Sequence[AssetCheckResult] | None = None, data_version: Any = None,
                 tags: Mapping[str, str] | None = None, value: Any = NO_VALUE) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata, allow_invalid=True)
        self.check_results = list(check_results or [])
        for item in self.check_results:
            if not isinstance(item, AssetCheckResult):
                raise DefinitionError(f"MaterializeResult(check_results=...) takes AssetCheckResult items, got {item!r}.")
        self.data_version = data_version
        self.tags = dict(tags or {})
        self.value = value

    @property
    def has_value(self) -> bool:
        """Whether ``value=`` was given, so the asset's IO manager stores it."""
        return self.value is not NO_VALUE

    def __repr__(self) -> str:
        return f"MaterializeResult(asset_key={self.asset_key!r}, metadata={self.metadata!r})"
