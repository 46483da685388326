"""Partition mappings: which partitions of an upstream asset a partition of a downstream asset reads.

Given on a dependency (``AssetIn(partition_mapping=...)``, ``AssetDep(..., partition_mapping=...)``)
or inferred: the same partitions map one to one, time windows map to the upstream windows they
overlap, and an unpartitioned downstream asset reads every upstream partition.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from orchestrator.definitions.multi_partitions import MultiPartitionKey, MultiPartitionsDefinition
from orchestrator.definitions.partitions import PartitionsDefinition
from orchestrator.definitions.time_partitions import TimeWindowPartitionsDefinition
from orchestrator.errors import DefinitionError

__all__ = [
    "PartitionMapping",
    "IdentityPartitionMapping",
    "AllPartitionMapping",
    "LastPartitionMapping",
    "TimeWindowPartitionMapping",
    "StaticPartitionMapping",
    "SpecificPartitionsPartitionMapping",
    "MultiToSingleDimensionPartitionMapping",
    "infer_partition_mapping",
    "upstream_partition_keys",
]


class PartitionMapping:
    """Says which partitions of an upstream asset a partition of a downstream asset depends on.

    Give a mapping on a dependency (``AssetIn(partition_mapping=...)``,
    ``AssetDep(..., partition_mapping=...)``); without one it is inferred: the same partitions map
    one to one, time windows to the upstream windows they overlap, and an unpartitioned
    downstream asset reads every upstream partition. When a partition reads several upstream
    partitions, the parameter receives ``{partition_key: value}``. Unlike Dagster's, a custom
    mapping subclasses this and implements ``upstream_keys_for``, not Dagster's subset API.

    Examples:
        >>> from orchestrator import PartitionMapping, StaticPartitionsDefinition
        >>> class PreviousLetter(PartitionMapping):
        ...     def upstream_keys_for(self, downstream_key, downstream_def, upstream_def):
        ...         return [chr(ord(downstream_key) - 1)] if downstream_key != "a" else []
        >>> letters = StaticPartitionsDefinition(["a", "b", "c"])
        >>> PreviousLetter().upstream_keys_for("c", letters, letters)
        ['b']
    """

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        """The upstream partition keys that partition ``downstream_key`` reads."""
        raise NotImplementedError(f"{type(self).__name__} does not map partitions.")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


def _require_key(mapping: PartitionMapping, downstream_key: str | None) -> str:
    if downstream_key is None:
        raise DefinitionError(f"{type(mapping).__name__} maps a partition, but this run has no partition key.")
    return downstream_key


class IdentityPartitionMapping(PartitionMapping):
    """Each downstream partition reads the upstream partition with the same key.

    The mapping inferred between two assets with the same (non-time-window) partitions. A run of a
    partition fails with ``DefinitionError`` when the upstream asset has no partition of that key.

    Examples:
        >>> from orchestrator import AssetIn, IdentityPartitionMapping, StaticPartitionsDefinition, asset, materialize
        >>> regions = StaticPartitionsDefinition(["eu", "us"])
        >>> @asset(partitions_def=regions)
        ... def sales(context):
        ...     return context.partition_key.upper()
        >>> @asset(partitions_def=regions, ins={"sales": AssetIn(partition_mapping=IdentityPartitionMapping())})
        ... def report(sales):
        ...     return f"report of {sales}"
        >>> materialize([sales, report], partition_key="us").output_for_node("report")
        'report of US'
    """

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        key = _require_key(self, downstream_key)
        if not upstream_def.has_partition_key(key):
            raise DefinitionError(f"Upstream partitions have no key '{key}' for the identity partition mapping.")
        return [key]


class AllPartitionMapping(PartitionMapping):
    """Every downstream partition (or an unpartitioned downstream asset) reads every upstream partition.

    The parameter receives ``{partition_key: value}`` for every upstream partition. It is the
    mapping inferred when the downstream asset is not partitioned.

    Examples:
        >>> from orchestrator import AllPartitionMapping, AssetIn, StaticPartitionsDefinition, asset, materialize
        >>> regions = StaticPartitionsDefinition(["eu", "us"])
        >>> @asset(partitions_def=regions)
        ... def sales(context):
        ...     return context.partition_key.upper()
        >>> @asset(ins={"sales": AssetIn(partition_mapping=AllPartitionMapping())})
        ... def summary(sales):
        ...     return sales
        >>> for region in regions.get_partition_keys():
        ...     _ = materialize([sales], partition_key=region)
        >>> materialize([sales, summary], selection=["summary"]).output_for_node("summary")
        {'eu': 'EU', 'us': 'US'}
    """

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        return upstream_def.get_partition_keys()


class LastPartitionMapping(PartitionMapping):
    """Every downstream partition (or an unpartitioned downstream asset) reads the last upstream partition.

    Use it for "the latest" inputs: current exchange rates, the newest snapshot. For time windows
    the last partition is the last complete window.

    Examples:
        >>> from orchestrator import DailyPartitionsDefinition, LastPartitionMapping
        >>> days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
        >>> LastPartitionMapping().upstream_keys_for(None, None, days)
        ['2024-01-03']
    """

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        last = upstream_def.get_last_partition_key()
        return [last] if last is not None else []


class TimeWindowPartitionMapping(PartitionMapping):
    """A downstream time window reads the upstream windows it overlaps, optionally shifted.

    The mapping inferred between two time-window partitioned assets (daily downstream of hourly
    reads the day's 24 hours). ``start_offset`` and ``end_offset`` move the start and the end of
    the downstream window by that many downstream windows: ``-1, -1`` reads the previous window,
    ``-1, 0`` the previous and the current one.

    Args:
        start_offset: Windows to move the start by (negative: earlier). Defaults to 0.
        end_offset: Windows to move the end by (negative: earlier). Defaults to 0.
        allow_nonexistent_upstream_partitions: Whether upstream windows that are not partitions
            (before the start, not yet complete) are left out instead of failing. Defaults to False.

    Raises:
        DefinitionError: when mapping, if either side is not time-window partitioned, or an
            upstream window does not exist and ``allow_nonexistent_upstream_partitions`` is False.

    Examples:
        >>> from orchestrator import DailyPartitionsDefinition, TimeWindowPartitionMapping
        >>> days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
        >>> TimeWindowPartitionMapping(start_offset=-1, end_offset=-1).upstream_keys_for("2024-01-03", days, days)
        ['2024-01-02']
        >>> TimeWindowPartitionMapping(start_offset=-1).upstream_keys_for("2024-01-03", days, days)
        ['2024-01-02', '2024-01-03']
    """

    def __init__(self, start_offset: int = 0, end_offset: int = 0,
                 allow_nonexistent_upstream_partitions: bool = False) -> None:
        self.start_offset = start_offset
        self.end_offset = end_offset
        self.allow_nonexistent_upstream_partitions = allow_nonexistent_upstream_partitions

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        key = _require_key(self, downstream_key)
        if not isinstance(downstream_def, TimeWindowPartitionsDefinition) or not isinstance(
                upstream_def, TimeWindowPartitionsDefinition):
            raise DefinitionError("TimeWindowPartitionMapping maps between time-window partitions only.")
        start = downstream_def.time_window_for_partition_key(downstream_def.shifted_key(key, self.start_offset)).start
        end = downstream_def.time_window_for_partition_key(downstream_def.shifted_key(key, self.end_offset)).end
        keys: list[str] = []
        c = upstream_def._align_down(start)
        while c < end:
            keys.append(c.strftime(upstream_def.fmt))
            c = upstream_def._next(c)
        existing = [k for k in keys if upstream_def.has_partition_key(k)]
        if len(existing) != len(keys) and not self.allow_nonexistent_upstream_partitions:
            missing = [k for k in keys if k not in existing]
            raise DefinitionError(
                f"Partition '{key}' depends on upstream partitions {missing}, which do not exist. Pass "
                "allow_nonexistent_upstream_partitions=True to TimeWindowPartitionMapping to skip them."
            )
        return existing


class StaticPartitionMapping(PartitionMapping):
    """An explicit map from each upstream partition key to the downstream key(s) that read it.

    For static partitions that do not share keys (``eu-west`` and ``eu-north`` feed ``eu``). A
    downstream partition reads every upstream key mapped to it.

    Args:
        downstream_partition_keys_by_upstream_partition_key: The downstream key, or collection of
            keys, of each upstream key.

    Examples:
        >>> from orchestrator import StaticPartitionMapping, StaticPartitionsDefinition
        >>> mapping = StaticPartitionMapping({"eu-west": "eu", "eu-north": "eu", "us-east": "us"})
        >>> zones = StaticPartitionsDefinition(["eu-west", "eu-north", "us-east"])
        >>> mapping.upstream_keys_for("eu", StaticPartitionsDefinition(["eu", "us"]), zones)
        ['eu-west', 'eu-north']
    """

    def __init__(self, downstream_partition_keys_by_upstream_partition_key: Mapping[str, str | Collection[str]]) -> None:
        self.downstream_partition_keys_by_upstream_partition_key = {
            up: [down] if isinstance(down, str) else list(down)
            for up, down in downstream_partition_keys_by_upstream_partition_key.items()
        }

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        key = _require_key(self, downstream_key)
        return [up for up, downs in self.downstream_partition_keys_by_upstream_partition_key.items() if key in downs]


class SpecificPartitionsPartitionMapping(PartitionMapping):
    """Every downstream partition (or an unpartitioned downstream asset) reads the same upstream partitions.

    For a fixed reference input: a downstream asset that always reads the ``2024-01-01`` snapshot.

    Args:
        partition_keys: The upstream partition keys every downstream partition reads.

    Examples:
        >>> from orchestrator import DailyPartitionsDefinition, SpecificPartitionsPartitionMapping
        >>> days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
        >>> SpecificPartitionsPartitionMapping(["2024-01-01"]).upstream_keys_for("2024-01-03", days, days)
        ['2024-01-01']
    """

    def __init__(self, partition_keys: Sequence[str]) -> None:
        self.partition_keys = list(partition_keys)

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        return list(self.partition_keys)


class MultiToSingleDimensionPartitionMapping(PartitionMapping):
    """Between a two-dimensional and a one-dimensional partitions definition: match on one dimension.

    A date-partitioned asset downstream of a (date, color) asset reads every color of its date;
    a (date, color) asset downstream of a date-partitioned one reads its date. It is the mapping
    inferred between a multi-partitioned and a single-partitioned asset.

    Args:
        partition_dimension_name: The dimension to match. Defaults to None: the dimension whose
            partitions equal the one-dimensional definition.

    Raises:
        DefinitionError: when mapping, if the dimension cannot be told (pass it), or neither side is
            two-dimensional.

    Examples:
        >>> from orchestrator import (DailyPartitionsDefinition, MultiPartitionsDefinition,
        ...                           MultiToSingleDimensionPartitionMapping, StaticPartitionsDefinition)
        >>> days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
        >>> colors = MultiPartitionsDefinition({"date": days, "color": StaticPartitionsDefinition(["red", "blue"])})
        >>> mapping = MultiToSingleDimensionPartitionMapping(partition_dimension_name="date")
        >>> mapping.upstream_keys_for("2024-01-02", days, colors)
        [MultiPartitionKey({'color': 'red', 'date': '2024-01-02'}),
         MultiPartitionKey({'color': 'blue', 'date': '2024-01-02'})]
    """

    def __init__(self, partition_dimension_name: str | None = None) -> None:
        self.partition_dimension_name = partition_dimension_name

    def _dimension(self, multi: MultiPartitionsDefinition, single: PartitionsDefinition | None) -> str:
        if self.partition_dimension_name is not None:
            return self.partition_dimension_name
        matches = [d.name for d in multi.partitions_defs if d.partitions_def == single]
        if len(matches) != 1:
            raise DefinitionError(
                "MultiToSingleDimensionPartitionMapping cannot tell which dimension to match; pass "
                f"partition_dimension_name= (one of {', '.join(multi.partition_dimension_names)})."
            )
        return matches[0]

    def upstream_keys_for(self, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                          upstream_def: PartitionsDefinition) -> list[str]:
        key = _require_key(self, downstream_key)
        if isinstance(downstream_def, MultiPartitionsDefinition) and not isinstance(upstream_def, MultiPartitionsDefinition):
            dim = self._dimension(downstream_def, upstream_def)
            return [downstream_def.get_multipartition_key_from_str(key).keys_by_dimension[dim]]
        if isinstance(upstream_def, MultiPartitionsDefinition):
            dim = self._dimension(upstream_def, downstream_def)
            return [k for k in upstream_def.get_partition_keys()
                    if isinstance(k, MultiPartitionKey) and k.keys_by_dimension[dim] == key]
        raise DefinitionError("MultiToSingleDimensionPartitionMapping needs a two-dimensional partitions definition.")


def infer_partition_mapping(upstream_def: PartitionsDefinition | None,
                            downstream_def: PartitionsDefinition | None) -> PartitionMapping | None:
    """The mapping Dagster uses when a dependency names none (None when upstream is unpartitioned)."""
    if upstream_def is None:
        return None
    if downstream_def is None:
        return AllPartitionMapping()
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(downstream_def, TimeWindowPartitionsDefinition):
        return TimeWindowPartitionMapping()
    if isinstance(upstream_def, MultiPartitionsDefinition) != isinstance(downstream_def, MultiPartitionsDefinition):
        return MultiToSingleDimensionPartitionMapping()
    return IdentityPartitionMapping()


def upstream_partition_keys(mapping: Any, downstream_key: str | None, downstream_def: PartitionsDefinition | None,
                            upstream_def: PartitionsDefinition | None) -> list[str] | None:
    """The upstream keys a downstream partition reads; None when the upstream asset is unpartitioned."""
    if upstream_def is None:
        return None
    chosen = mapping if mapping is not None else infer_partition_mapping(upstream_def, downstream_def)
    assert chosen is not None
    if downstream_key is None and not isinstance(chosen, (AllPartitionMapping, LastPartitionMapping,
                                                            SpecificPartitionsPartitionMapping)):
        chosen = AllPartitionMapping()  # an unpartitioned run reads every upstream partition
    return chosen.upstream_keys_for(downstream_key, downstream_def, upstream_def)
