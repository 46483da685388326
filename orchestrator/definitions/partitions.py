"""Partitions: a job or asset run per key (a date, a region...), with config generated from the key.

This module holds what every kind of partitioning shares (``PartitionsDefinition``,
``PartitionKeyRange``), fixed key lists (``StaticPartitionsDefinition``) and run config made from
a key (``PartitionedConfig``, ``@static_partitioned_config``). Time windows are in
``time_partitions``, two-dimensional keys in ``multi_partitions``, and how a downstream partition
reads upstream ones in ``partition_mappings``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from orchestrator.errors import ConfigError, DefinitionError

__all__ = [
    "PartitionsDefinition",
    "StaticPartitionsDefinition",
    "PartitionKeyRange",
    "PartitionedConfig",
    "static_partitioned_config",
    "partitioned_config",
]


class PartitionKeyRange(NamedTuple):
    """The partitions from ``start`` to ``end``, both included, in the definition's order.

    Example::

        keys = StaticPartitionsDefinition(["a", "b", "c"]).get_partition_keys_in_range(PartitionKeyRange("a", "b"))
        assert keys == ["a", "b"]
    """

    start: str
    end: str


class PartitionsDefinition:
    """The set of partition keys of a job or asset. Subclasses say which keys exist."""

    def get_partition_keys(self, current_time: dt.datetime | None = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        """Every partition key, in order (for time windows: the windows complete at ``current_time``)."""
        raise NotImplementedError(f"{type(self).__name__} does not list its partition keys.")

    def has_partition_key(self, partition_key: str, current_time: dt.datetime | None = None,
                          dynamic_partitions_store: Any = None) -> bool:
        return partition_key in self.get_partition_keys(current_time)

    def get_first_partition_key(self, current_time: dt.datetime | None = None) -> str | None:
        keys = self.get_partition_keys(current_time)
        return keys[0] if keys else None

    def get_last_partition_key(self, current_time: dt.datetime | None = None,
                               dynamic_partitions_store: Any = None) -> str | None:
        keys = self.get_partition_keys(current_time)
        return keys[-1] if keys else None

    def get_partition_keys_in_range(self, partition_key_range: PartitionKeyRange,
                                    dynamic_partitions_store: Any = None) -> list[str]:
        """The keys from ``partition_key_range.start`` to ``.end``, both included."""
        keys = self.get_partition_keys()
        for bound in (partition_key_range.start, partition_key_range.end):
            if bound not in keys:
                raise DefinitionError(f"Partition key '{bound}' is not a partition (partitions: {_shown(keys)}).")
        first, last = keys.index(partition_key_range.start), keys.index(partition_key_range.end)
        return keys[first:last + 1]

    def get_num_partitions(self, current_time: dt.datetime | None = None) -> int:
        return len(self.get_partition_keys(current_time))

    # Kept for code written against this project before it had Dagster's name.
    def has_key(self, key: str) -> bool:
        return self.has_partition_key(key)

    def check_key(self, key: str, job_name: str) -> None:
        """Raise ``ConfigError`` naming the job and some valid keys when ``key`` is not a partition."""
        if not self.has_partition_key(key):
            raise ConfigError(
                f"Partition key '{key}' is not a partition of job '{job_name}' "
                f"(partitions: {_shown(self.get_partition_keys())})."
            )


def _shown(keys: Sequence[str]) -> str:
    return ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else "") if keys else "none"


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of partition keys.

    Example::

        regions = StaticPartitionsDefinition(["eu", "us"])

        @asset(partitions_def=regions)
        def sales(context) -> str:
            return context.partition_key
    """

    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = [str(k) for k in partition_keys]
        if len(set(keys)) != len(keys):
            raise DefinitionError(f"Partition keys must be unique, got {keys}.")
        for key in keys:
            if any(ch in key for ch in ",[]*|"):
                raise DefinitionError(
                    f"Static partition key {key!r} contains one of ',[]*|', which Dagster reserves; rename it."
                )
        self.partition_keys = keys
        self._key_set = frozenset(keys)

    def get_partition_keys(self, current_time: dt.datetime | None = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        return list(self.partition_keys)

    def has_partition_key(self, partition_key: str, current_time: dt.datetime | None = None,
                          dynamic_partitions_store: Any = None) -> bool:
        return partition_key in self._key_set

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionsDefinition) and other.partition_keys == self.partition_keys

    def __hash__(self) -> int:
        return hash(tuple(self.partition_keys))

    def __repr__(self) -> str:
        return f"StaticPartitionsDefinition({self.partition_keys!r})"


class PartitionedConfig:
    """Run config (and tags) generated from a partition key, for ``@job(config=...)``.

    ``run_config_for_partition_key_fn(key)`` returns the run config of a partition;
    ``tags_for_partition_key_fn(key)`` its extra run tags. The decorators
    (``@static_partitioned_config``, ``@daily_partitioned_config``...) build one for you.

    Example::

        config = PartitionedConfig(
            StaticPartitionsDefinition(["eu", "us"]),
            run_config_for_partition_key_fn=lambda key: {"ops": {"report": {"config": {"region": key}}}},
        )
        assert config.get_run_config_for_partition_key("eu") == {"ops": {"report": {"config": {"region": "eu"}}}}
    """

    def __init__(self, partitions_def: PartitionsDefinition,
                 run_config_for_partition_fn: Callable[..., Mapping[str, Any]] | None = None,
                 decorated_fn: Callable[..., Any] | None = None,
                 tags_for_partition_fn: Callable[..., Mapping[str, str]] | None = None,
                 run_config_for_partition_key_fn: Callable[[str], Mapping[str, Any]] | None = None,
                 tags_for_partition_key_fn: Callable[[str], Mapping[str, str]] | None = None) -> None:
        if run_config_for_partition_key_fn is None and run_config_for_partition_fn is None:
            raise DefinitionError("PartitionedConfig needs run_config_for_partition_key_fn=.")
        self.partitions_def = partitions_def
        # The older ``*_partition_fn`` arguments receive the key too: this project has no Partition objects.
        self._config_fn = run_config_for_partition_key_fn or run_config_for_partition_fn
        self._tags_fn = tags_for_partition_key_fn or tags_for_partition_fn
        self.decorated_fn = decorated_fn

    @property
    def run_config_for_partition_key_fn(self) -> Callable[..., Mapping[str, Any]] | None:
        return self._config_fn

    @property
    def tags_for_partition_key_fn(self) -> Callable[..., Mapping[str, str]] | None:
        return self._tags_fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the decorated function directly (as Dagster's tests do)."""
        return (self.decorated_fn or self._config_fn)(*args, **kwargs)  # type: ignore[misc]

    def get_partition_keys(self, current_time: dt.datetime | None = None) -> list[str]:
        return self.partitions_def.get_partition_keys(current_time)

    def describe_keys(self) -> str:
        return _shown(self.get_partition_keys())

    def get_run_config_for_partition_key(self, partition_key: str) -> dict[str, Any]:
        """The run config of one partition (the key is not checked here)."""
        assert self._config_fn is not None
        config = self._config_fn(partition_key)
        if not isinstance(config, Mapping):
            raise ConfigError(f"The partitioned config returned {config!r} for partition '{partition_key}', not a dict.")
        return dict(config)

    def get_tags_for_partition_key(self, partition_key: str) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._tags_fn(partition_key).items()} if self._tags_fn else {}

    # What the run-config resolver calls: checks the key against the job's partitions first.
    def run_config_for_partition(self, key: str, job_name: str) -> dict[str, Any]:
        self.partitions_def.check_key(key, job_name)
        try:
            return self.get_run_config_for_partition_key(key)
        except ConfigError as exc:
            raise ConfigError(f"Job '{job_name}': {exc}") from None

    def tags_for_partition(self, key: str) -> dict[str, str]:
        return self.get_tags_for_partition_key(key)


def static_partitioned_config(
    partition_keys: Sequence[str],
    tags_for_partition_fn: Callable[[str], Mapping[str, str]] | None = None,
    tags_for_partition_key_fn: Callable[[str], Mapping[str, str]] | None = None,
) -> Callable[[Callable[[str], Mapping[str, Any]]], PartitionedConfig]:
    """Decorate ``fn(partition_key) -> run config`` over a fixed list of keys.

    Example::

        @static_partitioned_config(partition_keys=["eu", "us"])
        def region_config(partition_key: str):
            return {"ops": {"report": {"config": {"region": partition_key}}}}

        @job(config=region_config)
        def regional():
            report()

        regional.execute_in_process(partition_key="eu")
    """

    def wrap(fn: Callable[[str], Mapping[str, Any]]) -> PartitionedConfig:
        return PartitionedConfig(StaticPartitionsDefinition(partition_keys), decorated_fn=fn,
                                 run_config_for_partition_key_fn=fn,
                                 tags_for_partition_key_fn=tags_for_partition_key_fn or tags_for_partition_fn)

    return wrap


def partitioned_config(
    partitions_def: PartitionsDefinition,
    tags_for_partition_key_fn: Callable[[str], Mapping[str, str]] | None = None,
) -> Callable[[Callable[[str], Mapping[str, Any]]], PartitionedConfig]:
    """Decorate ``fn(partition_key) -> run config`` over any partitions definition.

    Example::

        @partitioned_config(partitions_def=StaticPartitionsDefinition(["a", "b"]))
        def my_config(partition_key: str):
            return {"ops": {"my_op": {"config": {"key": partition_key}}}}
    """

    def wrap(fn: Callable[[str], Mapping[str, Any]]) -> PartitionedConfig:
        return PartitionedConfig(partitions_def, decorated_fn=fn, run_config_for_partition_key_fn=fn,
                                 tags_for_partition_key_fn=tags_for_partition_key_fn)

    return wrap

