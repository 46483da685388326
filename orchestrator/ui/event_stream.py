"""A run's events as server-sent events: every stored event first, then the live ones, and a
final ``end`` event once the run has finished (the stream then closes)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import anyio

from orchestrator.events import EventType
from orchestrator.status import RunStatus

if TYPE_CHECKING:
    from orchestrator.distributed.run_storage import RunStorage

__all__ = ["run_event_stream"]

# A run's final event -> the status it leaves the run in (what the ``end`` message says).
_RUN_END = {EventType.RUN_SUCCESS: RunStatus.SUCCESS, EventType.RUN_FAILURE: RunStatus.FAILURE,
            EventType.RUN_CANCELED: RunStatus.CANCELED}
# How long one blocking read of the event stream waits for new events before looking at the
# run's status again (a run closed without a final event, e.g. by an old writer, still ends it).
_BLOCK_MS = 1000


async def run_event_stream(storage: RunStorage, run_id: str, after: str = "0-0") -> AsyncIterator[dict[str, Any]]:
    """SSE messages (``id``, ``event``, ``data``) of run ``run_id``'s events after stream id ``after``,
    then ``event: end`` with the run's final status (``{"run_id": ..., "status": "SUCCESS"}``).

    Each event is sent as ``event: run_event`` with its JSON (``orchestrator.ui.runs_view.event_json``)
    and its stream id as the SSE id, so a reconnecting browser resumes with ``Last-Event-ID``.
    Blocking Redis reads run in a worker thread, so one follower does not hold the server up.
    """
    from orchestrator.ui.runs_view import event_json

    while True:
        batch = await anyio.to_thread.run_sync(storage.read_events, run_id, after, _BLOCK_MS)
        for eid, event in batch:
            after = eid
            yield {"id": eid, "event": "run_event", "data": json.dumps(event_json(event, eid), default=str)}
            if event.event_type in _RUN_END:
                yield {"event": "end", "data": json.dumps({"run_id": run_id, "status": _RUN_END[event.event_type].value})}
                return
        if not batch:
            status = await anyio.to_thread.run_sync(storage.run_status, run_id)
            if status is None or status.is_finished:
                for eid, event in await anyio.to_thread.run_sync(storage.read_events, run_id, after):
                    after = eid
                    yield {"id": eid, "event": "run_event", "data": json.dumps(event_json(event, eid), default=str)}
                yield {"event": "end", "data": json.dumps({"run_id": run_id,
                                                           "status": status.value if status else None})}
                return
