"""What asset sensors and run status sensors see: the feed of finished runs and asset
materializations, indexed from the runs' event streams, and ``context.instance`` answering from it.

Runs keep their events in one stream each; nothing orders events across runs. The feed does: a
scheduler reads the events of recent and unfinished runs and appends each asset materialization
and each run's end to one stream, numbered ``1, 2, 3...`` (the storage ids sensors keep as their
cursor, as Dagster's asset sensors keep event storage ids). Indexing is idempotent per run event
(``lua/feed_index.lua``), so any number of schedulers may index at once; a lock only saves them
from doing the same work.

The feed starts with the runs created in the hour before the first scheduler indexed; runs are
looked for by creation time with ten minutes of slack, and every unfinished run is followed
until its end.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

# Registers how materialization events decode their asset key (``RunEvent.asset_key``).
import orchestrator.definitions.op_events  # noqa: F401
from orchestrator.events import DagsterEventType, RunEvent

if TYPE_CHECKING:
    from orchestrator.definitions.dagster_run import DagsterRun
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunInfo
    from orchestrator.distributed.schedule_storage import FeedEntry, ScheduleStorage

__all__ = ["RunFeed", "SchedulerInstance", "StoredRunEvent", "dagster_run_of"]

_RUN_END = (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE, DagsterEventType.RUN_CANCELED)
#: How far back the first indexing pass looks for runs.
INITIAL_WINDOW = 3600.0
#: Runs are looked for from this long before the previous pass: a run's creation time is its
#: submitter's clock, and it reaches the index a moment after.
SLACK = 600.0
#: How long one scheduler keeps the indexing to itself without renewing it.
LOCK_TTL = 30.0


class StoredRunEvent(RunEvent):
    """A run event read back from the feed, with its ``storage_id`` (Dagster's ``EventLogEntry``
    field that asset sensors keep as their cursor)."""

    storage_id: int | None = None


def dagster_run_of(info: RunInfo) -> DagsterRun:
    """A run record as Dagster's ``DagsterRun`` (what run status sensors get as ``dagster_run``)."""
    from orchestrator.definitions.dagster_run import DagsterRun, DagsterRunStatus

    record = info.record
    return DagsterRun(job_name=record.job_name, run_id=record.run_id, run_config=record.run_config,
                      status=DagsterRunStatus(info.status.value), tags=record.tags,
                      parent_run_id=record.parent_run_id, root_run_id=record.root_run_id)


def stored_event(entry: FeedEntry) -> StoredRunEvent:
    """The run event of a feed entry, carrying the entry's storage id."""
    return StoredRunEvent.model_validate({**json.loads(entry.event_json), "storage_id": entry.seq})


class RunFeed:
    """Indexes runs into the feed. ``owner`` names this scheduler (it holds the indexing lock)."""

    def __init__(self, instance: Instance, storage: ScheduleStorage, owner: str) -> None:
        self.instance = instance
        self.storage = storage
        self.owner = owner

    def index(self) -> int:
        """One pass: add what happened since the last one; returns how many entries were added
        (0 also when another scheduler holds the indexing lock and does this work)."""
        if not self.storage.take_feed_lock(self.owner, LOCK_TTL):
            return 0
        now = time.time()
        last = self.storage.feed_last_pass()
        since = now - INITIAL_WINDOW if last is None else last - SLACK
        self.storage.track_runs(self.instance.storage.run_ids_created_since(since))
        added = 0
        for run_id, position in self.storage.feed_positions().items():
            if position != "done":
                added += self._index_run(run_id, position)
        # Finished runs created before any window a later pass looks at are done with.
        self.storage.prune_feed(now - 2 * SLACK)
        self.storage.set_feed_last_pass(now)
        return added

    def _index_run(self, run_id: str, position: str | None) -> int:
        after = position or "0-0"
        entries: list[dict[str, str]] = []
        last: str | None = None
        done = False
        while True:
            batch = self.instance.storage.read_events(run_id, after, skip_malformed=True)
            if not batch:
                break
            for event_id, event in batch:
                last = event_id
                if event.event_type is DagsterEventType.ASSET_MATERIALIZATION and event.asset_key is not None:
                    entries.append({"id": event_id, "kind": "mat", "e": event.model_dump_json(),
                                    "asset": event.asset_key.to_user_string()})
                elif event.event_type in _RUN_END:
                    entries.append({"id": event_id, "kind": "end", "e": event.model_dump_json()})
                    done = True
            after = batch[-1][0]
        if last is None:
            return 0
        return self.storage.index_run(run_id, entries, last, done)


class SchedulerInstance:
    """``context.instance`` of a sensor evaluated by the scheduler: Dagster's instance questions
    (runs, their events, an asset's latest materialization) answered from Redis.

    Example::

        @asset_sensor(asset_key=AssetKey("orders"), job=report_job)
        def orders_updated(context, asset_event):
            run = context.instance.get_run_by_id(asset_event.run_id)
            return RunRequest(run_key=context.cursor, tags={"source_run": run.run_id})
    """

    def __init__(self, instance: Instance, storage: ScheduleStorage) -> None:
        self._instance = instance
        self._storage = storage

    @property
    def redis_instance(self) -> Instance:
        """The ``orchestrator.Instance`` behind this view (its Redis URL, home, secret)."""
        return self._instance

    def get_latest_materialization_event(self, asset_key: Any) -> StoredRunEvent | None:
        """The newest indexed ASSET_MATERIALIZATION of ``asset_key``, with its ``storage_id``."""
        from orchestrator.definitions.asset_key import AssetKey

        entry = self._storage.latest_materialization(AssetKey.from_coercible(asset_key).to_user_string())
        return stored_event(entry) if entry is not None else None

    def has_run(self, run_id: str) -> bool:
        return self._instance.storage.has_run(run_id)

    def get_run_by_id(self, run_id: str) -> DagsterRun | None:
        if not self._instance.storage.has_run(run_id):
            return None
        return dagster_run_of(self._instance.storage.get_run(run_id))

    def get_runs(self, limit: int | None = None) -> list[DagsterRun]:
        """Runs, newest first (at most ``limit``, else the last 50)."""
        return [dagster_run_of(info) for info in self._instance.storage.list_runs(limit=limit or 50)]

    def all_logs(self, run_id: str, of_type: DagsterEventType | Any = None) -> list[RunEvent]:
        """Every event of run ``run_id`` (only those of ``of_type``: a type or a set of types)."""
        events = self._instance.storage.all_events(run_id)
        if of_type is None:
            return events
        kinds = {of_type} if isinstance(of_type, DagsterEventType) else set(of_type)
        return [e for e in events if e.event_type in kinds]

    def __repr__(self) -> str:
        return f"<SchedulerInstance {self._instance.masked_url}>"
