"""Tick leases a scheduler holds while it evaluates ticks, renewed from a background thread.

A scheduler that stops renewing (it was killed mid-tick, or is stuck) loses its leases
``TICK_LEASE`` seconds after the last renewal; another scheduler then takes the tick over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.distributed.schedule_storage import ScheduleStorage

__all__ = ["TICK_LEASE", "LeaseKeeper"]

#: Seconds a tick's lease lasts without renewal: how long a tick of a dead scheduler waits before
#: another scheduler takes it over. Renewed every third of it, so a live scheduler keeps it through
#: a slow schedule function or a Redis hiccup of several seconds.
TICK_LEASE = 30.0

_log = logging.getLogger("orchestrator.scheduler")

Lease = tuple[str, str, str]  # (kind, name, tick)


class LeaseKeeper:
    """The leases ``owner`` holds, renewed every ``lease / 3`` seconds by :meth:`run`."""

    def __init__(self, storage: ScheduleStorage, owner: str, lease: float = TICK_LEASE) -> None:
        self.storage = storage
        self.owner = owner
        self.lease = lease
        self._held: set[Lease] = set()
        self._lost: set[Lease] = set()
        self._lock = threading.Lock()

    @contextmanager
    def holding(self, kind: str, name: str, tick: str) -> Iterator[None]:
        """Keep the lease of ``(kind, name, tick)`` renewed while the block runs."""
        lease = (kind, name, tick)
        with self._lock:
            self._held.add(lease)
            self._lost.discard(lease)
        try:
            yield
        finally:
            with self._lock:
                self._held.discard(lease)

    def lost(self, kind: str, name: str, tick: str) -> bool:
        """Whether a renewal found the lease taken over by another scheduler."""
        with self._lock:
            return (kind, name, tick) in self._lost

    def renew_all(self) -> None:
        with self._lock:
            held = list(self._held)
        for kind, name, tick in held:
            try:
                kept = self.storage.renew_tick(kind, name, self.owner, tick, self.lease)
            except Exception as exc:  # noqa: BLE001 - Redis away: try again at the next renewal
                _log.warning("Could not renew the lease of %s '%s' tick %s: %s", kind, name, tick, exc)
                continue
            if not kept:
                _log.warning("The lease of %s '%s' tick %s was taken over by another scheduler.", kind, name, tick)
                with self._lock:
                    self._lost.add((kind, name, tick))

    def run(self, stop: threading.Event) -> None:
        """Renew until ``stop`` is set (the body of the renewal thread)."""
        while not stop.wait(self.lease / 3):
            self.renew_all()
