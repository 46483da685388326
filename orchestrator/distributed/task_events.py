"""Celery task events (what Flower shows) cost Redis work only while someone watches.

Each task event is one Redis ``PUBLISH``: ``task-sent`` from whoever publishes a step (the pool
process that finished its upstream step), ``task-received``, ``task-started`` and
``task-succeeded`` from the worker's main process. Four per step, a quarter of a step's Redis
commands, for a monitor that is usually not running. So, as in plain Celery, they are off by
default and on when:

- Flower runs: it broadcasts ``enable_events`` when it starts and every 5 s after, which turns on
  the main process's task events (Celery's own remote control), and within one presence beat (5 s,
  ``worker_presence.py``) the pool processes follow with ``task-sent``;
- or always, with ``ORCH_TASK_EVENTS=1`` (or a worker started with Celery's ``-E``).

Flower's first broadcast comes 5 s after it starts, so ``orch flower`` sends one itself first
(:func:`enable_on_workers`), and ``orch dev`` starts its workers with task events on when it runs
Flower: a run submitted the moment Flower is up shows in it. The pool processes follow a
broadcast at once (the commands are wrapped to update the shared byte), and the presence beat.

The main process shares the state with its pool processes through one byte of anonymous shared
memory made before they fork (:func:`share_with_pool`, called by ``worker/app.py``); a process that
is not a worker (a submitter) follows ``ORCH_TASK_EVENTS`` only.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

__all__ = ["TASK_EVENTS_SETTING", "task_events_setting", "share_with_pool", "note_worker_state", "sent_events_on",
           "enable_on_workers"]

TASK_EVENTS_SETTING = "ORCH_TASK_EVENTS"

_shared: mmap.mmap | None = None


def task_events_setting() -> bool:
    """``ORCH_TASK_EVENTS=1``: send task events always, watched or not."""
    return os.environ.get(TASK_EVENTS_SETTING, "").strip().lower() in ("1", "true", "yes", "on")


def share_with_pool() -> None:
    """Make the byte the main process writes and its (later forked) pool processes read, and have
    Celery's ``enable_events``/``disable_events`` remote control commands update it at once."""
    global _shared
    if _shared is None:
        _shared = mmap.mmap(-1, 1)
        _shared[0] = 1 if task_events_setting() else 0
        _follow_remote_control()


def _follow_remote_control() -> None:
    from celery.worker.control import Panel

    for name in ("enable_events", "disable_events"):
        command = Panel.data.get(name)
        if command is None or getattr(command, "_orch_follows", False):
            continue

        def followed(state: Any, *args: Any, _command: Any = command, **kwargs: Any) -> Any:
            reply = _command(state, *args, **kwargs)
            note_worker_state(state.consumer)
            return reply

        followed._orch_follows = True  # type: ignore[attr-defined]
        followed.__doc__ = command.__doc__
        Panel.data[name] = followed


def note_worker_state(consumer: Any) -> None:
    """In the main process: record whether its task events are on now (Flower, ``-E`` or the setting)."""
    if _shared is None:
        return
    dispatcher = getattr(consumer, "event_dispatcher", None)
    groups = getattr(dispatcher, "groups", None) or ()
    on = bool(getattr(dispatcher, "enabled", False)) and ("task" in groups or not groups)
    value = 1 if (on or task_events_setting()) else 0
    if _shared[0] != value:
        _shared[0] = value


def sent_events_on() -> bool:
    """Whether a step published from this process should send ``task-sent``."""
    if _shared is not None:
        return bool(_shared[0])
    return task_events_setting()


def enable_on_workers(broker_url: str) -> None:
    """Ask every running worker to send task events now (Celery's ``enable_events`` broadcast, as
    Flower sends it every 5 s once it runs). A broker that cannot be reached is left to Flower."""
    from orchestrator.distributed.dispatch import app_for

    try:
        app_for(broker_url).control.enable_events()
    except Exception:  # noqa: BLE001 - Flower's own broadcast follows within seconds
        return
