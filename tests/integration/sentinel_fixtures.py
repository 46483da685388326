"""A Redis Sentinel group on loopback for the failover tests: a master, a replica, three Sentinels.

Every process is started here on 127.0.0.1 with a free port and stopped by its own process
group (``ManagedProcess.stop``): nothing else is signalled.
"""

from __future__ import annotations

import time
from pathlib import Path

from orchestrator import Instance
from orchestrator.local.processes import CeleryWorker, RedisSentinel, RedisServer

ROOT = Path(__file__).resolve().parents[2]
MASTER_NAME = "orchmaster"
SECRET = "sentinel-test-secret"
# Sentinel's own detection settings are infrastructure, not the product's recovery knobs: a real
# deployment would use a few seconds too (deploy/README.md); Sentinel's defaults (30 s to notice a
# dead master, 3 min failover timeout) would only make the test wait longer for the same thing.
DOWN_AFTER_MS = 2000
FAILOVER_TIMEOUT_MS = 10000


class SentinelGroup:
    """A master, its replica and three Sentinels, plus the workers started on the group's URL.

    :param workdir: where every process keeps its files and logs.
    :param password: the master's and replica's ``requirepass`` (and the URL's), if any.
    :param sentinel_password: the Sentinels' ``requirepass`` (the URL's ``sentinel_password``), if any.
    """

    def __init__(self, workdir: Path, password: str | None = None, sentinel_password: str | None = None) -> None:
        self.workdir = workdir
        self.password = password
        self.sentinel_password = sentinel_password
        self.home = str(workdir / "home")
        self.master = RedisServer(workdir / "master", password=password)
        self.replica = RedisServer(workdir / "replica", password=password,
                                   replica_of=("127.0.0.1", self.master.port))
        self.sentinels = [
            RedisSentinel(workdir / f"sentinel{i}", ("127.0.0.1", self.master.port), MASTER_NAME,
                          down_after_ms=DOWN_AFTER_MS, failover_timeout_ms=FAILOVER_TIMEOUT_MS,
                          master_password=password, password=sentinel_password)
            for i in range(3)
        ]
        self.workers: list[CeleryWorker] = []

    @property
    def url(self) -> str:
        """The contract's form: ``sentinel://...;sentinel://...;sentinel://.../0?master_name=NAME``."""
        auth = f":{self.password}@" if self.password else ""
        addresses = ";".join(s.address.replace("sentinel://", f"sentinel://{auth}") for s in self.sentinels)
        query = f"master_name={MASTER_NAME}" + (f"&sentinel_password={self.sentinel_password}"
                                                if self.sentinel_password else "")
        return f"{addresses}/0?{query}"

    @property
    def env(self) -> dict[str, str]:
        # The product's defaults: no recovery timeout or interval is tuned here.
        return {"REDIS_URL": self.url, "ORCH_HOME": self.home, "ORCH_SECRET": SECRET, "PYTHONPATH": str(ROOT)}

    @property
    def instance(self) -> Instance:
        return Instance(redis_url=self.url, home=self.home, secret=SECRET)

    def start(self) -> SentinelGroup:
        self.master.start()
        self.replica.start()
        for sentinel in self.sentinels:
            sentinel.start()
        # A failover needs the Sentinels to know each other and the replica (hello messages, ~2 s).
        for sentinel in self.sentinels:
            sentinel.wait_monitoring(other_sentinels=len(self.sentinels) - 1, replicas=1)
        return self

    def worker(self, name: str) -> CeleryWorker:
        w = CeleryWorker(name, self.workdir, self.env, concurrency=1, cwd=ROOT)
        w.start()
        self.workers.append(w)
        return w

    def master_port(self) -> int | None:
        """The master's port as a majority of the Sentinels name it now (None: no majority)."""
        named = [s.master_address() for s in self.sentinels]
        for address in named:
            if address is not None and named.count(address) >= 2:
                return address[1]
        return None

    def wait_promoted(self, timeout: float) -> float:
        """Wait until the Sentinels name the replica as master; returns how long that took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.master_port() == self.replica.port:
                return time.monotonic() - start
            time.sleep(0.1)
        raise AssertionError(f"the sentinels did not promote the replica within {timeout}s:\n{self.logs(2000)}")

    def logs(self, tail: int = 4000) -> str:
        procs = [*self.workers, self.master, self.replica, *self.sentinels]
        return "\n".join(f"--- {p.name}\n{p.log_text()[-tail:]}" for p in procs)

    def stop(self) -> None:
        for proc in [*self.workers, *self.sentinels, self.replica, self.master]:
            proc.stop()
