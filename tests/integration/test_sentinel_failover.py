"""Redis Sentinel: runs through a ``sentinel://`` URL, a failover mid-run, and what a failover loses.

Real processes on loopback (``sentinel_fixtures.py``): a master, a replica, three Sentinels
(``redis-server --sentinel``) and two Celery workers, on the product's defaults.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import EventType, Instance, RunStatus, get_run, job, op, submit_job
from orchestrator.distributed.consumers import queues_with_live_workers
from orchestrator.distributed.failovers import AUDIT_AFTER, audit_due_failovers, failovers, notice_failover
from orchestrator.distributed.watchdog import check_stalled
from orchestrator.local.dev import DevEnvironment
from orchestrator.local.processes import CeleryWorker, RedisServer
from tests.integration.polling import wait_for
from tests.integration.sentinel_fixtures import ROOT, SECRET, SentinelGroup

pytestmark = pytest.mark.slow

CHAIN = 30
STEP_SECONDS = 0.3
END_WITHIN = 180.0


@op
def seed() -> int:
    return 0


@op
def step(x: int) -> int:
    time.sleep(STEP_SECONDS)
    return x + 1


@job
def long_chain():
    v = seed()
    for i in range(CHAIN - 1):
        v = step.alias(f"step_{i}")(v)


@op
def start_value() -> int:
    return 41


@op
def plus_one(x: int) -> int:
    return x + 1


@job
def short_chain():
    plus_one(start_value())


@pytest.fixture
def group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SentinelGroup]:
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    g = SentinelGroup(tmp_path, password="master-pw-1", sentinel_password="sentinel-pw-2")
    try:
        g.start()
        monkeypatch.setenv("ORCH_HOME", g.home)
        yield g
    finally:
        g.stop()


def _successes(instance: Instance, run_id: str) -> Counter[str]:
    return Counter(e.step_key for e in instance.storage.all_events(run_id) if e.event_type is EventType.STEP_SUCCESS)


def test_a_run_through_a_sentinel_url_succeeds_and_no_password_is_shown(group: SentinelGroup) -> None:
    # `orch dev` on an external Sentinel URL: its worker takes the URL from REDIS_URL.
    dev = DevEnvironment(home=group.home, workers=1, flower=False, redis_url=group.url, secret=SECRET, cwd=ROOT,
                         write_dev_file=False, env={"PYTHONPATH": str(ROOT)})
    with dev:
        instance = dev.instance
        instance.ping()
        result = submit_job(short_chain, instance=instance).wait(timeout=60)
        assert result.success, "\n".join(w.log_text()[-3000:] for w in dev.workers)
        assert result.output_for_node("plus_one") == 42
        # Celery's remote control (broadcast over the Sentinel transport) reaches the worker too.
        assert list(queues_with_live_workers(instance, timeout=2.0, max_age=0)) == ["orch"]
        described = "\n".join(dev.describe())
        assert "sentinel://:***@127.0.0.1" in described
        worker_logs = "\n".join(w.log_text() for w in dev.workers)
    # The CLI reaches the same run through REDIS_URL, and shows the URL masked.
    env = {**os.environ, **group.env}
    shown = subprocess.run([sys.executable, "-m", "orchestrator.cli", "run", "list"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert result.run_id[:8] in shown.stdout
    missing = subprocess.run([sys.executable, "-m", "orchestrator.cli", "run", "show", "no-such-run"], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no-such-run" in missing.stderr
    assert "sentinel://:***@127.0.0.1" in missing.stderr and "sentinel_password=***" in missing.stderr
    for text in (shown.stdout, shown.stderr, missing.stdout, missing.stderr, group.logs(100_000), repr(instance),
                 described, worker_logs):
        assert "master-pw-1" not in text and "sentinel-pw-2" not in text


def test_master_killed_mid_run_the_replica_takes_over_and_the_run_ends(group: SentinelGroup) -> None:
    group.worker("w1")
    group.worker("w2")
    instance = group.instance
    handle = submit_job(long_chain, instance=instance)
    # Three waiters follow the run through the failover: RunHandle.wait (below), the CLI and the web UI.
    follower = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "run", "logs", handle.run_id, "--follow"],
                                env={**os.environ, **group.env}, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    streamed: list[tuple[str, dict]] = []
    ui = threading.Thread(target=_follow_in_the_ui, args=(instance, handle.run_id, streamed), daemon=True)
    ui.start()
    try:
        # Kill the master a third of the way through, while a step runs.
        wait_for(lambda: len(_successes(instance, handle.run_id)) >= CHAIN // 3, 60, "a third of the chain")
        wait_for(lambda: instance.storage.running_steps(handle.run_id), 10, "a step to be running")
        group.master.kill()  # SIGKILL: no shutdown, no last write
        killed = time.monotonic()
        promoted_after = group.wait_promoted(60)
        result = handle.wait(timeout=END_WITHIN)  # the waiter reconnects to the new master
        ended_after = time.monotonic() - killed
        out, err = follower.communicate(timeout=60)
        ui.join(60)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, err
    assert "RUN_SUCCESS" in out or "RUN_FAILURE" in out, out[-2000:]
    assert streamed and streamed[-1][0] == "end", streamed[-3:]
    assert streamed[-1][1]["status"] == result.status.value
    print(f"failover: replica promoted {promoted_after:.1f}s after the kill, run ended {ended_after:.1f}s after it")
    assert ended_after < END_WITHIN
    info = instance.storage.get_run(handle.run_id)
    if result.success:
        assert result.output_for_node(f"step_{CHAIN - 2}") == CHAIN - 1
        successes = _successes(instance, handle.run_id)
        # Completion stays exactly once: every step succeeded once, however often it was delivered.
        assert set(successes) == {"seed", *(f"step_{i}" for i in range(CHAIN - 1))}
        assert max(successes.values()) == 1, successes
    else:
        assert info.status is RunStatus.FAILURE and "failed over" in (info.reason or ""), (info.reason, group.logs())
    # The failover was noticed (from the promoted master) by the workers' watchdogs.
    wait_for(lambda: failovers(instance), 30, "a watchdog to notice the failover")
    assert failovers(instance)[0].master == f"127.0.0.1:{group.replica.port}", (
        failovers(instance), group.master.port, group.replica.port, [s.port for s in group.sentinels])
    # Each worker reconnected through our transport (transport.py), not kombu's own Sentinel one.
    for w in group.workers:
        text = w.log_text()
        assert text.count("Connected to orchestrator.distributed.transport:SentinelTransport://") >= 2, text[-3000:]
        assert "Connected to sentinel://" not in text
    # The workers went on consuming from the new master: the next run succeeds.
    again = submit_job(short_chain, instance=instance).wait(timeout=60)
    assert again.success and again.output_for_node("plus_one") == 42, group.logs()


# -- what a failover loses, repaired ---------------------------------------------------------------


@pytest.fixture
def promoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RedisServer, RedisServer]]:
    """A master with a synced replica; the test promotes the replica as Sentinel would."""
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    master = RedisServer(tmp_path / "master").start()
    replica = RedisServer(tmp_path / "replica", replica_of=("127.0.0.1", master.port)).start()
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    try:
        yield master, replica
    finally:
        replica.stop()
        master.stop()


def test_steps_whose_messages_a_failover_lost_are_sent_again_once(promoted: tuple[RedisServer, RedisServer],
                                                                   tmp_path: Path) -> None:
    master, replica = promoted
    home = str(tmp_path / "home")
    before = Instance(redis_url=master.url, home=home, secret=SECRET)
    lost = submit_job(short_chain, instance=before)  # no worker yet: the first steps wait in the queue
    kept = submit_job(short_chain, instance=before)
    stalls = submit_job(short_chain, instance=before)
    wait_for(lambda: _replicated(master, replica), 10, "the replica to catch up")
    replica_client = Instance(redis_url=replica.url, home=home, secret=SECRET).redis
    replica_client.execute_command("REPLICAOF", "NO", "ONE")  # what Sentinel does to the replica it promotes
    master.kill()
    after = Instance(redis_url=replica.url, home=home, secret=SECRET)
    # The writes the old master had not replicated: here, the first step's message of two runs.
    for handle in (lost, stalls):
        _drop_messages(after, handle.run_id)

    failover = notice_failover(after)
    assert failover is not None and failover.master == f"127.0.0.1:{replica.port}"
    assert notice_failover(after) == failover  # recorded once, by whoever sees it first
    notes = [e.message for e in after.storage.all_events(kept.run_id) if "failed over" in (e.message or "")]
    assert len(notes) == 1, "every active run is told about the failover"
    assert audit_due_failovers(after, now=failover.noticed_at + 1) == {}, "too early: the usual recovery goes first"

    sent = audit_due_failovers(after, now=failover.noticed_at + AUDIT_AFTER + 1)
    assert sent == {lost.run_id: ["start_value"], stalls.run_id: ["start_value"]}  # kept's message is there
    assert audit_due_failovers(after, now=failover.noticed_at + AUDIT_AFTER + 2) == {}, "each run audited once"
    events = [e.message or "" for e in after.storage.all_events(lost.run_id)]
    assert any("messages were lost in the Redis failover" in m for m in events), events

    # A run that stalls anyway is failed with a reason naming the failover.
    _drop_messages(after, stalls.run_id)
    reason = check_stalled(after, stalls.run_id, now=time.time() + 100_000)
    assert reason is not None and "Redis failed over" in reason and "stalled" in reason

    worker = CeleryWorker("w1", tmp_path, {"REDIS_URL": replica.url, "ORCH_HOME": home, "ORCH_SECRET": SECRET,
                                           "PYTHONPATH": str(ROOT)}, cwd=ROOT).start()
    try:
        for handle in (lost, kept):
            result = get_run(handle.run_id, instance=after).wait(timeout=60)
            assert result.success and result.output_for_node("plus_one") == 42, worker.log_text()[-3000:]
            assert max(_successes(after, handle.run_id).values()) == 1
    finally:
        worker.stop()


def _follow_in_the_ui(instance: Instance, run_id: str, into: list[tuple[str, dict]]) -> None:
    """Read the web UI's event stream of the run (``/api/runs/<id>/events``) until it closes."""
    from starlette.testclient import TestClient

    from orchestrator.ui.app import create_app

    with TestClient(create_app(instance)) as client, client.stream("GET", f"/api/runs/{run_id}/events") as reply:
        name, data = "message", ""
        for line in reply.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data += line.split(":", 1)[1].strip()
            elif line == "" and data:
                into.append((name, json.loads(data)))
                name, data = "message", ""


def _replicated(master: RedisServer, replica: RedisServer) -> bool:
    import redis

    offsets = [redis.Redis.from_url(s.url).info("replication").get("master_repl_offset") for s in (master, replica)]
    return offsets[0] == offsets[1] and bool(offsets[0])


def _drop_messages(instance: Instance, run_id: str) -> None:
    """Remove the run's step messages from the queue lists, as if their write had not replicated."""
    client = instance.redis
    for name in ("orch", *(f"orch:{n}" for n in range(1, 10))):
        for raw in client.lrange(name, 0, -1):
            if json.loads(raw).get("headers", {}).get("orch_run") == run_id:
                client.lrem(name, 0, raw)
