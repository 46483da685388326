"""Schedule and sensor definitions as Dagster's tests evaluate them: statuses, targets, contexts,
direct calls, evaluate_tick, partitioned schedules, asset and run status sensors, Definitions."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator import (
    AssetSelection,
    DagsterInstance,
    DagsterRunStatus,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    DefinitionError,
    Definitions,
    InvocationError,
    RunRequest,
    ScheduleDefinition,
    SensorResult,
    SkipReason,
    StaticPartitionsDefinition,
    asset,
    build_run_status_sensor_context,
    build_schedule_context,
    build_schedule_from_partitioned_job,
    build_sensor_context,
    define_asset_job,
    job,
    op,
    run_failure_sensor,
    run_status_sensor,
    schedule,
    sensor,
    static_partitioned_config,
)


@op
def noop() -> int:
    return 1


@job
def my_job():
    noop()


@job
def other_job():
    noop()


def test_schedule_definition_validates_cron_timezone_and_status() -> None:
    s = ScheduleDefinition(job=my_job, cron_schedule="@daily", run_config={"ops": {}}, tags={"team": "a"})
    assert (s.name, s.cron_schedule, s.default_status) == ("my_job_schedule", "0 0 * * *", DefaultScheduleStatus.STOPPED)
    [request] = s.evaluate_tick(build_schedule_context()).run_requests
    assert (request.job_name, request.tags, request.run_config) == ("my_job", {"team": "a"}, {"ops": {}})
    with pytest.raises(DefinitionError, match="not a cron string"):
        ScheduleDefinition(job=my_job, cron_schedule="0 25 * * *")
    with pytest.raises(DefinitionError, match="unknown execution_timezone"):
        ScheduleDefinition(job=my_job, cron_schedule="0 0 * * *", execution_timezone="Mars/Olympus")
    with pytest.raises(DefinitionError, match="needs a target"):
        ScheduleDefinition(cron_schedule="0 0 * * *")
    with pytest.raises(InvocationError, match="not made with @schedule"):
        s(build_schedule_context())


def test_run_config_fn_tags_fn_and_should_execute_see_the_context() -> None:
    s = ScheduleDefinition(
        job=my_job, cron_schedule="0 * * * *", execution_timezone="US/Pacific",
        run_config_fn=lambda ctx: {"ops": {"noop": {"config": ctx.scheduled_execution_time.hour}}},
        tags_fn=lambda ctx: {"tz": str(ctx.scheduled_execution_time.tzinfo)},
        should_execute=lambda ctx: ctx.scheduled_execution_time.hour != 3,
    )
    tick = s.evaluate_tick(build_schedule_context(scheduled_execution_time=dt.datetime(2024, 1, 1, 5)))
    assert tick.run_requests[0].run_config == {"ops": {"noop": {"config": 5}}}
    assert tick.run_requests[0].tags == {"tz": "US/Pacific"}
    skipped = s.evaluate_tick(build_schedule_context(scheduled_execution_time=dt.datetime(2024, 1, 1, 3)))
    assert skipped.run_requests == [] and "should_execute" in skipped.skip_message


def test_decorated_schedule_called_directly_and_returning_a_dict_or_a_skip() -> None:
    @schedule(job=my_job, cron_schedule="0 0 * * *", tags={"k": "v"})
    def dict_schedule(context):
        return {"ops": {"noop": {"config": {"day": context.scheduled_execution_time.day}}}}

    @schedule(job_name="my_job", cron_schedule="0 0 * * *", name="nope")
    def skipping():
        return SkipReason("holiday")

    ctx = build_schedule_context(scheduled_execution_time=dt.datetime(2024, 2, 3))
    assert dict_schedule(ctx) == {"ops": {"noop": {"config": {"day": 3}}}}
    [request] = dict_schedule.evaluate_tick(ctx).run_requests
    assert request.tags == {"k": "v"} and request.job_name == "my_job"
    assert skipping().skip_message == "holiday"
    assert skipping.evaluate_tick(ctx).skip_message == "holiday"
    defs = Definitions(jobs=[my_job], schedules=[dict_schedule, skipping])
    assert defs.resolve_schedule_def("nope") is skipping


def test_schedule_target_assets_creates_an_asset_job() -> None:
    @asset
    def numbers():
        return [1]

    s = ScheduleDefinition(name="nightly", target=AssetSelection.all(), cron_schedule="0 2 * * *",
                           default_status=DefaultScheduleStatus.RUNNING)
    defs = Definitions(assets=[numbers], schedules=[s])
    assert defs.job_names == ["__anonymous_asset_job_nightly"]
    assert defs.resolve_job_def("__anonymous_asset_job_nightly").execute_in_process().output_for_node("numbers") == [1]
    listed = ScheduleDefinition(name="listed", target=[numbers], cron_schedule="0 2 * * *")
    assert Definitions(schedules=[listed]).asset_keys == [numbers.key]  # the target brings its assets


def test_build_schedule_from_partitioned_job_requests_the_last_complete_partition() -> None:
    @static_partitioned_config(partition_keys=["eu", "us"])
    def regional(key):
        return {}

    @job(config=regional)
    def regional_job():
        noop()

    with pytest.raises(DefinitionError, match="pass cron_schedule"):
        build_schedule_from_partitioned_job(regional_job)
    every = build_schedule_from_partitioned_job(regional_job, cron_schedule="0 0 * * *")
    assert [r.partition_key for r in every.evaluate_tick(build_schedule_context()).run_requests] == ["eu", "us"]

    daily = DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=1)

    @asset(partitions_def=daily)
    def day_asset():
        return 1

    day_job = define_asset_job("day_job", selection=[day_asset])
    s = build_schedule_from_partitioned_job(day_job, minute_of_hour=30, tags={"via": "schedule"})
    defs = Definitions(assets=[day_asset], jobs=[day_job], schedules=[s])
    resolved = defs.resolve_schedule_def("day_job_schedule")
    assert resolved.cron_schedule == "30 1 * * *"
    tick = resolved.evaluate_tick(build_schedule_context(scheduled_execution_time=dt.datetime(2024, 1, 1, 1, 30)))
    assert tick.run_requests == [] and "No partition" in tick.skip_message
    tick = resolved.evaluate_tick(build_schedule_context(scheduled_execution_time=dt.datetime(2024, 1, 3, 1, 30)))
    assert [(r.partition_key, r.tags) for r in tick.run_requests] == [("2024-01-02", {"via": "schedule"})]
    with pytest.raises(DefinitionError, match="known once the job is resolved"):
        _ = s.cron_schedule


def test_sensor_cursor_sensor_result_and_job_names() -> None:
    @sensor(jobs=[my_job, other_job], minimum_interval_seconds=45, default_status=DefaultSensorStatus.RUNNING)
    def two_jobs(context):
        n = int(context.cursor or 0)
        return SensorResult(run_requests=[RunRequest(run_key=str(n), job_name="other_job")], cursor=str(n + 1))

    tick = two_jobs.evaluate_tick(build_sensor_context(cursor="4"))
    assert [(r.run_key, r.job_name) for r in tick.run_requests] == [("4", "other_job")] and tick.cursor == "5"
    assert (two_jobs.minimum_interval_seconds, two_jobs.default_status) == (45, DefaultSensorStatus.RUNNING)

    @sensor(jobs=[my_job, other_job])
    def ambiguous():
        yield RunRequest()

    with pytest.raises(DefinitionError, match="must name one with job_name"):
        ambiguous.evaluate_tick(build_sensor_context())

    @sensor(job=my_job)
    def mixed():
        yield RunRequest()
        yield SkipReason("no")

    with pytest.raises(DefinitionError, match="both RunRequests and a SkipReason"):
        mixed.evaluate_tick(build_sensor_context())
    defs = Definitions(sensors=[two_jobs])
    assert defs.job_names == ["my_job", "other_job"] and defs.resolve_sensor_def("two_jobs") is two_jobs


def test_sensor_context_resources_and_instance() -> None:
    @sensor(job=my_job, required_resource_keys={"db"})
    def uses_db(context):
        return RunRequest(run_key=context.resources.db)

    assert uses_db.evaluate_tick(build_sensor_context(resources={"db": "postgres"})).run_requests[0].run_key == "postgres"
    with pytest.raises(InvocationError, match="no instance"):
        _ = build_sensor_context().instance


def test_run_status_sensors_with_built_contexts() -> None:
    @op
    def boom():
        raise RuntimeError("kaput")

    @job
    def failing():
        boom()

    @run_status_sensor(run_status=DagsterRunStatus.SUCCESS, request_job=other_job, monitored_jobs=[my_job])
    def after_success(context):
        return RunRequest(run_key=context.dagster_run.run_id)

    @run_failure_sensor(name="alerts")
    def on_failure(context):
        return (context.failure_event.event_type.name, [e.step_key for e in context.get_step_failure_events()])

    instance = DagsterInstance.ephemeral()
    good = my_job.execute_in_process(instance=instance)
    bad = failing.execute_in_process(instance=instance, raise_on_error=False)
    assert good.dagster_run.status is DagsterRunStatus.SUCCESS and bad.dagster_run.status is DagsterRunStatus.FAILURE
    ctx = build_run_status_sensor_context(sensor_name="after_success", dagster_instance=instance,
                                          dagster_run=good.dagster_run, dagster_event=good.get_job_success_event())
    assert after_success.matches(good.dagster_run) and not after_success.matches(bad.dagster_run)
    [request] = after_success.evaluate_for_run(ctx).run_requests
    assert (request.run_key, request.job_name) == (good.run_id, "other_job")
    failure_ctx = build_run_status_sensor_context(sensor_name="alerts", dagster_instance=instance,
                                                  dagster_run=bad.dagster_run, dagster_event=bad.get_job_failure_event())
    assert on_failure(failure_ctx) == ("RUN_FAILURE", ["boom"])
    assert on_failure.name == "alerts"
    defs = Definitions(jobs=[my_job], sensors=[after_success, on_failure])
    assert "other_job" in defs.job_names


def test_duplicate_schedule_names_and_unknown_targets_are_definition_errors() -> None:
    a = ScheduleDefinition(name="s", job=my_job, cron_schedule="0 0 * * *")
    b = ScheduleDefinition(name="s", job=other_job, cron_schedule="0 0 * * *")
    with pytest.raises(DefinitionError, match="two schedules named 's'"):
        Definitions(schedules=[a, b])
    with pytest.raises(DefinitionError, match="targets job 'ghost'"):
        Definitions(schedules=[ScheduleDefinition(job_name="ghost", cron_schedule="0 0 * * *")])
    assert StaticPartitionsDefinition(["x"]).get_partition_keys() == ["x"]
