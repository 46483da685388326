"""Which steps may run next: dependency counting, skip propagation and dynamic expansion.

Pure bookkeeping over an :class:`ExecutionPlan`, shared by the local executors. A step becomes
ready when every upstream step is finished; it then runs, or is skipped when an input it needs
was never produced (an upstream failure, skip, or an optional output not yielded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .planner import ExecutionPlan, ExecutionStep, OutputRef, StepInput, expand_mapped, mapped_key

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
        step = self.steps[step_key]
        if not step.mapped_on:
            self._expand_templates(step_key, outcome, ready)
        for down in self.downstream.get(step_key, []):
            if self.steps[down].is_template:
                continue
            waiting = self.pending[down]
            waiting.discard(step_key)
            if not waiting and down not in self.status:
                self._evaluate(down, ready)

    def _expand_templates(self, step_key: str, outcome: StepOutcome, ready: list[ExecutionStep]) -> None:
        step = self.steps[step_key]
        for templates in self.plan.templates_by_source.values():
            source = templates[0].mapped_on
            assert source is not None
            if source.step_key != step.key:
                continue
            keys = self.dynamic_keys.get(source.id, []) if outcome.status == "success" else []
            new_steps = expand_mapped(self.plan, source, keys)
            for new in new_steps:
                self.steps[new.key] = new
                self.pending[new.key] = {u for u in new.upstream if u not in self.status}
                for up in new.upstream:
                    self.downstream.setdefault(up, []).append(new.key)
            for template in templates:
                instances = [mapped_key(template.key, k) for k in keys]
                for down in self.plan.downstream.get(template.key, []):
                    if self.steps[down].is_template:
                        continue
                    waiting = self.pending[down]
                    waiting.discard(template.key)
                    for inst in instances:
                        if inst not in self.status:
                            waiting.add(inst)
                            self.downstream.setdefault(inst, []).append(down)
                reason = "no dynamic outputs" if outcome.status == "success" else f"upstream step '{step_key}' {outcome.status}"
                self.status[template.key] = "success" if instances else "skipped"
                if not instances:
                    self.skipped.append(Skip(template.key, f"Skipped: {reason}."))
            for new in new_steps:
                if not self.pending[new.key]:
                    self._evaluate(new.key, ready)
            for template in templates:
                for down in self.plan.downstream.get(template.key, []):
                    if not self.steps[down].is_template and not self.pending[down] and down not in self.status:
                        self._evaluate(down, ready)

    def _evaluate(self, step_key: str, ready: list[ExecutionStep]) -> None:
        step = self.steps[step_key]
        reason = self._missing_input(step)
        if reason is None:
            resolved = self._resolve_collects(step)
            self.steps[step_key] = resolved
            ready.append(resolved)
            return
        self.skipped.append(Skip(step_key, reason))
        self._finish(step_key, StepOutcome("skipped"), ready)

    def _available(self, ref: OutputRef) -> bool:
        return ref.id in self.produced

    def _missing_input(self, step: ExecutionStep) -> str | None:
        for inp in step.inputs:
            if inp.kind in ("from_output", "nothing"):
                for ref in inp.sources:
                    if not self._available(ref):
                        return self._why(step, inp, ref)
            elif inp.kind == "fan_in":
                if inp.sources and not any(self._available(r) for r in inp.sources):
                    return f"Skipped: no upstream output of fan-in input '{inp.name}' was produced."
            elif inp.kind == "collect":
                root = self._collect_root(inp.sources[0])
                if self.status.get(root) != "success":
                    return f"Skipped: dynamic step '{root}' for collected input '{inp.name}' did not succeed."
        return None

    def _why(self, step: ExecutionStep, inp: StepInput, ref: OutputRef) -> str:
        up = self.status.get(ref.step_key)
        if up == "success":
            return (f"Skipped: input '{inp.name}' needs output '{ref.output_name}' of '{ref.step_key}', "
                    "which it did not yield.")
        return f"Skipped: upstream step '{ref.step_key}' {up or 'did not run'}."

    def _collect_root(self, ref: OutputRef) -> str:
        step = self.plan.by_key.get(ref.step_key)
        if step is not None and step.mapped_on is not None:
            return step.mapped_on.step_key
        return ref.step_key

    def _resolve_collects(self, step: ExecutionStep) -> ExecutionStep:
        if not any(inp.kind == "collect" for inp in step.inputs):
            return step
        inputs: list[StepInput] = []
        for inp in step.inputs:
            if inp.kind != "collect":
                inputs.append(inp)
                continue
            inputs.append(inp.model_copy(update={"sources": list(self._collected_refs(inp.sources[0]))}))
        return step.model_copy(update={"inputs": inputs})

    def _collected_refs(self, ref: OutputRef) -> Iterable[OutputRef]:
        template = self.plan.by_key.get(ref.step_key)
        if template is not None and template.mapped_on is not None:
            keys = self.dynamic_keys.get(template.mapped_on.id, [])
            for k in keys:
                concrete = OutputRef(step_key=mapped_key(ref.step_key, k), output_name=ref.output_name)
                if self._available(concrete):
                    yield concrete
            return
        for k in self.dynamic_keys.get(ref.id, []):
            yield OutputRef(step_key=ref.step_key, output_name=ref.output_name, mapping_key=k)
