"""Backfills: one run of a partitioned job per partition, submitted together and followed as one.

A backfill is a record in Redis (keys in ``keys.py``) and the runs it submitted, each tagged as
Dagster tags them: ``dagster/backfill=<id>`` and ``dagster/partition=<key>``. Its runs go through
the run queue like any other (``run_queue.py``); ``max_concurrent`` is a run-queue limit on the
backfill's own tag, so at most that many of its runs are in progress at once and the rest wait
QUEUED. Partitioned asset jobs (``define_asset_job`` over partitioned assets) are backfilled the
same way: their job carries the assets' partitions.

The state of a backfill is Dagster's ``BulkActionStatus``: REQUESTED while runs are being
submitted or are not finished, then COMPLETED_SUCCESS or COMPLETED_FAILED; CANCELED after a
cancel; FAILED when submitting stopped on an error (the runs submitted before it go on).
"""

from __future__ import annotations

import enum
import random
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from orchestrator.definitions.built_in_executors import celery_executor
from orchestrator.definitions.config.run_config import resolve_run_config, stored_run_config
from orchestrator.distributed.handles import RunHandle
from orchestrator.distributed.keys import BACKFILLS, backfill_key, backfill_runs_key
from orchestrator.distributed.run_queue import BACKFILL_TAG, RunQueue
from orchestrator.distributed.submit import submit_job
from orchestrator.errors import ConfigError, OrchestratorError
from orchestrator.status import RunStatus

if TYPE_CHECKING:
    import datetime as dt

    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.partitions import PartitionsDefinition
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunInfo

__all__ = ["BackfillStatus", "BackfillRecord", "BackfillRun", "Backfill", "BackfillNotFoundError",
           "select_partition_keys", "parse_partition_list", "partitions_of", "check_partition_configs",
           "launch_backfill", "get_backfill", "list_backfills", "cancel_backfill", "BACKFILL_TAG", "PARTITION_TAG"]

#: Dagster's tag naming the partition a run is for.
PARTITION_TAG = "dagster/partition"


class BackfillStatus(str, enum.Enum):
    """Where a backfill is (Dagster's ``BulkActionStatus`` names)."""

    REQUESTED = "REQUESTED"
    COMPLETED_SUCCESS = "COMPLETED_SUCCESS"
    COMPLETED_FAILED = "COMPLETED_FAILED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"

    @property
    def is_finished(self) -> bool:
        return self is not BackfillStatus.REQUESTED


class BackfillNotFoundError(OrchestratorError):
    """No backfill has the id asked for."""


class BackfillRecord(BaseModel):
    """The immutable facts of a backfill, written once when it is launched."""

    backfill_id: str
    job_name: str
    partition_keys: list[str]
    tags: dict[str, str] = Field(default_factory=dict)
    max_concurrent: int | None = None
    #: Where the job's code came from (``file 'jobs.py'``, ``module 'pkg.jobs'``), for display.
    source: str = ""
    created_at: float = Field(default_factory=time.time)


@dataclass
class BackfillRun:
    """One partition of a backfill and its run (None until it is submitted)."""

    partition_key: str
    run_id: str | None
    info: RunInfo | None

    @property
    def status(self) -> RunStatus | None:
        return self.info.status if self.info is not None else None


@dataclass
class Backfill:
    """A backfill as stored now: its record, whether all its runs were submitted, and each run."""

    record: BackfillRecord
    stored_status: BackfillStatus
    error: str | None
    submitted: bool
    runs: list[BackfillRun]

    @property
    def backfill_id(self) -> str:
        return self.record.backfill_id

    @property
    def status(self) -> BackfillStatus:
        """CANCELED or FAILED as recorded; else REQUESTED until every run is submitted and finished."""
        if self.stored_status is not BackfillStatus.REQUESTED:
            return self.stored_status
        if not self.submitted or any(r.status is None or not r.status.is_finished for r in self.runs):
            return BackfillStatus.REQUESTED
        ok = all(r.status is RunStatus.SUCCESS for r in self.runs)
        return BackfillStatus.COMPLETED_SUCCESS if ok else BackfillStatus.COMPLETED_FAILED

    def counts(self) -> Counter[str]:
        """Runs by status value (``SUCCESS``, ``QUEUED``...), and ``NOT_SUBMITTED`` partitions."""
        return Counter(r.status.value if r.status is not None else "NOT_SUBMITTED" for r in self.runs)


# -- choosing partitions --------------------------------------------------------------------------
def parse_partition_list(text: str | Sequence[str]) -> list[str]:
    """``"a, b,,c"`` (or a list) -> ``["a", "b", "c"]``: stripped, empty entries and repeats dropped."""
    items = text.split(",") if isinstance(text, str) else list(text)
    return list(dict.fromkeys(s.strip() for s in items if s.strip()))


def _shown(keys: Sequence[str]) -> str:
    return ", ".join(keys[:10]) + (f" ... ({len(keys)} in all)" if len(keys) > 10 else "")


def partitions_of(job: JobDefinition) -> PartitionsDefinition:
    """The job's partitions definition; ``ConfigError`` when the job is not partitioned."""
    partitions_def = job.partitions_def
    if partitions_def is None:
        raise ConfigError(f"Job '{job.name}' is not partitioned: a backfill runs it once per partition. "
                          f"Submit it once with `orch job submit -j {job.name}`.")
    return partitions_def


def select_partition_keys(partitions_def: PartitionsDefinition, job_name: str, *, all_partitions: bool = False,
                          keys: str | Sequence[str] | None = None, start: str | None = None, end: str | None = None,
                          current_time: dt.datetime | None = None) -> list[str]:
    """The partition keys a backfill of job ``job_name`` runs, chosen exactly one way:

    - ``all_partitions``: every partition (for time windows: those complete at ``current_time``);
    - ``keys``: these keys (``"a,b"`` or a list), in the order given;
    - ``start`` and/or ``end``: the partitions from ``start`` to ``end``, both included, in the
      definition's order (``start`` alone: to the last; ``end`` alone: from the first).

    Raises ``ConfigError`` naming the job and some valid keys for an unknown key, an empty choice,
    a reversed range, or none or several ways at once.
    """
    ways = [all_partitions, keys is not None, start is not None or end is not None]
    if sum(ways) != 1:
        raise ConfigError(f"Choose the partitions of job '{job_name}' one way: --all, --partitions A,B, or "
                          f"--from A --to B.")
    known = [str(k) for k in partitions_def.get_partition_keys(current_time)]
    if not known:
        raise ConfigError(f"Job '{job_name}' has no partitions to backfill yet.")
    known_set = set(known)
    if all_partitions:
        return known
    if keys is not None:
        wanted = parse_partition_list(keys)
        if not wanted:
            raise ConfigError(f"--partitions names no partition of job '{job_name}' (partitions: {_shown(known)}).")
        unknown = [k for k in wanted if k not in known_set]
        if unknown:
            raise ConfigError(f"Job '{job_name}' has no partition {', '.join(repr(k) for k in unknown)} "
                              f"(partitions: {_shown(known)}).")
        return wanted
    first = start if start is not None else known[0]
    last = end if end is not None else known[-1]
    for flag, bound in (("--from", first), ("--to", last)):
        if bound not in known_set:
            raise ConfigError(f"{flag} {bound!r}: job '{job_name}' has no such partition (partitions: {_shown(known)}).")
    i, j = known.index(first), known.index(last)
    if i > j:
        raise ConfigError(f"--from {first!r} comes after --to {last!r} in the partitions of job '{job_name}'.")
    return known[i:j + 1]


def check_partition_configs(job: JobDefinition, partition_keys: Iterable[str]) -> None:
    """Resolve each partition's run config before anything is submitted, so that a bad partition
    does not leave half a backfill behind."""
    for key in partition_keys:
        try:
            resolved = resolve_run_config(job, None, key, default_executor=celery_executor)
            stored_run_config(job, resolved, celery_executor)
        except ConfigError as exc:
            raise ConfigError(f"Partition '{key}' of job '{job.name}': {exc}", getattr(exc, "errors", None)) from None


# -- launching ------------------------------------------------------------------------------------
def new_backfill_id() -> str:
    """Eight random lowercase letters, as Dagster names backfills."""
    return "".join(random.SystemRandom().choice(string.ascii_lowercase) for _ in range(8))


def launch_backfill(job: JobDefinition, partition_keys: Sequence[str], *, instance: Instance,
                    tags: Mapping[str, str] | None = None, max_concurrent: int | None = None,
                    code_pointer: str | None = None, source: str = "",
                    on_submitted: Callable[[str, str, RunHandle], None] | None = None) -> Backfill:
    """Submit one run of ``job`` per key of ``partition_keys`` and return the backfill.

    ``tags`` go on every run, with ``dagster/backfill`` and ``dagster/partition``. ``max_concurrent``:
    at most this many of the backfill's runs in progress at once (the others wait QUEUED).
    ``code_pointer`` is how workers import the job (``submit_job``'s). ``on_submitted(backfill_id,
    key, handle)`` is called after each run is submitted (a progress bar). Every partition's config is checked
    first; a cancel (:func:`cancel_backfill`) from elsewhere stops the submitting.
    """
    keys = list(dict.fromkeys(str(k) for k in partition_keys))
    if not keys:
        raise ConfigError(f"A backfill of job '{job.name}' needs at least one partition.")
    if max_concurrent is not None and max_concurrent < 1:
        raise ConfigError(f"max_concurrent of a backfill of job '{job.name}' must be 1 or more, got {max_concurrent}.")
    partitions_def = partitions_of(job)
    unknown = [k for k in keys if not partitions_def.has_partition_key(k)]
    if unknown:
        raise ConfigError(f"Job '{job.name}' has no partition {', '.join(repr(k) for k in unknown)}.")
    check_partition_configs(job, keys)
    instance.ping()
    record = BackfillRecord(backfill_id=new_backfill_id(), job_name=job.name, partition_keys=keys,
                            tags={str(k): str(v) for k, v in (tags or {}).items()}, max_concurrent=max_concurrent,
                            source=source)
    client: Any = instance.redis
    bid = record.backfill_id
    if max_concurrent is not None:
        # Before the first run: every run of the backfill is submitted under the limit.
        RunQueue(client).set_tag_limit(BACKFILL_TAG, bid, max_concurrent)
    # Not a transaction: the record and the index hash to different Cluster slots. The record goes
    # first, so the index never lists a backfill without one.
    pipe = client.pipeline(transaction=False)
    pipe.hset(backfill_key(bid), mapping={"json": record.model_dump_json(), "status": BackfillStatus.REQUESTED.value})
    pipe.zadd(BACKFILLS, {bid: record.created_at})
    pipe.execute()
    done = 0
    try:
        for key in keys:
            if _stored_status(client, bid) is BackfillStatus.CANCELED:
                break
            run_tags = {**record.tags, BACKFILL_TAG: bid, PARTITION_TAG: key}
            handle = submit_job(job, tags=run_tags, partition_key=key, instance=instance, code_pointer=code_pointer)
            client.hset(backfill_runs_key(bid), key, handle.run_id)
            done += 1
            if on_submitted is not None:
                on_submitted(bid, key, handle)
        client.hset(backfill_key(bid), "submitted", "1")
    except BaseException as exc:
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"stopped: {type(exc).__name__}: {exc}"
        client.hset(backfill_key(bid), mapping={
            "status": BackfillStatus.FAILED.value,
            "error": f"Submitting {what} after {done} of {len(keys)} runs (those go on).",
        })
        raise
    finally:
        if max_concurrent is not None:
            # Each run carries the limits it was submitted under; the registration is not needed now.
            RunQueue(client).remove_tag_limit(BACKFILL_TAG, bid)
    return get_backfill(instance, bid)


# -- reading and canceling --------------------------------------------------------------------------
_DONE = (BackfillStatus.COMPLETED_SUCCESS, BackfillStatus.COMPLETED_FAILED, BackfillStatus.CANCELED)


def _unfinished(backfill: Backfill) -> list[BackfillRun]:
    return [r for r in backfill.runs if r.run_id and r.status is not None and not r.status.is_finished]


def _stored_status(client: Any, backfill_id: str) -> BackfillStatus | None:
    raw = client.hget(backfill_key(backfill_id), "status")
    return BackfillStatus(raw.decode() if isinstance(raw, bytes) else raw) if raw is not None else None


def _decode(raw: dict[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in raw.items()}


def get_backfill(instance: Instance, backfill_id: str) -> Backfill:
    """The backfill ``backfill_id`` with each run's current state; ``BackfillNotFoundError`` if none."""
    client: Any = instance.redis
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(backfill_key(backfill_id))
    pipe.hgetall(backfill_runs_key(backfill_id))
    raw, raw_runs = pipe.execute()
    if not raw:
        raise BackfillNotFoundError(f"No backfill with id '{backfill_id}' in Redis at {instance.masked_url}. "
                                    f"See the backfills there with `orch backfill list`.")
    fields = _decode(raw)
    record = BackfillRecord.model_validate_json(fields["json"])
    run_ids = _decode(raw_runs)
    infos = instance.storage.get_runs(run_ids.values())
    runs = [BackfillRun(key, run_ids.get(key), infos.get(run_ids[key]) if key in run_ids else None)
            for key in record.partition_keys]
    return Backfill(record=record, stored_status=BackfillStatus(fields.get("status", "REQUESTED")),
                    error=fields.get("error"), submitted=fields.get("submitted") == "1", runs=runs)


def list_backfills(instance: Instance, limit: int = 20) -> list[Backfill]:
    """The newest backfills first."""
    client: Any = instance.redis
    ids = [m.decode() for m in client.zrevrange(BACKFILLS, 0, limit - 1)]
    found = []
    for backfill_id in ids:
        try:
            found.append(get_backfill(instance, backfill_id))
        except BackfillNotFoundError:
            continue  # its record was deleted; the index keeps its id
    return found


def cancel_backfill(instance: Instance, backfill_id: str) -> list[str] | None:
    """Stop a backfill: no more of its runs are submitted, and its unfinished runs are canceled
    (queued ones first, so that the slots the running ones free go to no run of it). A FAILED
    backfill (its submitting stopped) stays FAILED; its runs are canceled. Returns the ids of the
    runs canceled, or None when the backfill had finished already."""
    backfill = get_backfill(instance, backfill_id)
    if backfill.status in _DONE or (backfill.status is BackfillStatus.FAILED and not _unfinished(backfill)):
        return None
    client: Any = instance.redis
    if backfill.status is BackfillStatus.REQUESTED:
        client.hset(backfill_key(backfill_id), "status", BackfillStatus.CANCELED.value)
    # Read again: a run its submitter was sending as the status changed is canceled too.
    unfinished = _unfinished(get_backfill(instance, backfill_id))
    unfinished.sort(key=lambda r: r.status is not RunStatus.QUEUED)
    canceled = []
    for run in unfinished:
        assert run.run_id is not None
        if RunHandle(run.run_id, instance).cancel():
            canceled.append(run.run_id)
    return canceled
