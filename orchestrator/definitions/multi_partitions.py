"""Two-dimensional partitions: every combination of the keys of two partitions definitions.

A key joins one key per dimension with ``|``, dimensions in alphabetical order of their names
(``MultiPartitionKey({"date": "2024-01-01", "color": "red"})`` is ``"red|2024-01-01"``), as Dagster
writes them, so stored outputs and run tags read the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from orchestrator.definitions.partitions import PartitionsDefinition
from orchestrator.errors import DefinitionError

__all__ = ["MultiPartitionsDefinition", "MultiPartitionKey", "PartitionDimensionDefinition",
           "PartitionDimensionKey", "MULTIPARTITION_KEY_DELIMITER"]

MULTIPARTITION_KEY_DELIMITER = "|"


class PartitionDimensionKey(NamedTuple):
    """One dimension's part of a multi-partition key."""

    dimension_name: str
    partition_key: str


class PartitionDimensionDefinition(NamedTuple):
    """One dimension of a ``MultiPartitionsDefinition``: its name and its partitions."""

    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionKey(str):
    """A partition key of a ``MultiPartitionsDefinition``: a string (``"red|2024-01-01"``) that also
    knows its key in each dimension.

    Example::

        key = MultiPartitionKey({"date": "2024-01-01", "color": "red"})
        assert key == "red|2024-01-01"
        assert key.keys_by_dimension == {"color": "red", "date": "2024-01-01"}
    """

    dimension_keys: list[PartitionDimensionKey]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        if not keys_by_dimension:
            raise DefinitionError("A MultiPartitionKey needs a key for each dimension.")
        dims = [PartitionDimensionKey(name, str(keys_by_dimension[name])) for name in sorted(keys_by_dimension)]
        obj = super().__new__(cls, MULTIPARTITION_KEY_DELIMITER.join(d.partition_key for d in dims))
        obj.dimension_keys = dims
        return obj

    @property
    def keys_by_dimension(self) -> dict[str, str]:
        return {d.dimension_name: d.partition_key for d in self.dimension_keys}

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickling rebuilds it from the dimensions
        return (self.keys_by_dimension,)

    def __repr__(self) -> str:
        return f"MultiPartitionKey({self.keys_by_dimension!r})"


class MultiPartitionsDefinition(PartitionsDefinition):
    """Partitions that are every pair of keys of two partitions definitions.

    Example::

        partitions = MultiPartitionsDefinition({
            "date": DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03"),
            "color": StaticPartitionsDefinition(["red", "blue"]),
        })
        assert "red|2024-01-01" in partitions.get_partition_keys()

        @asset(partitions_def=partitions)
        def colored(context) -> dict:
            return context.partition_key.keys_by_dimension
    """

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if len(partitions_defs) != 2:
            raise DefinitionError(
                f"MultiPartitionsDefinition takes exactly two dimensions, got {len(partitions_defs)}: "
                f"{', '.join(partitions_defs) or 'none'}."
            )
        for name, definition in partitions_defs.items():
            if not isinstance(definition, PartitionsDefinition) or isinstance(definition, MultiPartitionsDefinition):
                raise DefinitionError(f"Dimension '{name}' must be a single-dimension partitions definition, got {definition!r}.")
            if MULTIPARTITION_KEY_DELIMITER in name:
                raise DefinitionError(f"Dimension name {name!r} may not contain '|'.")
        self._dims = [PartitionDimensionDefinition(name, partitions_defs[name]) for name in sorted(partitions_defs)]

    @property
    def partitions_defs(self) -> list[PartitionDimensionDefinition]:
        return list(self._dims)

    @property
    def partition_dimension_names(self) -> list[str]:
        return [d.name for d in self._dims]

    def get_partitions_def_for_dimension(self, dimension_name: str) -> PartitionsDefinition:
        for d in self._dims:
            if d.name == dimension_name:
                return d.partitions_def
        raise DefinitionError(f"No dimension '{dimension_name}' (dimensions: {', '.join(self.partition_dimension_names)}).")

    def get_partition_keys(self, current_time: dt.datetime | None = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        first, second = self._dims
        return [MultiPartitionKey({first.name: a, second.name: b})
                for a in first.partitions_def.get_partition_keys(current_time)
                for b in second.partitions_def.get_partition_keys(current_time)]

    def get_multipartition_key_from_str(self, partition_key_str: str) -> MultiPartitionKey:
        """The ``MultiPartitionKey`` a ``"a|b"`` string names (``DefinitionError`` when malformed)."""
        parts = partition_key_str.split(MULTIPARTITION_KEY_DELIMITER)
        if len(parts) != len(self._dims):
            raise DefinitionError(
                f"'{partition_key_str}' is not a key of partitions {'|'.join(self.partition_dimension_names)}: "
                f"join one key per dimension with '|'."
            )
        return MultiPartitionKey({d.name: part for d, part in zip(self._dims, parts)})

    def has_partition_key(self, partition_key: str, current_time: dt.datetime | None = None,
                          dynamic_partitions_store: Any = None) -> bool:
        parts = str(partition_key).split(MULTIPARTITION_KEY_DELIMITER)
        return len(parts) == len(self._dims) and all(
            d.partitions_def.has_partition_key(part, current_time) for d, part in zip(self._dims, parts))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiPartitionsDefinition) and other._dims == self._dims

    def __hash__(self) -> int:
        return hash(tuple(self._dims))

    def __repr__(self) -> str:
        return f"MultiPartitionsDefinition({dict(self._dims)!r})"


def typed_partition_key(partitions_def: Any, partition_key: str | None) -> str | None:
    """``partition_key`` as a ``MultiPartitionKey`` when ``partitions_def`` is two-dimensional."""
    if partition_key is None or not isinstance(partitions_def, MultiPartitionsDefinition):
        return partition_key
    if isinstance(partition_key, MultiPartitionKey):
        return partition_key
    return partitions_def.get_multipartition_key_from_str(partition_key)
