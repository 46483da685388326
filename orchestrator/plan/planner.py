"""The planner: (job, resolved run config) -> ExecutionPlan, a JSON-serializable list of steps.

Pure: no I/O, O(steps + edges). Steps downstream of a dynamic output are *templates* (``mapped_on``
set) and are expanded into ``op[key]`` steps at run time by :func:`expand_mapped`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from orchestrator.definitions.selection_syntax import parse_clause
from orchestrator.definitions.topology import Topology
from orchestrator.errors import DefinitionError
from orchestrator.events import trusted

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["OutputRef", "StepInput", "ExecutionStep", "ExecutionPlan", "build_plan", "expand_mapped"]


class OutputRef(BaseModel):
    """Output ``output_name`` of step ``step_key``; ``mapping_key`` picks one element of a dynamic output."""

    model_config = ConfigDict(frozen=True)

    step_key: str
    output_name: str = "result"
    mapping_key: str | None = None

    @property
    def id(self) -> str:
        """A stable string id: ``step.output`` or ``step.output[key]``."""
        suffix = f"[{self.mapping_key}]" if self.mapping_key is not None else ""
        return f"{self.step_key}.{self.output_name}{suffix}"


InputKind = Literal["from_output", "fan_in", "collect", "config", "default", "nothing", "from_parent", "from_asset",
                    "job_input"]


class StepInput(BaseModel):
    """How a step gets one input: from upstream outputs, config, its default, or a parent run."""

    name: str
    kind: InputKind
    sources: list[OutputRef] = []
    value: Any = None


class ExecutionStep(BaseModel):
    """One unit of execution: an op at ``node_path`` (once per mapping key for mapped ops)."""

    key: str
    node_path: str
    inputs: list[StepInput] = []
    upstream: list[str] = []
    mapped_on: OutputRef | None = None
    mapping_key: str | None = None
    tags: dict[str, str] = {}

    @property
    def is_template(self) -> bool:
        """Whether this step still waits for its dynamic output to expand into keyed steps."""
        return self.mapped_on is not None and self.mapping_key is None


class ExecutionPlan(BaseModel):
    """All steps of a run in dependency order. Serializable as JSON."""

    job_name: str
    steps: list[ExecutionStep]
    selected_paths: list[str] | None = None
    parent_run_id: str | None = None

    @cached_property
    def by_key(self) -> dict[str, ExecutionStep]:
        return {s.key: s for s in self.steps}

    @cached_property
    def downstream(self) -> dict[str, list[str]]:
        """Step key -> keys of the steps that wait on it (templates included)."""
        result: dict[str, list[str]] = {s.key: [] for s in self.steps}
        for s in self.steps:
            for up in s.upstream:
                result.setdefault(up, []).append(s.key)
        return result

    @cached_property
    def templates_by_source(self) -> dict[str, list[ExecutionStep]]:
        """Dynamic output id -> template steps mapped over it, in dependency order."""
        result: dict[str, list[ExecutionStep]] = {}
        for s in self.steps:
            if s.is_template:
                assert s.mapped_on is not None
                result.setdefault(s.mapped_on.id, []).append(s)
        return result

    @cached_property
    def templates_by_source_step(self) -> dict[str, list[list[ExecutionStep]]]:
        """Step key -> the groups of template steps mapped over its dynamic outputs (one per output)."""
        result: dict[str, list[list[ExecutionStep]]] = {}
        for group in self.templates_by_source.values():
            source = group[0].mapped_on
            assert source is not None
            result.setdefault(source.step_key, []).append(group)
        return result

    def step(self, key: str) -> ExecutionStep:
        try:
            return self.by_key[key]
        except KeyError:
            raise DefinitionError(f"Step '{key}' is not in the plan of job '{self.job_name}'.") from None


def build_plan(
    job: JobDefinition,
    input_values: Mapping[str, Mapping[str, Any]] | None = None,
    op_selection: Sequence[str] | str | None = None,
    parent_run_id: str | None = None,
) -> ExecutionPlan:
    """Plan a run of ``job``. ``input_values`` maps op path -> input name -> value from run config."""
    topo = job.topology
    selected = select_ops(topo, op_selection) if op_selection else None
    input_values = input_values or {}
    steps: list[ExecutionStep] = []
    def construct_input(**values: Any) -> StepInput:
        return trusted(StepInput, **values)

    def construct_ref(**values: Any) -> OutputRef:
        return trusted(OutputRef, **values)

    layer = getattr(job, "asset_layer", None)
    asset_loads = layer.external_loads if layer is not None else None
    for path, flat in topo.ops.items():
        if selected is not None and path not in selected:
            continue
        configured = input_values.get(path, {})
        inputs: list[StepInput] = []
        upstream: dict[str, None] = {}
        for name, flat_input in flat.inputs.items():
            in_def = flat.op_def.ins[name]
            if name in configured:
                inputs.append(construct_input(name=name, kind="config", sources=[], value=configured[name]))
                continue
            if flat_input.kind == "unbound":
                if in_def.is_nothing:
                    continue
                graph_input = job.direct_input_targets.get((path, name))
                if graph_input is not None:  # fed by the job's input_values (read from the job on the worker)
                    inputs.append(construct_input(name=name, kind="job_input", sources=[], value=graph_input))
                    continue
                load = asset_loads.get((path, name)) if asset_loads is not None else None
                if load is not None:  # an asset this run does not materialize: load what is stored
                    inputs.append(construct_input(name=name, kind="from_asset", sources=[], value=load.to_plan_value()))
                    continue
                if in_def.asset_key is not None and in_def.input_manager_key is not None:
                    inputs.append(construct_input(name=name, kind="from_asset", sources=[], value={
                        "asset_key": list(in_def.asset_key.path), "io_manager_key": in_def.input_manager_key,
                        "materialized_by": in_def.metadata.get("orch/materialized_by", []),
                    }))
                    continue
                if in_def.has_default:
                    inputs.append(construct_input(name=name, kind="default", sources=[], value=None))
                    continue
                raise DefinitionError(
                    f"Input '{name}' of op '{path}' in job '{job.name}' is not connected to any "
                    f"op output and has no default. Wire it to an op, give it In(default_value=...), "
                    f"or set run config ops.{'.ops.'.join(path.split('.'))}.inputs.{name}."
                )
            refs = [construct_ref(step_key=s.path, output_name=s.output, mapping_key=None) for s in flat_input.sources]
            external = [r for r in refs if selected is not None and r.step_key not in selected]
            if external:
                if parent_run_id is None:
                    src = external[0]
                    raise DefinitionError(
                        f"Op '{path}' is selected but its input '{name}' comes from op "
                        f"'{src.step_key}', which is not selected. Select '{src.step_key}' too, or "
                        f"set run config ops.{'.ops.'.join(path.split('.'))}.inputs.{name}."
                    )
                inputs.append(construct_input(name=name, kind="from_parent", sources=refs, value=None))
                continue
            if in_def.is_nothing:
                kind: InputKind = "nothing"
            elif flat_input.kind == "direct":
                kind = "from_output"
            else:
                kind = flat_input.kind
            inputs.append(construct_input(name=name, kind=kind, sources=refs, value=None))
            for r in refs:
                upstream[r.step_key] = None
        for check_path, check_output in (layer.blocking_deps.get(path, []) if layer is not None else []):
            if selected is None or check_path in selected:  # wait for a blocking asset check
                inputs.append(construct_input(name=f"__blocking_check__{check_path}", kind="nothing", value=None,
                                              sources=[construct_ref(step_key=check_path, output_name=check_output,
                                                                     mapping_key=None)]))
                upstream[check_path] = None
        mapped_on = None
        if flat.mapped_on is not None:
            mapped_on = construct_ref(step_key=flat.mapped_on.path, output_name=flat.mapped_on.output, mapping_key=None)
        steps.append(trusted(ExecutionStep,
            key=path, node_path=path, inputs=inputs, upstream=list(upstream),
            mapped_on=mapped_on, mapping_key=None, tags=flat.tags,
        ))
    return ExecutionPlan.model_construct(
        job_name=job.name, steps=steps,
        selected_paths=sorted(selected) if selected is not None else None,
        parent_run_id=parent_run_id,
    )


def mapped_key(step_key: str, mapping_key: str) -> str:
    return f"{step_key}[{mapping_key}]"


def expand_mapped(plan: ExecutionPlan, source: OutputRef, mapping_keys: Iterable[str]) -> list[ExecutionStep]:
    """Concrete ``op[key]`` steps for every template mapped over dynamic output ``source``."""
    keys = list(mapping_keys)
    templates = plan.templates_by_source.get(OutputRef(step_key=source.step_key, output_name=source.output_name).id, [])
    template_keys = {t.key for t in templates}
    result: list[ExecutionStep] = []
    for k in keys:
        for t in templates:
            inputs = []
            for inp in t.inputs:
                refs = []
                for ref in inp.sources:
                    if ref.step_key == source.step_key and ref.output_name == source.output_name:
                        refs.append(trusted(OutputRef, step_key=ref.step_key, output_name=ref.output_name, mapping_key=k))
                    elif ref.step_key in template_keys:
                        refs.append(trusted(OutputRef, step_key=mapped_key(ref.step_key, k), output_name=ref.output_name, mapping_key=None))
                    else:
                        refs.append(ref)
                inputs.append(trusted(StepInput, name=inp.name, kind=inp.kind, sources=refs, value=inp.value))
            upstream = [mapped_key(u, k) if u in template_keys else u for u in t.upstream]
            result.append(trusted(ExecutionStep,
                key=mapped_key(t.key, k), node_path=t.node_path, inputs=inputs, upstream=upstream,
                mapped_on=t.mapped_on, mapping_key=k, tags=t.tags,
            ))
    return result


def select_ops(topo: Topology, selection: Sequence[str] | str) -> set[str]:
    """Resolve Dagster-style op selection (``name``, ``*name``, ``name+``, ``+name+``, ``graph``)."""
    clauses = [c.strip() for c in (selection.split(",") if isinstance(selection, str) else selection)]
    upstream: dict[str, list[str]] = {p: op.upstream_paths for p, op in topo.ops.items()}
    downstream: dict[str, list[str]] = {p: [] for p in topo.ops}
    for p, ups in upstream.items():
        for u in ups:
            downstream[u].append(p)

    def walk(start: set[str], edges: dict[str, list[str]], depth: int | None) -> set[str]:
        seen = set(start)
        frontier = set(start)
        level = 0
        while frontier and (depth is None or level < depth):
            nxt = {n for f in frontier for n in edges[f]} - seen
            seen |= nxt
            frontier = nxt
            level += 1
        return seen

    result: set[str] = set()
    for clause in clauses:
        if not clause:
            continue
        up_depth, body, down_depth = parse_clause(clause)
        matched = {p for p in topo.ops if p == body or p.startswith(body + ".")}
        if not matched:
            raise DefinitionError(
                f"Op selection '{clause}' matches no op. Ops in this job: "
                f"{', '.join(list(topo.ops)[:20])}{' ...' if len(topo.ops) > 20 else ''}."
            )
        result |= walk(matched, upstream, up_depth) | walk(matched, downstream, down_depth)
    return result
