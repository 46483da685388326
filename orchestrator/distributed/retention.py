"""How long finished runs stay in Redis, and what removes them.

A closed run keeps every key for ``ORCH_RUN_RETENTION`` (default 7 days: ``7d``; seconds, or a
duration such as ``12h``, ``30m``, ``1d12h``). Its keys get that TTL the moment it closes
(``lua/finish_run.lua``), so Redis drops them by itself; what TTLs cannot reach is done here:

- the run index (``orch:runs``, a sorted set by creation time) is trimmed of runs created before the
  retention whose record is gone (and which are not active), or which ended before it (runs
  closed before TTLs existed): their
  remaining keys (a late heartbeat may re-create one without a TTL) are deleted with the entry
  (:func:`trim_runs`; the watchdogs call it every minute, or every tenth of the retention when
  that is shorter; each pass looks at a bounded number of runs);
- the active runs (``orch:runs:active``) are rid of runs that closed (a close cut short between its
  two calls) or were never written (a submit cut short) (:func:`settle_active_runs`, every pass of
  each watchdog);
- ``orch run prune`` deletes finished runs now (:func:`prune_runs`), never an active one.

Code blobs (``orch:code:<sha>``) expire twice the retention after the last submit that used them
(``code.py``): a re-execution of a run whose blob is gone fails naming it. Event streams are capped
at about ``keys.EVENTS_MAXLEN`` entries per run whatever the retention.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.errors import ConfigError
from orchestrator.status import RunStatus

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunEnd

__all__ = ["DEFAULT_RUN_RETENTION", "RETENTION_ENV", "parse_duration", "run_retention", "trim_spacing",
           "code_blob_ttl", "trim_runs", "settle_active_runs", "prune_runs", "PrunedRun", "NEVER_WRITTEN_GRACE"]

#: The default retention of finished runs: 7 days.
DEFAULT_RUN_RETENTION = 7 * 24 * 3600.0
#: The environment variable that sets it.
RETENTION_ENV = "ORCH_RUN_RETENTION"
#: An indexed or active run id without a record is a submit cut short only after this many seconds
#: (a submit writes the index entry a moment before the record).
NEVER_WRITTEN_GRACE = 60.0
# How many index entries one trim pass looks at, at most.
_TRIM_BATCH = 500
_TRIM_SCAN = 2000

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str, what: str) -> float:
    """Seconds in ``text``: a number of seconds (``3600``), or amounts with units ``s``, ``m``, ``h``,
    ``d``, ``w`` run together (``90s``, ``12h``, ``7d``, ``1d12h``).

    :param text: the duration as written.
    :param what: where it was written (``ORCH_RUN_RETENTION``, ``--older-than``), for the error.
    :raises ConfigError: naming ``what`` and the accepted forms when ``text`` is none of them.
    """
    raw = str(text).strip().lower()
    try:
        seconds = float(raw)
    except ValueError:
        parts = _PART.findall(raw)
        if not parts or "".join(n + u for n, u in parts) != raw:
            raise ConfigError(f"{what}={text!r} is not a duration: write seconds (3600) or amounts with units "
                              "s, m, h, d, w (90s, 12h, 7d, 1d12h).") from None
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ConfigError(f"{what}={text!r} must be a finite duration of 0 seconds or more.")
    return seconds


def run_retention() -> float:
    """How long finished runs are kept, from ``ORCH_RUN_RETENTION`` (default 7 days); at least 1 s."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RUN_RETENTION
    seconds = parse_duration(raw, RETENTION_ENV)
    if seconds < 1:
        raise ConfigError(f"{RETENTION_ENV}={raw!r} is shorter than a second: finished runs would vanish as they "
                          f"end. Use `orch run prune` to delete runs now.")
    return seconds


def trim_spacing(retention: float) -> float:
    """How often the watchdogs trim the run index: every minute, or a tenth of a shorter retention."""
    return max(1.0, min(60.0, retention / 10))


def code_blob_ttl(retention: float) -> int:
    """The TTL of a shipped code blob, renewed by every submit that uses it: twice the retention, so
    that it outlives the runs that need it (a re-execution loads its parent's blob)."""
    return max(1, int(2 * retention))


def trim_runs(instance: Instance, now: float | None = None) -> list[str]:
    """Trim the run index of runs past the retention (see the module docstring); returns their ids.

    Looks at the oldest index entries only (at most a few thousand a pass): an entry created
    before the retention goes when its record is gone, or when its run ended before the retention;
    an active run, or one that ended recently, stays whatever its age.
    """
    from orchestrator.distributed.schedule_storage import ScheduleStorage

    storage = instance.storage
    stamp = time.time() if now is None else now
    cutoff = stamp - storage.retention
    removed: list[str] = []
    offset = 0
    while offset < _TRIM_SCAN:
        entries = storage.indexed_before(cutoff, offset, _TRIM_BATCH)
        if not entries:
            break
        ids = [run_id for run_id, _ in entries]
        states = storage.end_states(ids)
        active = storage.are_active(r for r in ids if not states[r].exists)
        gone = [r for r in ids if _past(states[r], cutoff) and r not in active]
        if gone:
            storage.delete_runs(gone)
            ScheduleStorage(instance.redis).forget_runs(gone)
            removed += gone
        offset += len(entries) - len(gone)  # what stays is looked past on the next batch
        if len(entries) < _TRIM_BATCH:
            break
    return removed


def _past(state: RunEnd, cutoff: float) -> bool:
    """Whether an index entry created before the retention is done with: its record expired (or was
    deleted), or its run ended before the retention. A record missing for an id still among the
    active runs may be a submit in progress: ``settle_active_runs`` decides on those first."""
    if not state.exists:
        return True
    return state.status.is_finished and state.ended_at is not None and state.ended_at < cutoff


def settle_active_runs(instance: Instance, run_ids: Iterable[str], now: float | None = None) -> list[str]:
    """The active runs of ``run_ids`` that really are: closed ones leave the active set (their
    close was cut short before it took them out), and so do ids whose run was never written (a
    submit cut short, seen for :data:`NEVER_WRITTEN_GRACE` seconds). Returns those still active."""
    storage = instance.storage
    stamp = time.time() if now is None else now
    ids = list(run_ids)
    states = storage.end_states(ids)
    closed = [r for r in ids if states[r].exists and states[r].status.is_finished]
    missing = [r for r in ids if not states[r].exists]
    if missing:
        created = storage.index_scores(missing)
        closed += [r for r in missing if created[r] is None or stamp - float(created[r] or 0) > NEVER_WRITTEN_GRACE]
        missing = [r for r in missing if r not in closed]
    storage.leave_active(closed)
    return [r for r in ids if r not in closed and r not in missing]


@dataclass(frozen=True)
class PrunedRun:
    """A finished run ``orch run prune`` removed (or, with ``--dry-run``, would remove)."""

    run_id: str
    job_name: str
    status: RunStatus
    ended_at: float | None
    keys: int = 0


def prune_runs(instance: Instance, older_than: float, statuses: Iterable[RunStatus] = (), dry_run: bool = False,
               now: float | None = None, batch: int = 1000) -> list[PrunedRun]:
    """Delete finished runs that ended more than ``older_than`` seconds ago: every key and the index entry.

    An active run (queued or started) is never removed, however old. ``statuses``: only runs that
    ended with one of these (SUCCESS, FAILURE, CANCELED; none given: any). ``dry_run``: remove
    nothing, return what would go. Reads the whole index, ``batch`` runs a round trip.
    """
    from orchestrator.distributed.schedule_storage import ScheduleStorage

    storage = instance.storage
    stamp = time.time() if now is None else now
    wanted = set(statuses)
    found: list[PrunedRun] = []
    offset = 0
    while True:
        entries = storage.indexed_page(offset, batch)
        if not entries:
            break
        states = storage.end_states(run_id for run_id, _ in entries)
        chosen = []
        for run_id, created in entries:
            state = states[run_id]
            if state.job is None or not state.status.is_finished or (wanted and state.status not in wanted):
                continue
            if stamp - (state.ended_at if state.ended_at is not None else created) < older_than:
                continue
            chosen.append(PrunedRun(run_id, state.job, state.status, state.ended_at))
        if chosen and not dry_run:
            counts = storage.delete_runs(p.run_id for p in chosen)
            ScheduleStorage(instance.redis).forget_runs(list(counts))
            chosen = [PrunedRun(p.run_id, p.job_name, p.status, p.ended_at, counts[p.run_id]) for p in chosen]
            offset += len(entries) - len(chosen)
        else:
            offset += len(entries)
        found += chosen
        if len(entries) < batch:
            break
    return found

