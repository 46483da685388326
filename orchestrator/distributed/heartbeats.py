"""Running steps, as the rest of the deployment sees them: started, alive, or gone.

One daemon thread per worker process serves every step running in it. A step's start is written
shortly after it starts (``START_DELAY``); a step that finishes sooner reports its start together
with its completion, saving a Redis round trip on short steps. Then the step heartbeats every
``HEARTBEAT_INTERVAL`` (5 s, ``liveness.py``) until it ends: an execution silent for
``HEARTBEAT_TIMEOUT`` (30 s) whose worker is gone is sent again by the watchdog.

A step killed before its start was written leaves no trace here; what covers it is the worker's
main process: it records a pool process that died (``step_request.py``) and renews its hold on
every message it has reserved, so a gone worker's messages go back to their queue
(``broker_leases.py``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance
    from orchestrator.events import RunEvent

__all__ = ["RunningStep", "heartbeats"]

_log = logging.getLogger("orchestrator.worker")

START_DELAY = float(os.environ.get("ORCH_START_DELAY", "0.05"))
RELEASE_BATCH_SECONDS = 0.25


@dataclass
class RunningStep:
    """One step running in this process: who runs it, its unsent start events, when it last beat."""

    instance: Instance
    run_id: str
    step_key: str
    who: dict[str, Any]
    start_events: list[RunEvent]
    interval: float
    since: float = field(default_factory=time.monotonic)
    started_flushed: bool = False
    run_closed: bool = False
    last_beat: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Heartbeats:
    def __init__(self) -> None:
        self._steps: dict[int, RunningStep] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._released: dict[tuple[int, str], tuple[Instance, list[str]]] = {}
        self._released_since = 0.0

    def _ensure_thread(self) -> None:
        if self._thread is None or self._pid != os.getpid():
            # After a fork (prefork pool) the parent's thread does not exist in the child.
            self._pid = os.getpid()
            self._released = {}
            self._thread = threading.Thread(target=self._loop, name="orch-heartbeats", daemon=True)
            self._thread.start()

    def register(self, step: RunningStep) -> RunningStep:
        with self._lock:
            self._ensure_thread()
            self._steps[id(step)] = step
            if len(self._steps) == 1 and not self._released:
                self._wake.set()  # the thread sleeps while it has nothing to do
        return step

    def release(self, instance: Instance, run_id: str, keys: list[str]) -> None:
        """Confirm, off the hot path, that ``keys`` were published: they leave the run's outbox."""
        if not keys:
            return
        with self._lock:
            self._ensure_thread()
            if not self._released:
                self._released_since = time.monotonic()
                if not self._steps:
                    self._wake.set()
            self._released.setdefault((id(instance), run_id), (instance, []))[1].extend(keys)

    def _flush_released(self) -> None:
        with self._lock:
            # Batched: confirmations only need to beat the watchdog's 30 s, not the next step.
            if not self._released or time.monotonic() - self._released_since < RELEASE_BATCH_SECONDS:
                return
            released, self._released = self._released, {}
        for instance, run_id_keys in _group(released):
            pipe = instance.redis.pipeline(transaction=False)
            for run_id, keys in run_id_keys:
                instance.storage.release_outbox(pipe, run_id, keys)
            pipe.execute()

    def unregister(self, step: RunningStep) -> bool:
        """Stop serving ``step``; True when its start was already written."""
        with self._lock:
            self._steps.pop(id(step), None)
        with step.lock:
            step.start_events = [] if step.started_flushed else step.start_events
            return step.started_flushed

    def _loop(self) -> None:
        while True:
            with self._lock:
                idle = not self._steps and not self._released
            if idle:
                # An idle pool process costs nothing: register() and release() wake this thread.
                self._wake.wait()
                self._wake.clear()
            else:
                time.sleep(START_DELAY / 2)
            now = time.monotonic()
            try:
                self._flush_released()
            except Exception as exc:  # noqa: BLE001 - entries stay in the outbox; the watchdog re-sends late
                _log.warning("could not confirm published steps: %s", exc)
            with self._lock:
                steps = list(self._steps.values())
            for step in steps:
                try:
                    self._serve(step, now)
                except Exception as exc:  # noqa: BLE001 - a missed beat is not a step failure
                    _log.warning("heartbeat of %s/%s failed: %s", step.run_id, step.step_key, exc)

    def _serve(self, step: RunningStep, now: float) -> None:
        with step.lock:
            with self._lock:
                if id(step) not in self._steps:
                    return
            if not step.started_flushed:
                if now - step.since < START_DELAY:
                    return
                step.run_closed = not step.instance.storage.start_step(
                    step.run_id, step.step_key, step.who, step.start_events)
                # Heartbeats rewrite the running entry: keep when it started (durations, stall reasons).
                step.who.setdefault("started", time.time())
                step.started_flushed = True
                step.last_beat = now
            elif now - step.last_beat >= step.interval:
                step.instance.storage.heartbeat(step.run_id, step.step_key, step.who)
                step.last_beat = now


def _group(released: dict[tuple[int, str], tuple[Instance, list[str]]]) -> list[tuple[Instance, list[tuple[str, list[str]]]]]:
    by_instance: dict[int, tuple[Instance, list[tuple[str, list[str]]]]] = {}
    for (inst_id, run_id), (instance, keys) in released.items():
        by_instance.setdefault(inst_id, (instance, []))[1].append((run_id, keys))
    return list(by_instance.values())


heartbeats = _Heartbeats()
