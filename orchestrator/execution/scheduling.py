"""Which steps may run next: dependency counting, skip propagation and dynamic expansion.

Pure bookkeeping over an :class:`ExecutionPlan`, shared by the local executors. A step becomes
ready when every upstream step is finished; it then runs, or is skipped when an input it needs
was never produced (an upstream failure, skip, or an optional output not yielded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from orchestrator.plan.planner import ExecutionPlan, ExecutionStep, OutputRef, StepInput, expand_mapped, mapped_key

StepStatus = Literal["success", "failure", "skipped"]


@dataclass
class StepOutcome:
    """What a finished step reports back: its status and the outputs it stored."""

    status: StepStatus
    outputs: list[OutputRef] = field(default_factory=list)


@dataclass
class Skip:
    """A step that will not run, and why."""

    step_key: str
    reason: str


class RunState:
    """Tracks one run's steps. ``start()`` and ``complete()`` return the steps now ready to run."""

    def __init__(self, plan: ExecutionPlan) -> None:
        self.plan = plan
        self.steps: dict[str, ExecutionStep] = dict(plan.by_key)
        self.pending: dict[str, set[str]] = {s.key: set(s.upstream) for s in plan.steps}
        self.downstream: dict[str, list[str]] = {k: list(v) for k, v in plan.downstream.items()}
        self.status: dict[str, StepStatus] = {}
        self.produced: set[str] = set()
        self.dynamic_keys: dict[str, list[str]] = {}
        self.skipped: list[Skip] = []

    # -- public ------------------------------------------------------------------------------
    def start(self) -> list[ExecutionStep]:
        """Steps with no upstream, ready at the start of the run."""
        ready: list[ExecutionStep] = []
        for step in self.plan.steps:
            if not step.upstream and not step.is_template:
                self._evaluate(step.key, ready)
        return ready

    def complete(self, step_key: str, outcome: StepOutcome) -> list[ExecutionStep]:
        """Record a finished step; return the steps that became ready because of it."""
        ready: list[ExecutionStep] = []
        self._finish(step_key, outcome, ready)
        return ready

    def take_skipped(self) -> list[Skip]:
        """Steps skipped since the last call (to emit STEP_SKIPPED events for)."""
        skipped, self.skipped = self.skipped, []
        return skipped

    @property
    def failed(self) -> bool:
        return any(s == "failure" for s in self.status.values())

    def is_finished(self) -> bool:
        return all(k in self.status for k in self.steps)

    def unfinished(self) -> list[str]:
        return [k for k in self.steps if k not in self.status]

    # -- internals ---------------------------------------------------------------------------
    def _finish(self, step_key: str, outcome: StepOutcome, ready: list[ExecutionStep]) -> None:
        self.status[step_key] = outcome.status
        for ref in outcome.outputs:
            self.produced.add(ref.id)
            if ref.mapping_key is not None:
                base = OutputRef(step_key=ref.step_key, output_name=ref.output_name).id
                self.dynamic_keys.setdefault(base, []).append(ref.mapping_key)
        waiting_on_this = list(self.downstream.get(step_key, []))
        if not self.steps[step_key].mapped_on:
            self._expand_templates(step_key, outcome, ready)
        for down in waiting_on_this:
            if self.steps[down].is_template:
                continue
            waiting = self.pending[down]
            waiting.discard(step_key)
            if not waiting and down not in self.status:
                self._evaluate(down, ready)

    def _expand_templates(self, step_key: str, outcome: StepOutcome, ready: list[ExecutionStep]) -> None:
        for templates in self.plan.templates_by_source.values():
            source = templates[0].mapped_on
            assert source is not None
            if source.step_key != step_key:
                continue
            keys = self.dynamic_keys.get(source.id, []) if outcome.status == "success" else []
            new_steps = expand_mapped(self.plan, source, keys)
            for new in new_steps:
                self.steps[new.key] = new
                self.pending[new.key] = {u for u in new.upstream if u not in self.status}
                for up in self.pending[new.key]:
                    self.downstream.setdefault(up, []).append(new.key)
            collectors: list[str] = []
            for template in templates:
                instances = [mapped_key(template.key, k) for k in keys]
                for down in self.plan.downstream.get(template.key, []):
                    if self.steps[down].is_template:
                        continue
                    collectors.append(down)
                    waiting = self.pending[down]
                    waiting.discard(template.key)
                    for inst in instances:
                        if inst not in self.status:
                            waiting.add(inst)
                            self.downstream.setdefault(inst, []).append(down)
                self.status[template.key] = "success" if instances else "skipped"
                if not instances:
                    reason = ("no dynamic outputs" if outcome.status == "success"
                              else f"upstream step '{step_key}' {outcome.status}")
                    self.skipped.append(Skip(template.key, f"Skipped: {reason}."))
            for new in new_steps:
                if not self.pending[new.key] and new.key not in self.status:
                    self._evaluate(new.key, ready)
            for down in dict.fromkeys(collectors):
                if not self.pending[down] and down not in self.status:
                    self._evaluate(down, ready)

    def _evaluate(self, step_key: str, ready: list[ExecutionStep]) -> None:
        resolved, reason = check_inputs(self.steps[step_key], self)
        if resolved is not None:
            self.steps[step_key] = resolved
            ready.append(resolved)
            return
        self.skipped.append(Skip(step_key, str(reason)))
        self._finish(step_key, StepOutcome("skipped"), ready)

    # -- the view check_inputs reads ---------------------------------------------------------
    def is_produced(self, ref: OutputRef) -> bool:
        return ref.id in self.produced

    def status_of(self, step_key: str) -> str | None:
        return self.status.get(step_key)

    def mapping_keys(self, source: OutputRef) -> list[str]:
        return self.dynamic_keys.get(source.id, [])


class StateView(Protocol):
    """What input checks need to know of a run: produced outputs, step statuses, dynamic keys."""

    plan: ExecutionPlan

    def is_produced(self, ref: OutputRef) -> bool: ...

    def status_of(self, step_key: str) -> str | None: ...

    def mapping_keys(self, source: OutputRef) -> list[str]: ...


def collect_source(plan: ExecutionPlan, ref: OutputRef) -> tuple[OutputRef, bool]:
    """The dynamic output behind a collected ref, and whether the ref names a mapped (template) step."""
    step = plan.by_key.get(ref.step_key)
    if step is not None and step.mapped_on is not None:
        return step.mapped_on, True
    return OutputRef(step_key=ref.step_key, output_name=ref.output_name), False


def check_inputs(step: ExecutionStep, view: StateView) -> tuple[ExecutionStep | None, str | None]:
    """Decide a step whose upstream steps are all finished: run it (with fan-in and collect sources
    narrowed to what was produced) or skip it (with the reason)."""
    narrowed: dict[int, list[OutputRef]] = {}
    for i, inp in enumerate(step.inputs):
        if inp.kind in ("from_output", "nothing"):
            for ref in inp.sources:
                if not view.is_produced(ref):
                    return None, _why(inp, ref, view.status_of(ref.step_key))
        elif inp.kind == "fan_in":
            for ref in inp.sources:
                if view.status_of(ref.step_key) == "failure":
                    return None, f"Skipped: upstream step '{ref.step_key}' of fan-in input '{inp.name}' failed."
            available = [r for r in inp.sources if view.is_produced(r)]
            if inp.sources and not available:
                return None, f"Skipped: no upstream output of fan-in input '{inp.name}' was produced."
            if len(available) != len(inp.sources):
                narrowed[i] = available
        elif inp.kind == "collect":
            source, is_template = collect_source(view.plan, inp.sources[0])
            if view.status_of(source.step_key) != "success":
                return None, f"Skipped: dynamic step '{source.step_key}' for collected input '{inp.name}' did not succeed."
            keys = view.mapping_keys(source)
            if is_template:
                ref = inp.sources[0]
                refs = [OutputRef(step_key=mapped_key(ref.step_key, k), output_name=ref.output_name) for k in keys]
                failed = [r.step_key for r in refs if view.status_of(r.step_key) == "failure"]
                if failed:
                    return None, f"Skipped: mapped step '{failed[0]}' collected by input '{inp.name}' failed."
                narrowed[i] = [r for r in refs if view.is_produced(r)]
            else:
                narrowed[i] = [OutputRef(step_key=source.step_key, output_name=source.output_name, mapping_key=k)
                               for k in keys]
    if not narrowed:
        return step, None
    inputs = [inp.model_copy(update={"sources": narrowed[i]}) if i in narrowed else inp
              for i, inp in enumerate(step.inputs)]
    return step.model_copy(update={"inputs": inputs}), None


def _why(inp: StepInput, ref: OutputRef, upstream_status: str | None) -> str:
    if upstream_status == "success":
        return (f"Skipped: input '{inp.name}' needs output '{ref.output_name}' of '{ref.step_key}', "
                "which it did not yield.")
    return f"Skipped: upstream step '{ref.step_key}' {upstream_status or 'did not run'}."
