"""The run queue's calls into Redis (``lua/run_queue.lua``) and what they mean for runs' records.

The slot accounting is one atomic Lua call over the queue's keys, which share the ``{runq}`` hash
tag (one Cluster slot). A run's own keys hash elsewhere (its ``{<run id>}`` tag), so what a call
decides for a run's record is written right after it, by :func:`note_queue_changes`: a run that
got its slots loses its queue reason and makes progress from now on (the watchdog's stall clock
starts), a run that waits gets its reason and cannot stall (``progress_at`` = ``inf``).

Used by ``run_storage.py`` (a closed run's slots are released right after the close) and
``run_queue.py`` (submits, the sweep). Nothing here knows about runs beyond their record keys.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.keys import run_keys, run_queue_keys

if TYPE_CHECKING:
    import redis

__all__ = ["QueueCalls", "QueueNotes", "note_queue_changes"]


@functools.cache
def _library() -> str:
    return (files(__package__) / "lua" / "run_queue.lua").read_text(encoding="utf-8")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class QueueNotes:
    """What a run-queue call decided for runs' records.

    :param admitted: runs that got their slots (their reason goes, their progress clock starts).
    :param waiting: run id -> reason, for runs that started waiting (they cannot stall meanwhile).
    :param reasons: run id -> reason, for waiting runs whose reason changed.
    """

    admitted: list[str] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.admitted or self.waiting or self.reasons)


def _pairs(flat: list[str]) -> dict[str, str]:
    return {flat[i]: flat[i + 1] for i in range(0, len(flat) - 1, 2)}


class QueueCalls:
    """The calls of ``lua/run_queue.lua`` on one client (keys from ``keys.run_queue_keys``).

    :param client: the run storage client (one Redis, or a Cluster: the call goes to the
        ``{runq}`` slot's node).
    """

    def __init__(self, client: redis.Redis) -> None:
        self.keys = run_queue_keys()
        self._call = client.register_script(_library())

    def _run(self, op: str, **named: Any) -> list[Any]:
        reply = self._call(keys=[self.keys["queued"]],
                           args=[json.dumps({"op": op, "q": self.keys, **named}, separators=(",", ":"))])
        return list(reply)

    def submit(self, run_id: str, entry: Mapping[str, Any], now: float) -> tuple[bool, str]:
        """Take the run's slots or queue it: (True, "") or (False, why it waits)."""
        reply = self._run("submit", run_id=run_id, entry=dict(entry), now=repr(now))
        admitted = int(reply[0]) == 1
        return admitted, "" if admitted else _text(reply[1])

    def release(self, run_id: str, now: float) -> QueueNotes:
        """A closed run's slots are freed; the queued runs that now fit get them (``notes.admitted``)."""
        reply = [_text(r) for r in self._run("release", run_id=run_id, now=repr(now))]
        cut = reply.index("")
        return QueueNotes(admitted=reply[:cut], reasons=_pairs(reply[cut + 1:]))

    def sweep(self, now: float, lease: float, scan: int, finished: Iterable[str]) -> tuple[QueueNotes, list[str]]:
        """The backstop: (notes with the runs admitted now, the admitted runs to start again).

        ``finished``: ids of runs known to be closed or gone (their slots are freed).
        """
        reply = [_text(r) for r in self._run("sweep", now=repr(now), lease=lease, scan=scan,
                                             finished=sorted(set(finished)))]
        first = reply.index("")
        second = reply.index("", first + 1)
        return QueueNotes(admitted=reply[:first], reasons=_pairs(reply[second + 1:])), reply[first + 1:second]


def note_queue_changes(client: Any, notes: QueueNotes, now: float) -> None:
    """Write what the run queue decided into the runs' records (see the module docstring).

    Only runs whose record exists are written (checked in the same round of reads), so that a run
    deleted meanwhile is not brought back as a partial record. Two round trips at most.

    :param client: the run storage client.
    :param notes: what a call of :class:`QueueCalls` returned.
    :param now: the time admitted runs start making progress from.
    """
    if not notes:
        return
    ids = list(dict.fromkeys([*notes.admitted, *notes.waiting, *notes.reasons]))
    pipe = client.pipeline(transaction=False)
    for run_id in ids:
        pipe.exists(run_keys(run_id).record)
    present = {run_id for run_id, found in zip(ids, pipe.execute()) if found}
    if not present:
        return
    pipe = client.pipeline(transaction=False)
    for run_id in notes.admitted:
        if run_id in present:
            k = run_keys(run_id)
            pipe.hdel(k.record, "reason")
            # It makes progress from now on (the stall deadline counts from here, not from its submit).
            pipe.hset(k.meta, "progress_at", repr(now))
    for run_id, reason in notes.waiting.items():
        if run_id in present:
            k = run_keys(run_id)
            pipe.hset(k.record, "reason", reason)
            # A run waiting for a slot cannot stall: the watchdog measures idleness from progress_at.
            pipe.hset(k.meta, "progress_at", "inf")
    for run_id, reason in notes.reasons.items():
        if run_id in present and run_id not in notes.admitted:
            pipe.hset(run_keys(run_id).record, "reason", reason)
    pipe.execute()
