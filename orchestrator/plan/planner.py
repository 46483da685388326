"""The planner: (job, resolved run config) -> ExecutionPlan, a JSON-serializable list of steps.

Pure: no I/O, O(steps + edges). Steps downstream of a dynamic output are *templates* (``mapped_on``
set) and are expanded into ``op[key]`` steps at run time by :func:`expand_mapped`.

Mapping nests: an op mapped over a dynamic output that a mapped op yields runs once per element of
both levels. Its step key names every level's mapping key, outermost first, in one bracket:
``work[a,k]`` (``a`` from the outer dynamic output, ``k`` from the inner one), so a step key stays
``<op path>[<mapping key>]`` and ``context.get_mapping_key()`` is ``"a,k"``. Mapping keys are
letters, digits and underscores, so ``,`` splits them unambiguously. While only the outer level is
known, the step is still a template, keyed ``work[a,?]`` (``?``: a level not resolved yet, as in
Dagster's ``op[?]``); it resolves, like a planned template, when ``inner[a]`` yields its keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.definitions.selection_syntax import parse_clause
from orchestrator.definitions.topology import Topology
from orchestrator.errors import DefinitionError
from orchestrator.events import trusted

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["OutputRef", "StepInput", "ExecutionStep", "ExecutionPlan", "build_plan", "expand_mapped", "instantiate",
           "mapped_key", "step_key_at", "parse_step_key", "KEY_SEPARATOR", "UNRESOLVED", "widen_dynamic"]

#: Joins the mapping keys of nested levels in one step key: ``work[a,k]``.
KEY_SEPARATOR = ","
#: Stands for a level whose mapping key is not known yet: ``work[a,?]``.
UNRESOLVED = "?"


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
    # Factories, not ``[]``: pydantic deep-copies a mutable default for every instance it parses.
    sources: list[OutputRef] = Field(default_factory=list)
    value: Any = None


class ExecutionStep(BaseModel):
    """One unit of execution: an op at ``node_path`` (once per mapping key for mapped ops).

    The steps of an ``ExecutionPlan`` are what executors run: an ``Executor`` takes them from
    ``LocalRun.ready`` (or sends them to workers), and with the Celery executor each is one task.
    An op mapped over a dynamic output is planned as a template (``mapped_on`` set, no
    ``mapping_key``) that becomes one step per value at run time: ``op[key]``. A pydantic model:
    it serializes as JSON.

    Args:
        key: The step's key: the op's path (``graph.op``), with ``[mapping_key]`` for a mapped step.
        node_path: The op's path in the job.
        inputs: How the step gets each of its inputs. Defaults to none.
        upstream: The keys of the steps it waits for. Defaults to none.
        mapped_on: The dynamic output it runs once per value of (the innermost). Defaults to None.
        mapping_key: The mapping key of a mapped step (``"a,k"`` for nested levels). Defaults to None.
        tags: The op's and node's tags (``celery/queue`` picks the Celery queue). Defaults to ``{}``.
        map_levels: Every dynamic output it runs once per value of, outermost first. Defaults to none.
        resolved_keys: The mapping keys already known, outermost first. Defaults to none.

    Examples:
        >>> from orchestrator import ExecutionStep
        >>> step = ExecutionStep(key="add_one", node_path="add_one", upstream=["one"], tags={"celery/queue": "fast"})
        >>> step.is_template, step.depth, step.model_dump_json(include={"key", "upstream"})
        (False, 0, '{"key":"add_one","upstream":["one"]}')
    """

    key: str
    node_path: str
    inputs: list[StepInput] = Field(default_factory=list)
    upstream: list[str] = Field(default_factory=list)
    mapped_on: OutputRef | None = None
    mapping_key: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    #: Every dynamic output the step runs once per element of, outermost first (as planned:
    #: ``step_key`` is the op path); ``mapped_on`` is the last.
    map_levels: list[OutputRef] = Field(default_factory=list)
    #: The mapping keys already known, outermost first: all of them for a mapped step, a prefix
    #: for a template some of whose levels are resolved (``work[a,?]``), none for a planned one.
    resolved_keys: list[str] = Field(default_factory=list)

    @property
    def is_template(self) -> bool:
        """Whether this step still waits for a dynamic output to expand into keyed steps."""
        return self.mapped_on is not None and self.mapping_key is None

    @property
    def levels(self) -> list[OutputRef]:
        """``map_levels``; for a step stored before mapping could nest, its one level."""
        if self.map_levels or self.mapped_on is None:
            return self.map_levels
        return [self.mapped_on]

    @property
    def depth(self) -> int:
        """How many dynamic levels the step runs once per element of (0: it runs once)."""
        return len(self.levels)


class ExecutionPlan(BaseModel):
    """All steps of a run in dependency order. Serializable as JSON.

    Launchers plan a run before it starts, honouring ``op_selection`` and re-execution, and give
    the plan to the executor as ``launch.plan``; the Celery executor stores it in Redis, where
    workers and watchdogs read it. A pydantic model: ``model_dump_json()`` and
    ``ExecutionPlan.model_validate_json(...)`` round-trip it.

    Args:
        job_name: The name of the job the plan runs.
        steps: The steps, in dependency order (templates of mapped ops included).
        selected_paths: The op paths an op selection chose. Defaults to None (every op).
        parent_run_id: The run a re-execution plan reuses outputs from. Defaults to None.

    Examples:
        >>> from orchestrator import ExecutionPlan, ExecutionStep
        >>> plan = ExecutionPlan(job_name="adding", steps=[
        ...     ExecutionStep(key="one", node_path="one"),
        ...     ExecutionStep(key="add_one", node_path="add_one", upstream=["one"])])
        >>> plan.downstream
        {'one': ['add_one'], 'add_one': []}
        >>> ExecutionPlan.model_validate_json(plan.model_dump_json()) == plan
        True
    """

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
    def depth_of(self) -> dict[str, int]:
        """Step key -> how many dynamic levels it runs once per element of."""
        return {s.key: s.depth for s in self.steps}

    @cached_property
    def templates_by_source(self) -> dict[str, list[ExecutionStep]]:
        """Dynamic output id -> the template steps that run once per element of it, directly or
        further in (an op mapped over an inner level is in its outer level's group too), in
        dependency order."""
        result: dict[str, list[ExecutionStep]] = {}
        for s in self.steps:
            if s.is_template:
                for level in s.levels:
                    result.setdefault(level.id, []).append(s)
        return result

    @cached_property
    def templates_by_source_step(self) -> dict[str, list[list[ExecutionStep]]]:
        """Planned step key -> the groups of templates its dynamic outputs open (one per output)."""
        result: dict[str, list[list[ExecutionStep]]] = {}
        for source_id, group in self.templates_by_source.items():
            source = next(level for level in group[0].levels if level.id == source_id)
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
        unselected = [d for d in flat.dynamic_chain if selected is not None and d.path not in selected]
        if unselected:  # its mapped steps could never be created
            level = unselected[0]
            raise DefinitionError(
                f"Op '{path}' of job '{job.name}' is selected but runs once per element of dynamic output "
                f"'{level.output}' of '{level.path}', which is not selected. Select '{level.path}' too: mapped "
                "steps exist only once the op that yields their dynamic output runs."
            )
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
        levels = [construct_ref(step_key=src.path, output_name=src.output, mapping_key=None)
                  for src in flat.dynamic_chain]
        steps.append(trusted(ExecutionStep,
            key=path, node_path=path, inputs=inputs, upstream=list(upstream),
            mapped_on=levels[-1] if levels else None, mapping_key=None, tags=flat.tags,
            map_levels=levels, resolved_keys=[],
        ))
    return ExecutionPlan.model_construct(
        job_name=job.name, steps=steps,
        selected_paths=sorted(selected) if selected is not None else None,
        parent_run_id=parent_run_id,
    )


def step_key_at(step_key: str, depth: int, keys: Sequence[str]) -> str:
    """The key of planned step ``step_key`` (``depth`` levels deep) once ``keys`` are known
    (outermost first; keys beyond its depth are ignored): the planned key while none is known,
    ``op[a,k]`` once all are, ``op[a,?]`` in between."""
    known = list(keys[:depth])
    if not known:
        return step_key
    return f"{step_key}[{KEY_SEPARATOR.join(known + [UNRESOLVED] * (depth - len(known)))}]"


def parse_step_key(step_key: str) -> tuple[str, list[str]]:
    """A step key's op path and the mapping keys in its bracket (``?`` for unresolved levels):
    ``work[a,?]`` -> ``("work", ["a", "?"])``; a planned key has none."""
    path, bracket, rest = step_key.partition("[")
    if not bracket or not rest.endswith("]"):
        return step_key, []
    return path, rest[:-1].split(KEY_SEPARATOR)


def mapped_key(step_key: str, mapping_key: str) -> str:
    """The key of an instance of template ``step_key`` one level further in: ``double`` ->
    ``double[k]``, ``work[a,?]`` -> ``work[a,k]``. A template collected is always exactly one level
    deeper than the step collecting it, so this is the key of one collected instance."""
    path, keys = parse_step_key(step_key)
    if UNRESOLVED not in keys:
        return f"{step_key}[{mapping_key}]"
    keys[keys.index(UNRESOLVED)] = mapping_key
    return f"{path}[{KEY_SEPARATOR.join(keys)}]"


def instantiate(plan: ExecutionPlan, template: ExecutionStep, keys: Sequence[str]) -> ExecutionStep:
    """Planned template ``template`` with the mapping keys ``keys`` of its outer levels known
    (outermost first): a mapped step when there is one per level, else a template still.

    Deterministic, so every process rebuilds the same step from the plan and its key. Each input
    from a level's dynamic output gets that level's key; every step referred to (upstream, inputs)
    is named as seen from these keys (``inner`` -> ``inner[a]``, a collected ``work`` -> ``work[a,?]``).
    """
    levels = template.levels
    position = {(level.step_key, level.output_name): i for i, level in enumerate(levels)}
    depth_of = plan.depth_of
    known = list(keys)

    def seen(step_key: str) -> str:
        return step_key_at(step_key, depth_of.get(step_key, 0), known)

    inputs = []
    for inp in template.inputs:
        refs = []
        for ref in inp.sources:
            level = position.get((ref.step_key, ref.output_name))
            key = known[level] if level is not None and level < len(known) else ref.mapping_key
            refs.append(trusted(OutputRef, step_key=seen(ref.step_key), output_name=ref.output_name, mapping_key=key))
        inputs.append(trusted(StepInput, name=inp.name, kind=inp.kind, sources=refs, value=inp.value))
    return trusted(ExecutionStep,
        key=step_key_at(template.key, len(levels), known), node_path=template.node_path, inputs=inputs,
        upstream=[seen(u) for u in template.upstream], mapped_on=template.mapped_on,
        mapping_key=KEY_SEPARATOR.join(known) if len(known) == len(levels) else None, tags=template.tags,
        map_levels=levels, resolved_keys=known,
    )


def expand_mapped(plan: ExecutionPlan, source: OutputRef, mapping_keys: Iterable[str]) -> list[ExecutionStep]:
    """What dynamic output ``source`` creates when it yields ``mapping_keys``: for each key, every
    template that runs once per element of it, one level further resolved (``op[k]`` steps; for
    ops mapped further in, templates such as ``work[a,?]``).

    ``source`` names the step that yielded it as it ran: ``emit`` (planned) or ``inner[a]`` (mapped).
    """
    path, outer_keys = parse_step_key(source.step_key)
    templates = plan.templates_by_source.get(OutputRef(step_key=path, output_name=source.output_name).id, [])
    return [instantiate(plan, t, [*outer_keys, k]) for k in mapping_keys for t in templates]


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


def widen_dynamic(plan: ExecutionPlan, paths: set[str]) -> set[str]:
    """Op paths to re-execute for ``paths``, widened to whole dynamic groups: a mapped op cannot run
    without the dynamic output it maps over, and a collect needs every element, so re-running any
    part of a map/collect re-runs the step that fans out (and every level it is nested in)."""
    result = set(paths)
    changed = True
    while changed:
        changed = False
        for step in plan.steps:
            if step.node_path not in result:
                continue
            extra: set[str] = set()
            if step.mapped_on is not None:
                extra.add(step.mapped_on.step_key)
            for inp in step.inputs:
                if inp.kind == "collect":
                    for ref in inp.sources:
                        up = plan.by_key.get(ref.step_key)
                        extra.add(ref.step_key)
                        if up is not None and up.mapped_on is not None:
                            extra.add(up.mapped_on.step_key)
            for s in plan.steps:
                if s.mapped_on is not None and s.mapped_on.step_key in result | extra:
                    extra.add(s.node_path)
            if not extra <= result:
                result |= extra
                changed = True
    return result
