"""Software-defined assets, asset jobs, repositories and Definitions."""

from __future__ import annotations

import os

import pytest

from orchestrator import (
    AssetIn,
    AssetKey,
    AssetSelection,
    DefinitionError,
    Definitions,
    EventType,
    ScheduleDefinition,
    SkipReason,
    asset,
    define_asset_job,
    job,
    materialize,
    materialize_to_memory,
    op,
    repository,
    schedule,
    sensor,
)


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ORCH_HOME", str(tmp_path))
    return tmp_path


def test_seed_repository_lists_the_asset_jobs() -> None:
    from definitions.seed_assets import repo

    assert repo.job_names == ["all_assets_job", "asset1_job"]
    assert [k.to_user_string() for k in repo.asset_keys] == ["asset1", "asset2"]
    assert repo.jobs_materializing(AssetKey("asset1")) == ["all_assets_job", "asset1_job"]


def test_seed_all_assets_job_materializes_both(fresh_home) -> None:
    from definitions.seed_assets import repo

    result = repo.get_job("all_assets_job").execute_in_process()
    assert result.success
    assert result.output_for_node("asset2") == [1, 2, 3, 4]
    materialized = [e.data["asset_key"] for e in result.all_events if e.event_type is EventType.ASSET_MATERIALIZATION]
    assert materialized == [["asset1"], ["asset2"]]


def test_seed_asset1_job_then_a_job_of_only_asset2_loads_asset1_from_storage(fresh_home) -> None:
    from definitions.seed_assets import asset1, asset1_job, asset2, repo

    first = repo.get_job("asset1_job").execute_in_process()
    assert first.success and [s.step_key for s in first.get_step_success_events()] == ["asset1"]
    assert (fresh_home / "storage" / "asset1").exists()

    @repository
    def repo_with_asset2_job():
        return [asset1, asset2, asset1_job, define_asset_job("asset2_job", selection="asset2")]

    second = repo_with_asset2_job.get_job("asset2_job").execute_in_process()
    assert second.success
    assert [s.step_key for s in second.get_step_success_events()] == ["asset2"]
    assert second.output_for_node("asset2") == [1, 2, 3, 4]


def test_unmaterialized_upstream_names_the_asset_and_the_job(fresh_home) -> None:
    from definitions.seed_assets import asset1, asset1_job, asset2

    defs = Definitions(assets=[asset1, asset2], jobs=[asset1_job, define_asset_job("asset2_job", selection="asset2")])
    result = defs.get_job_def("asset2_job").execute_in_process(raise_on_error=False)
    assert not result.success
    error = result.get_step_failure_events()[0].error
    assert error is not None and error.cls_name == "InputLoadError"
    assert "Asset 'asset1'" in error.message and "not been materialized" in error.message
    assert "'asset1_job'" in error.message


def test_asset_selection_forms() -> None:
    @asset
    def a():
        return 1

    @asset
    def b(a):
        return a + 1

    @asset
    def c(b):
        return b + 1

    @asset(group_name="other")
    def d():
        return 0

    assets = {x.key: x for x in (a, b, c, d)}
    names = lambda sel: sorted(k.to_user_string() for k in sel.resolve(assets))  # noqa: E731
    assert names(AssetSelection.all()) == ["a", "b", "c", "d"]
    assert names(AssetSelection.keys("b").upstream()) == ["a", "b"]
    assert names(AssetSelection.keys("b").downstream()) == ["b", "c"]
    assert names(AssetSelection.keys("a").downstream(depth=1)) == ["a", "b"]
    assert names(AssetSelection.groups("other") | AssetSelection.keys("a")) == ["a", "d"]
    assert names(AssetSelection.all() - AssetSelection.keys("c")) == ["a", "b", "d"]
    from orchestrator.definitions.asset_selection import coerce_selection

    assert names(coerce_selection("*c")) == ["a", "b", "c"]
    assert names(coerce_selection("a+")) == ["a", "b"]
    assert names(coerce_selection(["a", "d"])) == ["a", "d"]
    with pytest.raises(DefinitionError, match="'zzz'"):
        coerce_selection("zzz").resolve(assets)


def test_asset_features_prefix_ins_deps_context_config_and_resources(fresh_home) -> None:
    calls: list[str] = []

    @asset(key_prefix="raw")
    def orders():
        return [3, 4]

    @asset(key_prefix="raw")
    def customers():
        calls.append("customers")
        return ["x"]

    @asset(ins={"rows": AssetIn(key=["raw", "orders"])}, deps=[customers],
           config_schema={"factor": int}, required_resource_keys={"tax"})
    def totals(context, rows) -> int:
        context.log.info(f"partitioned: {context.has_partition_key}")
        return sum(rows) * context.op_config["factor"] + context.resources.tax

    result = materialize(
        [orders, customers, totals], resources={"tax": 1},
        run_config={"ops": {"totals": {"config": {"factor": 10}}}},
    )
    assert result.success
    assert result.output_for_node("totals") == 71
    assert calls == ["customers"]
    keys = [e.step_key for e in result.get_step_success_events()]
    assert keys.index("totals") > keys.index("raw__customers")
    assert totals.key == AssetKey(["totals"]) and orders.key == AssetKey(["raw", "orders"])
    assert (fresh_home / "storage" / "raw" / "orders").exists()


def test_materialize_to_memory_and_selection() -> None:
    @asset
    def up():
        return 2

    @asset
    def down(up: int) -> int:
        return up * 3

    result = materialize_to_memory([up, down])
    assert result.output_for_node("down") == 6
    with pytest.raises(Exception) as err:
        materialize_to_memory([up, down], selection="down")
    assert "Asset 'up'" in str(err.value)


def test_repository_includes_schedule_and_sensor_targets() -> None:
    @op
    def ping():
        return 1

    @job
    def nightly():
        ping()

    @job
    def on_file():
        ping()

    sched = ScheduleDefinition(job=nightly, cron_schedule="0 0 * * *")

    @sensor(job=on_file)
    def file_sensor(context):
        return SkipReason("no new file")

    @schedule(cron_schedule="*/5 * * * *", job=nightly)
    def every_five(context):
        return {"ops": {}}

    @repository
    def scheduled():
        return [sched, file_sensor, every_five]

    assert scheduled.job_names == ["nightly", "on_file"]
    assert scheduled.get_job("nightly").execute_in_process().success
    assert isinstance(file_sensor.evaluate(), SkipReason)
    assert every_five.evaluate()[0].job_name == "nightly"
    with pytest.raises(DefinitionError, match="5 fields"):
        ScheduleDefinition(job=nightly, cron_schedule="daily")


def test_definitions_bind_resources_and_get_job_errors_list_jobs() -> None:
    @op(required_resource_keys={"greeting"})
    def hello(context) -> str:
        return context.resources.greeting

    @job(resource_defs={"greeting": "job-level"})
    def own():
        hello()

    defs = Definitions(jobs=[own], resources={"greeting": "shared"})
    assert defs.get_job_def("own").execute_in_process().output_for_node("hello") == "job-level"
    with pytest.raises(DefinitionError) as err:
        defs.get_job_def("nope")
    assert "No job named 'nope'" in str(err.value) and "own" in str(err.value)


def test_asset_called_directly_and_env_untouched() -> None:
    from definitions.seed_assets import asset1, asset2

    assert asset2(asset1()) == [1, 2, 3, 4]
    assert "ORCH_HOME" in os.environ
