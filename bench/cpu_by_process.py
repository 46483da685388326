"""CPU time per step, by process: Redis, the workers' main processes, their pool processes, the submitter.

    python -m bench.cpu_by_process                          # chain of 1000, 3 runs per side
    python -m bench.cpu_by_process --shape fanout --n 10000 --runs 1

On a machine with as many busy processes as cores, wall time per step follows the CPU every process
spends on it, and CPU time varies far less from run to run than wall time does: a difference of
0.1 ms per step shows here when ``make bench`` cannot tell it from noise. Starts a private
redis-server and two prefork workers (``-c 1``) per side, as ``make bench`` does, runs one warm-up
and then ``--runs`` runs of the shape on each side (the project, then plain Celery), and reads
``utime + stime`` of every process from ``/proc`` before and after (clock ticks: run enough steps
for the figures to mean something, a thousand or more). Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.runners import FloorRunner, ProjectRunner, n_steps
from bench.workers import Env, _children

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rfind(")") + 2:].split()  # after the command, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICK


def _processes(env: Env, workers: list[Any]) -> dict[str, list[int]]:
    mains = [w.pid for w in workers]
    return {"redis": [env.redis.proc.pid], "worker main": mains,
            "pool": [c for pid in mains for c in _children(pid)], "submitter": [os.getpid()]}


def measure(env: Env, workers: list[Any], run: Callable[[], float], runs: int, steps: int) -> dict[str, float]:
    """Wall and CPU milliseconds per step over ``runs`` calls of ``run`` (after one warm-up)."""
    run()
    procs = _processes(env, workers)
    before = {kind: sum(_cpu_seconds(p) for p in pids) for kind, pids in procs.items()}
    walls = [run() for _ in range(runs)]
    after = {kind: sum(_cpu_seconds(p) for p in pids) for kind, pids in procs.items()}
    figures = {kind: 1000 * (after[kind] - before[kind]) / (runs * steps) for kind in procs}
    figures["wall"] = 1000 * statistics.median(walls) / steps
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu_by_process", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shape", choices=("chain", "fanout", "dynamic"), default="chain")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    env = Env(Path(tempfile.mkdtemp(prefix="orch-cpu-")))
    try:
        env.start()
        workers = env.start_workers(("project", "plain"))
        project, plain = ProjectRunner(env), FloorRunner("bench.plain_app")
        project.prepare(args.shape, args.n)
        steps = n_steps(args.shape, args.n)
        sides = {"project": lambda: project.run(args.shape, args.n).elapsed,
                 "plain Celery": lambda: plain.run(args.shape, args.n)}
        kinds = ("redis", "worker main", "pool", "submitter")
        print(f"{args.shape} {args.n}, {args.runs} runs per side, ms per step "
              f"(CPU by process; wall: median)")
        print(f"{'side':14}{'wall':>8}" + "".join(f"{k:>13}" for k in kinds) + f"{'CPU total':>11}")
        for side, run in sides.items():
            kind = "project" if side == "project" else "plain"
            f = measure(env, workers[kind], run, args.runs, steps)
            print(f"{side:14}{f['wall']:8.3f}" + "".join(f"{f[k]:13.3f}" for k in kinds)
                  + f"{sum(f[k] for k in kinds):11.3f}", flush=True)
    finally:
        env.stop()
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)")
    sys.exit(code)
