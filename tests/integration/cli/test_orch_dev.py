"""``orch dev``: a private Redis and a worker, found by a second process through $ORCH_HOME/dev.json alone."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator.local.processes import find_redis_server

ROOT = Path(__file__).resolve().parents[3]
ORCH = str(Path(sys.executable).parent / "orch")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "ORCH_SECRET", "ORCH_INSECURE", "PYTHONPATH")}
    env.update({"ORCH_HOME": str(home), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    return env


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_orch_dev_serves_a_second_terminal_and_stops_cleanly(tmp_path: Path, redis_server) -> None:
    # redis_server only makes the test skip (or fail in CI) the same way when redis-server is missing.
    if find_redis_server() is None:
        pytest.skip("redis-server is not installed")
    home = tmp_path / "home"
    home.mkdir()
    log_path = tmp_path / "dev.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    dev = subprocess.Popen([ORCH, "dev", "--workers", "1", "--no-flower"], cwd=ROOT, env=clean_env(home),
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    dev_file = home / "dev.json"
    try:
        deadline = time.monotonic() + 60
        while not dev_file.exists():
            assert dev.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "dev.json not written:\n" + log_path.read_text()
            time.sleep(0.2)
        info = json.loads(dev_file.read_text())
        assert stat.S_IMODE(dev_file.stat().st_mode) == 0o600
        assert info["pid"] == dev.pid and info["secret"] and info["flower_url"] is None
        port = int(info["redis_url"].rsplit(":", 1)[1].split("/")[0])
        assert info["redis_url"].startswith("redis://127.0.0.1:") and port_answers(port)

        submit = subprocess.run([ORCH, "job", "submit", "-m", "definitions.seed_op_job", "-j", "do_stuff", "--wait"],
                                cwd=ROOT, env=clean_env(home), capture_output=True, text=True, timeout=90)
        assert submit.returncode == 0, submit.stdout + submit.stderr + log_path.read_text()
        assert "add_one" in submit.stdout and "succeeded" in submit.stdout

        listed = subprocess.run([ORCH, "run", "list"], cwd=ROOT, env=clean_env(home), capture_output=True, text=True,
                                timeout=60)
        assert listed.returncode == 0 and "SUCCESS" in listed.stdout, listed.stdout + listed.stderr

        dev.send_signal(signal.SIGTERM)
        dev.wait(timeout=20)
        text = log_path.read_text()
        assert dev.returncode == 0, text
        assert "Stopped." in text
        assert not dev_file.exists()
        assert not port_answers(port)
    finally:
        if dev.poll() is None:
            dev.send_signal(signal.SIGTERM)
            try:
                dev.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(dev.pid, signal.SIGKILL)
        log.close()


def test_orch_dev_exits_1_when_a_worker_dies(tmp_path: Path, redis_server) -> None:
    home = tmp_path / "home"
    home.mkdir()
    log_path = tmp_path / "dev.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    dev = subprocess.Popen([ORCH, "dev", "--workers", "1", "--no-flower"], cwd=ROOT, env=clean_env(home),
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    dev_file = home / "dev.json"
    try:
        deadline = time.monotonic() + 60
        while not dev_file.exists():
            assert dev.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "dev.json not written:\n" + log_path.read_text()
            time.sleep(0.2)
        info = json.loads(dev_file.read_text())
        worker = info["workers"][0]
        port = int(info["redis_url"].rsplit(":", 1)[1].split("/")[0])
        # The worker runs in its own process group, started by the dev process we started.
        os.killpg(info["processes"][worker], signal.SIGKILL)
        dev.wait(timeout=20)
        text = log_path.read_text()
        assert dev.returncode == 1, text
        assert f"{worker} (pid {info['processes'][worker]}) exited unexpectedly" in text
        assert not dev_file.exists()
        assert not port_answers(port)
    finally:
        if dev.poll() is None:
            dev.send_signal(signal.SIGTERM)
            try:
                dev.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(dev.pid, signal.SIGKILL)
        log.close()


def test_dev_environment_from_python(tmp_path: Path, redis_server, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestrator import submit_job
    from orchestrator.local.dev import DevEnvironment, DevProcessDied

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("ORCH_SECRET", raising=False)
    monkeypatch.chdir(ROOT)
    home = tmp_path / "home"
    from definitions.seed_op_job import do_stuff

    with DevEnvironment(home=home, workers=1, flower=False) as dev:
        assert json.loads((home / "dev.json").read_text())["redis_url"] == dev.redis_url
        result = submit_job(do_stuff, instance=dev.instance).wait(timeout=60)
        assert result.success
        dev.check()
        dev.workers[0].kill()
        with pytest.raises(DevProcessDied, match="exited unexpectedly"):
            dev.check()
        port = dev.redis.port
    assert not (home / "dev.json").exists()
    assert not port_answers(port)
