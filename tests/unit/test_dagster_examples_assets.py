"""Dagster's documentation examples for assets, asset checks, partitions, schedules and sensors
(tests/dagster_examples/assets/, partitions/ and schedules_sensors/), each identical to Dagster's but
for the import lines, run here with the behaviour Dagster documents checked."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from orchestrator import (
    AssetKey,
    DefaultScheduleStatus,
    MultiPartitionKey,
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    materialize,
    materialize_to_memory,
    validate_run_config,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "dagster_examples"
GROUPS = ("assets", "partitions", "schedules_sensors")


def load(relative: str) -> ModuleType:
    path = EXAMPLES / relative
    name = "dagster_example_" + re.sub(r"\W", "_", relative[:-3])
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_names_its_source_and_imports_only_orchestrator() -> None:
    files = [f for group in GROUPS for f in sorted((EXAMPLES / group).glob("*.py"))]
    assert len(files) >= 12
    for file in files:
        text = file.read_text()
        assert text.startswith("# From Dagster's documentation examples"), file
        header = " ".join(line.lstrip("# ") for line in text.splitlines()[1:5])
        assert "in dagster-io/dagster" in header and "https://docs.dagster.io/" in header, file
        assert "from dagster" not in text and "import dagster" not in text, file


# -- assets -------------------------------------------------------------------------------------


def test_multi_assets_basic_materializes_both_assets() -> None:
    ex = load("assets/multi_assets.py")
    result = materialize_to_memory([ex.my_function])
    assert result.success
    assert result.output_for_node("my_function", "my_string_asset") == "abc"
    assert result.output_for_node("my_function", "my_int_asset") == 123
    keys = [m.asset_key for m in result.asset_materializations_for_node("my_function")]
    assert keys == [AssetKey("my_string_asset"), AssetKey("my_int_asset")]
    assert ex.my_assets.get_io_manager_key_for_asset_key(AssetKey("s3_asset")) == "s3_io_manager"
    assert ex.my_complex_assets.asset_deps == {AssetKey("c"): {AssetKey("a")}, AssetKey("d"): {AssetKey("b")}}


def test_subsettable_multi_asset_yields_only_the_selected_output() -> None:
    ex = load("assets/multi_assets.py")
    result = materialize_to_memory([ex.split_actions], selection=["b"])
    assert result.success
    assert [m.asset_key for m in result.asset_materializations_for_node("split_actions")] == [AssetKey("b")]
    assert result.output_for_node("split_actions", "b") == 456
    both = materialize_to_memory([ex.split_actions])
    assert {m.asset_key for m in both.asset_materializations_for_node("split_actions")} == {AssetKey("a"), AssetKey("b")}


def test_asset_testing_examples_pass() -> None:
    ex = load("assets/asset_testing.py")
    ex.test_my_simple_asset()
    ex.test_more_complex_asset()
    ex.test_uses_context()


def test_blocking_check_failure_skips_the_downstream_asset() -> None:
    ex = load("assets/asset_checks_blocking.py")
    result = ex.defs.get_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.is_node_success("upstream_asset")
    assert result.is_node_failed("upstream_asset_check_upstream_asset")
    assert result.is_node_skipped("downstream_asset")
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.asset_key, evaluation.check_name, evaluation.passed) == (
        AssetKey("upstream_asset"), "check_upstream_asset", False)
    failure = result.get_step_failure_events()[0]
    assert "blocking asset check" in failure.error.message


# -- partitions ---------------------------------------------------------------------------------


def test_partitioned_job_runs_a_day_with_its_config() -> None:
    ex = load("partitions/partitioned_job.py")
    assert ex.my_partitioned_config(dt.datetime(2020, 1, 3), dt.datetime(2020, 1, 4)) == {
        "ops": {"process_data_for_date": {"config": {"date": "2020-01-03"}}}}
    result = ex.do_stuff_partitioned.execute_in_process(partition_key="2020-01-03")
    assert result.success
    logs = [e.message for e in result.all_events if e.event_type.name == "LOG"]
    assert "processing data for 2020-01-03" in logs


def test_partitioned_config_test_passes() -> None:
    ex = load("partitions/partitioned_config_test.py")
    ex.test_my_offset_partitioned_config()


def test_multipartitions_asset_materializes_one_key() -> None:
    ex = load("partitions/multipartitions_asset.py")
    assert ex.result.success
    [materialization] = ex.result.asset_materializations_for_node("multi_partitions_asset")
    assert materialization.partition == "red|2022-01-01"
    assert MultiPartitionKey({"date": "2022-01-01", "color": "red"}) == "red|2022-01-01"
    logs = [e.message for e in ex.result.all_events if e.event_type.name == "LOG"]
    assert "{'color': 'red', 'date': '2022-01-01'}" in logs


def test_partition_mapping_reads_yesterday() -> None:
    ex = load("partitions/partition_mapping.py")
    mapping = ex.yesterday_event_stats.get_partition_mapping(AssetKey("events"))
    assert (mapping.start_offset, mapping.end_offset) == (-1, -1)
    assert materialize([ex.events], partition_key="2023-01-21").success
    result = materialize([ex.events, ex.yesterday_event_stats], partition_key="2023-01-22",
                         selection=[ex.yesterday_event_stats])
    assert result.success  # loaded 2023-01-21 of events, stored by the first run


# -- schedules and sensors ----------------------------------------------------------------------


def test_schedule_examples() -> None:
    ex = load("schedules_sensors/schedules.py")
    context = build_schedule_context(scheduled_execution_time=dt.datetime(2020, 1, 1))
    run_request = ex.configurable_job_schedule(context)
    assert validate_run_config(ex.configurable_job, run_request.run_config)
    assert run_request.tags == {"date": "2020-01-01"}
    assert ex.basic_schedule.cron_schedule == "0 0 * * *" and ex.basic_schedule.job_name == "my_job"
    assert ex.my_timezone_schedule.execution_timezone == "US/Pacific"
    assert ex.my_running_schedule.default_status is DefaultScheduleStatus.RUNNING
    tick = ex.basic_schedule.evaluate_tick(context)
    assert [r.job_name for r in tick.run_requests] == ["my_job"]


def test_schedules_from_partitioned_jobs() -> None:
    ex = load("schedules_sensors/schedule_from_partitions.py")
    schedule = ex.do_stuff_partitioned_schedule
    assert schedule.cron_schedule == "0 0 * * *"
    tick = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=dt.datetime(2024, 3, 2)))
    assert [(r.partition_key, r.run_key) for r in tick.run_requests] == [("2024-03-01", "2024-03-01")]
    from orchestrator import Definitions

    defs = Definitions(assets=[ex.hourly_asset], jobs=[ex.partitioned_asset_job], schedules=[ex.asset_partitioned_schedule])
    resolved = defs.get_schedule_def("partitioned_job_schedule")
    assert resolved.cron_schedule == "0 * * * *"
    tick = resolved.evaluate_tick(build_schedule_context(
        scheduled_execution_time=dt.datetime(2024, 3, 2, 5, 0, tzinfo=dt.timezone.utc)))
    assert [r.partition_key for r in tick.run_requests] == ["2024-03-02-04:00"]


def test_sensor_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ex = load("schedules_sensors/sensors.py")
    ex.test_sensor()
    (tmp_path / "a.csv").write_text("1")
    (tmp_path / "b.csv").write_text("2")
    monkeypatch.setattr(ex, "MY_DIRECTORY", str(tmp_path))
    ex.test_my_directory_sensor_cursor()
    requests = list(ex.my_directory_sensor())
    assert sorted(r.run_key for r in requests) == ["a.csv", "b.csv"]
    context = build_sensor_context(cursor="0")
    tick = ex.my_directory_sensor_cursor.evaluate_tick(context)
    assert len(tick.run_requests) == 2 and float(tick.cursor) > 0
    again = ex.my_directory_sensor_cursor.evaluate_tick(build_sensor_context(cursor=tick.cursor))
    assert again.run_requests == [] and again.cursor == tick.cursor
    monkeypatch.setattr(ex, "MY_DIRECTORY", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    skipped = ex.my_directory_sensor_with_skip_reasons.evaluate_tick(build_sensor_context())
    assert skipped.run_requests == [] and skipped.skip_message == f"No files found in {tmp_path / 'empty'}."


def test_asset_sensor_example_test_passes() -> None:
    ex = load("schedules_sensors/asset_sensors.py")
    ex.test_my_asset_sensor()


def test_asset_sensor_cursor_moves_past_seen_materializations() -> None:
    ex = load("schedules_sensors/asset_sensors.py")
    from orchestrator import DagsterInstance, asset

    @asset
    def my_table():
        return 1

    instance = DagsterInstance.ephemeral()
    ctx = build_sensor_context(instance)
    materialize([my_table], instance=instance)
    first = ex.my_asset_sensor.evaluate_tick(ctx)
    assert [r.run_config["ops"]["read_materialization"]["config"]["asset_key"] for r in first.run_requests] == [
        ("my_table",)]
    assert first.cursor is not None
    second = ex.my_asset_sensor.evaluate_tick(build_sensor_context(instance, cursor=first.cursor))
    assert second.run_requests == [] and "No new materialization" in str(second.skip_message)


def test_run_status_sensor_examples_call_the_sensors() -> None:
    ex = load("schedules_sensors/sensor_alert.py")
    assert ex.dagster_run.job_name == "my_job_succeeds" and ex.dagster_run.is_success
    sent: list[str] = []
    ex.email_alert = sent.append  # the sensors call the module's email_alert
    ex.my_email_failure_sensor(ex.run_failure_sensor_context)
    ex.my_email_sensor(ex.run_status_sensor_context)
    assert sent[0].startswith('Job "my_job_fails" failed. Error: ')
    assert sent[1] == 'Job "my_job_succeeds" succeeded.'


def test_schedule_evaluate_tick_skip_and_requests_are_exclusive() -> None:
    ex = load("schedules_sensors/sensors.py")
    tick = ex.sensor_to_test.evaluate_tick(build_sensor_context())
    assert tick.run_requests == [RunRequest(run_key="foo", job_name="log_file_job",
                                            run_config={"ops": {"process_file": {"config": {"filename": "foo"}}}})]
    assert isinstance(SkipReason("x"), SkipReason)
