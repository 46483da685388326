"""Figures measured in the benchmark's own process, no worker involved: ``execute_in_process`` per
step, planning a 10,000-step job, and the import of the package in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench.samples import BenchError, Sample, measure

__all__ = ["bench_in_process", "bench_plan", "bench_import", "IMPORT_SNIPPETS"]


def bench_in_process(ops: int, warmups: int, reps: int) -> Sample:
    """Seconds per step of ``execute_in_process`` of a chain of ``ops`` ops (start + ``ops - 1`` incs).

    :param ops: ops in the chain.
    :param warmups: runs thrown away first.
    :param reps: runs recorded.
    """
    from bench.project_jobs import chain_job

    job = chain_job(ops - 1)

    def once() -> float:
        t0 = time.perf_counter()
        result = job.execute_in_process()
        elapsed = time.perf_counter() - t0
        if result.output_for_node(f"inc_{ops - 2}") != ops - 1:
            raise BenchError("in-process chain gave a wrong result")
        return elapsed / ops

    return measure(once, warmups, reps)


def bench_plan(steps: int, warmups: int, reps: int) -> dict[str, Sample]:
    """Config resolution + planning (topology flattening included) of a fresh job of ``steps`` steps,
    a chain and a fan-out.

    :param steps: steps of each job's plan.
    :param warmups: plans thrown away first.
    :param reps: plans recorded, each of a job built anew (nothing cached from an earlier plan).
    """
    from bench.project_jobs import chain_job, fanout_job
    from orchestrator.definitions.config.run_config import resolve_run_config
    from orchestrator.plan.planner import build_plan

    out = {}
    for shape, make in (("chain", lambda: chain_job(steps - 1)), ("fanout", lambda: fanout_job(steps - 2))):
        def once(make: Callable[[], Any] = make, shape: str = shape) -> float:
            job = make()
            t0 = time.perf_counter()
            resolved = resolve_run_config(job, None, None)
            plan = build_plan(job, resolved.op_inputs)
            elapsed = time.perf_counter() - t0
            if len(plan.steps) != steps:
                raise BenchError(f"plan of {shape} has {len(plan.steps)} steps, expected {steps}")
            return elapsed

        out[shape] = measure(once, warmups, reps)
    return out


IMPORT_SNIPPETS = {
    "import": "import orchestrator",
    # The Dagster port line: with lazily loaded names, this is where the real import cost shows.
    "api": "from orchestrator import op, job, submit_job",
}


def bench_import(warmups: int, reps: int, what: str = "import") -> Sample:
    """Seconds of ``IMPORT_SNIPPETS[what]`` in a fresh interpreter, interpreter start-up excluded.

    :param warmups: imports thrown away first (the first one may read files from disk).
    :param reps: imports recorded, each in a new process.
    :param what: ``import`` (the bare package) or ``api`` (``from orchestrator import op, job, submit_job``).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    code = f"import time; t = time.perf_counter(); {IMPORT_SNIPPETS[what]}; print(time.perf_counter() - t)"

    def once() -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             cwd=tempfile.gettempdir(), check=True)
        return float(out.stdout.strip().splitlines()[-1])

    return measure(once, warmups, reps)
