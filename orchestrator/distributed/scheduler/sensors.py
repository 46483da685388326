"""Running sensors: every ``minimum_interval_seconds``, one scheduler takes the sensor's next tick,
evaluates it with its cursor, submits the runs it requests and records the tick with its new cursor.

Run keys are Dagster's: a key the sensor requested once is never requested again, also after a
restart (``orch:sensor:<name>:run_keys``). A tick that fails (the function raised, or a request is
bad) keeps the cursor as it was, so the next tick sees the same world again. Run status sensors
read the feed of finished runs (``run_feed.py``) from their cursor; a new one starts at the
feed's end, reacting to runs that end from then on, as in Dagster.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orchestrator.distributed.schedule_storage import SENSOR, InstigatorState, TickClaim
from orchestrator.distributed.scheduler.evaluation import TickEnv, failed_record, is_running, user_traceback
from orchestrator.distributed.scheduler.leases import TICK_LEASE
from orchestrator.distributed.scheduler.run_feed import dagster_run_of, stored_event
from orchestrator.distributed.scheduler.run_requests import (
    PlannedRun,
    RunRequestError,
    describe_request,
    plan_run,
    submit_planned,
)
from orchestrator.distributed.scheduler.ticks import TickRecord, TickStatus, run_key_run_id, tick_run_id

if TYPE_CHECKING:
    from orchestrator.definitions.schedules import RunRequest
    from orchestrator.definitions.sensors import RunStatusSensorDefinition, SensorDefinition

__all__ = ["process_sensor", "evaluate_sensor_tick", "sensor_run_tags"]

# Finished runs a run status sensor looks at per tick (the rest wait for the next tick).
_RUN_STATUS_BATCH = 200


@dataclass
class _Outcome:
    """What a sensor's evaluation produced before anything was submitted."""

    requests: list[RunRequest]
    cursor: str | None
    skip_message: str | None
    notes: list[str] = field(default_factory=list)


def sensor_run_tags(name: str) -> dict[str, str]:
    """The tags of a run a sensor requested (Dagster's)."""
    return {"dagster/sensor_name": name}


def process_sensor(env: TickEnv, sensor_def: SensorDefinition, now: float | None = None) -> TickRecord | None:
    """Evaluate the sensor if it is on and due and no other scheduler holds its tick."""
    name = sensor_def.name
    now = time.time() if now is None else now
    state = env.storage.state(SENSOR, name)
    if not is_running(state, sensor_def.default_status):
        return None
    if state.started_at is None:
        env.storage.ensure_started(SENSOR, name, now)
    interval = float(sensor_def.minimum_interval_seconds)
    if state.lease_owner is None and state.last_tick_start is not None and now < state.last_tick_start + interval:
        return None  # not due by this clock; claim_tick.lua decides by Redis's
    claim = env.storage.claim_tick(SENSOR, name, env.owner, TICK_LEASE, interval=interval)
    if not claim.taken:
        return None
    # The cursor as the previous tick left it, read now that this scheduler holds the tick.
    return evaluate_sensor_tick(env, sensor_def, env.storage.state(SENSOR, name), claim)


def evaluate_sensor_tick(env: TickEnv, sensor_def: SensorDefinition, state: InstigatorState,
                         claim: TickClaim) -> TickRecord:
    """Evaluate a tick whose lease this scheduler holds, submit its runs and record it."""
    from orchestrator.definitions.sensors import RunStatusSensorDefinition

    name, tick, attempt = sensor_def.name, claim.tick, claim.attempt
    started = time.time()
    with env.leases.holding(SENSOR, name, tick):
        try:
            if isinstance(sensor_def, RunStatusSensorDefinition):
                outcome = _evaluate_run_status(env, sensor_def, state)
            else:
                outcome = _evaluate(env, sensor_def, state)
        except RunRequestError as exc:
            return _failed(env, name, tick, started, attempt, str(exc))
        except Exception as exc:  # noqa: BLE001 - the user's sensor function failed: a failed tick
            return _failed(env, name, tick, started, attempt,
                           f"The evaluation of sensor '{name}' raised {type(exc).__name__}: {exc}", user_traceback(exc))
        try:
            planned, skipped_keys = _plan(env, name, tick, outcome.requests)
        except RunRequestError as exc:
            return _failed(env, name, tick, started, attempt, str(exc))
        submitted: list[str] = []
        for run in planned:
            if env.leases.lost(SENSOR, name, tick):
                break  # the scheduler that took the tick over submits the rest
            try:
                if run.request.run_key is not None:
                    env.storage.request_run_key(name, run.request.run_key, run.run_id)
                submit_planned(run, env.instance)
            except Exception as exc:  # noqa: BLE001 - e.g. Redis gone or code that cannot ship
                return _failed(env, name, tick, started, attempt,
                               f"Submitting run {run.run_id} of job '{run.job.name}' for sensor '{name}' failed: "
                               f"{type(exc).__name__}: {exc}", run_ids=submitted)
            submitted.append(run.run_id)
        keys = [r.request.run_key for r in planned if r.request.run_key is not None]
        skip = outcome.skip_message
        if not submitted and skip is None:
            skip = (f"Skipping {len(skipped_keys)} run(s) whose run key sensor '{name}' requested already: "
                    f"{', '.join(skipped_keys[:5])}{' ...' if len(skipped_keys) > 5 else ''}."
                    if skipped_keys else f"Sensor '{name}' requested no run.")
        record = TickRecord(kind=SENSOR, name=name, tick=tick,
                            status=TickStatus.SUCCESS if submitted else TickStatus.SKIPPED, timestamp=started,
                            run_ids=submitted, run_keys=[k for k in keys if k is not None],
                            skipped_run_keys=skipped_keys, skip_reason=None if submitted else skip,
                            cursor=outcome.cursor, scheduler=env.owner, attempt=attempt)
        env.record(record, cursor=outcome.cursor, set_cursor=True, last_run_key=keys[-1] if keys else None)
        return record


def _failed(env: TickEnv, name: str, tick: str, started: float, attempt: int, error: str, tb: str | None = None,
            run_ids: list[str] | None = None) -> TickRecord:
    record = failed_record(SENSOR, name, tick, started, env.owner, attempt, error, tb, run_ids)
    env.record(record)  # the cursor stays as it was
    return record


def _evaluate(env: TickEnv, sensor_def: SensorDefinition, state: InstigatorState) -> _Outcome:
    from orchestrator.definitions.sensors import SensorEvaluationContext

    context = SensorEvaluationContext(
        cursor=state.cursor, last_run_key=state.last_run_key, last_tick_completion_time=state.last_tick_end,
        instance=env.view, sensor_name=sensor_def.name, repository_def=env.location.repository,
        resources=env.resources_for(sensor_def.required_resource_keys), last_sensor_start_time=state.started_at,
    )
    with context:
        data = sensor_def.evaluate_tick(context)
    if data.dynamic_partitions_requests:
        raise RunRequestError(
            f"Sensor '{sensor_def.name}' returned dynamic_partitions_requests, which the scheduler cannot apply: "
            "distributed runs have no dynamic partitions store. Return run requests for static or time partitions."
        )
    return _Outcome(list(data.run_requests or []), data.cursor, data.skip_message)


def _monitors(env: TickEnv, sensor_def: RunStatusSensorDefinition, job_name: str) -> bool:
    if sensor_def.monitored_jobs or sensor_def.monitor_all_code_locations:
        return sensor_def.monitors(job_name)
    # Dagster's default: the jobs of the sensor's own code location.
    return env.location.repository.has_job(job_name)


def _evaluate_run_status(env: TickEnv, sensor_def: RunStatusSensorDefinition, state: InstigatorState) -> _Outcome:
    from orchestrator.definitions.sensors import RunStatusSensorContext

    name = sensor_def.name
    if state.cursor is None:
        start = env.storage.feed_seq()
        return _Outcome([], str(start), f"Run status sensor '{name}' starts watching runs that end from now on.")
    seq = int(state.cursor)
    requests: list[RunRequest] = []
    skips: list[str] = []
    for entry in env.storage.feed_after(seq, _RUN_STATUS_BATCH):
        seq = entry.seq
        if entry.kind != "end" or not env.instance.storage.has_run(entry.run_id):
            continue
        info = env.instance.storage.get_run(entry.run_id)
        run = dagster_run_of(info)
        if not _monitors(env, sensor_def, run.job_name) or not sensor_def.matches(run):
            continue
        context = RunStatusSensorContext(
            name, run, stored_event(entry), env.view, resource_defs=env.resources_for(sensor_def.required_resource_keys),
            partition_key=info.record.partition_key, repository_def=env.location.repository,
        )
        with context:
            data = sensor_def.evaluate_for_run(context)
        requests.extend(data.run_requests or [])
        if data.skip_message:
            skips.append(data.skip_message)
    status = getattr(sensor_def.run_status, "name", sensor_def.run_status)
    skip = skips[0] if skips else None if requests else f"No run reached {status} since the last tick."
    return _Outcome(requests, str(seq), skip)


def _plan(env: TickEnv, name: str, tick: str, requests: list[RunRequest]) -> tuple[list[PlannedRun], list[str]]:
    """Check every request (``RunRequestError`` on the first bad one) and drop those whose run key
    was requested already and whose run exists; returns the runs to submit and the dropped keys."""
    owner = f"sensor '{name}'"
    keys = [r.run_key for r in requests if r.run_key is not None]
    requested = env.storage.requested_run_keys(name, keys)
    planned: list[PlannedRun] = []
    skipped: list[str] = []
    seen: set[str] = set()
    tags = sensor_run_tags(name)
    for i, request in enumerate(requests):
        key = request.run_key
        if key is not None:
            if key in seen:
                continue  # the same key twice in one tick: one run
            seen.add(key)
            earlier = requested.get(key)
            # A key recorded by a tick that died before submitting its run is submitted now.
            if earlier is not None and env.instance.storage.has_run(earlier):
                skipped.append(key)
                continue
            run_id = earlier or run_key_run_id(name, key)
        else:
            run_id = tick_run_id(SENSOR, name, tick, i, None)
        planned.append(plan_run(env.location, request, run_id, tags, describe_request(request, i, owner)))
    return planned, skipped
