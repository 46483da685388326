"""What happens when a step of a distributed run finishes, in whichever process finished it.

The step's completion is one atomic Redis call (exactly once, even when a task is delivered
twice). It returns the steps whose upstream steps are now all finished; each is then run (one
Celery task) or skipped (when an input it needs was never produced), and the last step to finish
closes the run. There is no central coordinator: the submitter may exit at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.config.run_config import ResolvedRunConfig, resolve_run_config
from orchestrator.distributed.code import load_job
from orchestrator.distributed.dispatch import app_for, enqueue_steps
from orchestrator.distributed.heartbeats import heartbeats
from orchestrator.distributed.records import RunStatus
from orchestrator.distributed.retrying import retrying
from orchestrator.distributed.run_storage import RunInfo, run_key
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.scheduling import check_inputs, collect_source
from orchestrator.plan.planner import ExecutionPlan, ExecutionStep, OutputRef, expand_mapped, mapped_key

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["DistributedRun", "local_step", "distributed_job"]

_CACHED_RUNS = int(os.environ.get("ORCH_CACHED_RUNS", "4"))
_CANCEL_CHECK_INTERVAL = float(os.environ.get("ORCH_CANCEL_CHECK_INTERVAL", "0.5"))

_log = logging.getLogger("orchestrator.distributed")


def distributed_job(job: JobDefinition) -> JobDefinition:
    """The job as it runs on workers: outputs default to ``fs_io_manager`` (a shared directory)."""
    if "io_manager" in job._given_resources:
        return job
    from orchestrator.definitions.io_managers.fs import fs_io_manager

    return job.with_resources({"io_manager": fs_io_manager})


@dataclass
class _View:
    """What ``check_inputs`` reads, from local knowledge first and Redis for the rest (prefetched)."""

    plan: ExecutionPlan
    produced: set[str] = field(default_factory=set)
    statuses: dict[str, str | None] = field(default_factory=dict)
    dyn: dict[str, list[str]] = field(default_factory=dict)

    def is_produced(self, ref: OutputRef) -> bool:
        return ref.id in self.produced

    def status_of(self, step_key: str) -> str | None:
        return self.statuses.get(step_key)

    def mapping_keys(self, source: OutputRef) -> list[str]:
        return self.dyn.get(source.id, [])


def local_step(plan: ExecutionPlan, step_key: str) -> ExecutionStep | None:
    """A step as the plan defines it, mapped steps rebuilt from their template; None if unknown."""
    planned = plan.by_key.get(step_key)
    if planned is not None:
        return None if planned.is_template else planned
    template_key, _, rest = step_key.partition("[")
    template = plan.by_key.get(template_key)
    if template is None or template.mapped_on is None or not rest.endswith("]"):
        return None
    # Expanding a template for one key is deterministic: every process gets the same step.
    for step in expand_mapped(plan, template.mapped_on, [rest[:-1]]):
        if step.key == step_key:
            return step
    return None


class DistributedRun:
    """A distributed run as one process sees it: record, job, plan, config, and its Redis state."""

    def __init__(self, instance: Instance, info: RunInfo, job: JobDefinition | None = None,
                 plan: ExecutionPlan | None = None, resolved: ResolvedRunConfig | None = None) -> None:
        self.instance = instance
        self.storage = instance.storage
        self.record = info.record
        self.run_id = info.record.run_id
        raw_job = job or load_job(self.record.code, instance.redis, instance.secret)
        self.job = distributed_job(raw_job)
        self.plan = plan or self.storage.plan(self.run_id)
        if resolved is None:
            from orchestrator.distributed.executor import celery_executor

            resolved = resolve_run_config(self.job, self.record.run_config, self.record.partition_key,
                                          default_executor=celery_executor)
        self.resolved = resolved
        self.app = app_for(instance.broker_url, instance.backend_url)
        self.closed = info.status.is_finished
        self.status_checked_at = time.monotonic()

    # -- cache of runs per worker process ------------------------------------------------------
    _cache: OrderedDict[str, DistributedRun] = OrderedDict()
    _lock = threading.Lock()

    @classmethod
    def load(cls, instance: Instance, run_id: str) -> DistributedRun:
        with cls._lock:
            run = cls._cache.get(run_id)
            if run is not None:
                cls._cache.move_to_end(run_id)
                return run
        run = cls(instance, instance.storage.get_run(run_id))
        with cls._lock:
            cls._cache[run_id] = run
            while len(cls._cache) > _CACHED_RUNS:
                cls._cache.popitem(last=False)
        return run

    @classmethod
    def forget(cls, run_id: str) -> None:
        """Drop a closed run from this process's cache (its plan can be large)."""
        with cls._lock:
            cls._cache.pop(run_id, None)

    def is_closed(self) -> bool:
        """Whether the run was canceled or closed. Asks Redis at most every ``ORCH_CANCEL_CHECK_INTERVAL``
        seconds (0.5): a step queued before a cancel may still start within that time, but its
        result is discarded and nothing after it is enqueued."""
        if self.closed:
            return True
        now = time.monotonic()
        if now - self.status_checked_at >= _CANCEL_CHECK_INTERVAL:
            status = self.storage.run_status(self.run_id)
            self.closed = status is None or status.is_finished
            self.status_checked_at = now
        return self.closed

    # -- events --------------------------------------------------------------------------------
    def event(self, event_type: EventType, step_key: str | None = None, message: str = "", **data: Any) -> RunEvent:
        return RunEvent(event_type=event_type, run_id=self.run_id, job_name=self.job.name, step_key=step_key,
                        message=message, data=data)

    # -- steps ---------------------------------------------------------------------------------
    def get_step(self, step_key: str, stored: bool) -> ExecutionStep | None:
        """The step to run: from the plan, rebuilt from its template (mapped steps), or, when the
        scheduler narrowed its inputs (``stored``), from Redis."""
        if not stored:
            local = self._local_step(step_key)
            if local is not None:
                return local
        raw = self.storage.extra_steps(self.run_id, [step_key]).get(step_key)
        return ExecutionStep.model_validate_json(raw) if raw else None

    def _local_step(self, step_key: str) -> ExecutionStep | None:
        return local_step(self.plan, step_key)

    def start(self) -> None:
        """Enqueue the steps with no upstream (called once, by the submitter)."""
        roots = [s.key for s in self.plan.steps if not s.upstream and not s.is_template]
        self._schedule(roots, _View(self.plan), from_outbox=False)

    def finish_step(self, step: ExecutionStep, status: str, outputs: list[OutputRef], events: list[RunEvent],
                    started: bool = False) -> None:
        """Record a finished step atomically, then run or skip what became ready, and maybe close the run."""
        view = _View(self.plan)
        view.produced.update(r.id for r in outputs)
        view.statuses[step.key] = status
        pending: list[tuple[ExecutionStep, str, list[OutputRef], list[RunEvent]]] = [(step, status, outputs, events)]
        while pending:
            current, cur_status, cur_outputs, cur_events = pending.pop(0)
            ready_keys = self._complete(current, cur_status, cur_outputs, cur_events, view,
                                        started=started and current is step)
            if not ready_keys:
                continue
            for skipped, reason in self._schedule(ready_keys, view):
                view.statuses[skipped.key] = "skipped"
                pending.append((skipped, "skipped", [],
                                [self.event(EventType.STEP_SKIPPED, skipped.key, reason)]))

    def _complete(self, step: ExecutionStep, status: str, outputs: list[OutputRef], events: list[RunEvent],
                  view: _View, started: bool = False) -> list[str] | None:
        dynamic: dict[str, list[str]] = {}
        for ref in outputs:
            if ref.mapping_key is not None:
                dynamic.setdefault(OutputRef(step_key=ref.step_key, output_name=ref.output_name).id, []).append(ref.mapping_key)
        new_steps: list[dict[str, Any]] = []
        templates: list[dict[str, Any]] = []
        extra_events = list(events)
        if step.mapped_on is None:
            for group in self.plan.templates_by_source.values():
                source = group[0].mapped_on
                assert source is not None
                if source.step_key != step.key:
                    continue
                keys = dynamic.get(source.id, []) if status == "success" else []
                view.dyn[source.id] = keys
                for new in expand_mapped(self.plan, source, keys):
                    new_steps.append({"key": new.key, "step": new.model_dump_json(), "up": new.upstream})
                for template in group:
                    instances = [mapped_key(template.key, k) for k in keys]
                    collectors = [d for d in self.plan.downstream.get(template.key, [])
                                  if not self.plan.by_key[d].is_template]
                    templates.append({"key": template.key, "status": "success" if instances else "skipped",
                                      "collectors": collectors, "instances": instances})
                    if not instances:
                        why = "no dynamic outputs" if status == "success" else f"upstream step '{step.key}' {status}"
                        extra_events.append(self.event(EventType.STEP_SKIPPED, template.key, f"Skipped: {why}."))
        completion = self.storage.complete(self.run_id, step.key, status, [r.id for r in outputs], dynamic,
                                           new_steps, templates, extra_events, started=started)
        if completion.duplicate:
            _log.warning("run %s: step %s was already finished; ignoring the repeated completion",
                         self.run_id, step.key)
            return None
        if completion.remaining == 0:
            self.close(completion.failed)
            self.closed = True
            DistributedRun.forget(self.run_id)
        if completion.run_closed:
            self.closed = True
            DistributedRun.forget(self.run_id)
            return None  # canceled or failed as stalled: enqueue nothing more
        return completion.ready

    def _schedule(self, keys: list[str], view: _View, from_outbox: bool = True) -> list[tuple[ExecutionStep, str]]:
        """Run or skip each ready step. Returns the skipped ones with reasons (to complete them)."""
        if not keys:
            return []
        steps = self._steps_for(keys)
        self._prefetch(steps, view)
        to_run: list[ExecutionStep] = []
        stored: list[str] = []
        skipped: list[tuple[ExecutionStep, str]] = []
        narrowed: dict[str, str] = {}
        for step in steps:
            resolved, reason = check_inputs(step, view)
            if resolved is None:
                skipped.append((step, str(reason)))
                continue
            if resolved is not step:
                narrowed[resolved.key] = resolved.model_dump_json()
                stored.append(resolved.key)
            to_run.append(resolved)
        if narrowed:
            retrying(self.instance.redis.hset)(run_key(self.run_id, "steps"), mapping=narrowed)
        if to_run:
            enqueue_steps(self.app, self.job.name, self.run_id, to_run, self.record.queue, stored=stored)
        # Published or about to be completed as skipped: out of the outbox (confirmed off the hot path).
        if from_outbox:
            heartbeats.release(self.instance, self.run_id, [s.key for s in to_run] + [s.key for s, _ in skipped])
        return skipped

    def _steps_for(self, keys: list[str]) -> list[ExecutionStep]:
        in_plan = {k: step for k in keys if (step := self._local_step(k)) is not None}
        missing = [k for k in keys if k not in in_plan]
        fetched = self.storage.extra_steps(self.run_id, missing)
        result: list[ExecutionStep] = []
        for k in keys:
            if k in in_plan:
                result.append(in_plan[k])
            elif fetched.get(k):
                result.append(ExecutionStep.model_validate_json(str(fetched[k])))
            else:
                _log.error("run %s: ready step %s is unknown", self.run_id, k)
        return result

    @retrying
    def _prefetch(self, steps: list[ExecutionStep], view: _View) -> None:
        """Fetch, in one or two round trips, what the input checks need that this process does not know."""
        refs: dict[str, OutputRef] = {}
        status_keys: set[str] = set()
        dyn_sources: dict[str, OutputRef] = {}
        for step in steps:
            for inp in step.inputs:
                if inp.kind in ("from_output", "nothing", "fan_in"):
                    for ref in inp.sources:
                        if ref.id not in view.produced:
                            refs[ref.id] = ref
                        if inp.kind == "fan_in" or ref.id not in view.produced:
                            status_keys.add(ref.step_key)
                elif inp.kind == "collect":
                    source, _is_template = collect_source(self.plan, inp.sources[0])
                    status_keys.add(source.step_key)
                    if source.id not in view.dyn:
                        dyn_sources[source.id] = source
        status_keys -= set(view.statuses)
        if not refs and not status_keys and not dyn_sources:
            return
        r = self.instance.redis
        pipe = r.pipeline(transaction=False)
        ref_ids = list(refs)
        if ref_ids:
            pipe.smismember(run_key(self.run_id, "produced"), ref_ids)
        status_list = sorted(status_keys)
        if status_list:
            pipe.hmget(run_key(self.run_id, "status"), status_list)
        dyn_ids = list(dyn_sources)
        if dyn_ids:
            pipe.hmget(run_key(self.run_id, "dyn"), dyn_ids)
        replies = pipe.execute()
        i = 0
        if ref_ids:
            view.produced.update(rid for rid, present in zip(ref_ids, replies[i]) if present)
            i += 1
        if status_list:
            view.statuses.update({k: (v.decode() if v else None) for k, v in zip(status_list, replies[i])})
            i += 1
        if dyn_ids:
            import json

            for sid, raw in zip(dyn_ids, replies[i]):
                view.dyn[sid] = json.loads(raw) if raw else []
            self._prefetch_collected(steps, view)

    def _prefetch_collected(self, steps: list[ExecutionStep], view: _View) -> None:
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
                         for k in view.dyn.get(source.id, [])]
        if not refs:
            return
        pipe = self.instance.redis.pipeline(transaction=False)
        pipe.smismember(run_key(self.run_id, "produced"), [x.id for x in refs])
        pipe.hmget(run_key(self.run_id, "status"), [x.step_key for x in refs])
        present, statuses = pipe.execute()
        view.produced.update(x.id for x, p in zip(refs, present) if p)
        view.statuses.update({x.step_key: (s.decode() if s else None) for x, s in zip(refs, statuses)})

    def close(self, failed: bool) -> None:
        """Close the run: the last finished step does this, exactly once."""
        status = RunStatus.FAILURE if failed else RunStatus.SUCCESS
        if failed:
            failures = self.instance.redis.hgetall(run_key(self.run_id, "status"))
            keys = sorted(k.decode() for k, v in failures.items() if v == b"failure")
            message = f"Run of job '{self.job.name}' failed: step(s) {', '.join(keys)} failed."
            event = self.event(EventType.RUN_FAILURE, None, message, failed_steps=keys)
            reason = message
        else:
            event = self.event(EventType.RUN_SUCCESS, None, f"Run of job '{self.job.name}' succeeded.")
            reason = None
        self.storage.finish_run(self.run_id, status, reason, [event])
        _log.info("run %s finished: %s at %.3f", self.run_id, status.value, time.time())
