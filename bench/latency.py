"""Submit latency: from the ``submit_job`` call to the first line of a 1-step job's op body.

The op (``bench.project_jobs.stamp``) returns ``time.time()`` as its first statement, so the figure
is what a user waits before their code runs: planning, writing the run, publishing the step, a
worker taking it, loading the run and the job, and the step runner's work before the body. The
step's ``STEP_START`` event time (taken by the step runner before it loads inputs) is reported
beside it. Workers and this process share the machine's clock. The floors' figure is the same
thing in raw Celery: ``apply_async`` to the first line of a task (``floor.stamp``).
"""

from __future__ import annotations

import time
from typing import Any

from bench.runners import FloorRunner, ProjectRunner
from bench.samples import BenchError, Sample

__all__ = ["project_latency", "floor_latency"]


def project_latency(runner: ProjectRunner, warmups: int, reps: int) -> dict[str, Any]:
    """Seconds from ``submit_job`` to the op body and to ``STEP_START`` of ``one_step``, medians of ``reps``.

    :param runner: submits to the project workers (idle, already started).
    :param warmups: runs thrown away first.
    :param reps: runs recorded.
    """
    from orchestrator.events import EventType

    runner.prepare("one_step", 0)
    body, start, submit = Sample(), Sample(), Sample()
    for i in range(warmups + reps):
        t0 = time.time()
        handle = runner.submit("one_step", 0)
        t1 = time.time()
        result = handle.wait(timeout=60)
        if not result.success:
            raise BenchError(f"one_step run {handle.run_id} ended {result.status.value}: {result.info.reason}")
        started = [e.timestamp for e in result.all_events if e.event_type is EventType.STEP_START]
        if i >= warmups:
            body.times.append(float(result.output_for_node("stamp")) - t0)
            start.times.append(started[0] - t0)
            submit.times.append(t1 - t0)
    return {"to_op_body_s": round(body.median, 5), "to_op_body_max_s": round(body.hi, 5),
            "to_step_start_event_s": round(start.median, 5), "submit_call_s": round(submit.median, 5),
            "reps": reps, "times_s": [round(t, 5) for t in body.times]}


def floor_latency(runner: FloorRunner, warmups: int, reps: int) -> dict[str, Any]:
    """Seconds from ``apply_async`` to the first line of ``floor.stamp`` on one floor, median of ``reps``."""
    sample = Sample()
    for i in range(warmups + reps):
        t0 = time.time()
        stamped = float(runner.tasks.stamp.apply_async().get(timeout=60))
        if i >= warmups:
            sample.times.append(stamped - t0)
    return {"to_task_body_s": round(sample.median, 5), "to_task_body_max_s": round(sample.hi, 5), "reps": reps}
