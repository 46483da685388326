"""When schedules tick (cron strings in a timezone, across daylight saving changes, as Dagster runs
them) and how a tick's run requests become runs: run-key de-duplication, fixed run ids, and the
errors of bad requests. No server: the state a tick reads is given by small in-memory stand-ins."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from orchestrator import (
    DailyPartitionsDefinition,
    Definitions,
    RunRequest,
    ScheduleDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
    job,
    op,
)
from orchestrator.definitions.assets import asset
from orchestrator.distributed.scheduler.cron import repeats_every_hour, ticks_after, ticks_between
from orchestrator.distributed.scheduler.run_requests import CodeLocation, RunRequestError
from orchestrator.distributed.scheduler.schedules import MAX_CATCHUP_TICKS, due_ticks
from orchestrator.distributed.scheduler.sensors import _plan
from orchestrator.distributed.scheduler.ticks import run_key_run_id, tick_run_id

EASTERN = ZoneInfo("US/Eastern")
UTC = dt.timezone.utc


def first(cron: str | list[str], tz: str | None, after: dt.datetime, n: int) -> list[str]:
    return [t.isoformat() for t in itertools.islice(ticks_after(cron, tz, after), n)]


# -- cron and timezones ---------------------------------------------------------------------------


def test_ticks_are_in_the_schedule_timezone_and_utc_by_default() -> None:
    after = dt.datetime(2024, 1, 1, 13, 59, 30, tzinfo=UTC)
    # 13:59 UTC is 5:59 in US/Pacific: 9:00 comes the same day there, the next day in UTC.
    assert first("0 9 * * *", "US/Pacific", after, 2) == ["2024-01-01T09:00:00-08:00", "2024-01-02T09:00:00-08:00"]
    assert first("0 9 * * *", None, after, 1) == ["2024-01-02T09:00:00+00:00"]
    assert first("* * * * *", None, after, 3) == [
        "2024-01-01T14:00:00+00:00", "2024-01-01T14:01:00+00:00", "2024-01-01T14:02:00+00:00"]


def test_a_tick_exactly_at_the_start_is_not_repeated() -> None:
    at = dt.datetime(2024, 1, 1, 14, 0, tzinfo=UTC)
    assert first("0 * * * *", None, at, 1) == ["2024-01-01T15:00:00+00:00"]
    assert [t.isoformat() for t in ticks_between("*/15 * * * *", None, at, at + dt.timedelta(minutes=30))] == [
        "2024-01-01T14:15:00+00:00", "2024-01-01T14:30:00+00:00"]


def test_daily_schedule_in_the_skipped_hour_runs_when_the_hour_ends() -> None:
    # 2024-03-10: US/Eastern jumps from 2:00 to 3:00; 2:30 does not exist that day.
    after = dt.datetime(2024, 3, 9, 12, tzinfo=EASTERN)
    assert first("30 2 * * *", "US/Eastern", after, 3) == [
        "2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00", "2024-03-12T02:30:00-04:00"]
    # Two wall times swallowed by the gap land on one tick.
    assert first(["0 2 * * *", "30 2 * * *"], "US/Eastern", after, 2) == [
        "2024-03-10T03:00:00-04:00", "2024-03-11T02:00:00-04:00"]


def test_daily_schedule_in_the_repeated_hour_runs_once_at_the_second_occurrence() -> None:
    # 2024-11-03: US/Eastern goes back from 2:00 EDT to 1:00 EST; 1:30 happens twice.
    after = dt.datetime(2024, 11, 3, 0, tzinfo=EASTERN)
    assert first("30 1 * * *", "US/Eastern", after, 2) == ["2024-11-03T01:30:00-05:00", "2024-11-04T01:30:00-05:00"]


def test_hourly_schedules_follow_absolute_time_through_dst() -> None:
    assert repeats_every_hour("30 * * * *") and not repeats_every_hour("30 2 * * *")
    spring = dt.datetime(2024, 3, 10, 0, tzinfo=EASTERN)
    assert first("30 * * * *", "US/Eastern", spring, 3) == [
        "2024-03-10T00:30:00-05:00", "2024-03-10T01:30:00-05:00", "2024-03-10T03:30:00-04:00"]
    fall = dt.datetime(2024, 11, 3, 0, tzinfo=EASTERN)
    assert first("30 * * * *", "US/Eastern", fall, 4) == [
        "2024-11-03T00:30:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00",
        "2024-11-03T02:30:00-05:00"]
    # That day has 23 hours, so 23 hourly ticks from midnight to midnight.
    before = dt.datetime(2024, 3, 9, 23, 59, 59, tzinfo=EASTERN)
    day = ticks_between("0 * * * *", "US/Eastern", before, dt.datetime(2024, 3, 10, 23, 59, tzinfo=EASTERN))
    assert len(day) == 23 and day[2].isoformat() == "2024-03-10T03:00:00-04:00"


def test_half_hour_dst_change() -> None:
    # Lord Howe Island moves its clocks by 30 minutes (2:00 -> 2:30 on 2024-10-06).
    after = dt.datetime(2024, 10, 5, tzinfo=UTC)
    assert first("15 2 * * *", "Australia/Lord_Howe", after, 2) == [
        "2024-10-06T02:30:00+11:00", "2024-10-07T02:15:00+11:00"]


def test_ticks_need_an_aware_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        next(ticks_after("* * * * *", None, dt.datetime(2024, 1, 1)))


def test_missed_ticks_are_caught_up_up_to_a_limit() -> None:
    schedule = ScheduleDefinition(job_name="j", cron_schedule="0 * * * *")
    start = dt.datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    due, dropped = due_ticks(schedule, start, start + 10 * 3600 + 5)
    assert len(due) == MAX_CATCHUP_TICKS and dropped == 10 - MAX_CATCHUP_TICKS
    assert due[-1] == dt.datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert due_ticks(schedule, start, start + 3599) == ([], 0)


def test_partitioned_schedule_ticks_in_the_partitions_timezone() -> None:
    partitions = DailyPartitionsDefinition(start_date="2024-01-01", timezone="US/Eastern")

    @asset(partitions_def=partitions)
    def daily_numbers() -> int:
        return 1

    schedule = build_schedule_from_partitioned_job(define_asset_job("daily_job", selection=[daily_numbers]))
    defs = Definitions(assets=[daily_numbers], schedules=[schedule])
    resolved = defs.get_schedule_def(schedule.name)
    after = dt.datetime(2024, 3, 9, 12, tzinfo=EASTERN)
    assert resolved.execution_timezone == "US/Eastern"
    assert first(resolved.cron_schedule, resolved.execution_timezone, after, 1) == ["2024-03-10T00:00:00-05:00"]


# -- run requests: run keys, fixed run ids, bad requests -------------------------------------------


@op(config_schema={"filename": str})
def process_file(context) -> str:
    return context.op_config["filename"]


@job
def file_job() -> None:
    process_file()


def config(name: str) -> dict[str, Any]:
    return {"ops": {"process_file": {"config": {"filename": name}}}}


class _Storage:
    """The run keys a sensor requested before, and the runs that exist."""

    def __init__(self, requested: dict[str, str], runs: set[str]) -> None:
        self.requested = requested
        self.runs = runs

    def requested_run_keys(self, sensor: str, keys: list[str]) -> dict[str, str]:
        return {k: self.requested[k] for k in keys if k in self.requested}

    def has_run(self, run_id: str) -> bool:
        return run_id in self.runs


def env_with(requested: dict[str, str], runs: set[str]) -> Any:
    storage = _Storage(requested, runs)
    location = CodeLocation(Definitions(jobs=[file_job]), "module 'tests'")
    return SimpleNamespace(storage=storage, instance=SimpleNamespace(storage=storage), location=location)


def test_run_keys_requested_before_are_dropped_and_new_ones_get_fixed_ids() -> None:
    done_id = run_key_run_id("files", "a.csv")
    env = env_with({"a.csv": done_id}, {done_id})
    requests = [RunRequest(run_key="a.csv", run_config=config("a.csv"), job_name="file_job"),
                RunRequest(run_key="b.csv", run_config=config("b.csv"), job_name="file_job"),
                RunRequest(run_key="b.csv", run_config=config("b.csv"), job_name="file_job"),
                RunRequest(run_config=config("no-key"), job_name="file_job")]
    planned, skipped = _plan(env, "files", "7", requests)
    assert skipped == ["a.csv"]
    assert [p.request.run_key for p in planned] == ["b.csv", None]
    assert planned[0].run_id == run_key_run_id("files", "b.csv")
    assert planned[1].run_id == tick_run_id("sensor", "files", "7", 3, None)
    assert planned[0].tags == {"dagster/sensor_name": "files", "dagster/run_key": "b.csv"}
    # The same tick evaluated again (taken over after a crash) plans the same run ids.
    again, _ = _plan(env, "files", "7", requests)
    assert [p.run_id for p in again] == [p.run_id for p in planned]


def test_a_run_key_recorded_by_a_tick_that_died_before_submitting_is_submitted() -> None:
    env = env_with({"c.csv": "recorded-id"}, set())
    [planned], skipped = _plan(env, "files", "8", [RunRequest(run_key="c.csv", run_config=config("c.csv"),
                                                                job_name="file_job")])
    assert skipped == [] and planned.run_id == "recorded-id"


def test_run_ids_are_fixed_per_tick_and_key() -> None:
    assert tick_run_id("schedule", "s", "60", 0, None) == tick_run_id("schedule", "s", "60", 0, None)
    assert tick_run_id("schedule", "s", "60", 0, None) != tick_run_id("schedule", "s", "120", 0, None)
    assert tick_run_id("schedule", "s", "60", 0, "k") != tick_run_id("schedule", "s", "60", 0, None)
    assert run_key_run_id("a", "k") != run_key_run_id("b", "k")


def test_bad_requests_fail_the_tick_naming_the_request() -> None:
    env = env_with({}, set())
    with pytest.raises(RunRequestError, match=r"RunRequest 1 \(run_key 'x'\) of sensor 'files' asks for job 'nope'.*"
                                              r"jobs: file_job"):
        _plan(env, "files", "1", [RunRequest(run_key="x", job_name="nope")])
    with pytest.raises(RunRequestError, match=r"RunRequest 2 of sensor 'files': invalid run config for job 'file_job'"
                                              r"(.|\n)*process_file"):
        _plan(env, "files", "1", [RunRequest(run_config=config("ok"), job_name="file_job"),
                                  RunRequest(run_config={"ops": {"process_file": {"config": {}}}}, job_name="file_job")])


# -- a schedule's tick: failures and skips are recorded, nothing is submitted --------------------


class _TickStorage:
    """Records what a tick would write to Redis (its outcome, lease renewals)."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str, str]] = []

    def finish_tick(self, kind: str, name: str, owner: str, tick: str, record_json: str, **_: Any) -> bool:
        self.finished.append((kind, name, record_json))
        return True

    def renew_tick(self, *args: Any) -> bool:
        return True


def tick_env(defs: Definitions) -> Any:
    from orchestrator.distributed.scheduler.evaluation import TickEnv
    from orchestrator.distributed.scheduler.leases import LeaseKeeper

    storage: Any = _TickStorage()
    return TickEnv(location=CodeLocation(defs, "module 'tests'"), instance=None, storage=storage,  # type: ignore[arg-type]
                   view=None, owner="test-scheduler", leases=LeaseKeeper(storage, "test-scheduler"))  # type: ignore[arg-type]


def test_schedule_ticks_that_raise_skip_or_ask_for_bad_runs_are_recorded_without_submitting() -> None:
    from orchestrator import schedule
    from orchestrator.distributed.scheduler.schedules import evaluate_schedule_tick
    from orchestrator.distributed.scheduler.ticks import TickRecord, TickStatus

    @schedule(job=file_job, cron_schedule="0 * * * *")
    def raising(context):
        raise KeyError("missing input")

    @schedule(job=file_job, cron_schedule="0 * * * *")
    def skipping(context):
        from orchestrator import SkipReason

        return SkipReason(f"nothing at {context.scheduled_execution_time.hour}h")

    bad = ScheduleDefinition(name="bad", job=file_job, cron_schedule="0 * * * *",
                             run_config={"ops": {"process_file": {"config": {"filename": 7}}}})
    env = tick_env(Definitions(jobs=[file_job], schedules=[raising, skipping, bad]))
    when = dt.datetime(2024, 1, 1, 5, tzinfo=UTC)
    records = [evaluate_schedule_tick(env, s, str(int(when.timestamp())), when, 1) for s in (raising, skipping, bad)]
    assert [r.status for r in records] == [TickStatus.FAILURE, TickStatus.SKIPPED, TickStatus.FAILURE]
    assert "raised KeyError: 'missing input'" in (records[0].error or "")
    assert "KeyError" in (records[0].traceback or "") and "test_scheduler_ticks.py" in (records[0].traceback or "")
    assert records[1].skip_reason == "nothing at 5h"
    assert "RunRequest 1 of schedule 'bad': invalid run config for job 'file_job'" in (records[2].error or "")
    assert records[2].traceback is None and not any(r.run_ids for r in records)
    stored = [TickRecord.model_validate_json(raw) for _k, _n, raw in env.storage.finished]
    assert stored == records
