"""``DagsterInstance``: where Dagster's tests find the runs and events of in-process executions.

``DagsterInstance.ephemeral()`` is an in-memory store. Pass it to ``execute_in_process(instance=)``
(or ``build_op_context(instance=)``) and it records each run and its events as they happen, so a
test can ask for a run, its logs, or the latest materialization of an asset. Distributed runs keep
their records in Redis (``orchestrator.Instance``); this class does not reach them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from orchestrator.events import DagsterEventType, RunEvent
from orchestrator.status import RunStatus

__all__ = ["DagsterInstance", "InstanceRun"]

_END_STATUS = {
    DagsterEventType.RUN_SUCCESS: RunStatus.SUCCESS,
    DagsterEventType.RUN_FAILURE: RunStatus.FAILURE,
    DagsterEventType.RUN_CANCELED: RunStatus.CANCELED,
}


class InstanceRun:
    """A run an instance recorded: ``run_id``, ``job_name``, ``status`` (a ``RunStatus``)."""

    def __init__(self, run_id: str, job_name: str) -> None:
        self.run_id = run_id
        self.job_name = job_name
        self.status = RunStatus.STARTED

    @property
    def is_finished(self) -> bool:
        return self.status.is_finished

    @property
    def is_success(self) -> bool:
        return self.status is RunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status is RunStatus.FAILURE

    def __repr__(self) -> str:
        return f"<InstanceRun {self.run_id} {self.job_name} {self.status.value}>"


class DagsterInstance:
    """An in-memory record of runs, their events, asset materializations and dynamic partitions.

    What Dagster's tests use to look at in-process runs: make one with
    ``DagsterInstance.ephemeral()`` and pass it as ``execute_in_process(instance=...)``,
    ``materialize(..., instance=...)`` or ``build_op_context(instance=...)``; it records each
    run and its events as they happen. Ask it for runs (``get_run_by_id``, ``get_runs``), their
    events (``all_logs``), the latest materialization of an asset, and dynamic partitions. Unlike
    Dagster's, it is only in memory: distributed runs live in Redis, read through
    ``orchestrator.Instance``.

    Examples:
        >>> from orchestrator import AssetKey, DagsterInstance, asset, materialize
        >>> @asset
        ... def numbers():
        ...     return [1, 2, 3]
        >>> instance = DagsterInstance.ephemeral()
        >>> result = materialize([numbers], instance=instance)
        >>> instance.get_run_by_id(result.run_id).is_success, instance.get_asset_keys()
        (True, [AssetKey(['numbers'])])
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, InstanceRun] = {}
        self._events: dict[str, list[RunEvent]] = {}
        self._dynamic_partitions: dict[str, list[str]] = {}

    @classmethod
    def ephemeral(cls) -> DagsterInstance:
        """A new, empty, in-memory instance."""
        return cls()

    # -- recording ---------------------------------------------------------------------------
    def handle_new_event(self, event: RunEvent) -> None:
        """Record one event of a run (``execute_in_process`` calls this for every event)."""
        with self._lock:
            run = self._runs.get(event.run_id)
            if run is None:
                run = self._runs[event.run_id] = InstanceRun(event.run_id, event.job_name)
            self._events.setdefault(event.run_id, []).append(event)
            status = _END_STATUS.get(event.event_type)
            if status is not None:
                run.status = status

    # -- runs ----------------------------------------------------------------------------------
    def has_run(self, run_id: str) -> bool:
        return run_id in self._runs

    def get_run_by_id(self, run_id: str) -> InstanceRun | None:
        return self._runs.get(run_id)

    def get_runs(self, limit: int | None = None) -> list[InstanceRun]:
        """Recorded runs, newest first."""
        runs = list(reversed(self._runs.values()))
        return runs[:limit] if limit is not None else runs

    def all_logs(self, run_id: str, of_type: DagsterEventType | Iterable[DagsterEventType] | None = None
                 ) -> list[RunEvent]:
        """Every event of run ``run_id`` (only those of ``of_type`` when given), in order."""
        events = list(self._events.get(run_id, []))
        if of_type is None:
            return events
        kinds = {of_type} if isinstance(of_type, DagsterEventType) else set(of_type)
        return [e for e in events if e.event_type in kinds]

    # -- assets --------------------------------------------------------------------------------
    def _materializations(self, asset_key: Any) -> list[RunEvent]:
        found: list[RunEvent] = []
        for events in self._events.values():
            found.extend(e for e in events if e.event_type is DagsterEventType.ASSET_MATERIALIZATION
                         and e.asset_key == asset_key)
        return sorted(found, key=lambda e: e.timestamp)

    def get_latest_materialization_event(self, asset_key: Any) -> RunEvent | None:
        """The newest ASSET_MATERIALIZATION event of ``asset_key`` (``.asset_materialization``), or None."""
        found = self._materializations(asset_key)
        return found[-1] if found else None

    def get_materialized_partitions(self, asset_key: Any) -> set[str]:
        return {e.partition for e in self._materializations(asset_key) if e.partition is not None}

    def get_asset_keys(self) -> list[Any]:
        keys: dict[Any, None] = {}
        for events in self._events.values():
            for e in events:
                if e.event_type is DagsterEventType.ASSET_MATERIALIZATION:
                    keys.setdefault(e.asset_key, None)
        return list(keys)

    def has_asset_key(self, asset_key: Any) -> bool:
        return asset_key in self.get_asset_keys()

    # -- dynamic partitions --------------------------------------------------------------------
    def add_dynamic_partitions(self, partitions_def_name: str, partition_keys: Sequence[str]) -> None:
        with self._lock:
            keys = self._dynamic_partitions.setdefault(partitions_def_name, [])
            keys.extend(k for k in partition_keys if k not in keys)

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        return list(self._dynamic_partitions.get(partitions_def_name, []))

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return partition_key in self._dynamic_partitions.get(partitions_def_name, [])

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        with self._lock:
            keys = self._dynamic_partitions.get(partitions_def_name, [])
            if partition_key in keys:
                keys.remove(partition_key)

    def __repr__(self) -> str:
        return f"<DagsterInstance ephemeral, {len(self._runs)} run(s)>"
