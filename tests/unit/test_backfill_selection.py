"""Which partitions a backfill runs, and how a backfill's state is told (no server)."""

from __future__ import annotations

import pytest

from orchestrator import (
    DailyPartitionsDefinition,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    job,
    op,
    static_partitioned_config,
)
from orchestrator.definitions.repositories import Definitions
from orchestrator.distributed.backfills import (
    Backfill,
    BackfillRecord,
    BackfillRun,
    BackfillStatus,
    parse_partition_list,
    partitions_of,
    select_partition_keys,
)
from orchestrator.distributed.records import CodeRef, RunRecord
from orchestrator.distributed.run_storage import RunInfo
from orchestrator.errors import ConfigError
from orchestrator.status import RunStatus

LETTERS = StaticPartitionsDefinition(["a", "b", "c", "d"])


def select(**choice) -> list[str]:
    return select_partition_keys(LETTERS, "letters", **choice)


def test_parse_partition_list() -> None:
    assert parse_partition_list("a, b,,c , a") == ["a", "b", "c"]
    assert parse_partition_list(["b", " a "]) == ["b", "a"]
    assert parse_partition_list(" , ") == []


def test_all_and_listed_partitions() -> None:
    assert select(all_partitions=True) == ["a", "b", "c", "d"]
    assert select(keys="c,a,c") == ["c", "a"]  # the order given, once each


def test_ranges_include_both_ends_and_may_be_open() -> None:
    assert select(start="b", end="c") == ["b", "c"]
    assert select(start="c") == ["c", "d"]
    assert select(end="b") == ["a", "b"]
    assert select(start="b", end="b") == ["b"]


@pytest.mark.parametrize(("choice", "message"), [
    ({}, "Choose the partitions of job 'letters' one way: --all, --partitions A,B, or --from A --to B."),
    ({"all_partitions": True, "keys": "a"}, "Choose the partitions of job 'letters' one way"),
    ({"keys": "a", "start": "b"}, "one way"),
    ({"keys": "a,zz,yy"}, "Job 'letters' has no partition 'zz', 'yy' (partitions: a, b, c, d)."),
    ({"keys": " , "}, "--partitions names no partition of job 'letters' (partitions: a, b, c, d)."),
    ({"start": "c", "end": "a"}, "--from 'c' comes after --to 'a' in the partitions of job 'letters'."),
    ({"start": "zz"}, "--from 'zz': job 'letters' has no such partition (partitions: a, b, c, d)."),
    ({"end": "zz"}, "--to 'zz': job 'letters' has no such partition"),
])
def test_bad_choices_say_what_exists(choice: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        select(**choice)
    assert message in str(info.value)


def test_time_windows_select_by_date() -> None:
    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-06")
    assert select_partition_keys(days, "daily", start="2024-01-02", end="2024-01-04") == [
        "2024-01-02", "2024-01-03", "2024-01-04"]
    assert select_partition_keys(days, "daily", all_partitions=True)[-1] == "2024-01-05"
    with pytest.raises(ConfigError, match="has no such partition"):
        select_partition_keys(days, "daily", start="2023-12-31")


def test_multi_partition_keys_are_listed_as_their_strings() -> None:
    grid = MultiPartitionsDefinition({"color": StaticPartitionsDefinition(["red", "blue"]),
                                      "size": StaticPartitionsDefinition(["s", "l"])})
    keys = [str(k) for k in grid.get_partition_keys()]
    assert select_partition_keys(grid, "grid", keys=f"{keys[1]},{keys[0]}") == [keys[1], keys[0]]
    assert select_partition_keys(grid, "grid", all_partitions=True) == keys


def test_many_partitions_are_shown_shortened() -> None:
    many = StaticPartitionsDefinition([f"k{i}" for i in range(30)])
    with pytest.raises(ConfigError) as info:
        select_partition_keys(many, "many", keys="nope")
    assert "k0, k1" in str(info.value) and "(30 in all)" in str(info.value) and "k29" not in str(info.value)


@op
def noop() -> None:
    return None


@static_partitioned_config(partition_keys=["x", "y"])
def xy_config(partition_key: str) -> dict:
    return {}


def test_partitions_of_jobs_and_asset_jobs() -> None:
    @job(config=xy_config)
    def partitioned():
        noop()

    @job
    def plain():
        noop()

    assert partitions_of(partitioned).get_partition_keys() == ["x", "y"]
    with pytest.raises(ConfigError, match="Job 'plain' is not partitioned: a backfill runs it once per partition"):
        partitions_of(plain)

    @asset(partitions_def=StaticPartitionsDefinition(["eu", "us"]))
    def sales(context) -> str:
        return context.partition_key

    resolved = Definitions(assets=[sales], jobs=[define_asset_job("sales_job", selection=[sales])]).get_job_def(
        "sales_job")
    assert partitions_of(resolved).get_partition_keys() == ["eu", "us"]


# -- the state of a backfill ----------------------------------------------------------------------
def _run(key: str, status: RunStatus | None) -> BackfillRun:
    if status is None:
        return BackfillRun(key, None, None)
    record = RunRecord(run_id=f"run-{key}", job_name="letters", code=CodeRef(module="m", attr="a"))
    return BackfillRun(key, record.run_id, RunInfo(record, status, None, None, None))


def _backfill(statuses: list[RunStatus | None], submitted: bool = True,
              stored: BackfillStatus = BackfillStatus.REQUESTED) -> Backfill:
    keys = [f"k{i}" for i in range(len(statuses))]
    record = BackfillRecord(backfill_id="abcdefgh", job_name="letters", partition_keys=keys)
    return Backfill(record, stored, None, submitted, [_run(k, s) for k, s in zip(keys, statuses)])


def test_backfill_status_follows_its_runs() -> None:
    ok, bad = RunStatus.SUCCESS, RunStatus.FAILURE
    assert _backfill([ok, ok]).status is BackfillStatus.COMPLETED_SUCCESS
    assert _backfill([ok, bad]).status is BackfillStatus.COMPLETED_FAILED
    assert _backfill([ok, RunStatus.CANCELED]).status is BackfillStatus.COMPLETED_FAILED
    assert _backfill([ok, RunStatus.QUEUED]).status is BackfillStatus.REQUESTED
    assert _backfill([ok, ok], submitted=False).status is BackfillStatus.REQUESTED  # still submitting
    assert _backfill([ok, None]).status is BackfillStatus.REQUESTED
    assert _backfill([RunStatus.STARTED], stored=BackfillStatus.CANCELED).status is BackfillStatus.CANCELED
    assert _backfill([ok, None], stored=BackfillStatus.FAILED).status is BackfillStatus.FAILED
    assert _backfill([ok, RunStatus.QUEUED, None]).counts() == {"SUCCESS": 1, "QUEUED": 1, "NOT_SUBMITTED": 1}
