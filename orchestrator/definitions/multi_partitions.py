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
    """A partition key of a ``MultiPartitionsDefinition``: a string that also knows its key in each dimension.

    The string joins one key per dimension with ``|``, dimensions in alphabetical order of their
    names, as Dagster writes it (``"red|2024-01-01"``), so it works wherever a key string does.
    ``context.partition_key`` of a run of two-dimensional partitions is one; ``keys_by_dimension``
    gives its parts.

    Args:
        keys_by_dimension: The key in each dimension, by dimension name.

    Raises:
        DefinitionError: when ``keys_by_dimension`` is empty.

    Examples:
        >>> from orchestrator import MultiPartitionKey
        >>> key = MultiPartitionKey({"date": "2024-01-01", "color": "red"})
        >>> str(key), key == "red|2024-01-01"
        ('red|2024-01-01', True)
        >>> key.keys_by_dimension
        {'color': 'red', 'date': '2024-01-01'}
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
    """Two-dimensional partitions: every pair of a key of one partitions definition and a key of another.

    For data split two ways (each day and each region). Its keys are ``MultiPartitionKey`` strings
    (``"red|2024-01-01"``, dimensions in alphabetical order); a run of one reads its parts from
    ``context.partition_key.keys_by_dimension``. ``MultiToSingleDimensionPartitionMapping`` maps
    it to and from a one-dimensional definition.

    Args:
        partitions_defs: Exactly two one-dimensional partitions definitions, by dimension name
            (a name may not contain ``|``).

    Raises:
        DefinitionError: when there are not exactly two dimensions, a dimension is not a
            one-dimensional partitions definition, or a name contains ``|``.

    Examples:
        >>> from orchestrator import (DailyPartitionsDefinition, MultiPartitionsDefinition,
        ...                           StaticPartitionsDefinition, asset, materialize)
        >>> partitions = MultiPartitionsDefinition({
        ...     "date": DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03"),
        ...     "color": StaticPartitionsDefinition(["red", "blue"]),
        ... })
        >>> @asset(partitions_def=partitions)
        ... def colored(context) -> dict:
        ...     return context.partition_key.keys_by_dimension
        >>> materialize([colored], partition_key="red|2024-01-02").output_for_node("colored")
        {'color': 'red', 'date': '2024-01-02'}
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
