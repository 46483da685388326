"""The tasks of both raw-Celery floors, and the file work every one of them does.

Both floor apps (``bench.plain_app``: Celery's defaults; ``bench.floor_app``: configured as the
project configures Celery) define these same tasks with :func:`define_tasks`, so the two floors
differ only by their configuration. Every output is an int pickled to a file under
``$ORCH_HOME/floor/<run_id>/``, written the way ``fs_io_manager`` writes by default (temp file in
the same directory, then rename; with ``ORCH_FSYNC=1``, as for ``fs_io_manager``, also fsync of the
file and of its directory), and passed on by path. This module never imports ``orchestrator``.

The shapes, as the project's benchmark jobs (``bench.project_jobs``) have them:

- chain: ``hop_start`` writes 0 and enqueues ``hop`` 0; every ``hop`` adds one and enqueues its
  successor; only the last one stores its result (the one the client waits on).
- fan-out: ``fan`` writes 0, then replaces itself by a chord of N ``inc`` over that file and a
  ``gather`` summing them (one task enqueues the chord itself).
- dynamic: ``spawn`` writes N values (0..N-1), then replaces itself by a chord of N ``inc``, one per
  value, and a ``gather``.
- sleeping fan-out (the scaling rows): ``nap_fan`` as ``fan``, with ``nap`` (sleep, then add one).
- ``stamp``: returns the time its body started (submit latency).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery, chord

__all__ = ["FloorTasks", "define_tasks", "floor_dir", "out_path", "read_value", "write_value"]

FSYNC = os.environ.get("ORCH_FSYNC") == "1"


def floor_dir() -> Path:
    """Where the floors write their outputs: ``$ORCH_HOME/floor`` (the project writes to ``storage``)."""
    return Path(os.environ.get("ORCH_HOME") or "~/.orch").expanduser() / "floor"


def out_path(run_id: str, key: str) -> Path:
    """The file of output ``key`` of floor run ``run_id``."""
    return floor_dir() / run_id / key / "result"


def write_value(path: Path, value: int) -> str:
    """Pickle ``value`` to ``path`` atomically (durably with ``ORCH_FSYNC=1``), as ``fs_io_manager``
    does; return the path.

    :param path: the output file; its directory is created when missing.
    :param value: the int to store.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(delete=False, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with tmp:
            tmp.write(pickle.dumps(value))
            if FSYNC:
                tmp.flush()
                os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    if FSYNC:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError):
                os.fsync(fd)
        finally:
            os.close(fd)
    return str(path)


def read_value(path: str) -> int:
    """The int pickled in ``path``."""
    with open(path, "rb") as f:
        value: int = pickle.load(f)
    return value


@dataclass(frozen=True)
class FloorTasks:
    """The tasks one floor app defines (Celery task objects, typed loosely: Celery's are untyped)."""

    inc: Any
    gather: Any
    hop: Any
    hop_start: Any
    fan: Any
    spawn: Any
    nap: Any
    nap_fan: Any
    stamp: Any


def define_tasks(app: Celery) -> FloorTasks:
    """Define the floor tasks on ``app`` (names ``floor.*``; each app sends to its default queue).

    :param app: the floor's Celery app, already configured.
    """

    @app.task(name="floor.inc")
    def inc(path: str, run_id: str, key: str) -> str:
        return write_value(out_path(run_id, key), read_value(path) + 1)

    @app.task(name="floor.gather")
    def gather(paths: list[str], run_id: str, key: str = "gather") -> str:
        return write_value(out_path(run_id, key), sum(read_value(p) for p in paths))

    @app.task(name="floor.hop", ignore_result=True)
    def hop(path: str, run_id: str, i: int, n: int, final_id: str) -> str:
        """Step ``i`` of a chain of ``n`` that enqueues its own successor; the last one has ``final_id``."""
        out = write_value(out_path(run_id, f"inc_{i}"), read_value(path) + 1)
        if i + 1 < n:
            last = i + 1 == n - 1
            hop.apply_async((out, run_id, i + 1, n, final_id), task_id=final_id if last else None,
                            ignore_result=not last)
        return out

    @app.task(name="floor.hop_start", ignore_result=True)
    def hop_start(run_id: str, n: int, final_id: str) -> str:
        out = write_value(out_path(run_id, "start"), 0)
        hop.apply_async((out, run_id, 0, n, final_id), task_id=final_id if n == 1 else None, ignore_result=n != 1)
        return out

    @app.task(name="floor.fan", bind=True)
    def fan(self: Any, run_id: str, n: int) -> Any:
        """A fan-out: write 0, then replace this task by a chord of ``n`` ``inc`` over it and a gather."""
        path = write_value(out_path(run_id, "start"), 0)
        header = [inc.s(path, run_id, f"leaf_{i}") for i in range(n)]
        return self.replace(chord(header, gather.s(run_id, "gather")))

    @app.task(name="floor.spawn", bind=True)
    def spawn(self: Any, run_id: str, n: int) -> Any:
        """A dynamic fan-out: write ``n`` values, then replace this task by a chord over them."""
        paths = [write_value(floor_dir() / run_id / "emit" / "result" / str(i), i) for i in range(n)]
        header = [inc.s(p, run_id, f"inc[{i}]") for i, p in enumerate(paths)]
        return self.replace(chord(header, gather.s(run_id, "gather")))

    @app.task(name="floor.nap")
    def nap(path: str, run_id: str, key: str, seconds: float) -> str:
        time.sleep(seconds)
        return write_value(out_path(run_id, key), read_value(path) + 1)

    @app.task(name="floor.nap_fan", bind=True)
    def nap_fan(self: Any, run_id: str, n: int, seconds: float) -> Any:
        """The scaling shape: as ``fan``, each leaf sleeping ``seconds`` first."""
        path = write_value(out_path(run_id, "start"), 0)
        header = [nap.s(path, run_id, f"nap_{i}", seconds) for i in range(n)]
        return self.replace(chord(header, gather.s(run_id, "gather")))

    @app.task(name="floor.stamp")
    def stamp() -> float:
        return time.time()

    return FloorTasks(inc=inc, gather=gather, hop=hop, hop_start=hop_start, fan=fan, spawn=spawn,
                      nap=nap, nap_fan=nap_fan, stamp=stamp)
