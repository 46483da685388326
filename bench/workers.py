"""The processes a benchmark run starts: a private ``redis-server`` and Celery workers of three kinds.

Kinds (``KINDS``): ``project`` (``worker.app``, queue ``orch``), ``plain`` (``bench.plain_app``:
Celery's defaults, queue ``celery``) and ``configured`` (``bench.floor_app``: the project's Celery
settings, queue ``bench_floor``). Task events are each app's setting (on for the project and the
configured floor, Celery's default off for plain), not a command-line flag. Every worker is
prefork, started by ``orchestrator.local.processes.CeleryWorker``: ``--loglevel INFO`` (the
project's default) and ``--without-mingle --without-gossip`` (start-up handshakes between workers,
the same for all kinds). Every process is started in its own process group and stopped by it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-not-for-production"

__all__ = ["ROOT", "SECRET", "KINDS", "WorkerKind", "Env", "worker_peak_rss_mb"]


@dataclass(frozen=True)
class WorkerKind:
    """How to start the workers of one side of a comparison."""

    app: str
    queue: str


KINDS = {
    "project": WorkerKind("worker.app", "orch"),
    "plain": WorkerKind("bench.plain_app", "celery"),
    "configured": WorkerKind("bench.floor_app", "bench_floor"),
}


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
    """Peak RSS (VmHWM) of a worker's main process (``pid``) and of its pool children, in MB."""
    main = _status_kb(pid, "VmHWM") / 1024
    children = [_status_kb(c, "VmHWM") / 1024 for c in _children(pid)]
    return {"main_mb": round(main, 1), "pool_mb": round(sum(children), 1), "total_mb": round(main + sum(children), 1)}


class Env:
    """The private Redis, the shared directory and the worker environment of one benchmark run.

    :param workdir: a fresh directory for Redis, outputs (``home``) and worker logs.
    """

    def __init__(self, workdir: Path) -> None:
        from orchestrator.local.processes import RedisServer

        self.workdir = workdir
        self.home = workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.logs = workdir / "logs"
        self.redis = RedisServer(workdir / "redis")
        self.workers: list[Any] = []
        self._started = 0

    def start(self) -> None:
        self.redis.start()
        # The submitter reads the same environment the workers get (and loads outputs from ORCH_HOME).
        os.environ.update(self.worker_env)

    @property
    def worker_env(self) -> dict[str, str]:
        # ORCH_FSYNC is passed as the caller set it: every side writes outputs the same way.
        return {"REDIS_URL": self.redis.url, "ORCH_HOME": str(self.home), "ORCH_SECRET": SECRET,
                "PYTHONPATH": str(ROOT), "ORCH_FSYNC": os.environ.get("ORCH_FSYNC", "0")}

    def start_workers(self, kinds: Sequence[str], count: int = 2, concurrency: int = 1) -> dict[str, list[Any]]:
        """``count`` prefork workers of ``concurrency`` processes for each of ``kinds``, started together.

        All stay up until :meth:`stop_workers`, but only one kind is ever busy: each measurement
        sends work to one kind while the others idle in their blocking BRPOP, so runs of the
        different kinds can alternate and a change in the machine's load hits every side alike.

        :param kinds: keys of ``KINDS``.
        :param count: workers per kind.
        :param concurrency: pool processes per worker (``-c``).
        """
        from orchestrator.local.processes import CeleryWorker

        started: dict[str, list[Any]] = {}
        for kind in kinds:
            spec = KINDS[kind]
            for _ in range(count):
                self._started += 1
                w = CeleryWorker(f"{kind}{self._started}-{os.getpid()}", self.logs, self.worker_env,
                                 concurrency=concurrency, queues=(spec.queue,), app=spec.app, cwd=ROOT)
                self.workers.append(w)
                started.setdefault(kind, []).append(w)
                w.start(wait=False)
        for ws in started.values():
            for w in ws:
                w.wait_ready(90)
        return started

    def stop_workers(self) -> None:
        # SIGTERM every group first so the workers shut down together, then wait for each.
        for w in self.workers:
            if w.alive():
                w.signal_group(signal.SIGTERM)
        for w in self.workers:
            w.stop()
        self.workers.clear()

    def stop(self) -> None:
        self.stop_workers()
        self.redis.stop()

    def worker_logs(self) -> str:
        """The tail of every worker's log (shown when a benchmark fails)."""
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}")
        return "\n".join(parts)
