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
    """A range of partition keys: from ``start`` to ``end``, both included, in the definition's order.

    Ask a partitions definition for the keys it covers with ``get_partition_keys_in_range``; time
    partitions also turn one into a ``TimeWindow`` (``time_window_for_partition_key_range``).

    Args:
        start: The first partition key of the range.
        end: The last partition key of the range.

    Examples:
        >>> from orchestrator import PartitionKeyRange, StaticPartitionsDefinition
        >>> letters = StaticPartitionsDefinition(["a", "b", "c"])
        >>> letters.get_partition_keys_in_range(PartitionKeyRange("a", "b"))
        ['a', 'b']
        >>> PartitionKeyRange("a", "b").end
        'b'
    """

    start: str
    end: str


class PartitionsDefinition:
    """The set of partition keys of a job or asset: the base class of every partitions definition.

    A partitioned job or asset runs once per key (``partition_key=`` of ``execute_in_process``,
    ``materialize`` and ``submit_job``, ``orch job run --partition``, backfills). Use a subclass:
    ``StaticPartitionsDefinition``, the time-window ones (``DailyPartitionsDefinition``...) or
    ``MultiPartitionsDefinition``. Subclasses say which keys exist (``get_partition_keys``); the
    base class answers the other questions from them.

    Examples:
        >>> from orchestrator import PartitionsDefinition, StaticPartitionsDefinition
        >>> regions = StaticPartitionsDefinition(["eu", "us", "apac"])
        >>> isinstance(regions, PartitionsDefinition)
        True
        >>> regions.get_partition_keys(), regions.get_last_partition_key(), regions.has_partition_key("us")
        (['eu', 'us', 'apac'], 'apac', True)
    """

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
    """Partitions that are a fixed list of keys: regions, customers, model variants.

    The keys keep the given order. Two definitions are equal when their keys are.

    Args:
        partition_keys: The keys, unique; each key is turned into a string and may not contain any
            of ``,[]*|`` (Dagster reserves them).

    Raises:
        DefinitionError: when a key is repeated or contains a reserved character.

    Examples:
        >>> from orchestrator import StaticPartitionsDefinition, asset, materialize
        >>> regions = StaticPartitionsDefinition(["eu", "us"])
        >>> @asset(partitions_def=regions)
        ... def sales(context) -> str:
        ...     return f"sales of {context.partition_key}"
        >>> materialize([sales], partition_key="us").output_for_node("sales")
        'sales of us'
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
    """Run config (and run tags) generated from a partition key, for ``@job(config=...)``.

    A job whose config is a ``PartitionedConfig`` is partitioned by its ``partitions_def``: a run
    of a key gets the run config ``run_config_for_partition_key_fn(key)`` returns (run config given
    with the run wins where both set a value) and the tags of ``tags_for_partition_key_fn(key)``. The
    decorators (``@static_partitioned_config``, ``@partitioned_config``,
    ``@daily_partitioned_config``...) build one for you. This project has no ``Partition``
    objects: the older ``*_partition_fn`` functions receive the key too.

    Args:
        partitions_def: The partitions of the jobs that use it.
        run_config_for_partition_fn: Dagster's older name for ``run_config_for_partition_key_fn``.
        decorated_fn: The function a decorator wrapped; calling the ``PartitionedConfig`` calls it.
            Defaults to None.
        tags_for_partition_fn: Dagster's older name for ``tags_for_partition_key_fn``.
        run_config_for_partition_key_fn: Returns the run config of a partition key.
        tags_for_partition_key_fn: Returns the extra run tags of a partition key. Defaults to none.

    Raises:
        DefinitionError: when no run config function is given.
        ConfigError: when a run names a key that is not a partition, or the function returns no dict.

    Examples:
        >>> from orchestrator import PartitionedConfig, StaticPartitionsDefinition, job, op
        >>> config = PartitionedConfig(
        ...     StaticPartitionsDefinition(["eu", "us"]),
        ...     run_config_for_partition_key_fn=lambda key: {"ops": {"report": {"config": {"region": key}}}},
        ... )
        >>> @op(config_schema={"region": str})
        ... def report(context) -> str:
        ...     return context.op_config["region"]
        >>> @job(config=config)
        ... def regional():
        ...     report()
        >>> regional.execute_in_process(partition_key="eu").output_for_node("report")
        'eu'
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
    """Make a ``PartitionedConfig`` over a fixed list of keys from ``fn(partition_key) -> run config``.

    Give the result as ``@job(config=...)``: the job is partitioned by these keys, and a run of a
    key gets the run config ``fn`` returns for it.

    Args:
        partition_keys: The partition keys (as for ``StaticPartitionsDefinition``).
        tags_for_partition_fn: Dagster's older name for ``tags_for_partition_key_fn``.
        tags_for_partition_key_fn: Returns the extra run tags of a partition key. Defaults to none.

    Returns:
        A decorator that turns the function into a ``PartitionedConfig``.

    Raises:
        DefinitionError: when a key is repeated or contains a reserved character (``,[]*|``).

    Examples:
        >>> from orchestrator import job, op, static_partitioned_config
        >>> @static_partitioned_config(partition_keys=["eu", "us"])
        ... def region_config(partition_key: str):
        ...     return {"ops": {"report": {"config": {"region": partition_key}}}}
        >>> @op(config_schema={"region": str})
        ... def report(context) -> str:
        ...     return context.op_config["region"]
        >>> @job(config=region_config)
        ... def regional():
        ...     report()
        >>> regional.execute_in_process(partition_key="us").output_for_node("report")
        'us'
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
    """Make a ``PartitionedConfig`` over any partitions definition from ``fn(partition_key) -> run config``.

    Give the result as ``@job(config=...)``: the job is partitioned by ``partitions_def``, and a run
    of a key gets the run config ``fn`` returns for it. Calling the result calls ``fn``.

    Args:
        partitions_def: The partitions of the jobs that use it.
        tags_for_partition_key_fn: Returns the extra run tags of a partition key. Defaults to none.

    Returns:
        A decorator that turns the function into a ``PartitionedConfig``.

    Examples:
        >>> from orchestrator import StaticPartitionsDefinition, partitioned_config
        >>> @partitioned_config(partitions_def=StaticPartitionsDefinition(["a", "b"]),
        ...                     tags_for_partition_key_fn=lambda key: {"letter": key})
        ... def letter_config(partition_key: str):
        ...     return {"ops": {"my_op": {"config": {"key": partition_key}}}}
        >>> letter_config.get_run_config_for_partition_key("b")
        {'ops': {'my_op': {'config': {'key': 'b'}}}}
        >>> letter_config.get_tags_for_partition_key("b")
        {'letter': 'b'}
    """
    def wrap(fn: Callable[[str], Mapping[str, Any]]) -> PartitionedConfig:
        return PartitionedConfig(partitions_def, decorated_fn=fn, run_config_for_partition_key_fn=fn,
                                 tags_for_partition_key_fn=tags_for_partition_key_fn)

    return wrap

