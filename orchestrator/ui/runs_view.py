"""Runs as the UI shows them: rows of the runs list and a run's detail (steps, events, timeline),
as plain JSON-ready dicts that both the pages and the JSON API serve."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.status import RunStatus, StepStatus

if TYPE_CHECKING:
    from orchestrator.cli.progress import StepRecord
    from orchestrator.distributed.run_storage import RunInfo, RunStorage
    from orchestrator.events import RunEvent

__all__ = ["RunFilters", "run_row", "runs_page", "run_detail", "event_json", "step_spans", "PAGE_SIZE"]

PAGE_SIZE = 50

# The step tracker's display states that are final, as step statuses (the others -- pending,
# queued, running, retrying -- are not over yet; "not run" is a step its finished run never ran).
_FINAL = {"succeeded": StepStatus.SUCCESS, "failed": StepStatus.FAILURE, "canceled": StepStatus.CANCELED,
          "skipped": StepStatus.SKIPPED, "not run": StepStatus.ABANDONED}


@dataclass
class RunFilters:
    """The runs list's filters, as given in the query string (``status``, ``job``, ``tag=key=value``).

    ``problems`` lists what was malformed (each names the parameter and the fix) so that a page
    can show it and the API can answer 400.
    """

    status: RunStatus | None = None
    job: str | None = None
    tag: tuple[str, str] | None = None
    page: int = 1
    limit: int = PAGE_SIZE

    @classmethod
    def parse(cls, params: Any) -> tuple[RunFilters, list[str]]:
        """Filters from a mapping of query parameters, and the problems found."""
        problems: list[str] = []
        filters = cls()
        raw_status = (params.get("status") or "").strip().upper()
        if raw_status:
            try:
                filters.status = RunStatus(raw_status)
            except ValueError:
                problems.append(f"status: '{raw_status}' is no run status; use one of "
                                f"{', '.join(s.value for s in RunStatus)}.")
        filters.job = (params.get("job") or "").strip() or None
        raw_tag = (params.get("tag") or "").strip()
        if raw_tag:
            key, sep, value = raw_tag.partition("=")
            if not sep or not key.strip():
                problems.append(f"tag: '{raw_tag}' is not KEY=VALUE (e.g. tag=team=data).")
            else:
                filters.tag = (key.strip(), value.strip())
        for name, low, high in (("page", 1, 1_000_000), ("limit", 1, 500)):
            raw = params.get(name)
            if raw in (None, ""):
                continue
            try:
                number = int(raw)
            except ValueError:
                problems.append(f"{name}: '{raw}' is not a whole number.")
                continue
            if not low <= number <= high:
                problems.append(f"{name}: {number} is out of range ({low} to {high}).")
                continue
            setattr(filters, name, number)
        return filters, problems

    def query(self, page: int | None = None) -> str:
        """The query string of these filters (for the pager's links)."""
        from urllib.parse import urlencode

        params: dict[str, Any] = {}
        if self.status is not None:
            params["status"] = self.status.value
        if self.job:
            params["job"] = self.job
        if self.tag:
            params["tag"] = f"{self.tag[0]}={self.tag[1]}"
        params["page"] = page if page is not None else self.page
        return urlencode(params)


def _duration(info: RunInfo) -> float | None:
    if info.started_at is None:
        return None
    end = info.ended_at if info.ended_at is not None else (None if info.status.is_finished else time.time())
    return max(end - info.started_at, 0.0) if end is not None else None


def run_row(info: RunInfo) -> dict[str, Any]:
    """One run of the runs list: id, job, status, times, duration (seconds) and tags."""
    record = info.record
    return {
        "run_id": info.run_id,
        "job_name": record.job_name,
        "status": info.status.value,
        "created_at": record.created_at,
        "started_at": info.started_at,
        "ended_at": info.ended_at,
        "duration": _duration(info),
        "tags": dict(record.tags),
        "partition_key": record.partition_key,
        "parent_run_id": record.parent_run_id,
    }


def runs_page(storage: RunStorage, filters: RunFilters) -> dict[str, Any]:
    """A page of the runs list: ``runs`` (rows), ``page``, ``has_more`` and ``total`` (every run stored)."""
    infos, more = storage.runs_page(offset=(filters.page - 1) * filters.limit, limit=filters.limit,
                                    job_name=filters.job, status=filters.status, tag=filters.tag)
    return {"runs": [run_row(i) for i in infos], "page": filters.page, "limit": filters.limit, "has_more": more,
            "total": storage.run_count()}


def event_json(event: RunEvent, event_id: str | None = None) -> dict[str, Any]:
    """An event as the API and the live log send it (the error without its traceback's locals)."""
    out: dict[str, Any] = {
        "event_type": event.event_type.display_name,
        "step_key": event.step_key,
        "timestamp": event.timestamp,
        "message": event.message,
        "data": event.data,
    }
    if event.error is not None:
        out["error"] = {"cls_name": event.error.cls_name, "message": event.error.message,
                        "traceback": event.error.traceback}
    if event_id is not None:
        out["id"] = event_id
    return out


def _step_json(step: StepRecord, queued: float | None, task_id: str | None, flower_url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": step.key,
        "status": _FINAL[step.status].value if step.status in _FINAL else step.status,
        "worker": step.where or None,
        "attempts": step.attempts,
        "duration": step.elapsed(),
        "queued": queued,
        "started": step.started,
        "ended": step.ended,
        "message": step.message,
        "error": None if step.error is None else f"{step.error.cls_name}: {step.error.message}",
        "task_id": task_id,
        "flower_url": f"{flower_url.rstrip('/')}/task/{task_id}" if flower_url and task_id else None,
    }
    return out


def run_detail(storage: RunStorage, run_id: str, flower_url: str | None = None) -> dict[str, Any]:
    """Everything the run page shows: the run's row, its config, every step (status, worker,
    attempts, duration, queued/started/ended times, Flower link) and its events.

    A step's ``queued`` time is when it could be sent: when the last of its upstream steps ended
    (the run's start for a root step), as the scheduling core enqueues a step then.
    ``RunNotFoundError`` when there is no such run.
    """
    from orchestrator.cli.progress import StepTracker, step_layout
    from orchestrator.errors import RunNotFoundError
    from orchestrator.events import EventType

    info = storage.get_run(run_id)
    layout = step_layout(storage, run_id)
    events: list[tuple[str, RunEvent]] = []
    after = "0-0"
    while True:
        batch = storage.read_events(run_id, after)
        if not batch:
            break
        events.extend(batch)
        after = batch[-1][0]
    tracker = StepTracker(layout.expected, order=layout.sort_key).apply_all(e for _i, e in events)
    tracker.register(layout.concrete(storage.registered_steps(run_id)))
    if info.status.is_finished:
        tracker.mark(list(tracker.steps), "not run")
    task_ids: dict[str, str] = {}
    for _eid, event in events:
        if event.event_type is EventType.STEP_START and event.step_key and event.data.get("task_id"):
            task_ids[event.step_key] = str(event.data["task_id"])
    try:
        plan = storage.plan(run_id)
        upstream = {s.key: list(s.upstream) for s in plan.steps}
    except RunNotFoundError:
        upstream = {}
    run_start = info.started_at or info.record.created_at
    ended = {key: s.ended for key, s in tracker.steps.items()}
    steps = []
    for step in tracker.ordered():
        ups = upstream.get(step.key, upstream.get(step.key.partition("[")[0], []))
        ends = [ended.get(u) for u in ups]
        queued = max((e for e in ends if e is not None), default=run_start) if all(e is not None for e in ends) \
            else None
        if queued is None and step.started is not None:
            queued = step.started
        steps.append(_step_json(step, queued, task_ids.get(step.key), flower_url))
    record = info.record
    return {
        **run_row(info),
        "reason": info.reason,
        "run_config": record.run_config,
        "root_run_id": record.root_run_id,
        "op_selection": record.op_selection,
        "queue": record.queue,
        "steps": steps,
        "events": [event_json(e, eid) for eid, e in events],
        "last_event_id": events[-1][0] if events else "0-0",
    }


def step_spans(steps: list[dict[str, Any]]) -> list[Any]:
    """The timeline's spans (``orchestrator.ui.svg.StepSpan``) of :func:`run_detail`'s steps."""
    from orchestrator.ui.svg import StepSpan

    values = {s.value for s in StepStatus}
    return [StepSpan(key=s["key"], status=StepStatus(s["status"]) if s["status"] in values else None,
                     queued_at=s["queued"], started_at=s["started"], ended_at=s["ended"]) for s in steps]
