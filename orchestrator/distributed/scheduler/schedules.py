"""Running schedules: find the ticks that are due, take each one's lease, evaluate the schedule at
its scheduled time, submit the runs it requests, record the tick.

A schedule's ``cursor`` is the time of its last handled tick. Ticks missed while no scheduler ran
are caught up, at most ``MAX_CATCHUP_TICKS`` of them (the latest, as Dagster's default
``max_catchup_runs``); a schedule turned on counts from that moment. A tick whose function raises
is recorded as failed and not tried again (Dagster's default ``max_tick_retries`` of 0).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from orchestrator.distributed.schedule_storage import SCHEDULE
from orchestrator.distributed.scheduler.cron import schedule_timezone, ticks_between
from orchestrator.distributed.scheduler.evaluation import TickEnv, failed_record, is_running, user_traceback
from orchestrator.distributed.scheduler.leases import TICK_LEASE
from orchestrator.distributed.scheduler.run_requests import (
    PlannedRun,
    RunRequestError,
    describe_request,
    plan_run,
    submit_planned,
)
from orchestrator.distributed.scheduler.ticks import TickRecord, TickStatus, tick_run_id

if TYPE_CHECKING:
    from orchestrator.definitions.schedules import ScheduleDefinition

__all__ = ["MAX_CATCHUP_TICKS", "due_ticks", "process_schedule", "evaluate_schedule_tick", "schedule_run_tags"]

MAX_CATCHUP_TICKS = 5
_UTC = dt.timezone.utc


def due_ticks(schedule_def: ScheduleDefinition, cursor: float, now: float) -> tuple[list[dt.datetime], int]:
    """The ticks to handle at ``now`` after the tick at ``cursor``: the latest ``MAX_CATCHUP_TICKS``,
    and how many older ones are dropped."""
    due = ticks_between(schedule_def.cron_schedule, schedule_def.execution_timezone,
                        dt.datetime.fromtimestamp(cursor, _UTC), dt.datetime.fromtimestamp(now, _UTC))
    dropped = max(len(due) - MAX_CATCHUP_TICKS, 0)
    return due[dropped:], dropped


def schedule_run_tags(name: str, scheduled: dt.datetime) -> dict[str, str]:
    """The tags of a run a schedule's tick requested (Dagster's)."""
    return {"dagster/schedule_name": name, "dagster/scheduled_execution_time": scheduled.isoformat()}


def process_schedule(env: TickEnv, schedule_def: ScheduleDefinition, now: float | None = None) -> list[TickRecord]:
    """Handle every due tick of one schedule (those another scheduler holds are left to it)."""
    name = schedule_def.name
    now = time.time() if now is None else now
    state = env.storage.state(SCHEDULE, name)
    if not is_running(state, schedule_def.default_status):
        return []
    if state.cursor is None:
        env.storage.ensure_started(SCHEDULE, name, now)
        state = env.storage.state(SCHEDULE, name)
    due, dropped = due_ticks(schedule_def, float(state.cursor or now), now)
    if dropped:
        env.log.warning("Schedule '%s': %d tick(s) were missed while no scheduler ran; catching up the last %d.",
                        name, dropped, len(due))
    records: list[TickRecord] = []
    i = 0
    while i < len(due):
        wanted = str(int(due[i].timestamp()))
        claim = env.storage.claim_tick(SCHEDULE, name, env.owner, TICK_LEASE, tick=wanted)
        if claim.verdict == "busy":
            break  # another scheduler is on this schedule's tick; the next ones wait for it
        if claim.verdict == "done":
            i += 1
            continue
        tz = schedule_timezone(schedule_def.execution_timezone)
        scheduled = dt.datetime.fromtimestamp(int(claim.tick), tz)
        records.append(evaluate_schedule_tick(env, schedule_def, claim.tick, scheduled, claim.attempt))
        if claim.tick == wanted:
            i += 1
    return records


def evaluate_schedule_tick(env: TickEnv, schedule_def: ScheduleDefinition, tick: str, scheduled: dt.datetime,
                           attempt: int) -> TickRecord:
    """Evaluate a tick whose lease this scheduler holds, submit its runs and record it."""
    from orchestrator.definitions.schedules import ScheduleEvaluationContext

    name = schedule_def.name
    owner = f"schedule '{name}'"
    stamp = scheduled.timestamp()
    with env.leases.holding(SCHEDULE, name, tick):
        try:
            context = ScheduleEvaluationContext(
                scheduled_execution_time=scheduled, instance=env.view, schedule_name=name,
                repository_def=env.location.repository,
                resources=env.resources_for(schedule_def.required_resource_keys),
            )
            with context:
                data = schedule_def.evaluate_tick(context)
        except Exception as exc:  # noqa: BLE001 - the user's schedule function failed: a failed tick
            record = failed_record(SCHEDULE, name, tick, stamp, env.owner, attempt,
                                   f"The evaluation of {owner} at {scheduled.isoformat()} raised "
                                   f"{type(exc).__name__}: {exc}", user_traceback(exc))
            env.record(record)
            return record
        requests = list(data.run_requests or [])
        if not requests:
            record = TickRecord(kind=SCHEDULE, name=name, tick=tick, status=TickStatus.SKIPPED, timestamp=stamp,
                                skip_reason=data.skip_message or f"{owner} requested no run at {scheduled.isoformat()}.",
                                scheduler=env.owner, attempt=attempt)
            env.record(record)
            return record
        tags = schedule_run_tags(name, scheduled)
        try:
            planned: list[PlannedRun] = [
                plan_run(env.location, request, tick_run_id(SCHEDULE, name, tick, i, request.run_key), tags,
                         describe_request(request, i, owner))
                for i, request in enumerate(requests)
            ]
        except RunRequestError as exc:
            record = failed_record(SCHEDULE, name, tick, stamp, env.owner, attempt, str(exc))
            env.record(record)
            return record
        return _submit_all(env, planned, name, tick, stamp, attempt)


def _submit_all(env: TickEnv, planned: list[PlannedRun], name: str, tick: str, stamp: float,
                attempt: int) -> TickRecord:
    submitted: list[str] = []
    for run in planned:
        if env.leases.lost(SCHEDULE, name, tick):
            break  # the scheduler that took the tick over submits the rest
        try:
            submit_planned(run, env.instance)
        except Exception as exc:  # noqa: BLE001 - e.g. Redis gone or code that cannot ship: a failed tick
            record = failed_record(SCHEDULE, name, tick, stamp, env.owner, attempt,
                                   f"Submitting run {run.run_id} of job '{run.job.name}' for schedule '{name}' "
                                   f"failed: {type(exc).__name__}: {exc}", run_ids=submitted)
            env.record(record)
            return record
        submitted.append(run.run_id)
    record = TickRecord(kind=SCHEDULE, name=name, tick=tick, status=TickStatus.SUCCESS, timestamp=stamp,
                        run_ids=submitted, run_keys=[r.request.run_key for r in planned if r.request.run_key],
                        scheduler=env.owner, attempt=attempt)
    env.record(record)
    return record
