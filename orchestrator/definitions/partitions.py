"""Partitions: a job run per key (a date, a region...), with config generated from the key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from orchestrator.errors import ConfigError, DefinitionError

__all__ = [
    "PartitionsDefinition",
    "StaticPartitionsDefinition",
    "DailyPartitionsDefinition",
    "PartitionedConfig",
    "static_partitioned_config",
    "daily_partitioned_config",
]


class PartitionsDefinition:
    """The set of partition keys of a job or asset."""

    def get_partition_keys(self, current_time: dt.datetime | None = None) -> list[str]:
        raise NotImplementedError

    def has_key(self, key: str) -> bool:
        return key in self.get_partition_keys()

    def check_key(self, key: str, job_name: str) -> None:
        if not self.has_key(key):
            keys = self.get_partition_keys()
            shown = ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else "")
            raise ConfigError(f"Partition key '{key}' is not a partition of job '{job_name}' (partitions: {shown}).")


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of partition keys."""

    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = [str(k) for k in partition_keys]
        if len(set(keys)) != len(keys):
            raise DefinitionError(f"Partition keys must be unique, got {keys}.")
        self.partition_keys = keys

    def get_partition_keys(self, current_time: dt.datetime | None = None) -> list[str]:
        return list(self.partition_keys)


class DailyPartitionsDefinition(PartitionsDefinition):
    """One partition per day from ``start_date`` up to (not including) today, keys ``YYYY-MM-DD``."""

    def __init__(self, start_date: str | dt.date | dt.datetime, end_date: str | dt.date | None = None,
                 fmt: str = "%Y-%m-%d", end_offset: int = 0) -> None:
        self.fmt = fmt
        self.start = _as_date(start_date, fmt)
        self.end = _as_date(end_date, fmt) if end_date is not None else None
        self.end_offset = end_offset

    def get_partition_keys(self, current_time: dt.datetime | None = None) -> list[str]:
        today = (current_time or dt.datetime.now()).date()
        last = self.end if self.end is not None else today + dt.timedelta(days=self.end_offset)
        days = (last - self.start).days
        return [(self.start + dt.timedelta(days=i)).strftime(self.fmt) for i in range(max(days, 0))]

    def has_key(self, key: str) -> bool:
        try:
            day = dt.datetime.strptime(key, self.fmt).date()
        except ValueError:
            return False
        today = dt.date.today()
        last = self.end if self.end is not None else today + dt.timedelta(days=self.end_offset)
        return self.start <= day < last

    def time_window(self, key: str) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.strptime(key, self.fmt)
        return start, start + dt.timedelta(days=1)


def _as_date(value: str | dt.date | dt.datetime, fmt: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(value, fmt).date()
    except ValueError:
        return dt.date.fromisoformat(value)


class PartitionedConfig:
    """Run config generated from a partition key, for ``@job(config=...)``."""

    def __init__(self, partitions_def: PartitionsDefinition,
                 run_config_for_partition_fn: Callable[..., Mapping[str, Any]],
                 tags_for_partition_fn: Callable[..., Mapping[str, str]] | None = None,
                 decorated_fn: Callable[..., Any] | None = None) -> None:
        self.partitions_def = partitions_def
        self.run_config_for_partition_fn = run_config_for_partition_fn
        self.tags_for_partition_fn = tags_for_partition_fn
        self.decorated_fn = decorated_fn

    def __call__(self, *args: Any) -> Any:
        return (self.decorated_fn or self.run_config_for_partition_fn)(*args)

    def get_partition_keys(self) -> list[str]:
        return self.partitions_def.get_partition_keys()

    def describe_keys(self) -> str:
        keys = self.get_partition_keys()
        return ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else "")

    def run_config_for_partition(self, key: str, job_name: str) -> dict[str, Any]:
        self.partitions_def.check_key(key, job_name)
        config = self.run_config_for_partition_fn(key)
        if not isinstance(config, Mapping):
            raise ConfigError(f"The partitioned config of job '{job_name}' returned {config!r} for '{key}', not a dict.")
        return dict(config)

    def tags_for_partition(self, key: str) -> dict[str, str]:
        return dict(self.tags_for_partition_fn(key)) if self.tags_for_partition_fn else {}


def static_partitioned_config(partition_keys: Sequence[str],
                              tags_for_partition_fn: Callable[[str], Mapping[str, str]] | None = None,
                              ) -> Callable[[Callable[[str], Mapping[str, Any]]], PartitionedConfig]:
    """Decorate ``fn(partition_key) -> run config`` over a fixed list of keys."""

    def wrap(fn: Callable[[str], Mapping[str, Any]]) -> PartitionedConfig:
        return PartitionedConfig(StaticPartitionsDefinition(partition_keys), fn, tags_for_partition_fn, fn)

    return wrap


def daily_partitioned_config(start_date: str | dt.date | dt.datetime, end_offset: int = 0, fmt: str = "%Y-%m-%d",
                             tags_for_partition_fn: Callable[..., Mapping[str, str]] | None = None,
                             ) -> Callable[[Callable[[dt.datetime, dt.datetime], Mapping[str, Any]]], PartitionedConfig]:
    """Decorate ``fn(start: datetime, end: datetime) -> run config``, one partition per day."""

    def wrap(fn: Callable[[dt.datetime, dt.datetime], Mapping[str, Any]]) -> PartitionedConfig:
        partitions = DailyPartitionsDefinition(start_date, fmt=fmt, end_offset=end_offset)

        def for_key(key: str) -> Mapping[str, Any]:
            start, end = partitions.time_window(key)
            return fn(start, end)

        return PartitionedConfig(partitions, for_key, tags_for_partition_fn, fn)

    return wrap
