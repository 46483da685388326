"""A distributed run's scheduling state as the scheduling core sees it from one process.

The state lives in Redis; ``apply`` is one atomic script call (``lua/complete.lua``). What input
checks read comes from what this process already knows (the step it just finished) and, for the
rest, from one or two pipelined round trips made before the checks (``prefetch``). Facts are
only ever added, never changed (a step's terminal status, a stored output, a dynamic output's
keys), so what is known stays true; one instance serves one completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from orchestrator.execution.scheduling import Applied, StepUpdate, collect_source
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep, OutputRef, mapped_key
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.distributed.run_storage import RunStorage

__all__ = ["RedisRunState"]


class RedisRunState:
    """The :class:`~orchestrator.execution.scheduling.SchedulingStore` of a Celery run."""

    def __init__(self, storage: RunStorage, run_id: str, plan: ExecutionPlan) -> None:
        self.storage = storage
        self.run_id = run_id
        self.plan = plan
        self.produced: set[str] = set()
        self.statuses: dict[str, StepStatus | None] = {}
        self.dyn: dict[str, list[str]] = {}

    def apply(self, update: StepUpdate) -> Applied:
        applied = self.storage.complete(self.run_id, update)
        if not applied.duplicate:
            self.statuses[update.step_key] = update.status
            self.produced.update(update.outputs)
            self.dyn.update(update.dynamic)
            for template in update.templates:
                self.statuses[template.key] = template.status
        return applied

    # -- the view input checks read ------------------------------------------------------------
    def is_produced(self, ref: OutputRef) -> bool:
        return ref.id in self.produced

    def status_of(self, step_key: str) -> StepStatus | None:
        return self.statuses.get(step_key)

    def mapping_keys(self, source: OutputRef) -> list[str]:
        return self.dyn.get(source.id, [])

    def prefetch(self, steps: Sequence[ExecutionStep]) -> None:
        """Fetch, in one or two round trips, what the input checks of ``steps`` need that this
        process does not know yet."""
        outputs: dict[str, None] = {}
        statuses: dict[str, None] = {}
        dynamic: dict[str, None] = {}
        for step in steps:
            for inp in step.inputs:
                if inp.kind in ("from_output", "nothing", "fan_in"):
                    for ref in inp.sources:
                        if ref.id not in self.produced:
                            outputs[ref.id] = None
                        if inp.kind == "fan_in" or ref.id not in self.produced:
                            statuses[ref.step_key] = None
                elif inp.kind == "collect":
                    source, _is_template = collect_source(self.plan, inp.sources[0])
                    statuses[source.step_key] = None
                    if source.id not in self.dyn:
                        dynamic[source.id] = None
        self._learn(list(outputs), [k for k in statuses if k not in self.statuses], list(dynamic))
        self._prefetch_collected(steps)

    def _prefetch_collected(self, steps: Sequence[ExecutionStep]) -> None:
        """For collects over mapped steps: the status and outputs of every mapped instance."""
        refs: list[OutputRef] = []
        for step in steps:
            for inp in step.inputs:
                if inp.kind != "collect":
                    continue
                source, is_template = collect_source(self.plan, inp.sources[0])
                if not is_template:
                    continue
                ref = inp.sources[0]
                refs += [OutputRef(step_key=mapped_key(ref.step_key, k), output_name=ref.output_name)
                         for k in self.dyn.get(source.id, [])]
        unknown = [r for r in refs if r.id not in self.produced or r.step_key not in self.statuses]
        self._learn([r.id for r in unknown], [r.step_key for r in unknown if r.step_key not in self.statuses], [])

    def _learn(self, outputs: list[str], step_keys: list[str], dynamic: list[str]) -> None:
        if not outputs and not step_keys and not dynamic:
            return
        facts = self.storage.scheduling_facts(self.run_id, outputs, step_keys, dynamic)
        self.produced |= facts.produced
        self.statuses.update(facts.statuses)
        self.dyn.update({d: keys or [] for d, keys in facts.dynamic.items()})
