"""What an op's context knows about the assets and partitions of its step (Dagster's
``AssetExecutionContext`` fields), and ``build_asset_context`` for calling assets directly.

``OpExecutionContext`` mixes this in; the step runner gives it the step's asset facts
(``_step_assets``) and the run's partitions definition (``_partitions_def``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_key import AssetCheckKey, AssetKey
from orchestrator.definitions.partitions import PartitionKeyRange
from orchestrator.errors import InvocationError

if TYPE_CHECKING:
    from orchestrator.definitions.assets import AssetsDefinition
    from orchestrator.execution.asset_outputs import StepAssets
    from orchestrator.execution.context import OpExecutionContext

__all__ = ["AssetContextMixin", "build_asset_context"]


class AssetContextMixin:
    """Asset and partition accessors of an op's context."""

    _step_assets: StepAssets | None = None
    _partitions_def: Any = None
    _partition_key: str | None
    _op_def: Any

    # -- the step's assets -------------------------------------------------------------------
    def _facts(self, what: str) -> StepAssets:
        if self._step_assets is None:
            name = self._op_def.name if self._op_def is not None else "?"
            raise InvocationError(f"Op '{name}' asked for context.{what}, but it does not compute assets.")
        return self._step_assets

    @property
    def assets_def(self) -> AssetsDefinition:
        """The definition of the assets this step computes."""
        facts = self._facts("assets_def")
        if facts.assets_def is None:
            raise InvocationError("This step computes no asset definition.")
        return facts.assets_def

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        """The assets this run materializes in this step (a subset for ``can_subset`` multi-assets)."""
        if self._step_assets is None:
            key = getattr(self._op_def, "asset_key", None)
            return {key} if isinstance(key, AssetKey) else set()
        return self._step_assets.selected_asset_keys

    @property
    def selected_asset_check_keys(self) -> set[AssetCheckKey]:
        if self._step_assets is None:
            return set()
        return {spec.key for spec in self._step_assets.check_specs}

    def _selected_output_names(self) -> set[str]:
        outs = set(self._op_def.outs) if self._op_def is not None else set()
        if self._step_assets is None:
            return outs
        selected = self._step_assets.selected_output_names
        return set(selected) if selected is not None else outs

    def _single_asset_key(self) -> AssetKey | None:
        keys = sorted(self.selected_asset_keys)
        if len(keys) > 1:
            raise InvocationError(
                f"This step materializes several assets ({', '.join(k.to_user_string() for k in keys)}); use "
                "context.asset_key_for_output(name) or context.selected_asset_keys."
            )
        return keys[0] if keys else None

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        facts = self._facts("asset_key_for_output")
        key = facts.layer.asset_key_for_output(facts.op_path, output_name)
        if key is None:
            raise InvocationError(f"Output '{output_name}' of this step is not an asset.")
        return key

    def output_for_asset_key(self, asset_key: Any) -> str:
        key = AssetKey.from_coercible(asset_key)
        for name, k in self._facts("output_for_asset_key").asset_outputs().items():
            if k == key:
                return name
        raise InvocationError(f"This step does not materialize asset '{key}'.")

    def asset_key_for_input(self, input_name: str) -> AssetKey:
        facts = self._facts("asset_key_for_input")
        key = facts.layer.asset_key_for_input(facts.op_path, input_name)
        if key is None:
            raise InvocationError(f"Input '{input_name}' of this step does not read an asset.")
        return key

    # -- partitions --------------------------------------------------------------------------
    def _run_partitions_def(self) -> Any:
        if self._step_assets is not None and self._step_assets.assets_def is not None:
            if self._step_assets.assets_def.partitions_def is not None:
                return self._step_assets.assets_def.partitions_def
        return self._partitions_def or getattr(self._op_def, "_partitions_def", None)

    def _require_partition(self, what: str) -> str:
        if self._partition_key is None:
            raise InvocationError(f"context.{what} needs a partitioned run; pass partition_key= when running it.")
        return self._partition_key

    @property
    def partition_keys(self) -> list[str]:
        """The partitions this run covers (one: this package runs one partition per run)."""
        return [self._require_partition("partition_keys")]

    @property
    def has_partition_key_range(self) -> bool:
        return self._partition_key is not None

    @property
    def partition_key_range(self) -> PartitionKeyRange:
        key = self._require_partition("partition_key_range")
        return PartitionKeyRange(key, key)

    asset_partition_key_range = partition_key_range

    @property
    def partition_time_window(self) -> Any:
        """The ``TimeWindow`` of this run's partition (time-partitioned runs only)."""
        key = self._require_partition("partition_time_window")
        partitions_def = self._run_partitions_def()
        window = getattr(partitions_def, "time_window_for_partition_key", None)
        if window is None:
            raise InvocationError("context.partition_time_window needs time-window partitions (Daily..., Hourly...).")
        return window(key)

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        return self._require_partition("asset_partition_key_for_output")

    def asset_partition_keys_for_output(self, output_name: str = "result") -> list[str]:
        return [self._require_partition("asset_partition_keys_for_output")]

    def asset_partitions_def_for_output(self, output_name: str = "result") -> Any:
        return self._run_partitions_def()

    def asset_partitions_time_window_for_output(self, output_name: str = "result") -> Any:
        return self.partition_time_window

    def asset_partition_key_range_for_output(self, output_name: str = "result") -> PartitionKeyRange:
        return self.partition_key_range

    def asset_partition_keys_for_input(self, input_name: str) -> list[str]:
        """The upstream partitions input ``input_name`` reads, by its partition mapping."""
        facts = self._facts("asset_partition_keys_for_input")
        keys = facts.layer.upstream_partition_keys(facts.op_path, input_name, self._partition_key)
        return list(keys or [])

    def asset_partition_key_for_input(self, input_name: str) -> str:
        keys = self.asset_partition_keys_for_input(input_name)
        if len(keys) != 1:
            raise InvocationError(f"Input '{input_name}' reads {len(keys)} partitions ({keys}); use "
                                  "asset_partition_keys_for_input.")
        return keys[0]

    def asset_partition_key_range_for_input(self, input_name: str) -> PartitionKeyRange:
        keys = self.asset_partition_keys_for_input(input_name)
        if not keys:
            raise InvocationError(f"Input '{input_name}' reads no partitions.")
        return PartitionKeyRange(keys[0], keys[-1])

    def asset_partitions_time_window_for_input(self, input_name: str) -> Any:
        facts = self._facts("asset_partitions_time_window_for_input")
        key = facts.layer.asset_key_for_input(facts.op_path, input_name)
        partitions_def = facts.layer.partitions_def_for(key) if key is not None else None
        keys = self.asset_partition_keys_for_input(input_name)
        window = getattr(partitions_def, "time_window_for_partition_key", None)
        if window is None or not keys:
            raise InvocationError(f"Input '{input_name}' does not read time-window partitions.")
        first, last = window(keys[0]), window(keys[-1])
        return type(first)(first.start, last.end)


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    partition_key_range: PartitionKeyRange | None = None,
    run_tags: Mapping[str, str] | None = None,
    event_loop: Any = None,
) -> OpExecutionContext:
    """A context for calling an asset directly in tests: ``my_asset(build_asset_context(...))``.

    The same object as ``build_op_context`` makes (an ``AssetExecutionContext``), with the
    asset's config given as ``asset_config``. A run here covers one partition, so
    ``partition_key_range`` must start and end at the same key.

    Args:
        resources: Resources by key: definitions or plain objects. Defaults to none.
        resources_config: Config of the resource definitions, by key. Defaults to none.
        asset_config: The asset's config, as ``context.op_config``. Defaults to None.
        instance: The ``DagsterInstance`` the asset sees as ``context.instance``. Defaults to a new
            ephemeral one when read.
        partition_key: The partition the asset sees as ``context.partition_key``. Defaults to None.
        partition_key_range: A ``PartitionKeyRange`` of one key, instead of ``partition_key``.
            Defaults to None.
        run_tags: The run tags the asset sees. Defaults to ``{}``.
        event_loop: Accepted for Dagster's signature and not used: an async asset called directly
            runs on a new event loop. Defaults to None.

    Returns:
        The ``AssetExecutionContext``.

    Raises:
        InvocationError: when ``partition_key_range`` spans several keys, or is given with ``partition_key``.

    Examples:
        >>> from orchestrator import AssetExecutionContext, StaticPartitionsDefinition, asset, build_asset_context
        >>> @asset(partitions_def=StaticPartitionsDefinition(["eu", "us"]))
        ... def sales(context: AssetExecutionContext) -> str:
        ...     return f"{context.asset_key.to_user_string()} for {context.partition_key}"
        >>> sales(build_asset_context(partition_key="us"))
        'sales for us'
    """
    from orchestrator.execution.context import build_op_context

    if partition_key_range is not None:
        if partition_key is not None or partition_key_range.start != partition_key_range.end:
            raise InvocationError("build_asset_context takes one partition: pass partition_key= (a range of one key).")
        partition_key = partition_key_range.start
    kwargs: dict[str, Any] = {}
    if instance is not None:
        kwargs["instance"] = instance
    return build_op_context(resources=resources, resources_config=resources_config, op_config=asset_config,
                            partition_key=partition_key, run_tags=run_tags, **kwargs)
