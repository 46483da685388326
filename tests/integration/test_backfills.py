"""``orch backfill`` for real: the console script against a redis-server and two Celery workers.

The jobs are in ``backfill_fixtures/backfill_jobs.py``, loaded with ``-f`` (shipped as blobs). The
two workers run one step each, so two runs of a backfill overlap unless its limit keeps them apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator import EventType, Instance, RunStatus
from orchestrator.distributed.backfills import BackfillStatus, get_backfill
from orchestrator.distributed.handles import RunHandle
from tests.integration.conftest import Cluster, dump_logs

ROOT = Path(__file__).resolve().parents[2]
ORCH = str(Path(sys.executable).parent / "orch")
JOBS = "tests/integration/backfill_fixtures/backfill_jobs.py"


def show(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


@pytest.fixture(scope="module")
def orch(cluster: Cluster):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ORCH_SECRET", "ORCH_INSECURE")}
    env.update(cluster.env, COLUMNS="200", PYTHONUNBUFFERED="1")

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([ORCH, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)

    return run


def backfill_id_of(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stdout.split()
    assert proc.returncode == 0 and lines, show(proc)
    return lines[0]


def wait_runs(instance: Instance, backfill_id: str, timeout: float = 90) -> dict[str, RunHandle]:
    """partition key -> handle of its run, once every run of the backfill has finished."""
    backfill = get_backfill(instance, backfill_id)
    handles = {r.partition_key: RunHandle(r.run_id, instance) for r in backfill.runs if r.run_id}
    for handle in handles.values():
        handle.wait(timeout=timeout)
    return handles


def spans(instance: Instance, run_ids: list[str]) -> list[tuple[float, float]]:
    """(first STEP_START, RUN_SUCCESS) of each run, from its events, in start order."""
    found = []
    for run_id in run_ids:
        events = instance.storage.all_events(run_id)
        start = min(e.timestamp for e in events if e.event_type is EventType.STEP_START)
        end = max(e.timestamp for e in events if e.event_type is EventType.RUN_SUCCESS)
        found.append((start, end))
    return sorted(found)


def test_backfill_all_submits_one_run_per_partition(orch, cluster: Cluster) -> None:
    proc = orch("backfill", "-f", JOBS, "-j", "letters_job", "--all")
    backfill_id = backfill_id_of(proc)
    assert "submitted 3 runs of job 'letters_job'" in proc.stderr, show(proc)
    instance = cluster.instance
    handles = wait_runs(instance, backfill_id)
    assert sorted(handles) == ["a", "b", "c"]
    for key, handle in handles.items():
        result = handle.wait(timeout=10)
        assert result.success, dump_logs(cluster)
        record = result.info.record
        assert record.partition_key == key
        assert record.tags["dagster/partition"] == key and record.tags["dagster/backfill"] == backfill_id
        assert result.output_for_node("nap_for") == key  # the partition's own config reached the op
    assert get_backfill(instance, backfill_id).status is BackfillStatus.COMPLETED_SUCCESS
    # Without a limit, two workers ran two of them at once (what --max-concurrent must prevent).
    intervals = spans(instance, [h.run_id for h in handles.values()])
    assert any(later[0] < earlier[1] for earlier, later in zip(intervals, intervals[1:])), intervals


def test_max_concurrent_one_runs_one_at_a_time(orch, cluster: Cluster) -> None:
    proc = orch("backfill", "-f", JOBS, "-j", "letters_job", "--all", "--max-concurrent", "1", "--wait",
                "--timeout", "90")
    assert proc.returncode == 0, show(proc) + dump_logs(cluster)
    backfill_id = backfill_id_of(proc)
    assert "COMPLETED_SUCCESS" in proc.stdout and "3 success" in proc.stdout, show(proc)
    instance = cluster.instance
    backfill = get_backfill(instance, backfill_id)
    assert backfill.record.max_concurrent == 1
    assert [r.status for r in backfill.runs] == [RunStatus.SUCCESS] * 3
    intervals = spans(instance, [r.run_id for r in backfill.runs if r.run_id])
    for earlier, later in zip(intervals, intervals[1:]):
        assert later[0] >= earlier[1], intervals  # each run started after the one before it had ended
    # The later ones waited in the run queue for the backfill's one slot.
    reasons = [e.message for r in backfill.runs if r.run_id for e in instance.storage.all_events(r.run_id)
               if e.event_type is EventType.RUN_ENQUEUED]
    assert len(reasons) == 3 and all(f"backfill {backfill_id} (limit 1)" in m for m in reasons), reasons


def test_status_and_list_show_the_backfill(orch, cluster: Cluster) -> None:
    proc = orch("backfill", "-f", JOBS, "-j", "letters_job", "--partitions", "c,a")
    backfill_id = backfill_id_of(proc)
    wait_runs(cluster.instance, backfill_id)
    status = orch("backfill", "status", backfill_id)
    assert status.returncode == 0, show(status)
    assert "COMPLETED_SUCCESS" in status.stdout and "letters_job" in status.stdout, show(status)
    rows = [line for line in status.stdout.splitlines() if "SUCCESS" in line and "│" in line]
    assert [row.split("│")[1].strip() for row in rows] == ["c", "a"], show(status)
    listed = orch("backfill", "list")
    assert listed.returncode == 0 and backfill_id in listed.stdout, show(listed)
    missing = orch("backfill", "status", "nosuchid")
    assert missing.returncode == 2 and "No backfill with id 'nosuchid'" in missing.stderr, show(missing)
    assert "Traceback" not in missing.stderr


def test_backfill_of_a_partitioned_asset_job(orch, cluster: Cluster) -> None:
    proc = orch("backfill", "-f", JOBS, "-j", "sales_job", "--from", "us")
    backfill_id = backfill_id_of(proc)
    handles = wait_runs(cluster.instance, backfill_id)
    assert list(handles) == ["us"]
    result = handles["us"].wait(timeout=10)
    assert result.success, dump_logs(cluster)
    materialized = [e for e in result.all_events if e.event_type is EventType.ASSET_MATERIALIZATION]
    assert [e.data.get("partition") for e in materialized] == ["us"], [e.data for e in materialized]


def test_cancel_stops_the_queued_and_running_runs(orch, cluster: Cluster) -> None:
    proc = orch("backfill", "-f", JOBS, "-j", "slow_letters_job", "--all", "--max-concurrent", "1")
    backfill_id = backfill_id_of(proc)
    instance = cluster.instance
    deadline = time.monotonic() + 30
    while get_backfill(instance, backfill_id).counts().get("STARTED", 0) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    canceled = orch("backfill", "cancel", backfill_id)
    assert canceled.returncode == 0 and "3 unfinished run(s) canceled" in canceled.stdout, show(canceled)
    backfill = get_backfill(instance, backfill_id)
    assert backfill.status is BackfillStatus.CANCELED
    assert [r.status for r in backfill.runs] == [RunStatus.CANCELED] * 3
    time.sleep(1.0)  # a queued run started by a freed slot would show a step start by now
    started = [r.partition_key for r in backfill.runs if r.run_id and any(
        e.event_type is EventType.STEP_START for e in instance.storage.all_events(r.run_id))]
    assert len(started) == 1, started
    again = orch("backfill", "cancel", backfill_id)
    assert again.returncode == 1 and "had already finished (CANCELED)" in again.stderr, show(again)


def test_bad_choices_are_clear_errors(orch) -> None:
    unknown = orch("backfill", "-f", JOBS, "-j", "letters_job", "--partitions", "a,zz")
    assert unknown.returncode == 2 and "Job 'letters_job' has no partition 'zz' (partitions: a, b, c)" in unknown.stderr
    plain = orch("backfill", "-f", JOBS, "-j", "plain_job", "--all")
    assert plain.returncode == 2 and "Job 'plain_job' is not partitioned" in plain.stderr, show(plain)
    reversed_range = orch("backfill", "-f", JOBS, "-j", "letters_job", "--from", "c", "--to", "a")
    assert reversed_range.returncode == 2 and "--from 'c' comes after --to 'a'" in reversed_range.stderr
    for proc in (unknown, plain, reversed_range):
        assert "Traceback" not in proc.stderr and not proc.stdout.strip(), show(proc)
