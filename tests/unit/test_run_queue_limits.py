"""The run queue's configuration and which limits a run is subject to (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator import Instance
from orchestrator.distributed.run_queue import (
    JOB_LIMIT_TAG,
    Need,
    RunQueueConfig,
    TagConcurrencyLimit,
    needs_for,
    priority_of,
)
from orchestrator.errors import ConfigError


def config(**section) -> RunQueueConfig:
    return RunQueueConfig.from_config(section)


# -- parsing --------------------------------------------------------------------------------------
def test_a_section_defaults_to_dagsters_ten_runs_and_minus_one_lifts_it() -> None:
    assert config().max_concurrent_runs == 10
    assert config(max_concurrent_runs=-1).max_concurrent_runs == -1
    assert not config(max_concurrent_runs=-1).limits_anything
    assert RunQueueConfig().max_concurrent_runs == -1  # no section at all: no limit


def test_tag_limits_in_dagsters_three_forms() -> None:
    parsed = config(tag_concurrency_limits=[
        {"key": "dagster/backfill", "limit": 10},
        {"key": "team", "value": "data", "limit": 2},
        {"key": "region", "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
        {"key": "tier", "value": 1, "limit": 3},
    ])
    assert parsed.tag_concurrency_limits == (
        TagConcurrencyLimit("dagster/backfill", 10),
        TagConcurrencyLimit("team", 2, "data"),
        TagConcurrencyLimit("region", 1, None, per_unique_value=True),
        TagConcurrencyLimit("tier", 3, "1"),
    )


@pytest.mark.parametrize(("section", "message"), [
    ({"max_concurrent_runs": "4"}, "run_queue.max_concurrent_runs must be a whole number >= 0, or -1"),
    ({"max_concurrent_runs": -2}, "max_concurrent_runs must be a whole number"),
    ({"max_runs": 4}, "run_queue: unknown key(s) max_runs"),
    ({"tag_concurrency_limits": [{"key": "team", "limit": -1}]},
     "run_queue.tag_concurrency_limits[0].limit must be a whole number >= 0 (tag team)"),
    ({"tag_concurrency_limits": [{"value": "x", "limit": 1}]}, "tag_concurrency_limits[0].key must be a tag name"),
    ({"tag_concurrency_limits": [{"key": "team", "limit": 1, "values": "x"}]}, "unknown key(s) values"),
    ({"tag_concurrency_limits": [{"key": "team", "limit": 1, "value": {"perValue": True}}]},
     "value must be a tag value or {applyLimitPerUniqueValue: true}"),
    ({"tag_concurrency_limits": {"key": "team"}}, "tag_concurrency_limits must be a list"),
])
def test_bad_sections_name_the_key(section: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        RunQueueConfig.from_config(section)
    assert message in str(info.value)


def test_settings_accept_each_dagster_spelling_once() -> None:
    section = {"max_concurrent_runs": 3}
    assert RunQueueConfig.from_settings({"run_queue": section}).max_concurrent_runs == 3
    assert RunQueueConfig.from_settings({"concurrency": {"runs": section}}).max_concurrent_runs == 3
    coordinator = {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator", "config": section}
    assert RunQueueConfig.from_settings({"run_coordinator": coordinator}).max_concurrent_runs == 3
    default = {"module": "dagster.core.run_coordinator", "class": "DefaultRunCoordinator"}
    assert not RunQueueConfig.from_settings({"run_coordinator": default}).limits_anything
    assert not RunQueueConfig.from_settings({}).limits_anything
    with pytest.raises(ConfigError, match="give the run queue once"):
        RunQueueConfig.from_settings({"run_queue": section, "concurrency": {"runs": section}})
    with pytest.raises(ConfigError, match="unknown setting.*storage"):
        RunQueueConfig.from_settings({"storage": {}})
    with pytest.raises(ConfigError, match="concurrency pools for ops are not supported"):
        RunQueueConfig.from_settings({"concurrency": {"pools": {"default_limit": 1}}})


def test_the_settings_file_in_the_instance_home(tmp_path: Path) -> None:
    assert not RunQueueConfig.load(tmp_path).limits_anything  # no file
    (tmp_path / "orch.yaml").write_text("run_queue:\n  max_concurrent_runs: 2\n  tag_concurrency_limits:\n"
                                        "    - key: team\n      value: data\n      limit: 1\n")
    loaded = RunQueueConfig.load(tmp_path)
    assert loaded == RunQueueConfig(2, (TagConcurrencyLimit("team", 1, "data"),))
    assert Instance(redis_url="redis://127.0.0.1:1/0", home=tmp_path).run_queue == loaded
    (tmp_path / "orch.yaml").write_text("run_queue:\n  max_concurrent_runs: [\n")
    with pytest.raises(ConfigError, match="Could not read the instance settings .*orch.yaml"):
        RunQueueConfig.load(tmp_path)
    (tmp_path / "orch.yaml").write_text("run_queue:\n  max_concurrent_run: 2\n")
    with pytest.raises(ConfigError, match=r"orch.yaml: run_queue: unknown key\(s\) max_concurrent_run"):
        RunQueueConfig.load(tmp_path)


def test_instance_takes_a_section_and_checks_it_at_once(tmp_path: Path) -> None:
    instance = Instance(redis_url="redis://127.0.0.1:1/0", home=tmp_path, run_queue={"max_concurrent_runs": 4})
    assert instance.run_queue.max_concurrent_runs == 4
    with pytest.raises(ConfigError, match=r"Instance\(run_queue=...\): unknown key\(s\) limit"):
        Instance(redis_url="redis://127.0.0.1:1/0", home=tmp_path, run_queue={"limit": 4})


# -- matching -------------------------------------------------------------------------------------
def test_no_limits_no_needs() -> None:
    assert needs_for(RunQueueConfig(), "nightly", {"team": "data"}) == []


def test_the_instance_limit_applies_to_every_run() -> None:
    assert needs_for(config(max_concurrent_runs=4), "nightly", {}) == [Need("all", 4, "max_concurrent_runs")]


def test_the_job_limit_tag_counts_runs_of_the_job() -> None:
    needs = needs_for(RunQueueConfig(), "nightly", {JOB_LIMIT_TAG: "2"})
    assert needs == [Need("job:nightly", 2, "job nightly")]
    with pytest.raises(ConfigError, match=r"Run tag orch/max_concurrent_runs='two' of job 'nightly' must be a whole"):
        needs_for(RunQueueConfig(), "nightly", {JOB_LIMIT_TAG: "two"})


def test_a_limit_without_value_counts_every_value_together() -> None:
    rules = config(max_concurrent_runs=-1, tag_concurrency_limits=[{"key": "team", "limit": 3}])
    data = needs_for(rules, "j", {"team": "data"})
    web = needs_for(rules, "j", {"team": "web"})
    assert data == web == [Need("tag:team", 3, "tag team")]
    assert needs_for(rules, "j", {"other": "x"}) == []


def test_a_limit_with_a_value_applies_to_that_value_only() -> None:
    rules = config(max_concurrent_runs=-1, tag_concurrency_limits=[{"key": "team", "value": "data", "limit": 1}])
    assert needs_for(rules, "j", {"team": "data"}) == [Need("tag:team=data", 1, "tag team=data")]
    assert needs_for(rules, "j", {"team": "web"}) == []


def test_a_limit_per_unique_value_gives_each_value_its_own_count() -> None:
    rules = config(max_concurrent_runs=-1, tag_concurrency_limits=[
        {"key": "dagster/backfill", "value": {"applyLimitPerUniqueValue": True}, "limit": 2}])
    first = needs_for(rules, "j", {"dagster/backfill": "abc"})
    second = needs_for(rules, "j", {"dagster/backfill": "xyz"})
    assert first == [Need("tag:dagster%2Fbackfill=abc", 2, "backfill abc")]
    assert second[0].bucket != first[0].bucket


def test_limits_on_one_bucket_keep_the_lowest_and_runtime_limits_join_in() -> None:
    rules = config(max_concurrent_runs=5, tag_concurrency_limits=[
        {"key": "team", "value": "data", "limit": 4},
        {"key": "team", "value": {"applyLimitPerUniqueValue": True}, "limit": 2},
    ])
    needs = needs_for(rules, "nightly", {"team": "data", JOB_LIMIT_TAG: "3", "dagster/backfill": "abc"},
                      registered={("dagster/backfill", "abc"): 1, ("dagster/backfill", "other"): 7})
    assert needs == [
        Need("all", 5, "max_concurrent_runs"),
        Need("job:nightly", 3, "job nightly"),
        Need("tag:team=data", 2, "tag team=data"),
        Need("tag:dagster%2Fbackfill=abc", 1, "backfill abc"),
    ]


def test_bucket_ids_quote_what_could_collide() -> None:
    rules = config(max_concurrent_runs=-1, tag_concurrency_limits=[
        {"key": "a=b", "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
        {"key": "a", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}])
    # Tag a=b with value c, and tag a with value b=c, must not share a bucket.
    assert needs_for(rules, "j", {"a=b": "c"})[0].bucket != needs_for(rules, "j", {"a": "b=c"})[0].bucket


def test_priority() -> None:
    assert priority_of({}, "j") == 0
    assert priority_of({"dagster/priority": "-3"}, "j") == -3
    assert priority_of({"dagster/priority": "10000000"}, "j") == 100_000  # bounded: queue scores stay exact
    with pytest.raises(ConfigError, match=r"Run tag dagster/priority='high' of job 'j' must be an integer"):
        priority_of({"dagster/priority": "high"}, "j")
