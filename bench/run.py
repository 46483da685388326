"""The benchmark runner behind ``make bench``: the project against two raw-Celery floors in the same run.

    python -m bench.run                 # full run (under 15 minutes on 2 quiet cores); writes bench/results.json
    python -m bench.run --smoke         # N=5, 1 repetition, small scaling and UI cases: keeps the runner working
    python -m bench.run --shapes chain fanout --reps 5 --reps-10k 2

It starts its own ``redis-server`` on a free loopback port and, on the same Redis and the same
shared directory, two prefork workers (``-c 1``) of each side: the project (``worker.app``, started
with the documented ``REDIS_URL``, ``ORCH_HOME`` and ``ORCH_SECRET``, cwd the project root so
``bench.project_jobs`` loads by code pointer), plain Celery with its defaults (``bench.plain_app``,
the headline floor) and Celery configured like the project (``bench.floor_app``). Only one side is
busy at a time (the machine has 2 cores): each repetition runs the three sides one after the other,
starting with the next side each time, so a change in machine load affects the runs of a repetition
alike; ratios are medians of the pairwise ratios. The disk is synced before every run
(``runners.settle_disk``), so that no run pays for the file system work of the one before. Every process it starts is stopped by its own process group at the end,
whatever happens.

Phases: local figures (import, ``execute_in_process``, planning); submit latency of a 1-step job;
Redis memory of 1000-step runs; chain, fan-out and dynamic at N = 10, 100, 1000 (and 10,000 for
chain and fan-out); Redis commands per step; worker RSS; the scaling rows (``bench/scaling.py``, their
own workers); the web UI (``bench/ui_bench.py``). Targets and reports: ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.latency import floor_latency, project_latency
from bench.local_figures import bench_import, bench_in_process, bench_plan
from bench.redis_figures import command_stats, redis_rtt, run_memory
from bench.report import TARGETS, checks, print_table, write_markdown
from bench.runners import RUN_TIMEOUT, FloorRunner, ProjectRunner, n_steps, settle_disk
from bench.samples import Sample, log, measure, pairwise_ratio
from bench.scaling import bench_scaling
from bench.workers import ROOT, Env, worker_peak_rss_mb

BENCH = ROOT / "bench"
DISTRIBUTED_SHAPES = ("chain", "fanout", "dynamic")
LOCAL_SHAPES = ("inprocess", "plan", "import")
# Needs its own workers (one per side with -c K), after the distributed cases.
SCALING_SHAPES = ("scaling",)
# The web UI over stored runs (bench/ui_bench.py): needs the private Redis, no workers.
UI_SHAPES = ("ui",)
ALL_SHAPES = (*DISTRIBUTED_SHAPES, *LOCAL_SHAPES, *SCALING_SHAPES, *UI_SHAPES)
FLAT_SHAPES = ("chain", "fanout")  # flat cost: ms/step at N=10,000 against N=1,000
FLOORS = {"plain": "bench.plain_app", "configured": "bench.floor_app"}
SIDES = ("project", *FLOORS)
COMMAND = "make bench"


@dataclass
class Plan:
    """What one invocation measures, and how many times."""

    sizes: dict[str, list[int]]
    reps_small: int
    reps_10k: int
    warmups: int
    in_process_ops: int
    plan_steps: int
    stats_n: int
    memory_n: int
    latency_reps: int
    scaling_processes: tuple[int, ...]
    scaling_width: int
    scaling_reps: int
    ui_runs: int = 10_000
    ui_steps: int = 1000
    ui_reps: int = 5

    def reps(self, n: int) -> int:
        return self.reps_10k if n >= 10_000 else self.reps_small

    def warmups_for(self, shape: str, n: int) -> int:
        """Warm-ups before a case. N >= 1000 after smaller runs of the same shape on the same workers
        (everything imported, connected and cached) gets none: those runs were its warm-up."""
        first = n == self.sizes[shape][0]
        return self.warmups if n < 1000 or first else 0


def make_plan(args: argparse.Namespace) -> Plan:
    if args.smoke:
        return Plan({"chain": [5], "fanout": [5], "dynamic": [5]}, 1, 1, 0, 50, 500, 5, 5, 2,
                    (1, 2), 4, 1, ui_runs=200, ui_steps=50, ui_reps=1)
    # Single runs vary by tens of percent with the machine's scheduling (two busy processes per
    # core, file system work in the background): medians need more pairs than the 5 the targets
    # ask for at least. 15 pairs at N = 1,000 take about 3 of the run's minutes per shape.
    return Plan({"chain": [10, 100, 1000, 10_000], "fanout": [10, 100, 1000, 10_000], "dynamic": [10, 100, 1000]},
                args.reps or 15, args.reps_10k or 2, 1, 500, 10_000, 100, 1000, 12, (1, 2, 4, 8), 64, args.scaling_reps)


def run_case(shape: str, n: int, warm: int, reps: int, project: ProjectRunner,
             floors: dict[str, FloorRunner], companion: int | None = None) -> dict[str, Any]:
    """``warm`` unrecorded and ``reps`` recorded repetitions of (project, plain, configured) at ``n``,
    each repetition starting with the next side, and the disk synced before every run.

    :param companion: also time a run of this size right before each timed run, on the same side
        (``<side>_companion_times_s``): the flat cost compares each 10,000-step run with a 1,000-step
        run of the same minute, not with the 1,000-step case run many minutes earlier, when the
        machine may have been faster or slower.
    """
    project.prepare(shape, n)
    if companion is not None:
        project.prepare(shape, companion)
    for _ in range(warm):
        project.run(shape, n)
        for f in floors.values():
            f.run(shape, n)
    times = {side: Sample() for side in SIDES}
    companions: dict[str, list[float]] = {side: [] for side in SIDES}
    submit, cpu = Sample(), Sample()
    for rep in range(reps):
        # Each repetition starts with another side, so that no side always follows the same one.
        order = SIDES[rep % len(SIDES):] + SIDES[:rep % len(SIDES)]
        for side in order:
            if companion is not None:
                settle_disk()
                companions[side].append(project.run(shape, companion).elapsed if side == "project"
                                        else floors[side].run(shape, companion))
            settle_disk()
            if side == "project":
                c0 = time.process_time()
                run = project.run(shape, n)
                cpu.times.append(time.process_time() - c0)
                times["project"].times.append(run.elapsed)
                submit.times.append(run.submit)
            else:
                times[side].times.append(floors[side].run(shape, n))
    steps = n_steps(shape, n)
    row: dict[str, Any] = {"shape": shape, "n": n, "steps": steps, "reps": reps}
    for side, s in times.items():
        row.update({f"{side}_s": round(s.median, 4), f"{side}_min_s": round(s.lo, 4), f"{side}_max_s": round(s.hi, 4),
                    f"{side}_times_s": [round(t, 4) for t in s.times],
                    f"{side}_ms_per_step": round(1000 * s.median / steps, 3)})
    if companion is not None:
        small, big = n_steps(shape, companion), steps
        for side in SIDES:
            row[f"{side}_companion_times_s"] = [round(t, 4) for t in companions[side]]
            row[f"{side}_flat_ratio"] = round(pairwise_ratio([t / big for t in times[side].times],
                                                             [t / small for t in companions[side]]), 3)
    for side in FLOORS:
        row[f"ratio_{side}"] = round(pairwise_ratio(times["project"].times, times[side].times), 3)
        row[f"ratios_{side}"] = [round(a / b, 3) for a, b in zip(times["project"].times, times[side].times)]
    row.update({"project_submit_s": round(submit.median, 4), "project_submit_max_s": round(submit.hi, 4),
                "submitter_cpu_ms_per_step": round(1000 * cpu.median / steps, 3)})
    log(f"      project {times['project'].text()} s | plain {times['plain'].text()} s | "
        f"like us {times['configured'].text()} s | vs plain {row['ratio_plain']:.2f}, "
        f"vs like us {row['ratio_configured']:.2f}")
    return row


def _rss(workers: dict[str, list[Any]]) -> dict[str, float]:
    return {kind: max(worker_peak_rss_mb(w.pid)["total_mb"] for w in ws) for kind, ws in workers.items()}


def run_distributed(env: Env, plan: Plan, shapes: Sequence[str], results: dict[str, Any]) -> None:
    """Submit latency, Redis memory, every distributed case, Redis commands, worker RSS."""
    cases = [(s, n) for s in DISTRIBUTED_SHAPES if s in shapes for n in plan.sizes[s]]
    if not cases:
        return
    log("== starting 2 workers per side (project, plain Celery, Celery like us): prefork, -c 1")
    workers = env.start_workers(SIDES)
    startup_rss = _rss(workers)
    project = ProjectRunner(env)
    floors = {side: FloorRunner(module) for side, module in FLOORS.items()}

    log(f"== submit latency of a 1-step job ({plan.latency_reps} runs per side after 2 warm-ups)")
    results["submit_latency"] = {"project": project_latency(project, 2, plan.latency_reps),
                                 **{side: floor_latency(f, 2, plan.latency_reps) for side, f in floors.items()}}
    log(f"   {results['submit_latency']}")

    # Memory first, while Redis holds nothing but what these runs write (no earlier run's keys or
    # results being cleaned up in the background to blur the used_memory differences).
    memory_cases = [(s, plan.memory_n) for s in ("chain", "fanout") if s in shapes]
    for shape, n in memory_cases:
        log(f"== Redis memory of a {shape} {n} run")
        results.setdefault("redis_memory", {})[f"{shape}_{n}"] = run_memory(env.redis.url, project, shape, n)

    rows = []
    # Every case up to N=1,000 first, then the 10,000-step ones: worker memory is compared (the
    # RSS target) after the same work on every side, before a 10,000-step plan is in any cache;
    # the peak after the 10,000-step cases is reported beside it.
    cases = [c for c in cases if c[1] < 10_000] + [c for c in cases if c[1] >= 10_000]
    small = [c for c in cases if c[1] < 10_000]
    mid_case = small[-1] if small and len(small) < len(cases) else None
    mid_rss: dict[str, float] = {}
    for shape, n in cases:
        warm, reps = plan.warmups_for(shape, n), plan.reps(n)
        log(f"== {shape} {n}: {warm} warm-up + {reps} reps of project, plain, like us")
        companion = 1000 if n >= 10_000 and 1000 in plan.sizes[shape] and shape in FLAT_SHAPES else None
        rows.append(run_case(shape, n, warm, reps, project, floors, companion))
        rows[-1]["load_avg_1m"] = round(os.getloadavg()[0], 2)  # other people's work on the machine shows here
        if (shape, n) == mid_case:
            mid_rss = _rss(workers)
    results["rows"] = rows
    by = {(r["shape"], r["n"]): r for r in rows}
    flat: dict[str, Any] = {}
    for shape in FLAT_SHAPES:
        if (shape, 1000) in by and (shape, 10_000) in by:
            small, big = by[(shape, 1000)], by[(shape, 10_000)]
            # Each 10,000-step run against the 1,000-step run just before it, on the same side.
            pairs = big["project_companion_times_s"]
            flat[shape] = {"project_1k_ms": round(1000 * statistics.median(pairs) / small["steps"], 3),
                           "project_10k_ms": big["project_ms_per_step"],
                           **{f"{side}_ratio": big[f"{side}_flat_ratio"] for side in SIDES}}
            results.setdefault("submit_10k_s", {})[shape] = {"median_s": big["project_submit_s"],
                                                              "max_s": big["project_submit_max_s"], "runs": big["reps"]}
    if flat:
        results["flat_cost"] = flat

    # Redis commands per step: one run of each shape at N=stats_n per side (not timed).
    commands: dict[str, dict[str, Any]] = {}
    results["stats_n"] = plan.stats_n
    for side in SIDES:
        for shape in (s for s in DISTRIBUTED_SHAPES if s in shapes):
            n = plan.stats_n
            project.prepare(shape, n)
            runner: Callable[[str, int], Any] = project.run if side == "project" else floors[side].run
            calls = command_stats(env.redis.url, partial(runner, shape, n))
            steps = n_steps(shape, n)
            commands.setdefault(side, {})[f"{shape}_{n}"] = {
                "per_step": round(sum(calls.values()) / steps, 1),
                "by_command_per_step": {k: round(v / steps, 2) for k, v in calls.items() if v / steps >= 0.05},
            }
    results["redis_commands"] = commands

    end_rss = _rss(workers)
    compared = mid_rss or end_rss
    results["worker_rss_mb"] = compared["project"]
    results["plain_worker_rss_mb"] = compared["plain"]
    results["configured_worker_rss_mb"] = compared["configured"]
    results["worker_rss_detail"] = {"at_start": startup_rss, "end": end_rss, "mid": compared,
                                    "mid_case": f"{mid_case[0]} {mid_case[1]}" if mid_case else "the last case",
                                    "workers": {kind: [worker_peak_rss_mb(w.pid) for w in ws]
                                                for kind, ws in workers.items()}}
    env.stop_workers()


def machine() -> dict[str, Any]:
    """The machine line of the reports: CPU, cores, memory, OS and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.+)", text)
        cpu = m.group(1).strip() if m else cpu
    except OSError:
        pass
    mem = ""
    try:
        m2 = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        mem = f"{int(m2.group(1)) / 1024 / 1024:.1f} GiB" if m2 else ""
    except OSError:
        pass
    import celery
    import kombu
    import redis

    from orchestrator.local.processes import find_redis_server

    server = find_redis_server() or "redis-server"
    try:
        server_version = subprocess.run([server, "--version"], capture_output=True, text=True).stdout.split()[2]
    except (OSError, IndexError):
        server_version = "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "celery": celery.__version__, "kombu": kombu.__version__,
            "redis_py": redis.__version__, "redis_server": server_version}


def local_figures(plan: Plan, shapes: Sequence[str], smoke: bool, results: dict[str, Any]) -> None:
    """Import, ``execute_in_process`` and planning: first, on a machine this run leaves quiet."""
    if "import" in shapes:
        log("== import in a fresh process")
        s = bench_import(1, 1 if smoke else 7)
        results["import_s"] = round(s.median, 4)
        s = bench_import(1, 1 if smoke else 7, "api")
        results["import_api_s"] = round(s.median, 4)
        results["import_api_times_s"] = [round(t, 4) for t in s.times]
    if "inprocess" in shapes:
        log(f"== execute_in_process, chain of {plan.in_process_ops} ops")
        s = bench_in_process(plan.in_process_ops, 1, 1 if smoke else 7)
        results["in_process_ms_per_step"] = round(s.median * 1000, 4)
        results["in_process_ops"] = plan.in_process_ops
    if "plan" in shapes:
        log(f"== plan of {plan.plan_steps} steps")
        samples = bench_plan(plan.plan_steps, 0 if smoke else 1, 1 if smoke else 3)
        results["plan_detail_s"] = {k: round(v.median, 4) for k, v in samples.items()}
        results["plan_10k_s"] = max(results["plan_detail_s"].values())
        results["plan_steps"] = plan.plan_steps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="N=5, 1 repetition, no warm-up, scaling at 1 and 2 processes (for the smoke test)")
    parser.add_argument("--reps", type=int, default=None, help="repetitions for N <= 1000 (default 15)")
    parser.add_argument("--reps-10k", type=int, default=None,
                        help="repetitions for N = 10,000 (default 2: one run of a side takes 30-40 s)")
    parser.add_argument("--scaling-reps", type=int, default=2, help="repetitions per pool size of the scaling rows")
    parser.add_argument("--shapes", nargs="+", choices=ALL_SHAPES, default=list(ALL_SHAPES))
    parser.add_argument("--out", type=Path, default=None, help="results JSON (default bench/results.json)")
    parser.add_argument("--md", type=Path, default=None,
                        help="results Markdown (default bench/RESULTS.md for a full run of every shape)")
    parser.add_argument("--fsync", action="store_true",
                        help="ORCH_FSYNC=1 for every side: every output fsynced (file and directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, outputs)")
    args = parser.parse_args(argv)
    if args.smoke:
        RUN_TIMEOUT.minimum = 30.0
    if args.fsync:
        os.environ["ORCH_FSYNC"] = "1"
    # SIGTERM unwinds like Ctrl-C, so every process started here is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    plan = make_plan(args)
    full = not args.smoke and set(args.shapes) == set(ALL_SHAPES)
    # Only a full run replaces bench/results.json and bench/RESULTS.md; partial runs go elsewhere.
    out = args.out or (BENCH / "results.json" if full else Path(tempfile.gettempdir()) / "orch-bench-results.json")
    md = args.md or (BENCH / "RESULTS.md" if full and args.out is None else None)

    started = time.perf_counter()
    results: dict[str, Any] = {"smoke": args.smoke, "command": COMMAND if full else "python -m bench.run " +
                               " ".join(argv if argv is not None else sys.argv[1:]),
                               "machine": machine(), "load_avg_start": os.getloadavg()[0],
                               "fsync": os.environ.get("ORCH_FSYNC") == "1"}
    local_figures(plan, args.shapes, args.smoke, results)

    workdir = Path(tempfile.mkdtemp(prefix="orch-bench-"))
    env = Env(workdir)
    failed = False
    try:
        env.start()
        results["redis_rtt_ms"] = round(redis_rtt(env.redis.url) * 1000, 4)
        run_distributed(env, plan, args.shapes, results)
        if "scaling" in args.shapes:
            log(f"== scaling: {plan.scaling_width}-way fan-out of sleeping steps at "
                f"{', '.join(map(str, plan.scaling_processes))} worker processes")
            results["scaling"] = bench_scaling(env, plan.scaling_processes, plan.scaling_width, plan.scaling_reps, log)
        if "ui" in args.shapes:
            from bench.ui_bench import bench_ui

            results["ui"] = bench_ui(env.redis.url, plan.ui_runs, plan.ui_steps, plan.ui_reps, measure, log)
    except Exception:
        failed = True
        log(env.worker_logs())
        raise
    finally:
        env.stop()
        if args.keep or failed:
            log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    results["load_avg_end"] = os.getloadavg()[0]
    results["load_avg_max"] = max([results["load_avg_start"], results["load_avg_end"],
                                   *(r["load_avg_1m"] for r in results.get("rows", []))])
    results["wall_s"] = round(time.perf_counter() - started, 1)
    results["finished_at"] = time.time()
    results["targets"] = TARGETS
    results["checks"] = checks(results)
    results["all_targets_hold"] = all(c["holds"] for c in results["checks"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"wall time {results['wall_s']:.0f} s; results in {out}")
    complete = all(key in results for key in ("rows", "plan_detail_s", "in_process_ms_per_step", "import_s",
                                              "scaling", "ui"))
    if md is not None and complete:
        write_markdown(results, md, results["command"])
        print(f"summary in {md}")
    elif md is not None:
        print("not every shape ran: the markdown summary is left as it was")
    return 0


if __name__ == "__main__":
    sys.exit(main())
