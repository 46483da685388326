"""Where the time of one step goes: a cProfile of a worker (solo pool) running a benchmark shape.

    python -m bench.profile                       # project and both floors, chain of 300
    python -m bench.profile --kind project --shape fanout --n 500 --top 40 --save /tmp/prof

Starts a private redis-server and one worker (``--pool solo``, so tasks run in the worker's main
thread), runs one warm-up, then profiles the worker's main thread for exactly one run of the shape
(start-up and warm-up left out), and counts Redis commands for that run (INFO commandstats: the
submitter's commands are included, the worker's own round trips are counted from the profile).
Profiling slows Python code down (about 1.5-2x); read shares, and take absolute per-step times
from ``make bench``. Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._profiled_worker import START, STOP
from bench.redis_figures import command_stats
from bench.runners import FloorRunner, ProjectRunner, n_steps
from bench.workers import KINDS, ROOT, Env

# (label, file fragment, function name): cumulative time of these, per step. Nested entries overlap.
PROJECT_PARTS = [
    ("celery task trace (whole task incl. ack, result, events)", "celery/app/trace.py", "trace_task"),
    ("execute_step_task (the step body)", "distributed/step_task.py", "execute_step_task"),
    ("  storage.get_run: HGETALL record + pydantic parse", "distributed/run_storage.py", "get_run"),
    ("  DistributedRun.load (per-run cache)", "distributed/run.py", "load"),
    ("  ResourceProvider + RunContext", "orchestrator/definitions/resources.py", "__init__"),
    ("  run_step (step runner)", "orchestrator/execution/step_runner.py", "run_step"),
    ("    mark_running (pipeline: HSETNX+HSET+XADD)", "distributed/run_storage.py", "mark_running"),
    ("    set_started (HSET)", "distributed/run_storage.py", "set_started"),
    ("    fs load_input", "io_managers/fs.py", "load_input"),
    ("    fs handle_output", "io_managers/fs.py", "handle_output"),
    ("      write_bytes_atomic (fsync only with ORCH_FSYNC=1)", "io_managers/fs.py", "write_bytes_atomic"),
    ("      posix.fsync", "~", "<built-in method posix.fsync>"),
    ("  provider.teardown", "orchestrator/definitions/resources.py", "teardown"),
    ("  finish_step", "distributed/run.py", "finish_step"),
    ("    _complete -> storage.complete (XADD events + EVALSHA)", "distributed/run_storage.py", "complete"),
    ("    _schedule", "distributed/run.py", "_schedule"),
    ("      _canceled (HGET status)", "distributed/run.py", "_canceled"),
    ("      _prefetch", "distributed/run.py", "_prefetch"),
    ("      enqueue_steps (send_task)", "distributed/dispatch.py", "enqueue_steps"),
    ("    close (last step only)", "distributed/run.py", "close"),
    ("pydantic model_dump_json (events, records)", "pydantic/main.py", "model_dump_json"),
    ("pydantic model_validate_json", "pydantic/main.py", "model_validate_json"),
    ("RunEvent construction", "orchestrator/events.py", "__init__"),
    ("logging: Logger._log", "logging/__init__.py", "_log"),
    ("celery: send_event (task events)", "celery/events/dispatcher.py", "send"),
    ("redis round trips: Connection.send_packed_command", "redis/connection.py", "send_packed_command"),
    ("redis replies: Connection.read_response", "redis/connection.py", "read_response"),
]
FLOOR_PARTS = [
    ("celery task trace (whole task incl. ack, result, events)", "celery/app/trace.py", "trace_task"),
    ("write_value (pickle, temp file, rename)", "bench/floor_tasks.py", "write_value"),
    ("  posix.fsync", "~", "<built-in method posix.fsync>"),
    ("apply_async (enqueue next)", "celery/app/task.py", "apply_async"),
    ("result backend store_result", "celery/backends/base.py", "store_result"),
    ("chord part return", "celery/backends/redis.py", "on_chord_part_return"),
    ("logging: Logger._log", "logging/__init__.py", "_log"),
    ("celery: send_event (task events)", "celery/events/dispatcher.py", "send"),
    ("redis round trips: Connection.send_packed_command", "redis/connection.py", "send_packed_command"),
    ("redis replies: Connection.read_response", "redis/connection.py", "read_response"),
]


def start_profiled_worker(env: Env, kind: str, out: Path) -> Any:
    from orchestrator.local.processes import ManagedProcess

    spec = KINDS[kind]
    args = [sys.executable, "-m", "bench._profiled_worker", str(out), "-A", spec.app, "worker", "--pool", "solo",
            "-Q", spec.queue, "-n", f"prof-{kind}-{os.getpid()}@%h", "--loglevel", "INFO", "--without-mingle",
            "--without-gossip"]
    proc = ManagedProcess(f"prof-{kind}", args, env.logs / f"prof-{kind}.log", {**os.environ, **env.worker_env}, ROOT)
    proc.start()
    deadline = time.monotonic() + 60
    while " ready." not in proc.log_text():
        if not proc.alive() or time.monotonic() > deadline:
            proc.stop()
            raise RuntimeError(f"profiled worker did not start:\n{proc.log_text()[-3000:]}")
        time.sleep(0.1)
    return proc


def summarize(prof: Path, parts: list[tuple[str, str, str]], steps: int, top: int) -> None:
    stats = pstats.Stats(str(prof))
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in table.values())
    print(f"profiled main-thread time: {total:.3f} s for {steps} steps = {1000 * total / steps:.2f} ms/step "
          "(profiler overhead included)")
    print(f"{'part':<62} {'calls/step':>10} {'ms/step':>8} {'share':>6}")
    for label, file_part, func in parts:
        calls = 0
        cum = 0.0
        for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in table.items():
            if name == func and file_part in filename.replace(os.sep, "/"):
                calls += nc
                cum += ct
        if calls:
            print(f"{label:<62} {calls / steps:>10.2f} {1000 * cum / steps:>8.3f} {100 * cum / total:>5.1f}%")
    print(f"\ntop {top} by own time (tottime), per step:")
    rows = sorted(table.items(), key=lambda kv: -kv[1][2])[:top]
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in rows:
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else ""
        print(f"  {1000 * tt / steps:7.3f} ms own {1000 * ct / steps:7.3f} ms cum {nc / steps:7.2f} calls  "
              f"{short}:{line} {name}")


def profile_one(env: Env, kind: str, shape: str, n: int, out: Path) -> tuple[float, dict[str, int]]:
    """Profile one run of ``shape`` at ``n`` on a fresh solo worker; returns its wall time and Redis commands."""
    worker = start_profiled_worker(env, kind, out)
    try:
        if kind == "project":
            project = ProjectRunner(env)
            project.prepare(shape, n)

            def run() -> float:
                return project.run(shape, n).elapsed
        else:
            floor = FloorRunner(KINDS[kind].app)  # the floor app's module

            def run() -> float:
                return floor.run(shape, n)

        run()  # warm-up: imports, caches, connections
        os.kill(worker.pid, START)
        time.sleep(0.2)
        elapsed: list[float] = []
        calls = command_stats(env.redis.url, lambda: elapsed.append(run()))
        os.kill(worker.pid, STOP)
        deadline = time.monotonic() + 60
        while not Path(str(out) + ".done").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
    return elapsed[0], calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", nargs="+", choices=tuple(KINDS), default=list(KINDS))
    parser.add_argument("--shape", choices=("chain", "fanout", "dynamic"), default="chain")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", type=Path, default=None, help="directory to keep the .prof files in")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="orch-bench-prof-"))
    save = args.save or workdir
    save.mkdir(parents=True, exist_ok=True)
    env = Env(workdir)
    env.start()
    try:
        for kind in args.kind:
            out = save / f"{kind}-{args.shape}-{args.n}.prof"
            elapsed, calls = profile_one(env, kind, args.shape, args.n, out)
            steps = n_steps(args.shape, args.n)
            print(f"\n===== {kind}: {args.shape} of {args.n} ({steps} steps) on 1 solo worker, profiled run "
                  f"{elapsed:.2f} s = {1000 * elapsed / steps:.2f} ms/step")
            total = sum(calls.values())
            print(f"Redis commands (all clients) per step: {total / steps:.1f}: " +
                  ", ".join(f"{k} {v / steps:.2f}" for k, v in calls.items() if v / steps >= 0.05))
            summarize(out, PROJECT_PARTS if kind == "project" else FLOOR_PARTS, steps, args.top)
            print(f"profile: {out}")
    finally:
        env.stop()
        shutil.rmtree(workdir / "home", ignore_errors=True)  # step outputs; logs and profiles stay
    return 0


if __name__ == "__main__":
    sys.exit(main())
