"""Assets on a real redis-server and two real Celery workers: multi-assets, graph-backed assets,
asset checks (a blocking one too) and partitioned assets with a partition mapping, each step a
Celery task, outputs through the shared fs_io_manager, results read back in this process."""

from __future__ import annotations

import os

from orchestrator import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetIn,
    AssetKey,
    AssetOut,
    DailyPartitionsDefinition,
    Definitions,
    Instance,
    MaterializeResult,
    Output,
    RunStatus,
    TimeWindowPartitionMapping,
    asset,
    asset_check,
    define_asset_job,
    graph_asset,
    multi_asset,
    op,
    submit_job,
)

# -- multi-asset ---------------------------------------------------------------------------------


@multi_asset(outs={"names": AssetOut(), "ages": AssetOut(key_prefix="people")})
def people():
    return ["ada", "bob"], {"ada": 36, "bob": 41}


@asset(ins={"ages": AssetIn(key=["people", "ages"])})
def oldest(names: list, ages: dict) -> str:
    return max(names, key=lambda n: ages[n]) + f"@{os.getpid()}"


# -- graph-backed asset --------------------------------------------------------------------------


@op
def add_one(x: int) -> int:
    return x + 1


@op
def square(x: int) -> int:
    return x * x


@asset
def seed() -> int:
    return 4


@graph_asset
def squared_plus(seed):
    return square(add_one(seed))


# -- asset checks --------------------------------------------------------------------------------


@asset(check_specs=[AssetCheckSpec("positive", asset="balance")])
def balance():
    yield Output(120)
    yield AssetCheckResult(passed=True, metadata={"value": 120})


@asset_check(asset=balance)
def balance_below_limit(balance: int) -> AssetCheckResult:
    return AssetCheckResult(passed=balance < 100, metadata={"limit": 100})


@asset
def raw_rows() -> list:
    return [1, None, 3]


@asset_check(asset=raw_rows, blocking=True)
def rows_complete(raw_rows: list) -> AssetCheckResult:
    return AssetCheckResult(passed=None not in raw_rows)


@asset
def clean_rows(raw_rows: list) -> MaterializeResult:
    return MaterializeResult(metadata={"rows": len(raw_rows)})


# -- partitioned assets --------------------------------------------------------------------------

days = DailyPartitionsDefinition(start_date="2024-01-01")


@asset(partitions_def=days)
def daily_events(context) -> dict:
    return {"day": context.partition_key, "pid": os.getpid()}


@asset(partitions_def=days,
       ins={"daily_events": AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))})
def day_over_day(context, daily_events: dict) -> str:
    return f"{context.partition_key} after {daily_events['day']}"


defs = Definitions(
    assets=[people, oldest, seed, squared_plus, balance, raw_rows, clean_rows, daily_events, day_over_day],
    asset_checks=[balance_below_limit, rows_complete],
    jobs=[
        define_asset_job("people_job", selection=[people, oldest]),
        define_asset_job("graph_asset_job", selection=[seed, squared_plus]),
        define_asset_job("checks_job", selection=[balance]),
        define_asset_job("blocking_job", selection=[raw_rows, clean_rows]),
        define_asset_job("events_job", selection=[daily_events]),
        define_asset_job("day_over_day_job", selection=[day_over_day]),
    ],
)


def _failures(result) -> list[str]:
    return [str(e) for e in result.all_events if e.is_failure]


def test_multi_asset_outputs_go_to_their_asset_paths_and_feed_a_downstream_step(instance: Instance) -> None:
    result = submit_job(defs.get_job("people_job"), instance=instance).wait(timeout=120)
    assert result.success, _failures(result)
    assert result.output_for_node("people", "ages") == {"ada": 36, "bob": 41}
    assert result.output_for_node("oldest").startswith("bob@")
    keys = [m.asset_key for m in result.asset_materializations_for_node("people")]
    assert keys == [AssetKey("names"), AssetKey(["people", "ages"])]
    home = os.environ["ORCH_HOME"]
    assert os.path.exists(os.path.join(home, "storage", "people", "ages"))


def test_graph_asset_ops_run_as_separate_tasks(instance: Instance) -> None:
    result = submit_job(defs.get_job("graph_asset_job"), instance=instance).wait(timeout=120)
    assert result.success, _failures(result)
    assert {e.step_key for e in result.get_step_success_events()} == {"seed", "squared_plus.add_one",
                                                                      "squared_plus.square"}
    assert result.output_for_node("squared_plus") == 25
    assert [m.asset_key for m in result.asset_materializations_for_node("squared_plus")] == [AssetKey("squared_plus")]


def test_asset_checks_are_evaluated_on_workers_and_read_back(instance: Instance) -> None:
    result = submit_job(defs.get_job("checks_job"), instance=instance).wait(timeout=120)
    assert result.success, _failures(result)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {"positive", "balance_below_limit"}
    assert evaluations["positive"].passed and evaluations["positive"].metadata["value"].value == 120
    assert not evaluations["balance_below_limit"].passed
    assert evaluations["balance_below_limit"].asset_key == AssetKey("balance")


def test_a_failing_blocking_check_skips_the_downstream_asset_on_workers(instance: Instance) -> None:
    result = submit_job(defs.get_job("blocking_job"), instance=instance).wait(timeout=120)
    assert not result.success and result.status is RunStatus.FAILURE
    assert result.get_failed_step_keys() == ["raw_rows_rows_complete"]
    assert "blocking asset check" in result.failure_error.message
    assert {e.step_key for e in result.get_step_skipped_events()} == {"clean_rows"}
    assert [e.passed for e in result.get_asset_check_evaluations()] == [False]


def test_partitioned_assets_and_a_partition_mapping_across_runs(instance: Instance) -> None:
    for day in ("2024-01-01", "2024-01-02"):
        result = submit_job(defs.get_job("events_job"), partition_key=day, instance=instance).wait(timeout=120)
        assert result.success, _failures(result)
        assert result.output_for_node("daily_events")["day"] == day
        assert [m.partition for m in result.asset_materializations_for_node("daily_events")] == [day]
    result = submit_job(defs.get_job("day_over_day_job"), partition_key="2024-01-02", instance=instance).wait(120)
    assert result.success, _failures(result)
    assert result.output_for_node("day_over_day") == "2024-01-02 after 2024-01-01"
    early = submit_job(defs.get_job("day_over_day_job"), partition_key="2024-01-01", instance=instance).wait(120)
    assert not early.success
    assert "allow_nonexistent_upstream_partitions=True" in early.failure_error.message
