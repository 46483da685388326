"""``orch dev -m MODULE`` picks up an edit of the code location without being restarted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator import EventType, Instance, get_run
from orchestrator.local.processes import find_redis_server

ORCH = str(Path(sys.executable).parent / "orch")

JOB = '''
from orchestrator import job, op
from devjob_helper import VALUE


@op
def report(context):
    context.log.info("value: " + VALUE)


@job
def devjob():
    report()
'''


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORCH_", "REDIS_")) and k != "PYTHONPATH"}
    env.update({"ORCH_HOME": str(home), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    return env


def _wait_for(predicate, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s:\n{log.read_text()}"
        time.sleep(0.2)


def _submit_and_log(project: Path, env: dict[str, str], instance: Instance) -> list[str]:
    proc = subprocess.run([ORCH, "job", "submit", "-m", "devjob", "-j", "devjob"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run_id = proc.stdout.strip().splitlines()[0]
    result = get_run(run_id, instance).wait(timeout=60)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return [e.message for e in instance.storage.all_events(run_id) if e.event_type is EventType.LOG]


def test_orch_dev_restarts_its_workers_when_the_code_changes(tmp_path: Path, redis_server) -> None:
    # redis_server only makes the test skip (or fail in CI) the same way when redis-server is missing.
    if find_redis_server() is None:
        pytest.skip("redis-server is not installed")
    project = tmp_path / "project"
    project.mkdir()
    (project / "devjob.py").write_text(JOB)
    (project / "devjob_helper.py").write_text("VALUE = 'v1'\n")
    home = tmp_path / "home"
    home.mkdir()
    log_path = tmp_path / "dev.log"
    env = _env(home)
    with open(log_path, "wb") as log:
        dev = subprocess.Popen([ORCH, "dev", "-m", "devjob", "--workers", "1", "--no-flower"], cwd=project, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            dev_file = home / "dev.json"
            _wait_for(dev_file.exists, "dev.json", log_path)
            info = json.loads(dev_file.read_text())
            instance = Instance(redis_url=info["redis_url"], home=home, secret=info["secret"])
            assert "Watching:" in log_path.read_text()
            first_worker = info["workers"][0]

            assert _submit_and_log(project, env, instance) == ["value: v1"]
            (project / "devjob_helper.py").write_text("VALUE = 'v2'\n")
            _wait_for(lambda: "restarting the workers" in log_path.read_text(), "the restart", log_path)
            _wait_for(lambda: json.loads(dev_file.read_text())["workers"] != [first_worker], "new workers",
                      log_path)
            assert _submit_and_log(project, env, instance) == ["value: v2"]
            assert dev.poll() is None, log_path.read_text()
        finally:
            dev.send_signal(signal.SIGTERM)
            try:
                dev.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(dev.pid, signal.SIGKILL)
    text = log_path.read_text()
    assert dev.returncode == 0, text
    assert "devjob_helper.py" in text and "Stopped." in text
