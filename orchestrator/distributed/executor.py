"""The Celery executor: every step a Celery task over Redis (see ``orchestrator.distributed``).

``submit`` writes the run (record, plan, scheduling state, first event) to the instance's run
storage and enqueues the root steps; the workers do the rest, so the run outlives the submitter.
A run over a concurrency limit (``run_queue.py``) is written QUEUED instead, and its root steps are
enqueued when it gets its slots. ``execute`` is ``submit(...).wait()``.
"""

from __future__ import annotations

import os

from orchestrator.definitions.built_in_executors import celery_executor
from orchestrator.definitions.config.run_config import json_run_config, stored_run_config
from orchestrator.definitions.executor_definition import provide_executor_implementation
from orchestrator.distributed.code import code_ref_for
from orchestrator.distributed.handles import RunHandle
from orchestrator.distributed.instance import Instance
from orchestrator.distributed.records import RunRecord, RunStatus
from orchestrator.distributed.run import DistributedRun
from orchestrator.distributed.run_queue import enqueued_event, limits_of_run, queue_run
from orchestrator.distributed.run_storage import RunInfo
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch

__all__ = ["celery_executor", "CeleryExecutor"]


class CeleryExecutor(Executor):
    """Submits runs to Celery workers over the instance's Redis; ``execute`` submits and waits."""

    def __init__(self, queue: str = "orch", stall_timeout: float | None = None) -> None:
        self.queue = queue
        self.stall_timeout = stall_timeout

    def submit(self, launch: RunLaunch) -> RunHandle:
        """Record the run in Redis and enqueue its root steps; return its handle at once."""
        inst = launch.instance if launch.instance is not None else Instance.from_env()
        job, plan, run_id = launch.job, launch.plan, launch.run_id
        # Config is resolved once, here: workers rebuild it from this form (no mapping applied again).
        given = json_run_config(job.name, launch.resolved.given)
        resolved_config = stored_run_config(job, launch.resolved, celery_executor)
        inst.ping()
        code = code_ref_for(job, inst.redis, inst.secret, launch.code_pointer)
        record = RunRecord(
            run_id=run_id, job_name=job.name, code=code, run_config=given, resolved_config=resolved_config,
            tags=dict(launch.tags),
            partition_key=launch.partition_key, parent_run_id=launch.parent_run_id, root_run_id=launch.root_run_id,
            op_selection=launch.op_selection, queue=self.queue, executor=launch.executor_name,
            stall_timeout=self.stall_timeout if self.stall_timeout is not None else _default_stall_timeout(),
            reused_from=dict(launch.reused_from),
        )
        lifecycle = Lifecycle(run_id, job.name)
        # Limits are read (and a bad limit tag reported) before anything is written.
        needs, priority = limits_of_run(inst, job.name, record.tags) if plan.steps else ([], 0)
        first = enqueued_event(lifecycle, needs) if needs else lifecycle.run_started(f"on workers ({code.describe()})")
        inst.storage.create_run(record, plan, [first])
        if needs:
            queue_run(inst, run_id, needs, priority, plan)  # started now, or QUEUED until a slot frees
            return RunHandle(run_id, inst, job)
        run = DistributedRun(inst, RunInfo(record, RunStatus.QUEUED, None, None, None), job=job, plan=plan,
                             resolved=launch.resolved)
        if not plan.steps:
            run.close(failed=False)
        else:
            run.start()
        return RunHandle(run_id, inst, job)


def _default_stall_timeout() -> float:
    return float(os.environ.get("ORCH_STALL_TIMEOUT") or 600)


def _create(init_context: InitExecutorContext) -> CeleryExecutor:
    config = init_context.executor_config
    stall = config.get("stall_timeout")
    return CeleryExecutor(queue=str(config.get("queue") or "orch"), stall_timeout=float(stall) if stall else None)


provide_executor_implementation(celery_executor, _create)
