"""Asset semantics of a step, for the step runner: what an asset op's results mean.

The step runner stays the one place that runs ops; this module tells it, for a step of an asset
job, which asset each output is, which partitions of an upstream asset an input reads, and how
``MaterializeResult`` and ``AssetCheckResult`` become outputs and check evaluations.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_check_spec import (
    AssetCheckEvaluation,
    AssetCheckFailedError,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    resolve_check_key,
)
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.asset_layer import AssetLayer, asset_layer_of
from orchestrator.definitions.asset_results import MaterializeResult
from orchestrator.definitions.ops import Output
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.assets import AssetsDefinition
    from orchestrator.definitions.ops import OpDefinition

__all__ = ["StepAssets", "ResultOutput", "step_assets", "normalize_results", "output_partition_key",
           "input_partitions", "load_partitions"]


class ResultOutput(Output):
    """An output made from a ``MaterializeResult`` or ``AssetCheckResult``: it records the event but
    has no value for the IO manager unless the result gave one (``stores_value``)."""

    def __init__(self, value: Any, output_name: str, metadata: Any = None, stores_value: bool = False) -> None:
        super().__init__(value, output_name, metadata=metadata)
        self.stores_value = stores_value


@dataclass
class StepAssets:
    """The asset facts of one step: its op path, the job's layer, the definition it computes."""

    layer: AssetLayer
    op_path: str
    assets_def: AssetsDefinition | None
    partition_key: str | None

    @property
    def check_specs(self) -> list[AssetCheckSpec]:
        return self.layer.check_specs_for_op(self.op_path)

    @property
    def selected_output_names(self) -> frozenset[str] | None:
        return self.layer.selected_output_names(self.op_path)

    def asset_outputs(self) -> dict[str, AssetKey]:
        return {out: key for (path, out), key in self.layer.output_keys.items() if path == self.op_path}

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        return set(self.asset_outputs().values())


def step_assets(job: Any, op_path: str, partition_key: str | None) -> StepAssets | None:
    """The asset facts of the step at ``op_path``, or None when the job has no asset layer."""
    layer = asset_layer_of(job)
    if layer is None:
        return None
    return StepAssets(layer, op_path, layer.assets_def_for_op(op_path), partition_key)


def output_partition_key(job: Any, asset_key: AssetKey | None, run_partition_key: str | None) -> str | None:
    """The partition an output writes: the run's, unless the output is an unpartitioned asset."""
    layer = asset_layer_of(job)
    if layer is None or asset_key is None:
        return run_partition_key
    return layer.partition_key_for(asset_key, run_partition_key)


def input_partitions(job: Any, op_path: str, input_name: str, run_partition_key: str | None) -> list[str] | None:
    """The upstream asset partitions an input reads ([] when the upstream asset is unpartitioned);
    None when the job has no asset layer or the input reads no asset (then: the run's partition)."""
    layer = asset_layer_of(job)
    if layer is None or layer.asset_key_for_input(op_path, input_name) is None:
        return None
    keys = layer.upstream_partition_keys(op_path, input_name, run_partition_key)
    return [] if keys is None else keys


def upstream_partitions_def(job: Any, op_path: str, input_name: str) -> Any:
    layer = asset_layer_of(job)
    key = layer.asset_key_for_input(op_path, input_name) if layer is not None else None
    return layer.partitions_def_for(key) if layer is not None and key is not None else None


def _for_partitions(context: Any, keys: list[str], partitions_def: Any) -> Any:
    """A copy of an ``InputContext`` (and its upstream ``OutputContext``) covering asset partitions ``keys``."""
    clone = copy.copy(context)
    clone._partition_keys = list(keys)
    clone.asset_partitions_def = partitions_def
    upstream = clone.upstream_output
    if upstream is not None:
        upstream = clone.upstream_output = copy.copy(upstream)
        upstream._partition_key = keys[0] if len(keys) == 1 else None
        upstream._partition_keys = list(keys)
        upstream.asset_partitions_def = partitions_def
    return clone


def load_partitions(manager: Any, context: Any, job: Any, op_path: str, input_name: str,
                    run_partition_key: str | None) -> Any:
    """Load an input through ``manager``. An asset input reads the upstream partitions its partition
    mapping names: one load for one partition (or an unpartitioned asset), else
    ``{partition_key: value}``, as Dagster's file-based IO managers return for several."""
    keys = input_partitions(job, op_path, input_name, run_partition_key)
    if keys is None:
        return manager.load_input(context)
    partitions_def = upstream_partitions_def(job, op_path, input_name)
    if len(keys) <= 1:
        return manager.load_input(_for_partitions(context, keys, partitions_def))
    return {key: manager.load_input(_for_partitions(context, [key], partitions_def)) for key in keys}


def _is_result(value: Any) -> bool:
    return isinstance(value, (MaterializeResult, AssetCheckResult))


def normalize_results(info: StepAssets | None, op_def: OpDefinition, raw: Any) -> Any:
    """What the op returned, as the step runner reads it: results become outputs and check events.

    Plain values pass through unchanged (the runner maps them to outputs itself), except for an
    asset with checks, whose check results must all be reported.
    """
    if info is None:
        if _is_result(raw) or (isinstance(raw, tuple) and raw and all(_is_result(v) for v in raw)):
            raise DefinitionError(
                f"Op '{op_def.name}' returned {type(raw).__name__}, which only assets and asset checks return. "
                "Make it an @asset (or @asset_check), or return a plain value."
            )
        return raw
    if inspect.isgenerator(raw):
        return _expand_all(info, op_def, raw)
    if _is_result(raw):
        return _expand_all(info, op_def, iter([raw]))
    if isinstance(raw, tuple) and raw and all(_is_result(v) for v in raw):
        return _expand_all(info, op_def, iter(raw))
    if info.check_specs:
        value_outputs = [n for n in op_def.output_names if info.layer.check_spec_for_output(info.op_path, n) is None]
        if len(value_outputs) == 1:
            items: list[Any] = [raw if isinstance(raw, Output) else Output(raw, value_outputs[0])]
        elif isinstance(raw, tuple) and len(raw) == len(value_outputs):
            items = [v if isinstance(v, Output) else Output(v, n) for n, v in zip(value_outputs, raw)]
        else:
            return raw
        return _expand_all(info, op_def, iter(items))
    return raw


def _expand_all(info: StepAssets, op_def: OpDefinition, items: Iterator[Any]) -> Iterator[Any]:
    reported: set[Any] = set()
    blocking_failures: list[AssetCheckEvaluation] = []
    for item in items:
        yield from _expand(info, op_def, item, reported, blocking_failures)
    # The layer lists only the checks this run selected, so each of them must have been reported.
    missing = [s for s in info.check_specs if s.key not in reported]
    if missing:
        names = ", ".join(f"'{s.name}' of '{s.asset_key}'" for s in missing)
        raise DefinitionError(
            f"Op '{op_def.name}' did not report asset check(s) {names}. Return or yield "
            "AssetCheckResult(...) for each (or put them in MaterializeResult(check_results=[...]))."
        )
    if blocking_failures:
        names = ", ".join(f"'{e.check_name}' of '{e.asset_key}'" for e in blocking_failures)
        raise AssetCheckFailedError(
            f"{len(blocking_failures)} blocking asset check(s) failed with ERROR severity: {names}. "
            "Assets downstream of them do not run."
        )


def _output_for_key(info: StepAssets, op_def: OpDefinition, key: AssetKey | None) -> str:
    outputs = info.asset_outputs()
    if key is None:
        if len(outputs) != 1:
            raise DefinitionError(
                f"Op '{op_def.name}' returned a MaterializeResult without asset_key, but it materializes "
                f"{sorted(k.to_user_string() for k in outputs.values())}. Pass asset_key=."
            )
        return next(iter(outputs))
    for name, k in outputs.items():
        if k == key:
            return name
    raise DefinitionError(
        f"Op '{op_def.name}' returned a MaterializeResult for asset '{key}', which it does not materialize "
        f"(assets: {sorted(k.to_user_string() for k in outputs.values())})."
    )


def _expand(info: StepAssets, op_def: OpDefinition, item: Any, reported: set[Any],
            blocking_failures: list[AssetCheckEvaluation]) -> Iterator[Any]:
    selected = info.selected_output_names
    if isinstance(item, MaterializeResult):
        name = _output_for_key(info, op_def, item.asset_key)
        _check_selected(op_def, name, selected)
        yield ResultOutput(item.value if item.has_value else None, name, metadata=item.metadata,
                           stores_value=item.has_value)
        for check_result in item.check_results:
            yield from _expand(info, op_def, check_result, reported, blocking_failures)
        return
    if isinstance(item, AssetCheckResult):
        specs = info.check_specs
        check_key = resolve_check_key(item, specs)
        spec = next(s for s in specs if s.key == check_key)
        if check_key in reported:
            raise DefinitionError(f"Op '{op_def.name}' reported asset check '{check_key.to_user_string()}' twice.")
        reported.add(check_key)
        out_name = next(out for (path, out), s in info.layer.check_outputs.items()
                        if path == info.op_path and s.key == check_key)
        evaluation = AssetCheckEvaluation(
            check_key.asset_key, check_key.name, item.passed, item.metadata, item.severity, item.description,
            spec.blocking, info.partition_key if spec.partitions_def is not None else None,
        )
        yield evaluation
        yield ResultOutput(None, out_name)
        if spec.blocking and not item.passed and item.severity is AssetCheckSeverity.ERROR:
            blocking_failures.append(evaluation)
        return
    if isinstance(item, Output):
        _check_selected(op_def, item.output_name, selected)
    yield item


def _check_selected(op_def: OpDefinition, output_name: str, selected: frozenset[str] | None) -> None:
    if selected is not None and output_name in op_def.outs and output_name not in selected:
        raise DefinitionError(
            f"Op '{op_def.name}' produced output '{output_name}', which this run did not select. With "
            "can_subset=True, produce only context.selected_output_names."
        )
