"""The scaling rows: a fan-out of sleeping steps at 1, 2, 4 and 8 worker processes.

For each K, ONE prefork worker with ``-c K`` per side (the project's ``worker.app``; the
plain-defaults floor, ``bench.plain_app``), both started together and stopped after their runs;
project and floor runs alternate, one side busy at a time. The job is ``sleep_fanout_<W>``: a start,
W leaves that each ``time.sleep(NAP_SECONDS)`` then add one, a gather (the floor: ``floor.nap_fan``).
Sleep-bound steps scale past the machine's 2 cores. Speed-up is ``T1 / TK``; efficiency is
``(T1 / K) / TK``: 1.0 when K processes finish K times faster than one.

A warm-up run per side and K with 50 ms sleeps keeps every pool process busy once (imports, code
loading, connections) before the timed runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bench.runners import FloorRunner, ProjectRunner
from bench.samples import Sample
from bench.workers import Env

__all__ = ["bench_scaling", "WARMUP_SECONDS"]

WARMUP_SECONDS = 0.05


def bench_scaling(env: Env, processes: Sequence[int], width: int, reps: int,
                  log: Callable[[str], None]) -> dict[str, Any]:
    """Times of ``sleep_fanout_<width>`` at each worker-process count of ``processes``, both sides.

    :param env: the benchmark's Redis; no other project or plain worker may be running.
    :param processes: pool sizes, the first one the base of speed-up and efficiency (1).
    :param width: leaves of the fan-out.
    :param reps: timed runs per side and pool size.
    :param log: progress output.
    """
    from bench.project_jobs import NAP_SECONDS, nap_config

    project = ProjectRunner(env)
    plain = FloorRunner("bench.plain_app")
    project.prepare("sleep_fanout", width)
    times: dict[int, dict[str, Sample]] = {}
    for k in processes:
        log(f"   {width}-way fan-out of sleep({NAP_SECONDS}) on 1 worker -c {k} per side: 1 warm-up + {reps} reps")
        env.start_workers(("project", "plain"), count=1, concurrency=k)
        try:
            project.run("sleep_fanout", width, nap_config(width, WARMUP_SECONDS))
            plain.run("sleep_fanout", width, WARMUP_SECONDS)
            p, f = Sample(), Sample()
            for _ in range(reps):
                p.times.append(project.run("sleep_fanout", width).elapsed)
                f.times.append(plain.run("sleep_fanout", width, NAP_SECONDS))
        finally:
            env.stop_workers()
        times[k] = {"project": p, "plain": f}
        log(f"      project {p.text()} s | plain {f.text()} s")
    base = processes[0]
    rows = []
    for k in processes:
        row: dict[str, Any] = {"processes": k, "ideal_s": round(width * NAP_SECONDS / k, 4)}
        for side in ("project", "plain"):
            t1, tk = times[base][side].median, times[k][side].median
            row[f"{side}_s"] = round(tk, 4)
            row[f"{side}_times_s"] = [round(t, 4) for t in times[k][side].times]
            row[f"{side}_speedup"] = round(t1 / tk, 3)
            row[f"{side}_efficiency"] = round((t1 * base / k) / tk, 3)
        rows.append(row)
    return {"width": width, "sleep_s": NAP_SECONDS, "reps": reps,
            "workers": "one prefork worker with -c K per side", "efficiency": "(T1 / K) / TK", "rows": rows}
