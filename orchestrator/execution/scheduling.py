"""The one scheduling core: from a plan and each finished step, what happens next.

Every executor drives its runs through :class:`Scheduler`; the rules of what runs next are
written here and nowhere else:

- A step is *ready* once every step it waits on has a terminal status.
- A ready step runs when every input it needs was produced, with fan-in and collected inputs
  narrowed to what was produced; otherwise it is SKIPPED, with the reason (:func:`check_inputs`).
  A skipped step counts as finished, so the steps after it are decided in turn.
- A step that yields a dynamic output expands each template step mapped over it into one
  ``op[key]`` step per mapping key; the template itself ends SUCCESS (it has instances) or SKIPPED
  (none, or its source failed), and a step collecting it now waits on every instance instead.
  Mapping nests, and each level resolves the same way: a *mapped* step that yields a dynamic
  output (``inner[a]``) expands the templates of its element (``work[a,?]`` into ``work[a,k]``),
  and the steps collecting them within that element (``per_outer[a]``) then wait on those.
- The run is finished when no step is left unfinished, and failed when any step failed.

Where the state lives is a :class:`SchedulingStore`'s business: :class:`InMemoryState` for runs
coordinated by one process (``orchestrator.executors.local_run.LocalRun``), and a Redis store for
Celery runs (``orchestrator.distributed.run_state``),
whose ``apply`` is one atomic Lua call. A store only *counts*: it records an update exactly once
and returns the steps whose count of unfinished upstream steps reached zero. Every decision is
made here, in Python, on typed data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from orchestrator.events import RunEvent
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.plan.planner import (
    UNRESOLVED,
    ExecutionPlan,
    ExecutionStep,
    OutputRef,
    StepInput,
    expand_mapped,
    instantiate,
    mapped_key,
    parse_step_key,
    step_key_at,
)
from orchestrator.status import StepStatus

__all__ = [
    "StepStatus", "NewStep", "ResolvedTemplate", "StepUpdate", "Applied", "Skip", "Decision",
    "SchedulingStore", "StateView", "InMemoryState", "Scheduler",
    "check_inputs", "collect_source", "mapped_step", "initial_counts",
]


# -- the data that flows between the core and a store -------------------------------------------
@dataclass(frozen=True, slots=True)
class NewStep:
    """A mapped step that a dynamic output just created, and the steps it waits on.

    A template created for an outer element (``work[a,?]``) waits on itself: no count releases it,
    only its dynamic source resolves it (a :class:`ResolvedTemplate`), as for a planned template.
    """

    key: str
    upstream: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResolvedTemplate:
    """A template step whose dynamic output is now known: its terminal status, its ``op[key]``
    instances, and the (non-template) steps that collect it and so wait on every instance."""

    key: str
    status: StepStatus
    collectors: tuple[str, ...]
    instances: tuple[str, ...]


@dataclass(slots=True)
class StepUpdate:
    """One finished step, as a store must record it (atomically, exactly once)."""

    step_key: str
    status: StepStatus
    outputs: list[str] = field(default_factory=list)
    dynamic: dict[str, list[str]] = field(default_factory=dict)
    new_steps: list[NewStep] = field(default_factory=list)
    templates: list[ResolvedTemplate] = field(default_factory=list)
    events: list[RunEvent] = field(default_factory=list)
    #: The step's start was not recorded on its own (a short step): record it with its end.
    started: bool = False
    #: Steps this update makes ready that will run as planned: their one upstream step is this
    #: one, and it produced what they need. A store may publish them atomically with the update
    #: (``Applied.published``); the decision to run them is still made after, here, as for any.
    certain: list[ExecutionStep] = field(default_factory=list)

    @property
    def remaining_delta(self) -> int:
        """How the count of unfinished steps changes: this step ends, new steps join, templates end."""
        return len(self.new_steps) - len(self.templates) - 1


@dataclass(slots=True)
class Applied:
    """What a store answered: a repeated update (ignored), or the steps now ready and what remains."""

    duplicate: bool
    ready: list[str] = field(default_factory=list)
    remaining: int = -1
    failed: bool = False
    #: The run was closed meanwhile (canceled, or failed as stalled): schedule nothing more.
    run_closed: bool = False
    #: Of ``ready``, the steps of ``StepUpdate.certain`` the store published with the update.
    published: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skip:
    """A step that will not run, and why: SKIPPED (an input was not yielded) or ABANDONED (a step it
    needs failed, directly or further up)."""

    step_key: str
    reason: str
    status: StepStatus = StepStatus.SKIPPED


@dataclass(slots=True)
class Decision:
    """What the core decided after a completion (or at the start of a run)."""

    #: Steps to run now, with fan-in and collected inputs narrowed to what was produced.
    to_run: list[ExecutionStep] = field(default_factory=list)
    #: Keys of the steps in ``to_run`` whose inputs were narrowed (they differ from the plan).
    narrowed: list[str] = field(default_factory=list)
    #: Steps that will not run (already recorded as SKIPPED in the store), in order.
    skipped: list[Skip] = field(default_factory=list)
    #: The completion had been recorded before (a task delivered twice): nothing was done.
    duplicate: bool = False
    #: Whether no step is left unfinished; exactly one completion of a run sees this.
    finished: bool = False
    failed: bool = False
    run_closed: bool = False
    #: Keys of steps in ``to_run`` that the store published already (with the completion).
    published: list[str] = field(default_factory=list)


class StateView(Protocol):
    """What input checks read of a run: produced outputs, step statuses, dynamic mapping keys."""

    plan: ExecutionPlan

    def is_produced(self, ref: OutputRef) -> bool: ...

    def status_of(self, step_key: str) -> StepStatus | None: ...

    def mapping_keys(self, source: OutputRef) -> list[str]: ...


class SchedulingStore(StateView, Protocol):
    """Where a run's scheduling state lives. It counts; :class:`Scheduler` decides."""

    def apply(self, update: StepUpdate) -> Applied:
        """Record ``update`` atomically and exactly once; return the steps whose count of
        unfinished upstream steps reached zero."""
        ...

    def prefetch(self, steps: Sequence[ExecutionStep]) -> None:
        """Make the view able to answer what ``check_inputs`` will ask about ``steps``."""
        ...

    def successors(self, step_key: str) -> list[str] | None:
        """The plan's steps waiting on ``step_key``, when this store can publish steps atomically
        with the update that makes them ready (``StepUpdate.certain``); None when it cannot."""
        ...


def initial_counts(plan: ExecutionPlan) -> tuple[dict[str, int], dict[str, list[str]]]:
    """A new run's state: step -> number of upstream steps, and step -> the non-template steps
    waiting on it. Templates are counted but never released by a count: their dynamic source
    resolves them."""
    pending = {s.key: len(s.upstream) for s in plan.steps}
    down: dict[str, list[str]] = {}
    for s in plan.steps:
        if s.is_template:
            continue
        for up in s.upstream:
            down.setdefault(up, []).append(s.key)
    return pending, down


class InMemoryState:
    """A run's scheduling state in this process's memory (in-process and multiprocess executors).

    ``apply`` follows the same counting as the Redis store's ``complete.lua``, step for step.
    Events in updates are the caller's to emit (executors emit as steps run).
    """

    def __init__(self, plan: ExecutionPlan) -> None:
        self.plan = plan
        self.pending, self.down = initial_counts(plan)
        self.status: dict[str, StepStatus] = {}
        self.produced: set[str] = set()
        self.dyn: dict[str, list[str]] = {}
        self.remaining = len(plan.steps)
        self.failed = False

    def apply(self, update: StepUpdate) -> Applied:
        key = update.step_key
        if key in self.status:
            return Applied(duplicate=True)
        status = self.status
        status[key] = update.status
        if update.status is StepStatus.FAILURE:
            self.failed = True
        self.produced.update(update.outputs)
        self.dyn.update(update.dynamic)
        ready: list[str] = []
        pending, down = self.pending, self.down
        for new in update.new_steps:
            waiting = 0
            for up in new.upstream:
                if up not in status:
                    waiting += 1
                    down.setdefault(up, []).append(new.key)
            pending[new.key] = waiting
            if waiting == 0:
                ready.append(new.key)
        for template in update.templates:
            status[template.key] = template.status
            for collector in template.collectors:
                unfinished = [i for i in template.instances if i not in status]
                for instance in unfinished:
                    down.setdefault(instance, []).append(collector)
                pending[collector] += len(unfinished) - 1
                if pending[collector] == 0:
                    ready.append(collector)
        for waiting_key in down.get(key, ()):
            pending[waiting_key] -= 1
            if pending[waiting_key] == 0:
                ready.append(waiting_key)
        self.remaining += update.remaining_delta
        return Applied(duplicate=False, ready=ready, remaining=self.remaining, failed=self.failed)

    def prefetch(self, steps: Sequence[ExecutionStep]) -> None:
        return None  # everything is here already

    def successors(self, step_key: str) -> list[str] | None:
        return None  # its executor runs what is ready itself

    def is_produced(self, ref: OutputRef) -> bool:
        return ref.id in self.produced

    def status_of(self, step_key: str) -> StepStatus | None:
        return self.status.get(step_key)

    def mapping_keys(self, source: OutputRef) -> list[str]:
        return self.dyn.get(source.id, [])

    def unfinished(self) -> list[str]:
        """Steps known to the run (mapped ones included) that have no terminal status yet."""
        return [k for k in self.pending if k not in self.status]


class Scheduler:
    """Drives one run's steps over a store: call :meth:`start` once, then :meth:`complete` for
    every finished step; each returns the :class:`Decision` of what to run next."""

    def __init__(self, plan: ExecutionPlan, store: SchedulingStore, lifecycle: Lifecycle) -> None:
        self.plan = plan
        self.store = store
        self.lifecycle = lifecycle
        self._expanded: dict[str, ExecutionStep] = {}

    def start(self) -> Decision:
        """The steps with no upstream step (skipping any whose inputs cannot be satisfied)."""
        decision = Decision()
        roots = [s for s in self.plan.steps if not s.upstream and not s.is_template]
        self._drain(self._decide(roots, decision), decision)
        return decision

    def complete(self, step_key: str, status: StepStatus, outputs: Sequence[OutputRef] = (),
                 events: Iterable[RunEvent] = (), started: bool = False) -> Decision:
        """Record that ``step_key`` finished with ``status`` having stored ``outputs``; ``events``
        are recorded with it (atomically, where the store can)."""
        decision = Decision()
        update = self._update(step_key, status, outputs, list(events), started, decision)
        update.certain = self._certain(update)
        applied = self.store.apply(update)
        if applied.duplicate:
            decision.duplicate = True
            return decision
        self._absorb(applied, decision)
        decision.published = list(applied.published)
        if not applied.run_closed:
            self._drain(self._decide(self._steps(applied.ready), decision), decision)
        return decision

    def step(self, step_key: str) -> ExecutionStep | None:
        """The step behind a key: planned, or a mapped instance (rebuilt from its template)."""
        return self._expanded.get(step_key) or mapped_step(self.plan, step_key)

    # -- internals ---------------------------------------------------------------------------
    def _certain(self, update: StepUpdate) -> list[ExecutionStep]:
        """The steps ``update`` makes ready whose input checks it alone decides, and which run as
        planned (see ``StepUpdate.certain``): only for a store that can publish them with it."""
        if update.status is not StepStatus.SUCCESS:
            return []
        planned = self.store.successors(update.step_key)
        if planned is None:
            return []
        own = (update.step_key,)
        keys = [*planned, *(n.key for n in update.new_steps if n.upstream == own)]
        view = _Finished(self.plan, update)
        certain = []
        for key in keys:
            step = self.step(key)
            if step is None or step.is_template or tuple(step.upstream) != own:
                continue
            if all(inp.kind in ("from_output", "nothing") for inp in step.inputs) and check_inputs(step, view) is step:
                certain.append(step)
        return certain

    def _drain(self, skipped: list[Skip], decision: Decision) -> None:
        """Record skipped steps as finished; the steps that become ready are decided in turn."""
        queue = list(skipped)
        while queue and not decision.run_closed:
            skip = queue.pop(0)
            update = self._update(skip.step_key, skip.status, (),
                                  [self.lifecycle.step_skipped(skip.step_key, skip.reason)], False, decision)
            applied = self.store.apply(update)
            if applied.duplicate:
                continue
            self._absorb(applied, decision)
            if not applied.run_closed:
                queue.extend(self._decide(self._steps(applied.ready), decision))

    @staticmethod
    def _absorb(applied: Applied, decision: Decision) -> None:
        decision.finished = applied.remaining == 0
        decision.failed = applied.failed
        decision.run_closed = decision.run_closed or applied.run_closed

    def _decide(self, steps: list[ExecutionStep], decision: Decision) -> list[Skip]:
        """Run or skip each ready step; returns the new skips (also added to the decision)."""
        if not steps:
            return []
        self.store.prefetch(steps)
        skipped: list[Skip] = []
        for step in steps:
            resolved = check_inputs(step, self.store)
            if isinstance(resolved, Skip):
                skipped.append(resolved)
                decision.skipped.append(resolved)
                continue
            if resolved is not step:
                decision.narrowed.append(resolved.key)
            decision.to_run.append(resolved)
        return skipped

    def _steps(self, keys: list[str]) -> list[ExecutionStep]:
        steps = []
        for key in keys:
            step = self.step(key)
            if step is None:  # a store answering a key the plan cannot explain is a bug
                raise RuntimeError(f"The scheduling state of job '{self.plan.job_name}' names step '{key}', "
                                   "which its plan does not have.")
            steps.append(step)
        return steps

    def _update(self, step_key: str, status: StepStatus, outputs: Sequence[OutputRef], events: list[RunEvent],
                started: bool, decision: Decision) -> StepUpdate:
        """The update for a finished step, with the expansion its dynamic outputs cause."""
        update = StepUpdate(step_key, status, [r.id for r in outputs], events=events, started=started)
        for ref in outputs:
            if ref.mapping_key is not None:
                source_id = OutputRef(step_key=ref.step_key, output_name=ref.output_name).id
                update.dynamic.setdefault(source_id, []).append(ref.mapping_key)
        # The templates this step's dynamic outputs open; for a mapped step (inner[a]), those of
        # its element: its mapping keys are the outer levels' keys of what it creates.
        path, prefix = parse_step_key(step_key)
        level = len(prefix)
        for group in self.plan.templates_by_source_step.get(path, ()):
            source = OutputRef(step_key=step_key, output_name=group[0].levels[level].output_name)
            keys = update.dynamic.get(source.id, []) if status is StepStatus.SUCCESS else []
            # The template inherits why it has no instances: its source failed, or yielded none.
            none_status = StepStatus.ABANDONED if status.failed_upstream else StepStatus.SKIPPED
            for new in expand_mapped(self.plan, source, keys):
                self._expanded[new.key] = new
                update.new_steps.append(NewStep(new.key, (new.key,) if new.is_template else tuple(new.upstream)))
            for template in group:
                resolved = step_key_at(template.key, template.depth, prefix)
                instances = tuple(step_key_at(template.key, template.depth, [*prefix, k]) for k in keys)
                # Who collects it within this element: the steps at this level that wait on it.
                collectors = tuple(step_key_at(d, level, prefix) for d in self.plan.downstream.get(template.key, ())
                                   if self.plan.depth_of[d] == level)
                resolved_status = StepStatus.SUCCESS if instances else none_status
                update.templates.append(ResolvedTemplate(resolved, resolved_status, collectors, instances))
                if not instances:
                    if status is StepStatus.SUCCESS:
                        why = "no dynamic outputs"
                    elif status is StepStatus.ABANDONED:
                        why = f"upstream step '{step_key}' did not run because a step it needs failed"
                    else:
                        why = f"upstream step '{step_key}' {status.value}"
                    skip = Skip(resolved, f"Skipped: {why}.", none_status)
                    decision.skipped.append(skip)
                    update.events.append(self.lifecycle.step_skipped(skip.step_key, skip.reason))
        return update


class _Finished:
    """What input checks see of a step that depends on one step only, once that step's update is
    recorded (all they ask is that step's status and what it produced)."""

    def __init__(self, plan: ExecutionPlan, update: StepUpdate) -> None:
        self.plan = plan
        self.update = update
        self.produced = set(update.outputs)

    def is_produced(self, ref: OutputRef) -> bool:
        return ref.id in self.produced

    def status_of(self, step_key: str) -> StepStatus | None:
        return self.update.status if step_key == self.update.step_key else None

    def mapping_keys(self, source: OutputRef) -> list[str]:
        return self.update.dynamic.get(source.id, [])


# -- input checks: run a ready step, or skip it ----------------------------------------------
def collect_source(plan: ExecutionPlan, ref: OutputRef) -> tuple[OutputRef, bool]:
    """The dynamic output behind a collected ref, and whether the ref names a template (its
    instances are collected) rather than a dynamic output (its elements are).

    A template may be planned (``double``: the source is ``emit.result``) or resolved for an outer
    element (``work[a,?]``: the source is ``inner[a].result``).
    """
    path, keys = parse_step_key(ref.step_key)
    template = plan.by_key.get(path)
    if template is not None and template.mapped_on is not None and (not keys or UNRESOLVED in keys):
        known = [k for k in keys if k != UNRESOLVED]
        source = template.mapped_on
        return OutputRef(step_key=step_key_at(source.step_key, template.depth - 1, known),
                         output_name=source.output_name), True
    return OutputRef(step_key=ref.step_key, output_name=ref.output_name), False


def check_inputs(step: ExecutionStep, view: StateView) -> ExecutionStep | Skip:
    """Decide a step whose upstream steps are all finished: run it (with fan-in and collect sources
    narrowed to what was produced) or skip it (with the reason, and whether a failure caused it)."""
    narrowed: dict[int, list[OutputRef]] = {}
    for i, inp in enumerate(step.inputs):
        if inp.kind in ("from_output", "nothing"):
            for ref in inp.sources:
                if not view.is_produced(ref):
                    return _not_produced(step, inp, ref, view.status_of(ref.step_key))
        elif inp.kind == "fan_in":
            for ref in inp.sources:
                upstream = view.status_of(ref.step_key)
                if upstream is not None and upstream.failed_upstream:
                    how = "failed" if upstream is StepStatus.FAILURE else "did not run because a step it needs failed"
                    return Skip(step.key, f"Skipped: upstream step '{ref.step_key}' of fan-in input '{inp.name}' "
                                          f"{how}.", StepStatus.ABANDONED)
            available = [r for r in inp.sources if view.is_produced(r)]
            if inp.sources and not available:
                return Skip(step.key, f"Skipped: no upstream output of fan-in input '{inp.name}' was produced.")
            if len(available) != len(inp.sources):
                narrowed[i] = available
        elif inp.kind == "collect":
            source, is_template = collect_source(view.plan, inp.sources[0])
            source_status = view.status_of(source.step_key)
            if source_status is not StepStatus.SUCCESS:
                return Skip(step.key, f"Skipped: dynamic step '{source.step_key}' for collected input '{inp.name}' "
                                      "did not succeed.", _passed_on(source_status))
            keys = view.mapping_keys(source)
            if is_template:
                ref = inp.sources[0]
                refs = [OutputRef(step_key=mapped_key(ref.step_key, k), output_name=ref.output_name) for k in keys]
                for r in refs:
                    instance_status = view.status_of(r.step_key)
                    if instance_status is not None and instance_status.failed_upstream:
                        how = "failed" if instance_status is StepStatus.FAILURE else "did not run because a step it needs failed"
                        return Skip(step.key, f"Skipped: mapped step '{r.step_key}' collected by input '{inp.name}' "
                                              f"{how}.", StepStatus.ABANDONED)
                narrowed[i] = [r for r in refs if view.is_produced(r)]
            else:
                narrowed[i] = [OutputRef(step_key=source.step_key, output_name=source.output_name, mapping_key=k)
                               for k in keys]
    if not narrowed:
        return step
    inputs = [inp.model_copy(update={"sources": narrowed[i]}) if i in narrowed else inp
              for i, inp in enumerate(step.inputs)]
    return step.model_copy(update={"inputs": inputs})


def _passed_on(upstream: StepStatus | None) -> StepStatus:
    """How a step that cannot run because of ``upstream`` ends: a failure is passed on."""
    return StepStatus.ABANDONED if upstream is not None and upstream.failed_upstream else StepStatus.SKIPPED


def _not_produced(step: ExecutionStep, inp: StepInput, ref: OutputRef, upstream: StepStatus | None) -> Skip:
    if upstream is StepStatus.SUCCESS:
        return Skip(step.key, f"Skipped: input '{inp.name}' needs output '{ref.output_name}' of '{ref.step_key}', "
                              "which it did not yield.")
    if upstream is StepStatus.ABANDONED:
        how = "did not run because a step it needs failed"
    else:
        how = upstream.value if upstream is not None else "did not run"
    return Skip(step.key, f"Skipped: upstream step '{ref.step_key}' {how}.", _passed_on(upstream))


def mapped_step(plan: ExecutionPlan, step_key: str) -> ExecutionStep | None:
    """A step as the plan defines it, mapped steps (``op[k]``, nested ``op[a,k]``) rebuilt from
    their template; None for a template or an unknown key.

    Expanding a template for its keys is deterministic, so every process rebuilds the same step.
    """
    planned = plan.by_key.get(step_key)
    if planned is not None:
        return None if planned.is_template else planned
    path, keys = parse_step_key(step_key)
    template = plan.by_key.get(path)
    if template is None or not template.is_template or len(keys) != template.depth or UNRESOLVED in keys:
        return None
    step = instantiate(plan, template, keys)
    return step if step.key == step_key else None
