"""One timed run of a benchmark shape: by the project (``submit_job``) or by a raw-Celery floor.

Shapes: ``chain`` (N steps in a line after a start), ``fanout`` (a start, N leaves on it, a gather),
``dynamic`` (N mapped steps between an emit and a gather) and ``sleep_fanout`` (``fanout`` with
leaves that sleep, for the scaling rows). Both sides check the final value and delete the run's
output files afterwards, outside the timing.

Times are wall times: for the project from ``submit_job`` to ``RunHandle.wait`` returning, for a
floor from sending the first task to the final result being available in the result backend.
"""

from __future__ import annotations

import importlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.samples import BenchError
from bench.workers import SECRET, Env

__all__ = ["ProjectRunner", "FloorRunner", "ProjectRun", "expected_value", "n_steps", "timeout_for",
           "RUN_TIMEOUT", "settle_disk"]


def expected_value(shape: str, n: int) -> int:
    """The final value of a run of ``shape`` with ``n``."""
    return n * (n + 1) // 2 if shape == "dynamic" else n


def n_steps(shape: str, n: int) -> int:
    """Steps (project) = tasks (floor) of one run: start + N for a chain, start + N + gather otherwise."""
    return n + 1 if shape == "chain" else n + 2


@dataclass
class _Timeout:
    minimum: float = 120.0  # seconds any run may take before it counts as hung (lowered by --smoke)


RUN_TIMEOUT = _Timeout()


def settle_disk() -> None:
    """Write what the last run left dirty (its files, the deletion of its files) now, outside any
    timing, so that every run starts on the same, synced disk instead of paying for the last one's."""
    os.sync()


def timeout_for(n: int) -> float:
    """Seconds a run of ``n`` steps may take before the benchmark gives up on it."""
    return max(RUN_TIMEOUT.minimum, n * 0.5)


@dataclass(frozen=True)
class ProjectRun:
    """One project run: ``elapsed`` from submit to result, ``submit`` the ``submit_job`` call alone."""

    elapsed: float
    submit: float
    run_id: str


class ProjectRunner:
    """Runs the shapes as the project's jobs (``bench.project_jobs``), loaded by workers by code pointer.

    :param env: the benchmark's Redis and home directory.
    """

    def __init__(self, env: Env) -> None:
        from orchestrator import Instance

        self.env = env
        self.instance = Instance(redis_url=env.redis.url, home=env.home, secret=SECRET)

    def job_name(self, shape: str, n: int) -> str:
        """The ``bench.project_jobs`` name of ``shape`` at ``n`` (``dynamic`` and ``one_step`` take no size)."""
        return shape if shape in ("dynamic", "one_step") else f"{shape}_{n}"

    def prepare(self, shape: str, n: int) -> None:
        """Build the job outside the timing (a user's job exists before they submit it)."""
        from bench import project_jobs

        project_jobs.build(self.job_name(shape, n))

    def submit(self, shape: str, n: int, run_config: dict[str, Any] | None = None) -> Any:
        """Submit a run of ``shape`` with ``n`` and return its ``RunHandle`` at once.

        :param run_config: for ``sleep_fanout``, the leaves' sleep (``project_jobs.nap_config``).
        """
        from bench import project_jobs
        from orchestrator import submit_job

        name = self.job_name(shape, n)
        if shape == "dynamic":
            run_config = {"ops": {"emit": {"inputs": {"n": n}}}}
        return submit_job(project_jobs.build(name), run_config=run_config, instance=self.instance,
                          code_pointer=project_jobs.pointer(name))

    def check(self, handle: Any, result: Any, shape: str, n: int) -> None:
        """Raise ``BenchError`` unless the run succeeded with the right value; then delete its outputs."""
        name = self.job_name(shape, n)
        if not result.success:
            raise BenchError(f"project run {handle.run_id} of {name} ended {result.status.value}: {result.info.reason}")
        last = f"inc_{n - 1}" if shape == "chain" else "gather"
        value = result.output_for_node(last)
        if value != expected_value(shape, n):
            raise BenchError(f"project {name}: got {value}, expected {expected_value(shape, n)}")
        shutil.rmtree(self.env.home / "storage" / handle.run_id, ignore_errors=True)

    def run(self, shape: str, n: int, run_config: dict[str, Any] | None = None) -> ProjectRun:
        """Submit a run of ``shape`` with ``n``, wait for it, check its value, delete its outputs.

        :param run_config: for ``sleep_fanout``, the leaves' sleep (``project_jobs.nap_config``).
        """
        t0 = time.perf_counter()
        handle = self.submit(shape, n, run_config)
        t1 = time.perf_counter()
        result = handle.wait(timeout=timeout_for(n))
        elapsed = time.perf_counter() - t0
        self.check(handle, result, shape, n)
        return ProjectRun(elapsed, t1 - t0, handle.run_id)


class FloorRunner:
    """Runs the shapes on one raw-Celery floor app (``bench.plain_app`` or ``bench.floor_app``).

    :param module: the floor app's module; its ``tasks`` are ``bench.floor_tasks.FloorTasks``.
    """

    def __init__(self, module: str = "bench.floor_app") -> None:
        mod = importlib.import_module(module)
        self.app = mod.app
        self.tasks = mod.tasks

    def run(self, shape: str, n: int, seconds: float = 0.0) -> float:
        """One run of ``shape`` with ``n``; returns its wall time.

        :param seconds: for ``sleep_fanout``, each leaf's sleep.
        """
        from bench.floor_tasks import floor_dir, read_value

        t = self.tasks
        run_id = uuid.uuid4().hex
        wait = timeout_for(n)
        t0 = time.perf_counter()
        if shape == "chain":
            final_id = uuid.uuid4().hex
            t.hop_start.apply_async((run_id, n, final_id))
            path = self.app.AsyncResult(final_id).get(timeout=wait, follow_parents=False)
        elif shape == "fanout":
            path = t.fan.apply_async((run_id, n)).get(timeout=wait, follow_parents=False)
        elif shape == "dynamic":
            path = t.spawn.apply_async((run_id, n)).get(timeout=wait, follow_parents=False)
        elif shape == "sleep_fanout":
            path = t.nap_fan.apply_async((run_id, n, seconds)).get(timeout=wait, follow_parents=False)
        else:
            raise ValueError(shape)
        elapsed = time.perf_counter() - t0
        value = read_value(path)
        if value != expected_value(shape, n):
            raise BenchError(f"floor {self.app.main} {shape} {n}: got {value}, expected {expected_value(shape, n)}")
        shutil.rmtree(Path(floor_dir()) / run_id, ignore_errors=True)
        return elapsed
