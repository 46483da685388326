"""Tests for the Redis IO manager against a real, private redis-server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from orchestrator.definitions.io_managers.base import OutputContext, build_input_context, build_output_context
from orchestrator.definitions.io_managers.fs import OutputNotFoundError
from orchestrator.definitions.io_managers.redis import RedisIOManager, ValueTooLargeError, mask_url, redis_io_manager
from orchestrator.definitions.resources import build_init_resource_context
from orchestrator.errors import OrchestratorError

pytestmark = pytest.mark.integration

if shutil.which("redis-server") is None:
    pytest.skip("redis-server is not installed (apt-get install -y redis-server)", allow_module_level=True)

import redis  # noqa: E402 - only needed once we know a server can run


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free loopback port, without persistence; stopped by its PID."""
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                pytest.fail(f"redis-server exited with code {proc.returncode} before answering PING: {err}")
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server on port {port} did not answer PING within 10 s")
            time.sleep(0.05)
        client.close()
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture
def manager(redis_url: str) -> RedisIOManager:
    # A fresh prefix per test keeps tests independent on the shared server.
    return RedisIOManager(redis_url, key_prefix=f"test:{uuid.uuid4().hex}")


def out_ctx(step_key: str = "add", name: str = "result", run_id: str = "run1", **kwargs: Any) -> OutputContext:
    return build_output_context(step_key=step_key, name=name, run_id=run_id, **kwargs)


def load(manager: RedisIOManager, upstream: OutputContext) -> Any:
    return manager.load_input(build_input_context(name="x", step_key="downstream", upstream_output=upstream))


def test_round_trip(manager: RedisIOManager) -> None:
    values = {"a": 1, "b": {"nested": [1, 2, 3]}, "c": None}
    for key, value in values.items():
        manager.handle_output(out_ctx(step_key="emit", mapping_key=key), value)
    assert {key: load(manager, out_ctx(step_key="emit", mapping_key=key)) for key in values} == values
    assert manager.has_output(out_ctx(step_key="emit", mapping_key="a"))
    assert not manager.has_output(out_ctx(step_key="emit", mapping_key="zzz"))


def test_key_layout(manager: RedisIOManager) -> None:
    out = out_ctx(step_key="process[k]", name="out", mapping_key="m")
    manager.handle_output(out, 1)
    key = f"{manager.key_prefix}:run1:process[k]:out:m"
    assert manager.get_key(out) == key
    assert manager.client.exists(key) == 1
    assert out.get_logged_metadata()["key"] == key
    # A colon inside a part is escaped, so it cannot alias a different identifier.
    assert manager.get_key(out_ctx(run_id="run1:add")) != manager.get_key(out_ctx(step_key="run1:add"))


def test_value_too_large(redis_url: str) -> None:
    manager = RedisIOManager(redis_url, max_value_bytes=100, key_prefix=f"test:{uuid.uuid4().hex}")
    out = out_ctx(step_key="big_op", name="frame")
    with pytest.raises(ValueTooLargeError) as info:
        manager.handle_output(out, b"x" * 1000)
    err = info.value
    message = str(err)
    assert err.size > 1000 and err.limit == 100
    assert f"{err.size} bytes" in message
    assert "100 bytes" in message
    assert "'big_op'" in message and "'frame'" in message
    assert "fs_io_manager" in message and "upath_io_manager" in message and "max_value_bytes" in message
    assert isinstance(err, OrchestratorError)
    assert not manager.has_output(out)


def test_ttl_is_set(redis_url: str) -> None:
    manager = RedisIOManager(redis_url, key_prefix=f"test:{uuid.uuid4().hex}", ttl_seconds=3600)
    manager.handle_output(out_ctx(), "v")
    ttl = manager.client.ttl(manager.get_key(out_ctx()))
    assert 0 < ttl <= 3600


def test_missing_key_message(manager: RedisIOManager) -> None:
    upstream = out_ctx(step_key="never_ran", name="rows")
    with pytest.raises(OutputNotFoundError) as info:
        load(manager, upstream)
    message = str(info.value)
    assert "output 'rows' of step 'never_ran'" in message
    assert manager.get_key(upstream) in message
    assert "never stored" in message


def test_resource_reads_redis_url_from_env(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    manager = redis_io_manager(build_init_resource_context(config={"key_prefix": f"test:{uuid.uuid4().hex}"}))
    assert isinstance(manager, RedisIOManager)
    assert manager.max_value_bytes == 1048576 and manager.ttl_seconds == 604800
    manager.handle_output(out_ctx(), [1, 2])
    assert load(manager, out_ctx()) == [1, 2]


def test_mask_url_hides_password() -> None:
    masked = mask_url("redis://user:secret@host:1/0")
    assert "secret" not in masked
    assert masked == "redis://user:***@host:1/0"
    assert mask_url("redis://:secret@host/0") == "redis://:***@host/0"
    assert "secret" not in mask_url("rediss://host:6380/0?password=secret&ssl_cert_reqs=required")
    assert mask_url("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_connection_error_does_not_leak_password() -> None:
    manager = RedisIOManager(f"redis://user:secret@127.0.0.1:{_free_port()}/0", key_prefix="test")
    with pytest.raises(OrchestratorError) as info:
        manager.handle_output(out_ctx(step_key="writer"), 1)
    message = str(info.value)
    assert "secret" not in message
    assert "user:***@127.0.0.1" in message and "'writer'" in message
