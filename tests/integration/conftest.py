"""A real redis-server and real Celery worker processes for the integration tests.

Everything is started on 127.0.0.1 with free ports and stopped by process group at the end.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import Instance
from orchestrator.local.processes import CeleryWorker, RedisServer, find_redis_server

ROOT = Path(__file__).resolve().parents[2]
SECRET = "integration-test-secret"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if find_redis_server() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI (make test installs it)")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


class Cluster:
    """A Redis server plus worker processes sharing one ORCH_HOME and secret."""

    def __init__(self, server: RedisServer, workdir: Path, home: str) -> None:
        self.server = server
        self.workdir = workdir
        self.home = home
        self.workers: list[CeleryWorker] = []
        self.env = {"REDIS_URL": server.url, "ORCH_HOME": home, "ORCH_SECRET": SECRET,
                    "PYTHONPATH": str(ROOT)}

    @property
    def instance(self) -> Instance:
        return Instance(redis_url=self.server.url, home=self.home, secret=SECRET)

    def start_worker(self, name: str, concurrency: int = 1, queues: tuple[str, ...] = ("orch",),
                     env: dict[str, str] | None = None) -> CeleryWorker:
        worker = CeleryWorker(name, self.workdir, {**self.env, **(env or {})}, concurrency=concurrency,
                              queues=queues, cwd=ROOT)
        worker.start()
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


@pytest.fixture(scope="module")
def cluster(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two workers (concurrency 1 each) for the module's tests."""
    home = os.environ["ORCH_HOME"]
    c = Cluster(redis_server, tmp_path_factory.mktemp("workers"), home)
    c.start_worker("w1")
    c.start_worker("w2")
    yield c
    c.stop()


@pytest.fixture
def instance(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> Instance:
    for key, value in cluster.env.items():
        monkeypatch.setenv(key, value)
    return cluster.instance


def dump_logs(cluster: Cluster) -> str:
    return "\n".join(f"--- {w.name}\n{w.log_text()[-3000:]}" for w in cluster.workers)


__all__ = ["Cluster", "dump_logs", "SECRET", "ROOT", "shutil"]
