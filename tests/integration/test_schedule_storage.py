"""The scheduler's state in a real redis-server: tick leases (claim, busy, take-over, done, not due),
finishing a tick once, sensor run keys, the run feed's idempotent indexing, and run ids created
once. No workers are needed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from orchestrator.distributed.run_storage import RunExistsError, RunStorage
from orchestrator.distributed.schedule_storage import SCHEDULE, SENSOR, ScheduleStorage
from orchestrator.local.processes import RedisServer


@pytest.fixture
def storage(redis_server: RedisServer) -> Iterator[ScheduleStorage]:
    client = redis.Redis.from_url(redis_server.url)
    yield ScheduleStorage(client)
    client.close()


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_a_schedule_tick_is_taken_once_and_taken_over_when_its_lease_expires(storage: ScheduleStorage) -> None:
    name = unique("sched")
    first = storage.claim_tick(SCHEDULE, name, "A", lease=0.5, tick="1000")
    assert (first.verdict, first.tick, first.attempt) == ("ok", "1000", 1)
    assert storage.claim_tick(SCHEDULE, name, "B", lease=0.5, tick="1000").verdict == "busy"
    assert storage.renew_tick(SCHEDULE, name, "A", "1000", lease=0.5)
    assert not storage.renew_tick(SCHEDULE, name, "B", "1000", lease=0.5)
    time.sleep(0.7)  # A stopped renewing: its lease expires
    taken = storage.claim_tick(SCHEDULE, name, "B", lease=30, tick="1000")
    assert (taken.verdict, taken.tick, taken.attempt) == ("retake", "1000", 2)
    # A comes back: it no longer holds the tick, so it cannot record it.
    assert not storage.renew_tick(SCHEDULE, name, "A", "1000", lease=30)
    assert not storage.finish_tick(SCHEDULE, name, "A", "1000", '{"by": "A"}')
    assert storage.finish_tick(SCHEDULE, name, "B", "1000", '{"by": "B"}')
    assert storage.ticks(SCHEDULE, name) == ['{"by": "B"}']
    assert storage.state(SCHEDULE, name).cursor == "1000"
    assert storage.claim_tick(SCHEDULE, name, "A", lease=30, tick="1000").verdict == "done"
    assert storage.claim_tick(SCHEDULE, name, "A", lease=30, tick="940").verdict == "done"
    assert storage.claim_tick(SCHEDULE, name, "A", lease=30, tick="1060").verdict == "ok"


def test_an_abandoned_older_tick_is_taken_over_before_a_newer_one(storage: ScheduleStorage) -> None:
    name = unique("sched")
    assert storage.claim_tick(SCHEDULE, name, "A", lease=0.2, tick="1000").verdict == "ok"
    time.sleep(0.4)
    claim = storage.claim_tick(SCHEDULE, name, "B", lease=30, tick="1060")
    assert (claim.verdict, claim.tick) == ("retake", "1000")
    assert storage.finish_tick(SCHEDULE, name, "B", "1000", "{}")
    assert storage.claim_tick(SCHEDULE, name, "B", lease=30, tick="1060").verdict == "ok"


def test_a_sensor_tick_waits_for_its_interval_and_numbers_its_ticks(storage: ScheduleStorage) -> None:
    name = unique("sensor")
    first = storage.claim_tick(SENSOR, name, "A", lease=30, interval=0.5)
    assert (first.verdict, first.tick) == ("ok", "1")
    assert storage.claim_tick(SENSOR, name, "B", lease=30, interval=0.5).verdict == "busy"
    assert storage.finish_tick(SENSOR, name, "A", "1", "{}", cursor="c1", set_cursor=True, last_run_key="k1")
    assert storage.claim_tick(SENSOR, name, "B", lease=30, interval=0.5).verdict == "not_due"
    time.sleep(0.6)
    second = storage.claim_tick(SENSOR, name, "B", lease=30, interval=0.5)
    assert (second.verdict, second.tick) == ("ok", "2")
    # A failed tick keeps the cursor as it was.
    assert storage.finish_tick(SENSOR, name, "B", "2", "{}", cursor="ignored", set_cursor=False)
    state = storage.state(SENSOR, name)
    assert (state.cursor, state.last_run_key, state.lease_owner) == ("c1", "k1", None)
    assert state.last_tick_end is not None and state.last_tick_start is not None


def test_a_run_key_is_requested_once(storage: ScheduleStorage) -> None:
    name = unique("sensor")
    assert storage.request_run_key(name, "a.csv", "run-1") is None
    assert storage.request_run_key(name, "a.csv", "run-2") == "run-1"
    assert storage.requested_run_keys(name, ["a.csv", "b.csv"]) == {"a.csv": "run-1"}
    assert storage.run_key_count(name) == 1


def test_feed_indexing_is_idempotent_per_event(storage: ScheduleStorage) -> None:
    run_id = unique("run")
    before = storage.feed_seq()
    entries = [{"id": "5-0", "kind": "mat", "e": '{"n": 1}', "asset": unique("asset")},
               {"id": "7-1", "kind": "end", "e": '{"n": 2}'}]
    assert storage.index_run(run_id, entries[:1], "5-0", done=False) == 1
    # A second indexer that read the same events adds only what is new.
    assert storage.index_run(run_id, entries, "7-1", done=True) == 1
    assert storage.index_run(run_id, entries, "7-1", done=True) == 0
    added = storage.feed_after(before)
    assert [(e.kind, e.run_id, e.event_json) for e in added] == [("mat", run_id, '{"n": 1}'), ("end", run_id, '{"n": 2}')]
    assert [e.seq for e in added] == [before + 1, before + 2]
    latest = storage.latest_materialization(entries[0]["asset"])
    assert latest is not None and latest.seq == before + 1


def test_a_run_id_is_created_once(redis_server: RedisServer) -> None:
    from orchestrator import job, op
    from orchestrator.distributed.records import CodeRef, RunRecord
    from orchestrator.plan.planner import build_plan

    @op
    def one() -> int:
        return 1

    @job
    def one_job() -> None:
        one()

    client = redis.Redis.from_url(redis_server.url)
    runs = RunStorage(client, redis_server.url)
    plan = build_plan(one_job, {})
    record = RunRecord(run_id=unique("run"), job_name="one_job", code=CodeRef(job_name="one_job"))
    runs.create_run(record, plan)
    runs.create_run(record, plan)  # the same write again (a retry whose reply was lost): fine
    other = record.model_copy(update={"created_at": record.created_at + 1})
    with pytest.raises(RunExistsError, match=record.run_id):
        runs.create_run(other, plan)
    client.close()
