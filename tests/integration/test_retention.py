"""Retention of finished runs on a real redis-server with real Celery workers.

A finished run keeps every key for ``ORCH_RUN_RETENTION`` (7 days by default) and then is gone:
its keys expire, the run index no longer lists it. ``orch run prune`` deletes finished runs now
and never an active one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestrator import DynamicOut, DynamicOutput, Instance, RunNotFoundError, job, op, submit_job
from orchestrator.distributed.keys import run_keys
from orchestrator.distributed.retention import DEFAULT_RUN_RETENTION
from orchestrator.local.processes import CeleryWorker, RedisServer
from tests.integration.conftest import Cluster, dump_logs
from tests.integration.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
ORCH = str(Path(sys.executable).parent / "orch")
SECRET = "retention-test-secret"


@op(out=DynamicOut())
def parts():
    for i in range(3):
        yield DynamicOutput(i, mapping_key=f"m{i}")


@op
def grow(x: int) -> int:
    return x + 10


@op
def summed(xs: list) -> int:
    return sum(xs)


@job
def kept_run():
    summed(parts().map(grow).collect())


@op
def quick() -> int:
    return 5


@job
def short_run():
    quick()


@op(tags={"celery/queue": "nobody-listens"})
def unserved_step() -> int:
    return 1


@job
def unserved():
    unserved_step()


def test_a_finished_run_keeps_every_key_for_the_default_retention(instance: Instance, cluster: Cluster) -> None:
    result = submit_job(kept_run, instance=instance).wait(timeout=60)
    assert result.success and result.output_for_node("summed") == 33, dump_logs(cluster)
    ttls = instance.storage.key_ttls(result.run_id)
    k = run_keys(result.run_id)
    # The keys every run of this shape writes are there, each with the default TTL (7 days), set
    # when the run closed: no environment variable was changed for this test.
    assert {k.record, k.plan, k.events, k.end, k.status, k.meta, k.pending, k.done, k.produced, k.dyn} <= set(ttls)
    assert all(DEFAULT_RUN_RETENTION - 120 < ttl <= DEFAULT_RUN_RETENTION for ttl in ttls.values()), ttls
    assert result.run_id not in instance.storage.active_run_ids()
    assert result.run_id in {info.run_id for info in instance.storage.list_runs(limit=100)}


Site = tuple[Instance, CeleryWorker]


@pytest.fixture
def own_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Site]]:
    """Start a redis-server of the test's own and one worker with extra environment: pruning
    every finished run, or trimming with a short retention, then touches no other test's runs."""
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    started: list[CeleryWorker | RedisServer] = []

    def start(**extra: str) -> Site:
        server = RedisServer(tmp_path / "redis").start()
        started.append(server)
        home = str(tmp_path / "home")
        env = {"REDIS_URL": server.url, "ORCH_HOME": home, "ORCH_SECRET": SECRET, "PYTHONPATH": str(ROOT), **extra}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        worker = CeleryWorker("ret1", tmp_path, env, concurrency=1, cwd=ROOT)
        started.append(worker)
        worker.start()
        return Instance(redis_url=server.url, home=home, secret=SECRET), worker

    yield start
    for process in reversed(started):
        process.stop()


def _existing(instance: Instance, run_id: str) -> list[str]:
    return [key for key in run_keys(run_id).every() if instance.redis.exists(key)]


def test_a_run_older_than_the_retention_is_gone(own_site: Callable[..., Site]) -> None:
    # ORCH_RUN_RETENTION is the subject of this test, not a recovery speed-up: with the default
    # (7 days) the test would wait a week. Set for this test's worker and submitter only.
    instance, worker = own_site(ORCH_RUN_RETENTION="3s")
    assert instance.storage.retention == 3
    expiring = submit_job(short_run, instance=instance).wait(timeout=60)
    older = submit_job(short_run, instance=instance).wait(timeout=60)
    assert expiring.success and older.success, worker.log_text()[-3000:]
    assert all(0 < ttl <= 3 for ttl in instance.storage.key_ttls(expiring.run_id).values())
    # A run closed before closes set TTLs (an older version) has keys that never expire: the
    # watchdog's trim deletes it with its index entry.
    for key in _existing(instance, older.run_id):
        instance.redis.persist(key)
    assert all(ttl == -1 for ttl in instance.storage.key_ttls(older.run_id).values())
    listed = {info.run_id for info in instance.storage.list_runs(limit=10)}
    assert {expiring.run_id, older.run_id} <= listed

    wait_for(lambda: not _existing(instance, expiring.run_id), 30, "the expiring run's keys to expire")
    # The index is trimmed by the worker's watchdog (every 5 s): both runs leave it.
    wait_for(lambda: instance.storage.run_count() == 0, 60, "the run index to be trimmed")
    assert _existing(instance, older.run_id) == []
    assert instance.storage.list_runs(limit=10) == []
    for run_id in (expiring.run_id, older.run_id):
        with pytest.raises(RunNotFoundError):
            instance.storage.get_run(run_id)
    assert "watchdog check failed" not in worker.log_text()


def _prune(instance: Instance, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDIS_URL": instance.redis_url, "ORCH_SECRET": str(instance.secret),
           "ORCH_HOME": str(instance.home)}
    return subprocess.run([ORCH, "run", "prune", *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)


def test_orch_run_prune_removes_finished_runs_and_never_an_active_one(own_site: Callable[..., Site]) -> None:
    instance, worker = own_site()
    done = submit_job(short_run, instance=instance).wait(timeout=60)
    assert done.success, worker.log_text()[-3000:]
    # An active run: its step waits on a queue no worker consumes, so it stays unfinished.
    waiting = submit_job(unserved, instance=instance)
    assert not waiting.status().is_finished

    preview = _prune(instance, "--older-than", "0", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert f"Would remove run {done.run_id} (job 'short_run', SUCCESS" in preview.stdout
    assert waiting.run_id not in preview.stdout
    assert instance.storage.has_run(done.run_id), "a dry run removes nothing"

    only_failed = _prune(instance, "--older-than", "0", "--status", "failure")
    assert only_failed.returncode == 0, only_failed.stderr
    assert done.run_id not in only_failed.stdout and instance.storage.has_run(done.run_id)

    pruned = _prune(instance, "--older-than", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert f"Removed run {done.run_id} (job 'short_run', SUCCESS" in pruned.stdout
    assert "runs still queued or started were left alone" in pruned.stdout
    assert waiting.run_id not in pruned.stdout
    assert _existing(instance, done.run_id) == []
    assert done.run_id not in {info.run_id for info in instance.storage.list_runs(limit=500)}
    # The active run is untouched: still listed, still active, its keys all there.
    assert instance.storage.has_run(waiting.run_id) and waiting.run_id in instance.storage.active_run_ids()
    assert waiting.run_id in {info.run_id for info in instance.storage.list_runs(limit=500)}

    # The default --older-than is the retention (7 days): a run that just ended is kept.
    assert waiting.cancel()
    kept = _prune(instance)
    assert kept.returncode == 0, kept.stderr
    assert "nothing removed" in kept.stdout and instance.storage.has_run(waiting.run_id)


def test_prune_rejects_a_malformed_duration(instance: Instance) -> None:
    bad = _prune(instance, "--older-than", "soon")
    assert bad.returncode == 2 and "'soon' is not a duration" in bad.stderr and "Traceback" not in bad.stderr
