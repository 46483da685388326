"""The one step runner every executor calls: op semantics live here and nowhere else.

For one step it builds the context and the resources the step needs, loads inputs through IO
managers, runs the op, type-checks and stores its outputs, fires hooks, applies the retry
policy, and emits events. Executors only decide where and when a step runs.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_layer import output_asset_key
from orchestrator.definitions.config.output_config import output_config_for
from orchestrator.definitions.config.step_config import op_config_for_step
from orchestrator.definitions.dagster_types import type_resource_keys
from orchestrator.definitions.hook_context import HookContext, HookNode
from orchestrator.definitions.io_managers.base import InputContext, OutputContext
from orchestrator.definitions.multi_partitions import typed_partition_key
from orchestrator.definitions.ops import DynamicOutput, OpDefinition, Output
from orchestrator.definitions.resources import ResourceProvider, Resources
from orchestrator.definitions.type_checks import check_op_value, describe
from orchestrator.errors import (
    DagsterTypeCheckDidNotPass,
    DefinitionError,
    Failure,
    OrchestratorError,
    RetryRequested,
    TypeCheckError,
)
from orchestrator.events import ErrorInfo, EventType, RunEvent, jsonable, trusted
from orchestrator.execution.asset_outputs import (
    load_partitions,
    normalize_results,
    output_partition_key,
    step_assets,
)
from orchestrator.execution.context import OpExecutionContext, StepLog
from orchestrator.plan.planner import ExecutionStep, OutputRef, StepInput
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.definitions.config.run_config import ResolvedRunConfig
    from orchestrator.definitions.hooks import HookDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.topology import FlatOp


class InputLoadError(OrchestratorError):
    """An IO manager could not load a step input (missing or unreadable stored output)."""


@dataclass
class RunContext:
    """Everything about a run that its steps share. Built by the executor, read by the step runner."""

    run_id: str
    job: JobDefinition
    config: ResolvedRunConfig
    resources: ResourceProvider
    emit: Callable[[RunEvent], None]
    tags: dict[str, str] = field(default_factory=dict)
    partition_key: str | None = None
    parent_run_id: str | None = None
    output_origins: dict[str, str] = field(default_factory=dict)
    #: What ``context.instance`` is in the steps (the ``DagsterInstance`` a run was given), if any.
    instance: Any = None

    def event(self, event_type: EventType, step_key: str | None = None, message: str = "",
              error: ErrorInfo | None = None, **data: Any) -> None:
        # Built from trusted values on the hot path: skip pydantic validation.
        self.emit(trusted(RunEvent, event_type=event_type, run_id=self.run_id, job_name=self.job.name,
                          step_key=step_key, timestamp=time.time(), message=message, error=error, data=data))


@dataclass
class StepResult:
    """How a step attempt ended: SUCCESS or FAILURE, and for a failure that the op's retry policy
    (or ``RetryRequested``) retries, the seconds to wait before the next attempt."""

    status: StepStatus
    outputs: list[OutputRef] = field(default_factory=list)
    error: ErrorInfo | None = None
    exception: BaseException | None = None
    #: Not None: run the step again after this many seconds (the failure is not final).
    retry_delay: float | None = None
    duration: float = 0.0

    @property
    def retry(self) -> bool:
        """Whether the step must run again (its failure is not final)."""
        return self.retry_delay is not None


def node_path_of(step_key: str) -> str:
    """The op path of a step key (``process[k]`` -> ``process``)."""
    return step_key.split("[", 1)[0]


def step_resource_keys(job: JobDefinition, step: ExecutionStep) -> set[str]:
    """Resource keys a step needs: its op's, its hooks', the IO managers of its inputs and outputs,
    and those the Dagster types of its inputs and outputs (their checks and loaders) use."""
    topo = job.topology
    flat = topo.op(step.node_path)
    keys = set(flat.op_def.required_resource_keys)
    keys |= {o.io_manager_key for o in flat.op_def.outs.values() if not o.is_nothing}
    for in_def in flat.op_def.ins.values():
        keys |= type_resource_keys(in_def.dagster_type)
    for out_def in flat.op_def.outs.values():
        keys |= type_resource_keys(out_def.dagster_type)
    for inp in step.inputs:
        if inp.kind == "from_asset":
            keys.add(inp.value["io_manager_key"])
        if inp.kind in ("from_output", "fan_in", "collect", "from_parent"):
            for ref in inp.sources:
                keys.add(topo.op(node_path_of(ref.step_key)).op_def.outs[ref.output_name].io_manager_key)
    for hook in _hooks_for(job, flat):
        keys |= hook.required_resource_keys
    return keys


def _hooks_for(job: JobDefinition, flat: FlatOp) -> list[HookDefinition]:
    seen: dict[int, HookDefinition] = {}
    for hook in [*flat.hook_defs, *job.hook_defs]:
        seen.setdefault(id(hook), hook)
    return list(seen.values())


def run_step(run: RunContext, step: ExecutionStep, retry_number: int = 0) -> StepResult:
    """Run one attempt of ``step``. Never raises for op errors: they come back in the result."""
    started = time.perf_counter()
    job = run.job
    flat = job.topology.op(step.node_path)
    op_def = flat.op_def
    run.event(EventType.STEP_START, step.key, f"Started execution of step '{step.key}'.",
              attempt=retry_number, op=op_def.name)
    context: OpExecutionContext | None = None
    outputs: list[OutputRef] = []
    yielded: set[tuple[str, str | None]] = set()  # (output, mapping key): each may be yielded once
    output_values: dict[str, Any] = {}
    try:
        resources = Resources({k: run.resources.get(k) for k in sorted(step_resource_keys(job, step))})
        op_config = op_config_for_step(op_def, run.config.op_config(step.node_path), step.node_path)
        log = StepLog(run.emit, run.run_id, job.name, step.key)
        assets = step_assets(job, step.node_path, typed_partition_key(job.partitions_def, run.partition_key))
        context = OpExecutionContext(
            op_def=op_def, step_key=step.key, run_id=run.run_id, job_name=job.name, op_config=op_config,
            resources=resources, log=log, partition_key=assets.partition_key if assets else run.partition_key,
            retry_number=retry_number,
            run_tags=run.tags, run_config=run.config.raw, mapping_key=step.mapping_key,
            instance=run.instance, parent_run_id=run.parent_run_id,
        )
        context._step_assets = assets
        context._partitions_def = job.partitions_def
        kwargs = {inp.name: _load_input(run, step, flat, inp, resources, log)
                  for inp in step.inputs if inp.kind != "nothing" and not op_def.ins[inp.name].is_nothing}
        for name in op_def.value_inputs:
            if name not in kwargs and op_def.ins[name].has_default:
                kwargs[name] = op_def.ins[name].default_value
        for name, value in kwargs.items():
            _check_type(op_def, "input", name, op_def.ins[name].dagster_type, value, context)
        for name in getattr(op_def, "resource_params", ()):
            kwargs[name] = getattr(resources, name)  # a parameter annotated as a resource
        if op_def.config_param:
            kwargs[op_def.config_param] = context._typed_config(op_def)
        raw = normalize_results(assets, op_def, op_def.invoke_compute(context, kwargs))
        for item in _iter_outputs(op_def, raw):
            if not isinstance(item, Output):
                _emit_user_event(run, step, item)
                continue
            ref = _store_output(run, step, op_def, context, resources, log, item, yielded)
            yielded.add((ref.output_name, ref.mapping_key))
            outputs.append(ref)
            _capture_output(output_values, ref, item.value)
        produced = {r.output_name for r in outputs}
        for name, out in op_def.outs.items():
            if out.is_required and not out.is_dynamic and name not in produced:
                raise DefinitionError(
                    f"Op '{op_def.name}' did not yield required output '{name}'. Yield it, or declare "
                    f"it with Out(is_required=False)."
                )
    except BaseException as exc:  # noqa: BLE001 - every op error becomes a step result
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return _failed(run, step, flat, context, exc, retry_number, started)
    duration = time.perf_counter() - started
    run.event(EventType.STEP_SUCCESS, step.key, f"Finished execution of step '{step.key}' in {duration * 1000:.1f}ms.",
              duration_ms=round(duration * 1000, 3), attempt=retry_number)
    _fire_hooks(run, step, flat, context, success=True, exc=None, output_values=output_values)
    return StepResult(StepStatus.SUCCESS, outputs, duration=duration)


def _load_input(run: RunContext, step: ExecutionStep, flat: FlatOp, inp: StepInput, resources: Resources,
                log: StepLog) -> Any:
    if inp.kind == "config":
        return _input_from_config(run, step, flat, inp, resources, log)
    if inp.kind == "job_input":
        return run.job.input_values[str(inp.value)]
    if inp.kind == "default":
        return flat.op_def.ins[inp.name].default_value
    if inp.kind == "from_asset":
        return _load_asset(run, step, flat, inp, resources, log)
    if inp.kind == "from_parent" and run.parent_run_id is None:
        raise DefinitionError(f"Input '{inp.name}' of step '{step.key}' needs a parent run to load from.")

    def origin(ref: OutputRef) -> str:
        if inp.kind != "from_parent":
            return run.run_id
        return run.output_origins.get(ref.step_key) or str(run.parent_run_id)

    values = [_load_one(run, step, flat, inp, ref, resources, log, origin(ref)) for ref in inp.sources]
    if inp.kind in ("fan_in", "collect"):
        return values
    return values[0]


def _input_from_config(run: RunContext, step: ExecutionStep, flat: FlatOp, inp: StepInput, resources: Resources,
                       log: StepLog) -> Any:
    """An input given in run config (``ops.<op>.inputs.<name>``): through its Dagster type's loader
    when the type has one (the config is what the loader takes), else the config value itself."""
    loader = getattr(flat.op_def.ins[inp.name].dagster_type, "loader", None)
    if loader is None:
        return inp.value
    from orchestrator.definitions.dagster_types import DagsterTypeLoaderContext

    loader_context = DagsterTypeLoaderContext(resources=resources, log=log, op_def=flat.op_def,
                                              op_config=run.config.op_config(step.node_path), run_id=run.run_id)
    return loader.construct_from_config_value(loader_context, inp.value)


def _load_one(run: RunContext, step: ExecutionStep, flat: FlatOp, inp: StepInput, ref: OutputRef,
              resources: Resources, log: StepLog, run_id: str) -> Any:
    upstream = run.job.topology.op(node_path_of(ref.step_key))
    out_def = upstream.op_def.outs[ref.output_name]
    manager = getattr(resources, out_def.io_manager_key)
    in_def = flat.op_def.ins[inp.name]
    asset_key = output_asset_key(run.job, upstream.path, ref.output_name, upstream.op_def)
    upstream_context = OutputContext(
        step_key=ref.step_key, name=ref.output_name, run_id=run_id, mapping_key=ref.mapping_key,
        metadata=out_def.metadata, op_def=upstream.op_def, dagster_type=out_def.dagster_type,
        resources=resources, log=log, partition_key=run.partition_key, job_name=run.job.name,
        asset_key=asset_key,
        config=output_config_for(run.job, run.config.raw, upstream.path, upstream.op_def, ref.output_name),
    )
    context = InputContext(
        name=inp.name, step_key=step.key, upstream_output=upstream_context, dagster_type=in_def.dagster_type,
        metadata=in_def.metadata, op_def=flat.op_def, resources=resources, log=log,
        partition_key=run.partition_key, asset_key=asset_key, job_name=run.job.name,
    )
    try:
        return load_partitions(manager, context, run.job, step.node_path, inp.name, run.partition_key)
    except OrchestratorError:
        raise
    except Exception as exc:
        raise InputLoadError(
            f"Could not load input '{inp.name}' of step '{step.key}' from output '{ref.id}' "
            f"(IO manager '{out_def.io_manager_key}'): {type(exc).__name__}: {exc}"
        ) from exc


def _load_asset(run: RunContext, step: ExecutionStep, flat: FlatOp, inp: StepInput, resources: Resources,
                log: StepLog) -> Any:
    """Load an upstream asset that this run does not materialize, from what an earlier run stored."""
    from orchestrator.definitions.assets import AssetKey

    spec = inp.value
    key = AssetKey(spec["asset_key"])
    manager = getattr(resources, spec["io_manager_key"])
    in_def = flat.op_def.ins[inp.name]
    upstream = OutputContext(step_key=None, name="result", run_id=None, asset_key=key, resources=resources,
                             log=log, partition_key=run.partition_key, job_name=run.job.name)
    context = InputContext(name=inp.name, step_key=step.key, upstream_output=upstream, dagster_type=in_def.dagster_type,
                           metadata=in_def.metadata, op_def=flat.op_def, resources=resources, log=log,
                           partition_key=run.partition_key, asset_key=key)
    try:
        return load_partitions(manager, context, run.job, step.node_path, inp.name, run.partition_key)
    except Exception as exc:
        jobs = spec.get("materialized_by") or []
        hint = (f"Materialize it first, e.g. run job {' or '.join(repr(j) for j in jobs)}."
                if jobs else "Materialize it first (no job in this repository selects it).")
        raise InputLoadError(
            f"Asset '{key}' (input '{inp.name}' of step '{step.key}') has not been materialized: IO manager "
            f"'{spec['io_manager_key']}' has nothing stored for it ({type(exc).__name__}: {exc}). {hint}"
        ) from exc


def _check_type(op_def: OpDefinition, kind: str, name: str, tp: Any, value: Any, context: Any) -> None:
    """Run the type check of an input or output (a ``DagsterType``'s check, or the annotation's);
    a failure raises ``DagsterTypeCheckDidNotPass`` naming the op, the input or output and why."""
    check_op_value(op_def.name, kind, name, tp, value, context)


def _iter_outputs(op_def: OpDefinition, raw: Any) -> Iterator[Any]:
    """Normalize what a compute function returned or yielded into Output/DynamicOutput items."""
    if inspect.isgenerator(raw):
        for item in raw:
            if isinstance(item, Output) or _is_user_event(item):
                yield item
            else:
                raise DefinitionError(
                    f"Op '{op_def.name}' yielded {describe(item)}. Generator ops must yield "
                    "Output(value, name) or DynamicOutput(value, mapping_key)."
                )
        return
    outs = op_def.outs
    if isinstance(raw, Output):
        yield raw
        return
    if not outs:
        return
    if len(outs) > 1:
        if raw is None and not any(o.is_required for o in outs.values()):
            return
        if not isinstance(raw, tuple) or len(raw) != len(outs):
            raise DefinitionError(
                f"Op '{op_def.name}' has outputs {list(outs)}, so it must return a tuple of "
                f"{len(outs)} values (in that order) or yield Output objects; it returned {describe(raw)}."
            )
        for name, value in zip(outs, raw):
            if isinstance(value, Output) and value.output_name == "result" and name != "result":
                # ``return Output(5), Output("x")``: unnamed Outputs take their position's name.
                value = Output(value.value, name, value.metadata)
            yield value if isinstance(value, Output) else Output(value, name)
        return
    name, out = next(iter(outs.items()))
    if out.is_dynamic:
        if raw is None:
            return
        if isinstance(raw, (list, tuple)) and all(isinstance(v, DynamicOutput) for v in raw):
            yield from raw
            return
        raise DefinitionError(
            f"Op '{op_def.name}' has a DynamicOut, so it must yield (or return a list of) "
            f"DynamicOutput(value, mapping_key=...); it returned {describe(raw)}."
        )
    if raw is None and not out.is_required:
        return
    yield Output(raw, name)


def _capture_output(captured: dict[str, Any], ref: OutputRef, value: Any) -> None:
    """Record an output's value for the success hooks' ``op_output_values`` as Dagster shapes it:
    keyed by output name, and for a dynamic output a dict of mapping key -> value.

    Args:
        captured: The step's captured values so far, updated in place.
        ref: The stored output (its name and mapping key).
        value: The value the op produced for it.
    """
    if ref.mapping_key is None:
        captured[ref.output_name] = value
    else:
        captured.setdefault(ref.output_name, {})[ref.mapping_key] = value


def _is_user_event(item: Any) -> bool:
    return hasattr(item, "to_event_data")


def _emit_user_event(run: RunContext, step: ExecutionStep, item: Any) -> None:
    event_type, message, data = item.to_event_data()
    run.event(event_type, step.key, message, **data)


def _store_output(run: RunContext, step: ExecutionStep, op_def: OpDefinition, context: OpExecutionContext,
                  resources: Resources, log: StepLog, item: Output,
                  yielded: AbstractSet[tuple[str, str | None]]) -> OutputRef:
    name = item.output_name
    out = op_def.outs.get(name)
    if out is None:
        raise DefinitionError(
            f"Op '{op_def.name}' yielded an output named '{name}', but it declares outputs "
            f"{list(op_def.outs) or 'none'}."
        )
    mapping_key = item.mapping_key if isinstance(item, DynamicOutput) else None
    if out.is_dynamic and mapping_key is None:
        raise DefinitionError(f"Op '{op_def.name}' output '{name}' is a DynamicOut: yield DynamicOutput(value, mapping_key=...).")
    if not out.is_dynamic and mapping_key is not None:
        raise DefinitionError(f"Op '{op_def.name}' yielded a DynamicOutput for '{name}', which is not a DynamicOut.")
    if (name, mapping_key) in yielded:
        what = f"mapping key '{mapping_key}' of output '{name}'" if mapping_key else f"output '{name}'"
        raise DefinitionError(f"Op '{op_def.name}' yielded {what} twice; each must be yielded once.")
    # A MaterializeResult or AssetCheckResult output records its event but has no value to store.
    stores_value = not out.is_nothing and getattr(item, "stores_value", True)
    if stores_value:
        _check_type(op_def, "output", name, out.dagster_type, item.value, context)
    asset_key = output_asset_key(run.job, step.node_path, name, op_def)
    partition_key = output_partition_key(run.job, asset_key, run.partition_key)
    metadata = dict(item.metadata)
    metadata.update(context.output_metadata.get(name, {}))
    if len(op_def.outs) == 1:
        metadata.update(context.output_metadata.get(None, {}))
    if mapping_key is not None:
        metadata.update(context.output_metadata.get(f"{name}[{mapping_key}]", {}))
    ref = trusted(OutputRef, step_key=step.key, output_name=name, mapping_key=mapping_key)
    if stores_value:
        manager = getattr(resources, out.io_manager_key)
        out_context = OutputContext(
            step_key=step.key, name=name, run_id=run.run_id, mapping_key=mapping_key, metadata=out.metadata,
            op_def=op_def, dagster_type=out.dagster_type, resources=resources, log=log,
            partition_key=partition_key, job_name=run.job.name,
            asset_key=asset_key,
            config=output_config_for(run.job, run.config.raw, step.node_path, op_def, name),
            attempt=context.retry_number,
        )
        manager.handle_output(out_context, item.value)
        metadata.update(out_context.get_logged_metadata())
    run.event(EventType.STEP_OUTPUT, step.key, f"Yielded output '{ref.id}'.",
              output_name=name, mapping_key=mapping_key, metadata=jsonable(metadata))
    if asset_key is not None:
        run.event(EventType.ASSET_MATERIALIZATION, step.key, f"Materialized asset '{asset_key}'.",
                  asset_key=list(asset_key.path), partition=partition_key, metadata=jsonable(metadata))
    return ref


def _failed(run: RunContext, step: ExecutionStep, flat: FlatOp, context: OpExecutionContext | None,
            exc: BaseException, retry_number: int, started: float) -> StepResult:
    error = ErrorInfo.from_exception(exc)
    duration = time.perf_counter() - started
    max_retries, delay = _retry_budget(run, flat, exc, retry_number)
    if retry_number < max_retries:
        run.event(EventType.STEP_RETRY, step.key,
                  f"Step '{step.key}' failed ({error}); retry {retry_number + 1} of {max_retries} in {delay:g}s.",
                  error=error, attempt=retry_number, delay=delay)
        return StepResult(StepStatus.FAILURE, error=error, exception=exc, retry_delay=delay, duration=duration)
    message = f"Step '{step.key}' failed: {error}"
    data: dict[str, Any] = {"attempt": retry_number}
    if isinstance(exc, Failure):
        data["description"] = exc.description
        if exc.metadata:
            data["metadata"] = jsonable(exc.metadata)
    elif isinstance(exc, DagsterTypeCheckDidNotPass) and exc.metadata:
        data["metadata"] = jsonable(exc.metadata)
    run.event(EventType.STEP_FAILURE, step.key, message, error=error, **data)
    _fire_hooks(run, step, flat, context, success=False, exc=exc, output_values={})
    return StepResult(StepStatus.FAILURE, error=error, exception=exc, duration=duration)


def _retry_budget(run: RunContext, flat: FlatOp, exc: BaseException, retry_number: int) -> tuple[int, float]:
    if isinstance(exc, RetryRequested):
        return exc.max_retries, float(exc.seconds_to_wait)
    if isinstance(exc, Failure) and not exc.allow_retries:
        return 0, 0.0
    if isinstance(exc, (DefinitionError, TypeCheckError)):
        return 0, 0.0
    policy = flat.retry_policy or run.job.op_retry_policy
    if policy is None:
        return 0, 0.0
    return policy.max_retries, policy.delay_for(retry_number + 1)


def _fire_hooks(run: RunContext, step: ExecutionStep, flat: FlatOp, context: OpExecutionContext | None,
                success: bool, exc: BaseException | None, output_values: dict[str, Any]) -> None:
    for hook in _hooks_for(run.job, flat):
        if not hook.fires_on(success):
            continue
        try:
            resources = Resources({k: run.resources.get(k) for k in hook.required_resource_keys})
            hook_context = HookContext(
                hook_def=hook, op=HookNode(flat.path, flat.op_def), step_key=step.key, run_id=run.run_id, job_name=run.job.name,
                resources=resources, op_config=context.op_config if context else None, op_exception=exc,
                op_output_values=output_values, log=StepLog(run.emit, run.run_id, run.job.name, step.key),
            )
            hook.hook_fn(hook_context)
        except Exception as hook_exc:  # noqa: BLE001 - a broken hook must not change the step's outcome
            run.event(EventType.HOOK_ERRORED, step.key, f"Hook '{hook.name}' raised: {hook_exc}",
                      error=ErrorInfo.from_exception(hook_exc), hook=hook.name)
        else:
            run.event(EventType.HOOK_COMPLETED, step.key, f"Hook '{hook.name}' finished.", hook=hook.name)
