"""The benchmark runner behind ``make bench``: the project against raw Celery and in-process floors.

    python -m bench.run                 # full run (about 5 minutes on 2 cores); writes bench/results.json
    python -m bench.run --smoke         # N=5, 1 repetition, no warm-up: keeps the runner working
    python -m bench.run --shapes chain fanout --reps 3

It starts its own ``redis-server`` on a free loopback port, two Celery workers (prefork,
concurrency 1 each) for the project (``worker.app``, started with the documented ``REDIS_URL``,
``ORCH_HOME`` and ``ORCH_SECRET``, cwd the project root so ``bench.project_jobs`` loads by code
pointer) and two for the raw-Celery floor app (``bench.floor_app``), on the same Redis and the same
shared directory. Only one set is busy at a time (the machine has 2 cores): project and floor runs
of a case alternate while the other set idles, so a change in machine load affects both sides of a
ratio alike. Every process it starts is stopped by its own process group at the end, whatever happens.

Times are wall times: for the project from ``submit_job`` to ``RunHandle.wait`` returning, for the
floor from sending to the final result being available in the result backend. Each shape runs its
warm-ups, then its repetitions; tables show medians and min-max, ratios are of medians. N=1000
cases of chain and fan-out come after the N=10 and N=100 runs of the same shape on the same workers
and take those as their warm-up (``--warmups-large`` to add more).
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
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SECRET = "bench-secret-not-for-production"
DISTRIBUTED_SHAPES = ("chain", "fanout", "dynamic")
LOCAL_SHAPES = ("inprocess", "plan", "import")
# The web UI over stored runs (bench/ui_bench.py): needs the private Redis, no workers.
UI_SHAPES = ("ui",)
ALL_SHAPES = (*DISTRIBUTED_SHAPES, *LOCAL_SHAPES, *UI_SHAPES)
TARGETS = {"ratio": 1.25, "in_process_ms_per_step": 0.25, "plan_10k_s": 1.0, "import_s": 0.3, "rss_ratio": 1.3,
           "ui_runs_list_s": 1.0}


class BenchError(RuntimeError):
    """A benchmark could not run or produced a wrong result."""


# -- statistics ------------------------------------------------------------------------------------


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def lo(self) -> float:
        return min(self.times)

    @property
    def hi(self) -> float:
        return max(self.times)

    def text(self, scale: float = 1.0, fmt: str = "{:.3f}") -> str:
        med, lo, hi = (fmt.format(x * scale) for x in (self.median, self.lo, self.hi))
        return f"{med} ({lo}-{hi})"


def measure(fn: Callable[[], float], warmups: int, reps: int) -> Sample:
    """Run ``fn`` (which returns the seconds it measured) ``warmups`` times unrecorded, then ``reps`` times."""
    for _ in range(warmups):
        fn()
    return Sample([fn() for _ in range(reps)])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- processes -------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command may contain spaces or parentheses: fields after the last ')' are fixed
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_peak_rss_mb(pid: int) -> dict[str, float]:
    """Peak RSS (VmHWM) of a worker's main process and of its pool children, in MB."""
    main = _status_kb(pid, "VmHWM") / 1024
    children = [_status_kb(c, "VmHWM") / 1024 for c in _children(pid)]
    return {"main_mb": round(main, 1), "pool_mb": round(sum(children), 1), "total_mb": round(main + sum(children), 1)}


class Env:
    """The private Redis, the shared directory and the worker environment of one benchmark run."""

    def __init__(self, workdir: Path) -> None:
        from orchestrator.local.processes import RedisServer

        self.workdir = workdir
        self.home = workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.logs = workdir / "logs"
        self.redis = RedisServer(workdir / "redis")
        self.workers: list[Any] = []

    def start(self) -> None:
        self.redis.start()
        # The submitter reads the same environment the workers get (and loads outputs from ORCH_HOME).
        os.environ.update(self.worker_env)

    @property
    def worker_env(self) -> dict[str, str]:
        # ORCH_FSYNC is passed as the caller set it: both sides write outputs the same way.
        return {"REDIS_URL": self.redis.url, "ORCH_HOME": str(self.home), "ORCH_SECRET": SECRET,
                "PYTHONPATH": str(ROOT), "ORCH_FSYNC": os.environ.get("ORCH_FSYNC", "0")}

    def start_workers(self, kinds: Sequence[str] = ("project", "floor"), count: int = 2) -> dict[str, list[Any]]:
        """``count`` prefork workers (concurrency 1) of the project (``worker.app``) and of the floor app.

        Both sets stay up for the whole run, but only one is ever busy: each measurement sends work
        to one set while the other idles in its blocking BRPOP. This lets project and floor runs
        alternate, so a change in the machine's load hits both sides of a ratio alike.
        """
        from orchestrator.local.processes import CeleryWorker

        started: dict[str, list[Any]] = {}
        for kind in kinds:
            app, queues = ("worker.app", ("orch",)) if kind == "project" else ("bench.floor_app", ("bench_floor",))
            for i in range(count):
                w = CeleryWorker(f"{kind}{i + 1}-{os.getpid()}", self.logs, self.worker_env, concurrency=1,
                                 queues=queues, app=app, cwd=ROOT)
                self.workers.append(w)
                started.setdefault(kind, []).append(w)
                w.start(wait=False)
        for w in self.workers:
            w.wait_ready(60)
        return started

    def stop_workers(self) -> None:
        for w in self.workers:
            w.stop()
        self.workers.clear()

    def stop(self) -> None:
        self.stop_workers()
        self.redis.stop()

    def worker_logs(self) -> str:
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}")
        return "\n".join(parts)


# -- one run of each distributed shape ------------------------------------------------------------


def expected_value(shape: str, n: int) -> int:
    return n * (n + 1) // 2 if shape == "dynamic" else n


def n_steps(shape: str, n: int) -> int:
    """Steps (project) = tasks (floor) of one run: start + N for a chain, start + N + gather otherwise."""
    return n + 1 if shape == "chain" else n + 2


RUN_TIMEOUT_MIN = 120.0  # seconds a run may take at least before it counts as hung (30 in --smoke)


def timeout_for(n: int) -> float:
    return max(RUN_TIMEOUT_MIN, n * 0.5)


class ProjectRunner:
    def __init__(self, env: Env) -> None:
        from orchestrator import Instance

        self.instance = Instance(redis_url=env.redis.url, home=env.home, secret=SECRET)

    def job_name(self, shape: str, n: int) -> str:
        return "dynamic" if shape == "dynamic" else f"{shape}_{n}"

    def prepare(self, shape: str, n: int) -> None:
        from bench import project_jobs

        project_jobs.build(self.job_name(shape, n))  # build (and plan-cache) outside the timing

    def run(self, shape: str, n: int) -> float:
        from bench import project_jobs
        from orchestrator import submit_job

        name = self.job_name(shape, n)
        job = project_jobs.build(name)
        run_config = {"ops": {"emit": {"inputs": {"n": n}}}} if shape == "dynamic" else None
        t0 = time.perf_counter()
        handle = submit_job(job, run_config=run_config, instance=self.instance, code_pointer=project_jobs.pointer(name))
        result = handle.wait(timeout=timeout_for(n))
        elapsed = time.perf_counter() - t0
        if not result.success:
            raise BenchError(f"project run {handle.run_id} of {name} ended {result.status.value}: {result.info.reason}")
        last = f"inc_{n - 1}" if shape == "chain" else "gather"
        value = result.output_for_node(last)
        if value != expected_value(shape, n):
            raise BenchError(f"project {name}: got {value}, expected {expected_value(shape, n)}")
        return elapsed


class FloorRunner:
    """Raw Celery doing the same work: canvas chain / self-enqueueing chain, chord, task enqueuing a chord."""

    def __init__(self) -> None:
        from bench import floor_app

        self.fa = floor_app
        self.app = floor_app.app

    def _check(self, shape: str, n: int, path: str) -> None:
        value = self.fa.read_value(path)
        if value != expected_value(shape, n):
            raise BenchError(f"floor {shape} {n}: got {value}, expected {expected_value(shape, n)}")

    def run(self, shape: str, n: int, variant: str = "") -> float:
        from celery import chain, chord

        fa = self.fa
        run_id = uuid.uuid4().hex
        t0 = time.perf_counter()
        if shape == "chain" and variant == "canvas":
            sig = chain(fa.start.s(run_id), *[fa.inc.s(run_id, f"inc_{i}") for i in range(n)])
            path = sig.apply_async().get(timeout=timeout_for(n), follow_parents=False)
        elif shape == "chain":
            final_id = uuid.uuid4().hex
            fa.hop_start.apply_async((run_id, n, final_id))
            path = self.app.AsyncResult(final_id).get(timeout=timeout_for(n), follow_parents=False)
        elif shape == "fanout":
            sig = chain(fa.start.s(run_id),
                        chord([fa.inc.s(run_id, f"leaf_{i}") for i in range(n)], fa.gather.s(run_id, "gather")))
            path = sig.apply_async().get(timeout=timeout_for(n), follow_parents=False)
        elif shape == "dynamic":
            path = fa.spawn.apply_async((run_id, n)).get(timeout=timeout_for(n), follow_parents=False)
        else:
            raise ValueError(shape)
        elapsed = time.perf_counter() - t0
        self._check(shape, n, path)
        return elapsed


# -- local measurements ----------------------------------------------------------------------------


def bench_in_process(ops: int, warmups: int, reps: int) -> Sample:
    from bench.project_jobs import chain_job

    job = chain_job(ops - 1)  # start + (ops - 1) incs

    def once() -> float:
        t0 = time.perf_counter()
        result = job.execute_in_process()
        elapsed = time.perf_counter() - t0
        if result.output_for_node(f"inc_{ops - 2}") != ops - 1:
            raise BenchError("in-process chain gave a wrong result")
        return elapsed / ops

    return measure(once, warmups, reps)


def bench_plan(steps: int, warmups: int, reps: int) -> dict[str, Sample]:
    """Config resolution + planning (topology flattening included) of a fresh job of ``steps`` steps."""
    from bench.project_jobs import chain_job, fanout_job
    from orchestrator.definitions.config.run_config import resolve_run_config
    from orchestrator.plan.planner import build_plan

    out = {}
    for shape, make in (("chain", lambda: chain_job(steps - 1)), ("fanout", lambda: fanout_job(steps - 2))):
        def once(make: Callable[[], Any] = make, shape: str = shape) -> float:
            job = make()  # a fresh job: nothing cached from an earlier plan
            t0 = time.perf_counter()
            resolved = resolve_run_config(job, None, None)
            plan = build_plan(job, resolved.op_inputs)
            elapsed = time.perf_counter() - t0
            if len(plan.steps) != steps:
                raise BenchError(f"plan of {shape} has {len(plan.steps)} steps, expected {steps}")
            return elapsed

        out[shape] = measure(once, warmups, reps)
    return out


_IMPORT_SNIPPETS = {
    "import": "import orchestrator",
    # The Dagster port line: with lazily loaded names, this is where the real import cost shows.
    "api": "from orchestrator import op, job, submit_job",
}


def bench_import(warmups: int, reps: int, what: str = "import") -> Sample:
    """``import orchestrator`` (or the usual ``from orchestrator import ...``) in a fresh interpreter,
    interpreter start-up excluded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    code = f"import time; t = time.perf_counter(); {_IMPORT_SNIPPETS[what]}; print(time.perf_counter() - t)"

    def once() -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             cwd=tempfile.gettempdir(), check=True)
        return float(out.stdout.strip().splitlines()[-1])

    return measure(once, warmups, reps)


def redis_rtt(url: str, count: int = 2000) -> float:
    """Median seconds of one PING round trip from this process."""
    import redis

    client = redis.Redis.from_url(url)
    client.ping()
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        client.ping()
        times.append(time.perf_counter() - t0)
    client.close()
    return statistics.median(times)


def command_stats(url: str, fn: Callable[[], Any]) -> dict[str, int]:
    """Redis commands (by name) that ``fn`` caused, from INFO commandstats before/after."""
    import redis

    client = redis.Redis.from_url(url)
    client.config_resetstat()
    fn()
    stats = client.info("commandstats")
    client.close()
    counts = {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}
    for own in ("config|resetstat", "info", "config"):
        counts.pop(own, None)
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class Plan:
    sizes: dict[str, list[int]]
    reps_small: int
    reps_large: int
    warmups: int
    warmups_large: int
    in_process_ops: int
    plan_steps: int
    stats_n: int
    ui_runs: int = 10_000
    ui_steps: int = 1000
    ui_reps: int = 5

    def reps(self, n: int) -> int:
        return self.reps_large if n >= 1000 else self.reps_small

    def warmups_for(self, shape: str, n: int) -> int:
        """Warm-ups before a case. A large N that follows smaller runs of the same shape on the same
        workers (everything imported, connected and cached) gets ``warmups_large``."""
        first = n == self.sizes[shape][0]
        return self.warmups if n < 1000 or first else self.warmups_large


def make_plan(args: argparse.Namespace) -> Plan:
    if args.smoke:
        return Plan({"chain": [5], "fanout": [5], "dynamic": [5]}, 1, 1, 0, 0, 50, 500, 5,
                    ui_runs=200, ui_steps=50, ui_reps=1)
    reps = args.reps or 5
    return Plan({"chain": [10, 100, 1000], "fanout": [10, 100, 1000], "dynamic": [1000]}, reps,
                args.reps_large or max(1, min(reps, 3)), 1, args.warmups_large, 500, 10_000, 100)


PRUNE = 1.5  # a floor variant whose first timed run is this much slower than the best one stops there


def run_distributed(env: Env, plan: Plan, shapes: Sequence[str], results: dict[str, Any]) -> None:
    """Every distributed case, project and floor runs alternating, then peak RSS and Redis command counts."""
    cases = [(s, n) for s in DISTRIBUTED_SHAPES if s in shapes for n in plan.sizes[s]]
    if not cases:
        return
    rss_case = max((c for c in cases if c[0] == "fanout"), key=lambda c: c[1], default=cases[-1])
    stats_cases = [(s, plan.stats_n) for s in DISTRIBUTED_SHAPES if s in shapes]
    log("== starting 2 project workers (worker.app) and 2 floor workers (bench.floor_app): prefork, concurrency 1")
    workers = env.start_workers()
    startup_rss = {kind: [worker_peak_rss_mb(w.pid) for w in ws] for kind, ws in workers.items()}
    project_runner = ProjectRunner(env)
    floor_runner = FloorRunner()
    rows = []
    rss: dict[str, dict[str, Any]] = {}
    variants_seen: dict[str, Any] = {}
    for shape, n in cases:
        project_runner.prepare(shape, n)
        variants = ["hop", "canvas"] if shape == "chain" else [""]
        warm, reps = plan.warmups_for(shape, n), plan.reps(n)
        log(f"   {shape} {n}: {warm} warm-up + {reps} reps, project and floor alternating")
        for _ in range(warm):
            project_runner.run(shape, n)
            for v in variants:
                floor_runner.run(shape, n, v)
        project, cpu, floor_cpu = Sample(), Sample(), Sample()
        floor: dict[str, Sample] = {v: Sample() for v in variants}
        for _ in range(reps):
            c0 = time.process_time()
            project.times.append(project_runner.run(shape, n))
            cpu.times.append(time.process_time() - c0)
            for v in variants:
                if v in floor:
                    c0 = time.process_time()
                    floor[v].times.append(floor_runner.run(shape, n, v))
                    floor_cpu.times.append(time.process_time() - c0)
            if len(floor) > 1:  # drop variants that cannot be the floor
                best = min(s.median for s in floor.values())
                for v in [v for v, s in floor.items() if s.median > PRUNE * best]:
                    variants_seen[f"{shape}/{v}_{n}"] = {"median_s": round(floor[v].median, 4), "runs": 1,
                                                         "pruned": True}
                    del floor[v]
        variant, best_floor = min(floor.items(), key=lambda kv: kv[1].median)
        for v, sample in floor.items():
            variants_seen[f"{shape}/{v}_{n}" if v else f"{shape}_{n}"] = {"median_s": round(sample.median, 4),
                                                                          "runs": len(sample.times)}
        steps = n_steps(shape, n)
        log(f"      project {project.text()} s | floor{'/' + variant if variant else ''} {best_floor.text()} s "
            f"| ratio {project.median / best_floor.median:.2f}")
        rows.append({
            "shape": shape, "n": n, "project_s": round(project.median, 4), "floor_s": round(best_floor.median, 4),
            "ratio": round(project.median / best_floor.median, 3),
            "project_min_s": round(project.lo, 4), "project_max_s": round(project.hi, 4),
            "floor_min_s": round(best_floor.lo, 4), "floor_max_s": round(best_floor.hi, 4),
            "floor_variant": {"hop": "chain: each task enqueues its successor", "canvas": "canvas chain",
                              "": "chord" if shape == "fanout" else "task enqueuing a chord"}[variant],
            "reps": len(project.times), "steps": steps,
            "project_ms_per_step": round(1000 * project.median / steps, 3),
            "floor_ms_per_step": round(1000 * best_floor.median / steps, 3),
            "submitter_cpu_ms_per_step": round(1000 * cpu.median / steps, 3),
            "floor_submitter_cpu_ms_per_step": round(1000 * floor_cpu.median / steps, 3),
        })
        if (shape, n) == rss_case:
            for kind, ws in workers.items():
                per = [worker_peak_rss_mb(w.pid) for w in ws]
                rss[kind] = {"after": f"{shape} {n}", "max_total_mb": max(p["total_mb"] for p in per),
                             "max_pool_mb": max(p["pool_mb"] for p in per), "workers": per,
                             "at_start": startup_rss[kind]}

    # Redis commands per step: one run of each shape at N=stats_n, project then floor (not timed).
    commands: dict[str, dict[str, Any]] = {}
    for kind in ("project", "floor"):
        for shape, n in stats_cases:
            project_runner.prepare(shape, n)
            if kind == "project":
                calls = command_stats(env.redis.url, lambda s=shape, k=n: project_runner.run(s, k))
            else:
                calls = command_stats(env.redis.url, lambda s=shape, k=n: floor_runner.run(s, k, "hop"))
            steps = n_steps(shape, n)
            commands.setdefault(kind, {})[f"{shape}_{n}"] = {
                "per_step": round(sum(calls.values()) / steps, 1),
                "by_command_per_step": {k: round(v / steps, 2) for k, v in calls.items() if v / steps >= 0.05},
            }
    env.stop_workers()
    results["rows"] = rows
    results["floor_variants"] = variants_seen
    if rss:
        results["worker_rss_mb"] = rss["project"]["max_total_mb"]
        results["floor_worker_rss_mb"] = rss["floor"]["max_total_mb"]
        results["worker_rss_detail"] = rss
    results["redis_commands"] = commands


def machine() -> dict[str, Any]:
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


def print_table(results: dict[str, Any]) -> None:
    rows = results.get("rows", [])
    print()
    print(f"{'shape':<8} {'n':>5} {'project s median (min-max)':>30} {'floor s median (min-max)':>30} "
          f"{'ratio':>6} {'ms/step p|f':>14}  target<=1.25")
    for r in rows:
        ptxt = f"{r['project_s']:.3f} ({r['project_min_s']:.3f}-{r['project_max_s']:.3f})"
        ftxt = f"{r['floor_s']:.3f} ({r['floor_min_s']:.3f}-{r['floor_max_s']:.3f})"
        per = f"{r['project_ms_per_step']:.2f}|{r['floor_ms_per_step']:.2f}"
        ok = "" if r["n"] < 100 else ("ok" if r["ratio"] <= TARGETS["ratio"] else "MISS")
        print(f"{r['shape']:<8} {r['n']:>5} {ptxt:>30} {ftxt:>30} {r['ratio']:>6.2f} {per:>14}  {ok}")
    print()

    def line(label: str, value: Any, target: str, ok: bool | None) -> None:
        mark = "" if ok is None else ("ok" if ok else "MISS")
        print(f"{label:<40} {value:>22}  {target:<12} {mark}")

    if "in_process_ms_per_step" in results:
        v = results["in_process_ms_per_step"]
        line(f"in process, ms/step ({results['in_process_ops']} ops)", f"{v:.3f}", "<= 0.25",
             v <= TARGETS["in_process_ms_per_step"])
    if "plan_10k_s" in results:
        v = results["plan_10k_s"]
        detail = results["plan_detail_s"]
        line(f"plan {results['plan_steps']} steps, s (chain|fanout)",
             f"{detail['chain']:.3f}|{detail['fanout']:.3f}", "< 1", v < TARGETS["plan_10k_s"])
    if "import_s" in results:
        v = results["import_s"]
        line("import orchestrator, s", f"{v:.3f}", "< 0.3", v < TARGETS["import_s"])
        line("from orchestrator import op, job, submit_job, s", f"{results['import_api_s']:.3f}", "", None)
    if "worker_rss_mb" in results:
        w, f = results["worker_rss_mb"], results["floor_worker_rss_mb"]
        line("peak worker RSS MB, project|floor", f"{w:.1f}|{f:.1f} ({w / f:.2f}x)", "<= 1.3x",
             w <= TARGETS["rss_ratio"] * f)
    if "ui" in results:
        u = results["ui"]
        line(f"UI runs list | GET /api/runs, s ({u['runs_stored']} runs)", f"{u['runs_page_s']:.3f}|{u['api_runs_s']:.3f}",
             "< 1", max(u["runs_page_s"], u["api_runs_s"]) < TARGETS["ui_runs_list_s"])
        line(f"UI run page | GET /api/runs/<id>, s ({u['run_steps']} steps)",
             f"{u['run_page_s']:.3f}|{u['api_run_s']:.3f}", "", None)
    if "redis_rtt_ms" in results:
        line("redis PING round trip, ms", f"{results['redis_rtt_ms']:.3f}", "", None)
    for kind, per in results.get("redis_commands", {}).items():
        for case, c in per.items():
            top = ", ".join(f"{k} {v}" for k, v in list(c["by_command_per_step"].items())[:6])
            print(f"redis commands/step {kind:<7} {case:<11} {c['per_step']:>6}  ({top})")
    print()


def write_markdown(results: dict[str, Any], path: Path, command: str) -> None:
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Latest full run: {time.strftime('%Y-%m-%d %H:%M', time.localtime(results['finished_at']))}, "
        f"wall time {results['wall_s']:.0f} s. Written by `{command}`; the raw figures are in "
        "`bench/results.json`.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['os']}; Python {m['python']}, "
        f"Celery {m['celery']}, kombu {m['kombu']}, redis-py {m['redis_py']}, redis-server {m['redis_server']}. "
        f"1-minute load average {results['load_avg_start']:.1f} at the start, {results['load_avg_end']:.1f} at "
        "the end (other work on the machine shows here; project and floor runs alternate so ratios hold up "
        "better than absolute times).",
        "",
        "Two prefork workers (concurrency 1) per side on a private redis-server on loopback; project and "
        "floor runs alternate, one side busy at a time. Trivial op (add 1 to an int); every output pickled "
        "to a file and passed by path, written as `fs_io_manager` does (temp file and rename" +
        ("; fsync of file and directory: ORCH_FSYNC=1" if results["fsync"] else "; no fsync, its default") +
        "). Times are medians (min-max) in seconds, submit to result; N=1000: 3 runs, otherwise 5, "
        "after a warm-up.",
        "",
        "| shape | N | project s | floor s | floor | ratio (target <= 1.25) |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for r in results.get("rows", []):
        lines.append(f"| {r['shape']} | {r['n']} | {r['project_s']:.3f} ({r['project_min_s']:.3f}-"
                     f"{r['project_max_s']:.3f}) | {r['floor_s']:.3f} ({r['floor_min_s']:.3f}-{r['floor_max_s']:.3f}) "
                     f"| {r['floor_variant']} | {r['ratio']:.2f} |")
    d = results["plan_detail_s"]
    lines += [
        "",
        "| measure | value | target |",
        "| --- | ---: | ---: |",
        f"| `execute_in_process`, chain of {results['in_process_ops']} ops | "
        f"{results['in_process_ms_per_step']:.3f} ms/step | <= 0.25 |",
        f"| plan of a {results['plan_steps']}-step job (chain / fan-out) | {d['chain']:.3f} / {d['fanout']:.3f} s "
        "| < 1 |",
        f"| `import orchestrator`, fresh process | {results['import_s']:.3f} s | < 0.3 |",
        f"| `from orchestrator import op, job, submit_job`, fresh process | {results['import_api_s']:.3f} s | |",
        f"| peak worker RSS after fan-out 1000, project / floor | {results['worker_rss_mb']:.1f} / "
        f"{results['floor_worker_rss_mb']:.1f} MB ({results['worker_rss_mb'] / results['floor_worker_rss_mb']:.2f}x) "
        "| <= 1.3x |",
        f"| Redis PING round trip | {results['redis_rtt_ms']:.3f} ms | |",
    ]
    u = results.get("ui")
    if u:
        lines += [
            "",
            f"Web UI (`bench/ui_bench.py`, {time.strftime('%Y-%m-%d %H:%M', time.localtime(u['measured_at']))}): "
            f"{u['runs_stored']} runs stored through `RunStorage.create_run`, one of "
            f"them a {u['run_steps']}-step run whose steps all have STEP_START and STEP_SUCCESS events; uvicorn on "
            "loopback, times of real HTTP requests, median (max) of 5 after a warm-up:",
            "",
            "| request | s | target |",
            "| --- | ---: | ---: |",
            f"| runs list page `/` | {u['runs_page_s']:.3f} ({u['runs_page_max_s']:.3f}) | < 1 |",
            f"| `GET /api/runs` | {u['api_runs_s']:.3f} ({u['api_runs_max_s']:.3f}) | < 1 |",
            f"| run page `/runs/<id>`, {u['run_steps']} steps | {u['run_page_s']:.3f} ({u['run_page_max_s']:.3f}) | |",
            f"| `GET /api/runs/<id>`, {u['run_steps']} steps | {u['api_run_s']:.3f} ({u['api_run_max_s']:.3f}) | |",
        ]
    rc = results.get("redis_commands", {})
    if rc:
        lines += ["", "Redis commands per step (INFO commandstats, one run of each shape at N=100):", ""]
        for kind, per in rc.items():
            for case, c in per.items():
                lines.append(f"- {kind} {case}: {c['per_step']} per step")
    lines += [
        "",
        "Reproduce: `make bench` (or `.venv/bin/python -m bench.run`; `--reps R`, `--shapes chain fanout ...`, "
        "`--smoke` for N=5). The profile of the per-step path: `.venv/bin/python -m bench.profile`.",
        "",
    ]
    path.write_text("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="N=5, 1 repetition, no warm-up (for the smoke test)")
    parser.add_argument("--reps", type=int, default=None, help="repetitions for N <= 100 (default 5)")
    parser.add_argument("--reps-large", type=int, default=None, help="repetitions for N = 1000 (default 3)")
    parser.add_argument("--warmups-large", type=int, default=0,
                        help="warm-ups for N = 1000 after smaller runs of the same shape (default 0)")
    parser.add_argument("--shapes", nargs="+", choices=ALL_SHAPES, default=list(ALL_SHAPES))
    parser.add_argument("--out", type=Path, default=None, help="results JSON (default bench/results.json)")
    parser.add_argument("--md", type=Path, default=None,
                        help="results Markdown (default bench/RESULTS.md for a full run of every shape)")
    parser.add_argument("--fsync", action="store_true",
                        help="ORCH_FSYNC=1 for project and floor: every output fsynced (file and directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, outputs)")
    args = parser.parse_args(argv)
    global RUN_TIMEOUT_MIN
    if args.smoke:
        RUN_TIMEOUT_MIN = 30.0
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
    results: dict[str, Any] = {"smoke": args.smoke, "machine": machine(), "load_avg_start": os.getloadavg()[0],
                               "fsync": os.environ.get("ORCH_FSYNC") == "1"}
    # Local measurements first, on a quiet machine.
    if "import" in args.shapes:
        log("== import orchestrator (fresh process)")
        s = bench_import(1, 1 if args.smoke else 7)
        results["import_s"] = round(s.median, 4)
        s = bench_import(0, 1 if args.smoke else 5, "api")
        results["import_api_s"] = round(s.median, 4)
    if "inprocess" in args.shapes:
        log(f"== execute_in_process, chain of {plan.in_process_ops} ops")
        s = bench_in_process(plan.in_process_ops, 1, 1 if args.smoke else 7)
        results["in_process_ms_per_step"] = round(s.median * 1000, 4)
        results["in_process_ops"] = plan.in_process_ops
    if "plan" in args.shapes:
        log(f"== plan of {plan.plan_steps} steps")
        samples = bench_plan(plan.plan_steps, 0 if args.smoke else 1, 1 if args.smoke else 3)
        results["plan_detail_s"] = {k: round(v.median, 4) for k, v in samples.items()}
        results["plan_10k_s"] = max(results["plan_detail_s"].values())
        results["plan_steps"] = plan.plan_steps

    workdir = Path(tempfile.mkdtemp(prefix="orch-bench-"))
    env = Env(workdir)
    failed = False
    try:
        env.start()
        results["redis_rtt_ms"] = round(redis_rtt(env.redis.url) * 1000, 4)
        run_distributed(env, plan, args.shapes, results)
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
    results["wall_s"] = round(time.perf_counter() - started, 1)
    results["finished_at"] = time.time()
    results["targets"] = TARGETS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"wall time {results['wall_s']:.0f} s; results in {out}")
    full = all(key in results for key in ("rows", "plan_detail_s", "in_process_ms_per_step", "import_s", "ui"))
    if md is not None and full:
        write_markdown(results, md, "make bench")
        print(f"summary in {md}")
    elif md is not None:
        print("not every shape ran: the markdown summary is left as it was")
    return 0


if __name__ == "__main__":
    sys.exit(main())
