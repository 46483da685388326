"""The raw-Celery floor: the same trivial work as the project's benchmark jobs, with no orchestrator.

``celery -A bench.floor_app worker -Q bench_floor`` with ``REDIS_URL`` (broker and result backend)
and ``ORCH_HOME`` (outputs go under ``$ORCH_HOME/floor/<run_id>/``). Settings are the project's
family (JSON only, acks_late, reject on worker loss, prefetch 1, kombu priority emulation, task
events), except that results are stored (the floor needs them for chains and chords). Every output
is an int pickled to a file, written the way ``fs_io_manager`` writes by default (temp file in the
same directory, rename; with ``ORCH_FSYNC=1``, as for ``fs_io_manager``, also fsync of the file and
of the directory), and passed on by path. This module never imports ``orchestrator``.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from celery import Celery, chord

QUEUE = "bench_floor"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def floor_config(url: str) -> dict[str, Any]:
    visibility = int(os.environ.get("ORCH_VISIBILITY_TIMEOUT", "3600"))
    return {
        "broker_url": url,
        "result_backend": url,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": QUEUE,
        "task_ignore_result": False,
        "result_expires": 24 * 3600,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "broker_transport_options": {"visibility_timeout": visibility, "priority_steps": list(range(10)),
                                     "sep": ":", "queue_order_strategy": "priority"},
        "result_backend_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }


app = Celery("bench_floor", set_as_current=False)
app.conf.update(floor_config(REDIS_URL))


def floor_dir() -> Path:
    return Path(os.environ.get("ORCH_HOME") or "~/.orch").expanduser() / "floor"


FSYNC = os.environ.get("ORCH_FSYNC") == "1"


def write_value(path: Path, value: int) -> str:
    """Pickle ``value`` to ``path`` atomically (durably with ``ORCH_FSYNC=1``), as ``fs_io_manager``
    does; return the path."""
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
    with open(path, "rb") as f:
        return pickle.load(f)


def out_path(run_id: str, key: str) -> Path:
    return floor_dir() / run_id / key / "result"


@app.task(name="floor.start")
def start(run_id: str) -> str:
    return write_value(out_path(run_id, "start"), 0)


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


@app.task(name="floor.spawn", bind=True)
def spawn(self: Any, run_id: str, n: int) -> Any:
    """A dynamic fan-out: write ``n`` values, then replace this task by a chord over them."""
    paths = [write_value(floor_dir() / run_id / "emit" / "result" / str(i), i) for i in range(n)]
    header = [inc.s(p, run_id, f"inc[{i}]") for i, p in enumerate(paths)]
    return self.replace(chord(header, gather.s(run_id, "gather")))
