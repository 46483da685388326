"""Partitions as Dagster documents them: time windows (offsets, time zones, end offsets), static and
two-dimensional keys, partitioned configs, partitioned assets and partition mappings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from orchestrator import (
    AllPartitionMapping,
    AssetIn,
    AssetKey,
    ConfigError,
    DailyPartitionsDefinition,
    DefinitionError,
    HourlyPartitionsDefinition,
    IdentityPartitionMapping,
    LastPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    PartitionKeyRange,
    StaticPartitionMapping,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    asset,
    daily_partitioned_config,
    fs_io_manager,
    hourly_partitioned_config,
    job,
    materialize,
    monthly_partitioned_config,
    op,
    weekly_partitioned_config,
)

UTC = dt.timezone.utc
AT = dt.datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


def test_daily_partitions_end_with_the_last_complete_day_and_end_offset_adds_today() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    keys = daily.get_partition_keys(current_time=AT)
    assert keys[0] == "2024-01-01" and keys[-1] == "2024-01-09" and len(keys) == 9
    assert DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1).get_last_partition_key(AT) == "2024-01-10"
    assert DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04").get_partition_keys() == [
        "2024-01-01", "2024-01-02", "2024-01-03"]
    assert daily.has_partition_key("2024-01-05", current_time=AT)
    assert not daily.has_partition_key("2024-01-10", current_time=AT)
    assert not daily.has_partition_key("2023-12-31") and not daily.has_partition_key("2024-1-5")


def test_daily_offsets_and_time_zone_move_the_window() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-03-01", hour_offset=6, minute_offset=30, timezone="Europe/Paris")
    window = daily.time_window_for_partition_key("2024-03-30")
    assert window.start.isoformat() == "2024-03-30T06:30:00+01:00"
    assert window.end.isoformat() == "2024-03-31T06:30:00+02:00"  # across the change to summer time
    assert daily.cron_schedule == "30 6 * * *" and daily.timezone == "Europe/Paris"
    # At 05:00 Paris time on the 3rd the window of the 2nd has not ended yet.
    assert daily.get_last_partition_key(dt.datetime(2024, 3, 3, 4, 0, tzinfo=UTC)) == "2024-03-01"


def test_hourly_weekly_monthly_and_cron_partitions() -> None:
    hourly = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", minute_offset=15)
    assert hourly.get_partition_keys(current_time=dt.datetime(2024, 1, 1, 3, 0, tzinfo=UTC)) == [
        "2024-01-01-00:15", "2024-01-01-01:15"]
    weekly = WeeklyPartitionsDefinition(start_date="2024-01-03", day_offset=1)  # Mondays
    assert weekly.get_partition_keys(current_time=dt.datetime(2024, 1, 23, tzinfo=UTC)) == ["2024-01-08", "2024-01-15"]
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", day_offset=15)
    assert monthly.get_partition_keys(current_time=dt.datetime(2024, 4, 20, tzinfo=UTC)) == [
        "2024-01-15", "2024-02-15", "2024-03-15"]
    custom = TimeWindowPartitionsDefinition(start="2024-01-01", fmt="%Y-%m-%d", cron_schedule="0 0 * * 1")
    assert custom.schedule_type == "WEEKLY" and custom.get_first_partition_key() == "2024-01-01"
    with pytest.raises(DefinitionError, match="is none of these"):
        TimeWindowPartitionsDefinition(start="2024-01-01", fmt="%Y-%m-%d", cron_schedule="*/5 * * * *")
    assert hourly.get_partition_keys_in_range(PartitionKeyRange("2024-01-01-00:15", "2024-01-01-02:15")) == [
        "2024-01-01-00:15", "2024-01-01-01:15", "2024-01-01-02:15"]


def test_static_and_multi_partition_keys() -> None:
    with pytest.raises(DefinitionError, match="unique"):
        StaticPartitionsDefinition(["a", "a"])
    multi = MultiPartitionsDefinition({
        "date": DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03"),
        "color": StaticPartitionsDefinition(["red", "blue"]),
    })
    keys = multi.get_partition_keys()
    assert keys == ["red|2024-01-01", "red|2024-01-02", "blue|2024-01-01", "blue|2024-01-02"]
    assert isinstance(keys[0], MultiPartitionKey) and keys[0].keys_by_dimension == {"color": "red", "date": "2024-01-01"}
    assert multi.has_partition_key("red|2024-01-02") and not multi.has_partition_key("green|2024-01-02")
    with pytest.raises(DefinitionError, match="exactly two"):
        MultiPartitionsDefinition({"only": StaticPartitionsDefinition(["x"])})


def test_partitioned_config_decorators_with_offsets() -> None:
    @daily_partitioned_config(start_date="2024-01-01", minute_offset=15, hour_offset=2, timezone="US/Pacific")
    def daily(start, end):
        return {"ops": {"show": {"config": {"window": f"{start.isoformat()}/{end.isoformat()}"}}}}

    @op(config_schema={"window": str})
    def show(context) -> str:
        return context.op_config["window"]

    @job(config=daily)
    def daily_job():
        show()

    assert daily.get_partition_keys()[:2] == ["2024-01-01", "2024-01-02"]
    assert daily_job.execute_in_process(partition_key="2024-01-02").output_for_node("show") == (
        "2024-01-02T02:15:00-08:00/2024-01-03T02:15:00-08:00")
    with pytest.raises(ConfigError, match="'2023-12-31' is not a partition"):
        daily_job.execute_in_process(partition_key="2023-12-31")

    @hourly_partitioned_config(start_date="2024-01-01-00:00")
    def hourly(start, end):
        return {"hour": start.hour}

    @weekly_partitioned_config(start_date="2024-01-07")
    def weekly(start, end):
        return {"days": (end - start).days}

    @monthly_partitioned_config(start_date="2024-01-01")
    def monthly(start, end):
        return {"days": (end - start).days}

    assert hourly.get_run_config_for_partition_key("2024-01-01-05:00") == {"hour": 5}
    assert weekly.get_run_config_for_partition_key("2024-01-14") == {"days": 7}
    assert monthly.get_run_config_for_partition_key("2024-02-01") == {"days": 29}


def _io(tmp_path: Path) -> dict:
    return {"io_manager": fs_io_manager.configured({"base_dir": str(tmp_path)})}


def test_partitioned_assets_store_one_file_per_partition_and_read_the_same_partition(tmp_path: Path) -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def events(context) -> str:
        return f"events of {context.partition_key}"

    @asset(partitions_def=daily)
    def summary(context, events: str) -> str:
        return f"{context.partition_key}: {events}"

    for day in ("2024-01-01", "2024-01-02"):
        result = materialize([events, summary], partition_key=day, resources=_io(tmp_path))
        assert result.output_for_node("summary") == f"{day}: events of {day}"
        assert [m.partition for m in result.asset_materializations_for_node("events")] == [day]
    assert sorted(p.name for p in (tmp_path / "events").iterdir()) == ["2024-01-01", "2024-01-02"]


def test_partition_mappings_pick_the_upstream_partitions(tmp_path: Path) -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def events(context) -> str:
        return context.partition_key

    @asset(partitions_def=daily,
           ins={"events": AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))})
    def yesterday(context, events):
        return (context.asset_partition_key_for_input("events"), events)

    @asset(ins={"events": AssetIn(partition_mapping=AllPartitionMapping())})
    def everything(events):
        return events

    @asset(ins={"events": AssetIn(partition_mapping=LastPartitionMapping())})
    def latest(events):
        return events

    io = _io(tmp_path)
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        assert materialize([events], partition_key=day, resources=io).success
    result = materialize([events, yesterday], selection=[yesterday], partition_key="2024-01-03", resources=io)
    assert result.output_for_node("yesterday") == ("2024-01-02", "2024-01-02")

    limited = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")

    @asset(partitions_def=limited, name="events")
    def limited_events(context) -> str:
        return context.partition_key

    result = materialize([limited_events, everything, latest], selection=[everything, latest], resources=io)
    assert result.output_for_node("everything") == {d: d for d in ("2024-01-01", "2024-01-02", "2024-01-03")}
    assert result.output_for_node("latest") == "2024-01-03"


def test_time_window_mapping_before_the_first_partition_is_an_error_unless_allowed(tmp_path: Path) -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def source_days(context) -> str:
        return context.partition_key

    @asset(partitions_def=daily,
           ins={"source_days": AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))})
    def strict(source_days):
        return source_days

    result = materialize([source_days, strict], selection=[strict], partition_key="2024-01-01",
                         resources=_io(tmp_path), raise_on_error=False)
    assert not result.success
    assert "allow_nonexistent_upstream_partitions=True" in result.failure_error.message


def test_static_and_multi_to_single_dimension_mappings(tmp_path: Path) -> None:
    regions = StaticPartitionsDefinition(["eu-west", "eu-north", "us-east"])
    continents = StaticPartitionsDefinition(["eu", "us"])

    @asset(partitions_def=regions)
    def sales(context) -> int:
        return {"eu-west": 1, "eu-north": 2, "us-east": 4}[context.partition_key]

    @asset(partitions_def=continents, ins={"sales": AssetIn(partition_mapping=StaticPartitionMapping(
        {"eu-west": "eu", "eu-north": "eu", "us-east": "us"}))})
    def continent_sales(sales) -> int:
        return sum(sales.values()) if isinstance(sales, dict) else sales

    io = _io(tmp_path)
    for region in regions.get_partition_keys():
        materialize([sales], partition_key=region, resources=io)
    assert materialize([sales, continent_sales], selection=[continent_sales], partition_key="eu",
                       resources=io).output_for_node("continent_sales") == 3

    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")
    multi = MultiPartitionsDefinition({"date": daily, "color": StaticPartitionsDefinition(["red", "blue"])})

    @asset(partitions_def=multi)
    def paint(context) -> str:
        return context.partition_key.keys_by_dimension["color"]

    @asset(partitions_def=daily, ins={"paint": AssetIn(partition_mapping=MultiToSingleDimensionPartitionMapping("date"))})
    def colors_of_day(paint) -> list:
        return sorted(paint.values())

    for key in multi.get_partition_keys():
        materialize([paint], partition_key=key, resources=io)
    assert materialize([paint, colors_of_day], selection=[colors_of_day], partition_key="2024-01-02",
                       resources=io).output_for_node("colors_of_day") == ["blue", "red"]


def test_an_asset_job_mixing_partitions_is_refused() -> None:
    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def a():
        return 1

    @asset(partitions_def=StaticPartitionsDefinition(["x"]))
    def b():
        return 1

    with pytest.raises(DefinitionError, match="different partitions"):
        materialize([a, b], partition_key="x")


def test_identity_mapping_checks_the_key_exists_upstream() -> None:
    upstream = StaticPartitionsDefinition(["a"])
    assert IdentityPartitionMapping().upstream_keys_for("a", upstream, upstream) == ["a"]
    with pytest.raises(DefinitionError, match="no key 'b'"):
        IdentityPartitionMapping().upstream_keys_for("b", StaticPartitionsDefinition(["b"]), upstream)
    assert AssetKey("x") == AssetKey.from_user_string("x")
