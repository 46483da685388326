"""A worker's presence: its main process says, every few seconds, that it is alive and what it holds.

One daemon thread in each worker's main process (started with its task consumer, a Celery
bootstep) does two things every ``HEARTBEAT_INTERVAL`` (5 s):

- writes the worker's presence (``orch:worker:<hostname>``: pid, the queues it consumes, the
  task ids its pool runs and their process ids), which expires ``HEARTBEAT_TIMEOUT`` (30 s) after
  the last beat. Watchdogs and claims read it to tell a silent step of a live worker (never sent
  again) from one whose worker is gone; stall reasons and ``RunStorage.queues_with_live_workers``
  read it to say which queue no worker consumes. The runs of the steps it runs count as making
  progress, so a step silent because it holds the GIL is not failed as a stall either;
- renews its hold on every message it has reserved and not acknowledged (``broker_leases.py``),
  so none of them is ever taken back while it lives, whatever the visibility timeout.

The main process is the right place: it holds every reserved message (the pool processes only
run them), it stays responsive while a step holds the GIL of its pool process, and it outlives
the pool processes it replaces. When it dies, both stop, and after ``HEARTBEAT_TIMEOUT`` its
running steps are sent again and its reserved messages go back to their queues.

The presence is removed when the main process exits normally (warm or cold shutdown; by then its
pool processes are gone), so watchdogs need not wait ``HEARTBEAT_TIMEOUT`` for the steps it ran:
a step silent for ``3 * HEARTBEAT_INTERVAL`` whose worker is not present is lost. It is not removed
earlier: during a warm shutdown the pool still runs its steps while the consumer stops.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from celery import bootsteps

from orchestrator.distributed.broker_leases import held_tags, renew_held
from orchestrator.distributed.liveness import HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT
from orchestrator.distributed.task_events import note_worker_state

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["WorkerPresence", "presence_bootstep"]

_log = logging.getLogger("orchestrator.worker")


class WorkerPresence:
    """The presence thread of one worker main process (see the module docstring).

    :param instance: where the presence is written (its Redis is also the broker's).
    :param interval: seconds between beats.
    :param ttl: how long a presence lives without a beat.
    """

    def __init__(self, instance: Instance, interval: float = HEARTBEAT_INTERVAL, ttl: float = HEARTBEAT_TIMEOUT) -> None:
        self.instance = instance
        self.interval = interval
        self.ttl = ttl
        self.consumer: Any = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.started = time.time()
        self._pid = os.getpid()
        self._hostname: str | None = None

    def attach(self, consumer: Any) -> None:
        """Serve ``consumer`` (the Celery consumer; a new one after each reconnection) and beat now."""
        self.consumer = consumer
        if self._thread is None or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._loop, name="orch-presence", daemon=True)
            self._thread.start()
            atexit.register(self.leave)
        self._wake.set()

    def leave(self) -> None:
        """The main process exits: remove the presence (never from a pool process, which forked it)."""
        if os.getpid() != self._pid or self._hostname is None:
            return
        try:
            self.instance.storage.forget_worker(self._hostname)
        except Exception as exc:  # noqa: BLE001 - at exit, the presence then expires on its own
            _log.warning("could not remove the worker presence of %s: %s", self._hostname, exc)

    def beat(self) -> None:
        """Write the presence and renew the leases of the held messages, once."""
        consumer = self.consumer
        if consumer is None:
            return
        hostname = self._hostname = str(consumer.hostname)
        active, runs = _active()
        info = {"pid": os.getpid(), "queues": _queues(consumer), "active": active, "started": self.started}
        self.instance.storage.beat_worker(hostname, info, self.ttl)
        self.instance.storage.note_running(runs)
        task_consumer = getattr(consumer, "task_consumer", None)
        channel = getattr(task_consumer, "channel", None)
        renew_held(self.instance.broker_redis, held_tags(channel))  # kombu's keys: on the broker's Redis
        note_worker_state(consumer)

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.beat()
            except Exception as exc:  # noqa: BLE001 - a missed beat must not end the thread
                _log.warning("worker presence beat failed: %s", exc)


def _queues(consumer: Any) -> list[str]:
    try:
        return sorted(str(name) for name in consumer.app.amqp.queues.consume_from)
    except Exception:  # noqa: BLE001 - a presence without queues still says the worker is alive
        return []


def _active() -> tuple[dict[str, int], set[str]]:
    """What the pool runs now (Celery's worker state): task id -> pool process id, and the run ids."""
    from celery.worker import state

    for _ in range(5):
        try:
            requests = list(state.active_requests)
        except RuntimeError:  # the event loop changed the set during the copy
            continue
        active = {str(r.id): int(r.worker_pid or 0) for r in requests}
        runs = {str(r.kwargs["run_id"]) for r in requests if isinstance(r.kwargs, dict) and r.kwargs.get("run_id")}
        return active, runs
    return {}, set()


def presence_bootstep(instance: Instance) -> type[bootsteps.StartStopStep]:
    """A consumer bootstep that runs a :class:`WorkerPresence` for ``instance`` (``worker/app.py``)."""
    presence = WorkerPresence(instance)

    class Presence(bootsteps.StartStopStep):
        """Starts the presence thread with the task consumer (and re-attaches after a reconnection)."""

        requires = ("celery.worker.consumer.tasks:Tasks",)

        def start(self, parent: Any) -> None:
            presence.attach(parent)

    return Presence
