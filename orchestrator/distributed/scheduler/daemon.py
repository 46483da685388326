"""The scheduler process: a loop that hands each due schedule and sensor tick to a small thread
pool, renews the leases of the ticks in flight, indexes the run feed and says it is alive.

Run as many as you like against one Redis: ticks are taken through leases in Redis, so each tick
is evaluated by one scheduler, and one killed mid-tick has its tick taken over by another.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.schedule_storage import SCHEDULE, SENSOR, ScheduleStorage
from orchestrator.distributed.scheduler.evaluation import TickEnv
from orchestrator.distributed.scheduler.leases import LeaseKeeper
from orchestrator.distributed.scheduler.run_feed import RunFeed, SchedulerInstance
from orchestrator.distributed.scheduler.schedules import process_schedule
from orchestrator.distributed.scheduler.sensors import process_sensor

if TYPE_CHECKING:
    from orchestrator.definitions.schedules import ScheduleDefinition
    from orchestrator.definitions.sensors import SensorDefinition
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.scheduler.run_requests import CodeLocation
    from orchestrator.distributed.scheduler.ticks import TickRecord

__all__ = ["SchedulerDaemon", "scheduler_id", "BEAT_SECONDS"]

_log = logging.getLogger("orchestrator.scheduler")

#: How often the loop looks for due ticks. Schedules tick on the minute; sensors' intervals are
#: whole seconds.
LOOP_SECONDS = 1.0
#: How often a scheduler records that it is alive (``orch schedule list`` warns when none is).
BEAT_SECONDS = 10.0
#: How often the feed of finished runs and materializations is brought up to date.
FEED_SECONDS = 2.0
#: Ticks evaluated at once by one scheduler (each schedule or sensor has at most one in flight).
TICK_THREADS = 4


def scheduler_id() -> str:
    """A name for this scheduler process: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerDaemon:
    """Evaluates the schedules and sensors of ``location`` on ``instance`` until stopped.

    ``on_tick`` is called with every tick this scheduler records (from the tick threads).

    Example::

        daemon = SchedulerDaemon(CodeLocation(defs, "module 'my_defs'"), Instance.from_env())
        stop = threading.Event()
        daemon.run(stop)   # returns once stop is set and the ticks in flight are recorded
    """

    def __init__(self, location: CodeLocation, instance: Instance, owner: str | None = None,
                 on_tick: Callable[[TickRecord], None] | None = None) -> None:
        repo = location.repository
        self.location = location
        self.instance = instance
        self.owner = owner or scheduler_id()
        self.storage = ScheduleStorage(instance.redis)
        self.leases = LeaseKeeper(self.storage, self.owner)
        self.feed = RunFeed(instance, self.storage, self.owner)
        self.env = TickEnv(location=location, instance=instance, storage=self.storage,
                           view=SchedulerInstance(instance, self.storage), owner=self.owner, leases=self.leases,
                           on_tick=on_tick)
        # Resolved through the repository: a partitioned asset job's schedule learns its partitions.
        self.schedules: list[ScheduleDefinition] = [repo.get_schedule_def(s.name) for s in repo.schedule_defs]
        self.sensors: list[SensorDefinition] = list(repo.sensor_defs)

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set; then wait for the ticks in flight and leave."""
        renewer = threading.Thread(target=self.leases.run, args=(stop,), name="orch-scheduler-leases", daemon=True)
        renewer.start()
        pool = ThreadPoolExecutor(max_workers=TICK_THREADS, thread_name_prefix="orch-tick")
        in_flight: dict[tuple[str, str], Future[Any]] = {}
        last_beat = last_feed = 0.0
        try:
            while not stop.is_set():
                now = time.time()
                if now - last_beat >= BEAT_SECONDS:
                    last_beat = now
                    self._safely("record that it is alive", self.storage.beat_scheduler, self.owner)
                if self.sensors and now - last_feed >= FEED_SECONDS:
                    last_feed = now
                    self._safely("index finished runs and materializations", self.feed.index)
                self._collect(in_flight)
                for schedule_def in self.schedules:
                    key = (SCHEDULE, schedule_def.name)
                    if key not in in_flight:
                        in_flight[key] = pool.submit(process_schedule, self.env, schedule_def)
                for sensor_def in self.sensors:
                    key = (SENSOR, sensor_def.name)
                    if key not in in_flight:
                        in_flight[key] = pool.submit(process_sensor, self.env, sensor_def)
                stop.wait(LOOP_SECONDS)
        finally:
            pool.shutdown(wait=True)
            self._collect(in_flight)
            self._safely("leave the schedulers' index", self.storage.forget_scheduler, self.owner)

    def _collect(self, in_flight: dict[tuple[str, str], Future[Any]]) -> None:
        for key, future in list(in_flight.items()):
            if not future.done():
                continue
            del in_flight[key]
            exc = future.exception()
            if exc is not None:
                # Not the user's code (that makes a failed tick): Redis away, a bug. Try again next loop.
                _log.error("%s '%s': the scheduler could not handle its tick: %s: %s", key[0], key[1],
                           type(exc).__name__, exc, exc_info=exc)

    def _safely(self, what: str, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - the loop goes on; the next pass tries again
            _log.warning("The scheduler could not %s: %s: %s", what, type(exc).__name__, exc)
