"""Run storage on a real 3-master Redis Cluster, the broker on a single redis-server.

Two real Celery workers get ``ORCH_STORAGE_URL=redis+cluster://...`` and ``REDIS_URL`` of the
broker. Runs of every shape (chain, fan-out/fan-in, dynamic map/collect, a failure with skipped
downstream steps, a re-execution, a run waiting in the run queue) succeed or fail as they should,
with the right outputs; every key of a run sits in one Cluster slot, and none is on the broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import DynamicOut, DynamicOutput, EventType, Instance, RunStatus, job, op, reexecute, submit_job
from orchestrator.distributed.keys import ACTIVE_RUNS, RUN_KEY_SUFFIXES, run_keys
from orchestrator.distributed.retention import DEFAULT_RUN_RETENTION, prune_runs, settle_active_runs, trim_runs
from orchestrator.distributed.run_queue import JOB_LIMIT_TAG, start_waiting
from orchestrator.distributed.watchdog import check_stalled
from tests.integration.cluster_fixtures import StorageCluster, require_redis_cli


@op
def seed() -> int:
    return 3


@op
def plus_one(x: int) -> int:
    return x + 1


@job
def cluster_chain():
    plus_one.alias("c4")(plus_one.alias("c3")(plus_one.alias("c2")(plus_one.alias("c1")(seed()))))


@op
def times(x: int) -> int:
    return x * 2


@op
def total(xs: list) -> int:
    return sum(xs)


@job
def cluster_fan():
    start = seed()
    total([times.alias(f"leaf_{i}")(start) for i in range(8)])


@op(out=DynamicOut())
def pieces(n: int):
    for i in range(n):
        yield DynamicOutput(i, mapping_key=f"p{i}")


@op
def cube(x: int) -> int:
    return x ** 3


@job
def cluster_dynamic():
    total(pieces().map(cube).collect())


class Refused(Exception):
    pass


@op(config_schema={"flag": str})
def gate(context, x: int) -> int:
    if Path(context.op_config["flag"]).exists():
        raise Refused("the flag file is there")
    return x * 10


@job
def cluster_gated():
    plus_one.alias("after_gate")(gate(plus_one(seed())))
    times(seed.alias("aside")())


@op
def slow_seed() -> int:
    import time

    time.sleep(1.0)
    return 1


@job(tags={JOB_LIMIT_TAG: "1"})
def cluster_limited():
    plus_one(slow_seed())


@pytest.fixture(scope="module")
def storage_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StorageCluster]:
    cli = require_redis_cli()
    cluster = StorageCluster(tmp_path_factory.mktemp("redis_cluster"), cli)
    try:
        cluster.start()
        cluster.worker("cw1")
        cluster.worker("cw2")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def instance(storage_cluster: StorageCluster, monkeypatch: pytest.MonkeyPatch) -> Instance:
    for key, value in storage_cluster.env.items():
        monkeypatch.setenv(key, value)
    return storage_cluster.instance


def _slots(instance: Instance, run_id: str) -> set[int]:
    """The Cluster slots of every key of the run that exists."""
    client = instance.redis
    found = {key for key in run_keys(run_id).every() if client.exists(key)}
    assert run_keys(run_id).record in found and run_keys(run_id).events in found
    return {int(client.keyslot(key)) for key in found}


def test_runs_of_every_shape_succeed_with_storage_on_a_cluster(storage_cluster: StorageCluster,
                                                               instance: Instance, tmp_path: Path) -> None:
    assert instance.storage_is_cluster and instance.separate_storage
    flag = tmp_path / "refuse.flag"
    flag.write_text("1")
    handles = {
        "chain": submit_job(cluster_chain, instance=instance),
        "fan": submit_job(cluster_fan, instance=instance),
        "dynamic": submit_job(cluster_dynamic, run_config={"ops": {"pieces": {"inputs": {"n": 6}}}}, instance=instance),
        "gated": submit_job(cluster_gated, run_config={"ops": {"gate": {"config": {"flag": str(flag)}}}},
                            instance=instance),
    }
    results = {name: handle.wait(timeout=120) for name, handle in handles.items()}
    logs = storage_cluster.logs()
    assert results["chain"].success and results["chain"].output_for_node("c4") == 7, logs
    assert results["fan"].success and results["fan"].output_for_node("total") == 8 * 6, logs
    assert len(results["fan"].get_step_success_events()) == 10
    dynamic = results["dynamic"]
    assert dynamic.success and dynamic.output_for_node("total") == sum(i ** 3 for i in range(6)), logs
    assert sorted(dynamic.output_for_node("cube")) == [f"p{i}" for i in range(6)]
    gated = results["gated"]
    assert gated.status is RunStatus.FAILURE and gated.get_failed_step_keys() == ["gate"], logs
    assert gated.failure_error is not None and gated.failure_error.cls_name == "Refused"
    assert {e.step_key for e in gated.get_step_skipped_events()} == {"after_gate"}
    assert gated.is_node_success("times") and gated.output_for_node("times") == 6

    # A re-execution from the failure reuses the first run's outputs and runs only what failed.
    flag.unlink()
    again = reexecute(gated.run_id, from_failure=True, instance=instance).wait(timeout=120)
    assert again.success and again.output_for_node("after_gate") == 41, storage_cluster.logs()
    assert {e.step_key for e in again.get_step_success_events()} == {"gate", "after_gate"}

    for result in (*results.values(), again):
        run_id = result.run_id
        # Every key of a run hashes to one slot (one Lua call touches one slot), and it is on the
        # Cluster only: the broker holds no key of run storage.
        assert len(_slots(instance, run_id)) == 1, run_id
        ttls = instance.storage.key_ttls(run_id)
        assert ttls and all(DEFAULT_RUN_RETENTION - 300 < ttl <= DEFAULT_RUN_RETENTION for ttl in ttls.values()), ttls
    assert not [k for k in instance.broker_redis.scan_iter(match="orch:*")], "run storage keys on the broker"
    listed = {info.run_id for info in instance.storage.list_runs(limit=50)}
    assert {r.run_id for r in (*results.values(), again)} <= listed
    assert instance.storage.active_run_ids() == []


def test_the_run_queue_admits_the_next_run_when_one_closes_on_a_cluster(storage_cluster: StorageCluster,
                                                                         instance: Instance) -> None:
    first = submit_job(cluster_limited, instance=instance)
    second = submit_job(cluster_limited, instance=instance)
    info = second.info()
    assert info.status is RunStatus.QUEUED
    assert info.reason == "Waiting for a slot: limit 1 of job cluster_limited (1 in progress).", info.reason
    assert first.wait(timeout=120).success, storage_cluster.logs()
    result = second.wait(timeout=120)
    assert result.success and result.output_for_node("plus_one") == 2, storage_cluster.logs()
    assert not second.info().reason
    events = [e.event_type for e in instance.storage.all_events(second.run_id)]
    assert EventType.RUN_ENQUEUED in events and EventType.RUN_DEQUEUED in events


def test_prune_removes_a_finished_run_from_every_node(storage_cluster: StorageCluster, instance: Instance) -> None:
    run = submit_job(cluster_chain, instance=instance).wait(timeout=120)
    assert run.success, storage_cluster.logs()
    pruned = prune_runs(instance, older_than=0, statuses=[RunStatus.SUCCESS])
    assert run.run_id in {p.run_id for p in pruned}
    removed = next(p for p in pruned if p.run_id == run.run_id)
    assert removed.keys >= 5 and removed.status is RunStatus.SUCCESS and removed.job_name == "cluster_chain"
    client = instance.redis
    assert [key for key in (run_keys(run.run_id).prefix + s for s in RUN_KEY_SUFFIXES) if client.exists(key)] == []
    assert run.run_id not in {info.run_id for info in instance.storage.list_runs(limit=200)}


def test_the_watchdog_s_passes_work_on_a_cluster(storage_cluster: StorageCluster, instance: Instance) -> None:
    """What each worker's watchdog does every few seconds, asked directly: it reads and writes keys
    of many slots (active runs, the run queue's sweep, the index trim) and must not fail."""
    run = submit_job(cluster_chain, instance=instance).wait(timeout=120)
    assert run.success, storage_cluster.logs()
    instance.redis.sadd(ACTIVE_RUNS, run.run_id)  # as a close cut short between its two calls leaves it
    assert run.run_id not in settle_active_runs(instance, instance.storage.active_run_ids())
    assert run.run_id not in instance.storage.active_run_ids()
    assert start_waiting(instance) == []
    assert trim_runs(instance) == []  # nothing is older than the retention
    assert check_stalled(instance, run.run_id) is None
    # The workers' own watchdogs ran meanwhile (every 5 s) without an error.
    assert "watchdog check failed" not in storage_cluster.logs()
