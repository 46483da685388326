"""Run concurrency limits (the run queue) on a real redis-server and a real Celery worker.

The worker runs three steps at once, more than any limit here, so that only the run queue can be
what keeps runs apart: at most N of a limited job's runs are STARTED at once, the others wait
QUEUED with a reason and start as slots free (on success, failure or cancel).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import EventType, Instance, RunStatus, job, op, submit_job
from orchestrator.distributed.run_queue import JOB_LIMIT_TAG, RunQueue, start_waiting
from tests.integration.conftest import Cluster, dump_logs

ROOT = Path(__file__).resolve().parents[2]
ORCH = str(Path(sys.executable).parent / "orch")
NAP = 2.0  # seconds: runs admitted together overlap for most of it


@op
def nap() -> float:
    time.sleep(NAP)
    return time.time()


@op
def short_nap() -> float:
    time.sleep(0.5)
    return time.time()


@op
def boom() -> None:
    time.sleep(1.0)  # the run behind it is still waiting when the test looks
    raise ValueError("boom on purpose")


@job(tags={JOB_LIMIT_TAG: "2"})
def limited_nap():
    nap()


@job
def lane_nap():
    short_nap()


@job
def lane_fail():
    boom()


@job
def lane_long():
    nap()


@pytest.fixture(scope="module")
def wide(redis_server, tmp_path_factory) -> Iterator[Cluster]:
    """One worker running three steps at once (more than the limits under test)."""
    cluster = Cluster(redis_server, tmp_path_factory.mktemp("rq_workers"), os.environ["ORCH_HOME"])
    cluster.start_worker("rq1", concurrency=3)
    yield cluster
    cluster.stop()


def lane_instance(cluster: Cluster, lane: str, limit: int = 1) -> Instance:
    """An instance whose run queue allows ``limit`` runs tagged ``lane=<lane>`` at once (and no global limit)."""
    return Instance(redis_url=cluster.server.url, home=cluster.home, secret=cluster.instance.secret, run_queue={
        "max_concurrent_runs": -1,
        "tag_concurrency_limits": [{"key": "lane", "value": lane, "limit": limit}],
    })


def spans(instance: Instance, run_ids: list[str]) -> dict[str, tuple[float, float]]:
    """run id -> (its first STEP_START, its RUN_SUCCESS/RUN_FAILURE), from the run's events."""
    found = {}
    for run_id in run_ids:
        events = instance.storage.all_events(run_id)
        start = min(e.timestamp for e in events if e.event_type is EventType.STEP_START)
        end = max(e.timestamp for e in events if e.event_type in (EventType.RUN_SUCCESS, EventType.RUN_FAILURE))
        found[run_id] = (start, end)
    return found


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals overlapping at one instant."""
    edges = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    now = best = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def wait_status(instance: Instance, run_id: str, wanted: set[RunStatus], timeout: float = 60) -> RunStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = instance.storage.get_run(run_id).status
        if status in wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_a_job_limit_of_two_keeps_at_most_two_runs_started(wide: Cluster) -> None:
    instance = wide.instance
    handles = [submit_job(limited_nap, instance=instance) for _ in range(5)]
    run_ids = [h.run_id for h in handles]
    # Submitting returned at once: the runs over the limit wait QUEUED, saying why.
    infos = [h.info() for h in handles]
    waiting = [i for i in infos if i.reason]
    assert len(waiting) == 3, [(i.status, i.reason) for i in infos]
    for info in waiting:
        assert info.status is RunStatus.QUEUED
        assert info.reason == "Waiting for a slot: limit 2 of job limited_nap (2 in progress).", info.reason
    sampled = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        statuses = [instance.storage.get_run(r).status for r in run_ids]
        sampled = max(sampled, statuses.count(RunStatus.STARTED))
        assert statuses.count(RunStatus.STARTED) <= 2, statuses
        if all(s.is_finished for s in statuses):
            break
        time.sleep(0.05)
    results = [h.wait(timeout=30) for h in handles]
    assert [r.status for r in results] == [RunStatus.SUCCESS] * 5, dump_logs(wide)
    assert sampled == 2  # the limit let two run together, with room for three on the worker
    intervals = spans(instance, run_ids)
    assert most_at_once(list(intervals.values())) == 2, intervals
    # Five 2 s runs two at a time take three rounds.
    first = min(s for s, _ in intervals.values())
    last = max(e for _, e in intervals.values())
    assert last - first >= 3 * NAP - 0.5, (first, last)
    # The queued runs went through the queue as Dagster's runs do, and left it.
    kinds = [e.event_type for e in instance.storage.all_events(run_ids[-1])]
    assert kinds[:3] == [EventType.RUN_ENQUEUED, EventType.RUN_DEQUEUED, EventType.RUN_START], kinds
    queue = RunQueue(instance.redis)
    assert all(queue.entry(r) is None for r in run_ids)


def test_a_queued_run_is_canceled_and_never_starts(wide: Cluster) -> None:
    lane = uuid.uuid4().hex[:8]
    instance = lane_instance(wide, lane)
    first = submit_job(lane_long, tags={"lane": lane}, instance=instance)  # busy while `orch run show` starts
    queued = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    info = queued.info()
    assert info.status is RunStatus.QUEUED
    assert info.reason == f"Waiting for a slot: limit 1 of tag lane={lane} (1 in progress).", info.reason
    # `orch run show` says why it waits and where it is in the queue.
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ORCH_SECRET")}
    env.update(wide.env, COLUMNS="200")
    shown = subprocess.run([ORCH, "run", "show", queued.run_id], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "QUEUED" in shown.stdout and f"limit 1 of tag lane={lane}" in shown.stdout, shown.stdout
    assert "Run queue:" in shown.stdout and "position" in shown.stdout, shown.stdout
    assert queued.cancel() is True
    assert queued.status() is RunStatus.CANCELED
    assert first.wait(timeout=60).success, dump_logs(wide)
    time.sleep(1.0)  # the close of `first` would have started a run still queued by now
    kinds = [e.event_type for e in instance.storage.all_events(queued.run_id)]
    assert EventType.STEP_START not in kinds and EventType.RUN_START not in kinds, kinds
    assert kinds[-1] is EventType.RUN_CANCELED
    assert RunQueue(instance.redis).entry(queued.run_id) is None
    # The lane's slot is free again: a new run starts at once.
    third = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    assert not third.info().reason
    assert third.wait(timeout=60).success


def test_a_failed_run_frees_its_slot(wide: Cluster) -> None:
    lane = uuid.uuid4().hex[:8]
    instance = lane_instance(wide, lane)
    failing = submit_job(lane_fail, tags={"lane": lane}, instance=instance)
    waiting = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    assert waiting.status() is RunStatus.QUEUED and waiting.info().reason
    assert failing.wait(timeout=60).status is RunStatus.FAILURE
    result = waiting.wait(timeout=60)
    assert result.status is RunStatus.SUCCESS, dump_logs(wide)
    (fail_start, fail_end), = spans(instance, [failing.run_id]).values()
    (start, _end), = spans(instance, [waiting.run_id]).values()
    assert start >= fail_end  # it started only once the failed run had closed


def test_canceling_a_started_run_starts_the_next(wide: Cluster) -> None:
    lane = uuid.uuid4().hex[:8]
    instance = lane_instance(wide, lane)
    running = submit_job(lane_long, tags={"lane": lane}, instance=instance)
    waiting = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    assert wait_status(instance, running.run_id, {RunStatus.STARTED}) is RunStatus.STARTED
    assert running.cancel() is True
    assert waiting.wait(timeout=60).success, dump_logs(wide)


def test_a_freed_slot_goes_to_the_highest_priority_first(wide: Cluster) -> None:
    lane = uuid.uuid4().hex[:8]
    instance = lane_instance(wide, lane)
    holder = submit_job(lane_long, tags={"lane": lane}, instance=instance)
    low = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    high = submit_job(lane_nap, tags={"lane": lane, "dagster/priority": "5"}, instance=instance)
    queue = RunQueue(instance.redis)
    high_place, low_place = queue.position(high.run_id), queue.position(low.run_id)
    assert high_place is not None and low_place is not None and high_place[0] < low_place[0]
    for handle in (holder, low, high):
        assert handle.wait(timeout=60).success, dump_logs(wide)
    found = spans(instance, [holder.run_id, high.run_id, low.run_id])
    assert found[holder.run_id][1] <= found[high.run_id][0] < found[low.run_id][0], found


def test_the_sweep_starts_a_run_whose_starter_never_did(wide: Cluster) -> None:
    """A close that admits a run but does not start it (the watchdog failing a stalled run, a
    closer that died) leaves the run admitted; the sweep starts it once its lease has passed."""
    lane = uuid.uuid4().hex[:8]
    instance = lane_instance(wide, lane)
    holder = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    waiting = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    assert holder.wait(timeout=60).success
    assert waiting.wait(timeout=60).success  # the normal path: the close started it
    stranded = submit_job(lane_long, tags={"lane": lane}, instance=instance)  # still running when failed below
    after = submit_job(lane_nap, tags={"lane": lane}, instance=instance)
    assert after.status() is RunStatus.QUEUED and after.info().reason
    # finish_run (not close_run) admits `after` and leaves its start to the sweep.
    assert wait_status(instance, stranded.run_id, {RunStatus.STARTED}) is RunStatus.STARTED
    assert instance.storage.finish_run(stranded.run_id, RunStatus.FAILURE, "failed by the test", []) is True
    entry = RunQueue(instance.redis).entry(after.run_id)
    assert entry is not None and entry["state"] == "held"
    time.sleep(1.0)
    assert after.status() is RunStatus.QUEUED and not after.info().reason  # admitted, not started
    # The default lease is 30 s; the test asks the sweep directly with a lease of 0 rather than wait.
    admitted, again = RunQueue(instance.redis).sweep(lease=0)
    assert admitted == [] and again == [after.run_id]
    from orchestrator.distributed.run_queue import start_admitted

    assert start_admitted(instance, again, again=True) == [after.run_id]
    assert after.wait(timeout=60).success, dump_logs(wide)
    assert start_waiting(instance) == []  # nothing left to do
