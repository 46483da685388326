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
    """The outcome of materializing an asset that wrote its own data: metadata, check results, tags.

    Example::

        @asset
        def table(context) -> MaterializeResult:
            rows = write_table()  # the asset stores its data itself
            return MaterializeResult(metadata={"rows": rows})

        result = materialize([table])
        assert result.asset_materializations_for_node("table")[0].metadata["rows"].value == rows
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
