"""A distributed run's scheduling state as the scheduling core sees it from one process.

The state lives in Redis; ``apply`` is one atomic script call (``lua/complete.lua``). What input
checks read comes from what this process already knows (the step it just finished) and, for the
rest, from one or two pipelined round trips made before the checks (``prefetch``). Facts are
only ever added, never changed (a step's terminal status, a stored output, a dynamic output's
keys), so what is known stays true; one instance serves one completion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.execution.scheduling import Applied, StepUpdate, collect_source, initial_counts
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep, OutputRef, mapped_key
from orchestrator.status import StepStatus

if TYPE_CHECKING:
    from orchestrator.distributed.run_storage import RunStorage

__all__ = ["RedisRunState", "RunShape"]


@dataclass(frozen=True)
class RunShape:
    """What every completion of a run tells ``complete.lua`` that the plan already says: the steps
    waiting on each step, and which steps dynamic outputs may add waiting steps to. Computed once
    per run and process (the plan is the same everywhere), so Redis stores only what dynamic
    outputs add."""

    down: dict[str, list[str]]
    #: Static steps upstream of a template: each mapped instance made from it waits on them too.
    template_upstream: frozenset[str]

    @classmethod
    def of(cls, plan: ExecutionPlan) -> RunShape:
        _pending, down = initial_counts(plan)
        ups = frozenset(up for s in plan.steps if s.is_template for up in s.upstream)
        return cls(down=down, template_upstream=ups)

    def downstream(self, step_key: str) -> tuple[list[str], bool]:
        """(the plan's steps waiting on ``step_key``, whether dynamic outputs may have added more).
        A mapped instance (``op[k]``) has only added ones: what waits on it depends on its keys."""
        return self.down.get(step_key, []), "[" in step_key or step_key in self.template_upstream


class RedisRunState:
    """The :class:`~orchestrator.execution.scheduling.SchedulingStore` of a Celery run.

    ``started``: this process saw the run STARTED already, so completions need not mark it.
    ``messages``: builds the broker messages of steps (``dispatch.step_messages``), so that a
    completion pushes the steps it certainly makes ready itself; without it, they are sent after.
    """

    def __init__(self, storage: RunStorage, run_id: str, plan: ExecutionPlan, shape: RunShape | None = None,
                 started: bool = False,
                 messages: Callable[[list[ExecutionStep]], dict[str, tuple[str, str]]] | None = None) -> None:
        self.storage = storage
        self.run_id = run_id
        self.plan = plan
        self.shape = shape or RunShape.of(plan)
        self.started = started
        self.messages = messages
        self.produced: set[str] = set()
        self.statuses: dict[str, StepStatus | None] = {}
        self.dyn: dict[str, list[str]] = {}

    def apply(self, update: StepUpdate) -> Applied:
        down, dynamic_down = self.shape.downstream(update.step_key)
        messages = self.messages(update.certain) if update.certain and self.messages is not None else {}
        applied = self.storage.complete(self.run_id, update, down, dynamic_down, mark_started=not self.started,
                                        messages=messages)
        if update.started:
            self.started = True
        if not applied.duplicate:
            self.statuses[update.step_key] = update.status
            self.produced.update(update.outputs)
            self.dyn.update(update.dynamic)
            for template in update.templates:
                self.statuses[template.key] = template.status
        return applied

    def successors(self, step_key: str) -> list[str] | None:
        return self.shape.down.get(step_key, []) if self.messages is not None else None

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
