"""The code location as the UI shows it: jobs (ops, partitions), assets (dependencies, last
materialization) and schedules and sensors (status, next tick, tick history)."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.ui.context import UiContext

__all__ = ["job_summary", "jobs_list", "assets_list", "instigators_list", "set_instigator_running", "KINDS"]

KINDS = ("schedule", "sensor")
# How many recent runs the assets page reads events from when the scheduler's run feed has not
# indexed an asset (no scheduler running): enough for a development instance, bounded for a busy one.
_RECENT_RUNS_FOR_ASSETS = 50


def _partition_keys(job: JobDefinition) -> list[str] | None:
    partitions_def = getattr(job, "partitions_def", None)
    if partitions_def is None:
        return None
    try:
        return list(partitions_def.get_partition_keys())
    except Exception:  # noqa: BLE001 - a dynamic or failing definition: the picker becomes a text field
        return []


def job_summary(job: JobDefinition) -> dict[str, Any]:
    """A job's name, description, ops (with their inputs and outputs) and partition keys (None
    for a job that is not partitioned, [] when its keys cannot be listed)."""
    nodes = []
    for name, node in job.graph_def.nodes.items():
        definition = node.definition
        nodes.append({"name": name, "inputs": list(definition.input_names), "outputs": list(definition.output_names)})
    return {"name": job.name, "description": job.description, "ops": nodes, "partition_keys": _partition_keys(job)}


def jobs_list(ctx: UiContext) -> list[dict[str, Any]]:
    return [job_summary(ctx.get_job(name)) for name in ctx.job_names()]


def _materializations_from_runs(ctx: UiContext, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The newest ASSET_MATERIALIZATION of each asset of ``wanted`` among the recent runs."""
    from orchestrator.events import EventType

    storage = ctx.instance.storage
    found: dict[str, dict[str, Any]] = {}
    infos, _more = storage.runs_page(0, _RECENT_RUNS_FOR_ASSETS)
    for info in infos:  # newest first: the first seen is the latest
        if wanted <= set(found):
            break
        for event in reversed(storage.all_events(info.run_id)):
            if event.event_type is not EventType.ASSET_MATERIALIZATION:
                continue
            key = "/".join(str(p) for p in event.data.get("asset_key") or [])
            if key in wanted and key not in found:
                found[key] = {"run_id": info.run_id, "timestamp": event.timestamp,
                              "partition": event.data.get("partition"), "metadata": event.data.get("metadata") or {}}
    return found


def assets_list(ctx: UiContext) -> list[dict[str, Any]]:
    """Every asset of the code location: key, group, description, upstream keys, and its last
    materialization (run, time, partition, metadata) from the scheduler's run feed, else from
    the events of the recent runs."""
    import json

    from orchestrator.distributed.schedule_storage import ScheduleStorage

    if ctx.code is None:
        return []
    rows: list[dict[str, Any]] = []
    for assets_def in ctx.code.repository.assets_defs:
        deps = assets_def.asset_deps
        for key in sorted(assets_def.keys):
            spec = assets_def.specs_by_key.get(key)
            rows.append({
                "key": key.to_user_string(),
                "group": assets_def.group_names_by_key.get(key),
                "description": getattr(spec, "description", None),
                "deps": sorted(d.to_user_string() for d in deps.get(key, set())),
                "jobs": ctx.code.repository.jobs_materializing(key),
                "last_materialization": None,
            })
    feed = ScheduleStorage(ctx.instance.redis)
    missing: set[str] = set()
    for row in rows:
        entry = feed.latest_materialization(row["key"])
        if entry is None:
            missing.add(row["key"])
            continue
        event = json.loads(entry.event_json)
        data = event.get("data") or {}
        row["last_materialization"] = {"run_id": entry.run_id, "timestamp": event.get("timestamp"),
                                       "partition": data.get("partition"), "metadata": data.get("metadata") or {}}
    if missing:
        from_runs = _materializations_from_runs(ctx, missing)
        for row in rows:
            if row["key"] in from_runs:
                row["last_materialization"] = from_runs[row["key"]]
    return rows


def _definitions(ctx: UiContext, kind: str) -> list[Any]:
    if ctx.code is None:
        return []
    repo = ctx.code.repository
    if kind == "schedule":
        return [repo.get_schedule_def(s.name) for s in repo.schedule_defs]
    return list(repo.sensor_defs)


def _next_tick(kind: str, definition: Any, state: Any, running: bool) -> float | None:
    if not running:
        return None
    now = time.time()
    if kind == "schedule":
        from orchestrator.distributed.scheduler.cron import ticks_after

        start = dt.datetime.fromtimestamp(now, dt.timezone.utc)
        tick = next(ticks_after(definition.cron_schedule, definition.execution_timezone, start), None)
        return tick.timestamp() if tick is not None else None
    interval = float(getattr(definition, "minimum_interval_seconds", None) or 30)
    last = state.last_tick_start
    return max(now, last + interval) if last is not None else now


def instigators_list(ctx: UiContext, ticks: int = 10) -> list[dict[str, Any]]:
    """Schedules then sensors: name, kind, job, status (with ``(default)`` when nobody set it),
    cron or interval, next tick (epoch seconds, None when stopped) and the newest ``ticks`` ticks."""
    from orchestrator.distributed.schedule_storage import ScheduleStorage
    from orchestrator.distributed.scheduler.evaluation import is_running
    from orchestrator.distributed.scheduler.ticks import TickRecord

    storage = ScheduleStorage(ctx.instance.redis)
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        defs = _definitions(ctx, kind)
        states = storage.states(kind, [d.name for d in defs])
        for d in defs:
            state = states[d.name]
            running = is_running(state, d.default_status)
            default = getattr(d.default_status, "value", d.default_status)
            history = [TickRecord.model_validate_json(raw) for raw in storage.ticks(kind, d.name, ticks)]
            rows.append({
                "kind": kind,
                "name": d.name,
                "job_name": getattr(d, "job_name", None),
                "status": state.status or f"{default} (default)",
                "running": running,
                "cron": getattr(d, "cron_schedule", None) if kind == "schedule" else None,
                "timezone": getattr(d, "execution_timezone", None) if kind == "schedule" else None,
                "interval": getattr(d, "minimum_interval_seconds", None) if kind == "sensor" else None,
                "next_tick": _next_tick(kind, d, state, running),
                "ticks": [{"tick": t.tick, "status": t.status.value, "timestamp": t.timestamp, "run_ids": t.run_ids,
                           "skip_reason": t.skip_reason, "error": t.error} for t in history],
            })
    return rows


def set_instigator_running(ctx: UiContext, kind: str, name: str, running: bool) -> dict[str, Any]:
    """Turn schedule or sensor ``name`` on or off (as ``orch schedule|sensor start|stop``); its new row.
    ``LookupError`` naming the ones defined when there is none."""
    from orchestrator.cli.tick_display import set_running

    defs = {d.name: d for d in _definitions(ctx, kind)}
    if name not in defs:
        raise LookupError(f"No {kind} named '{name}' in {ctx.source}. {kind.capitalize()}s defined: "
                          f"{', '.join(sorted(defs)) or 'none'}.")
    set_running(ctx.instance, kind, defs[name], running)
    return next(r for r in instigators_list(ctx, ticks=0) if r["kind"] == kind and r["name"] == name)
