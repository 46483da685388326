"""A 3-master Redis Cluster on loopback for run storage, and a single redis-server as the broker.

Every node is a real ``redis-server --cluster-enabled yes`` on a free 127.0.0.1 port in a temporary
directory, joined with ``redis-cli --cluster create``; every process is started here and stopped by
its own process group (``ManagedProcess.stop``): nothing else is signalled.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from orchestrator import Instance
from orchestrator.errors import OrchestratorError
from orchestrator.local.processes import CeleryWorker, RedisServer, find_redis_server

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cluster-test-secret"


def find_redis_cli() -> str | None:
    """``redis-cli``: on PATH, else beside ``redis-server``."""
    found = shutil.which("redis-cli")
    if found:
        return found
    server = find_redis_server()
    beside = Path(server).parent / "redis-cli" if server else None
    return str(beside) if beside is not None and beside.exists() else None


def cluster_port() -> int:
    """A free 127.0.0.1 port whose Cluster bus port (10000 above it, where nodes talk) is free too."""
    for _ in range(200):
        port = random.randint(20000, 55000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise OrchestratorError("no free pair of loopback ports for a Redis Cluster node")


def require_redis_cli() -> str:
    """``redis-cli``, or skip the test saying why (fail instead under ``CI=true``: CI installs it)."""
    cli = find_redis_cli()
    if cli is None or find_redis_server() is None:
        what = "redis-cli" if cli is None else "redis-server"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{what} is required in CI to build a Redis Cluster (make test installs it)")
        pytest.skip(f"{what} is not installed: a Redis Cluster cannot be built (apt-get install redis-tools)")
    return cli


class StorageCluster:
    """Three Redis Cluster masters (no replicas) plus a single redis-server broker, and workers.

    :param workdir: where every node, the broker and the workers keep their files and logs.
    :param cli: the ``redis-cli`` binary that creates the Cluster.
    """

    def __init__(self, workdir: Path, cli: str) -> None:
        self.workdir = workdir
        self.cli = cli
        self.home = str(workdir / "home")
        self.nodes = [
            RedisServer(workdir / f"node{i}", port=cluster_port(), extra_args=["--cluster-enabled", "yes", "--cluster-config-file",
                                                           str(workdir / f"node{i}" / "nodes.conf"),
                                                           "--cluster-node-timeout", "5000"])
            for i in range(3)
        ]
        self.broker = RedisServer(workdir / "broker")
        self.workers: list[CeleryWorker] = []

    @property
    def storage_url(self) -> str:
        """The documented form: ``redis+cluster://host:port,host:port,host:port``."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)

    @property
    def env(self) -> dict[str, str]:
        # The product's defaults: no recovery timeout or interval is tuned here.
        return {"REDIS_URL": self.broker.url, "ORCH_STORAGE_URL": self.storage_url, "ORCH_HOME": self.home,
                "ORCH_SECRET": SECRET, "PYTHONPATH": str(ROOT)}

    @property
    def instance(self) -> Instance:
        return Instance(redis_url=self.broker.url, storage_url=self.storage_url, home=self.home, secret=SECRET)

    def start(self) -> StorageCluster:
        for node in self.nodes:
            node.start()
        self.broker.start()
        addresses = [f"127.0.0.1:{n.port}" for n in self.nodes]
        done = subprocess.run([self.cli, "--cluster", "create", *addresses, "--cluster-replicas", "0",
                               "--cluster-yes"], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise OrchestratorError(f"redis-cli --cluster create failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        self.wait_ok()
        return self

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Wait until every node says ``cluster_state:ok`` and knows the other two."""
        import redis

        deadline = time.monotonic() + timeout
        states: list[str] = []
        while time.monotonic() < deadline:
            states = []
            for node in self.nodes:
                client = redis.Redis(host="127.0.0.1", port=node.port, socket_connect_timeout=1, decode_responses=True)
                try:
                    text = str(client.execute_command("CLUSTER", "INFO"))
                finally:
                    client.close()
                ok = "cluster_state:ok" in text and f"cluster_known_nodes:{len(self.nodes)}" in text
                states.append("ok" if ok else text.splitlines()[0])
            if all(s == "ok" for s in states):
                return
            time.sleep(0.2)
        raise OrchestratorError(f"the Redis Cluster was not ok within {timeout}s: {states}")

    def worker(self, name: str) -> CeleryWorker:
        w = CeleryWorker(name, self.workdir, self.env, concurrency=1, cwd=ROOT)
        w.start()
        self.workers.append(w)
        return w

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log_text()[-3000:]}" for w in self.workers)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()
        self.workers.clear()
        for process in (self.broker, *self.nodes):
            process.stop()
