"""``orch job submit`` and ``orch run ...`` (and ``orch flower``), for real, against Redis and two workers."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestrator import Instance, RunStatus

ROOT = Path(__file__).resolve().parents[3]
ORCH = str(Path(sys.executable).parent / "orch")
FIXTURES = "tests.integration.cli.fixtures.failing_jobs"
SEED = ["-m", "definitions.seed_op_job", "-j", "do_stuff"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def show(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def run_id_of(proc: subprocess.CompletedProcess) -> str:
    found = UUID.search(proc.stdout)
    assert found, show(proc)
    return found.group(0)


def wait_status(instance: Instance, run_id: str, wanted: set[RunStatus], timeout: float = 30) -> RunStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = instance.storage.get_run(run_id).status
        if status in wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cli_instance(cluster) -> Instance:
    return cluster.instance


@pytest.fixture(scope="module")
def succeeded_run(orch) -> str:
    """One successful run of definitions.seed_op_job, submitted with --wait."""
    proc = orch("job", "submit", *SEED, "--wait", "--timeout", "60", timeout=90)
    assert proc.returncode == 0, show(proc)
    return run_id_of(proc)


# -- orch job submit ----------------------------------------------------------------------------
def test_submit_wait_success_prints_steps(orch, succeeded_run: str, cli_instance: Instance) -> None:
    proc = orch("run", "logs", succeeded_run)
    assert proc.returncode == 0, show(proc)
    assert cli_instance.storage.get_run(succeeded_run).status is RunStatus.SUCCESS
    # The --wait output itself, on a second run, to check what it prints.
    proc = orch("job", "submit", *SEED, "--wait", timeout=90)
    assert proc.returncode == 0, show(proc)
    assert "return_five" in proc.stdout and "add_one" in proc.stdout, show(proc)
    assert "succeeded" in proc.stdout
    assert "2/2" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_submit_without_wait_prints_only_the_run_id(orch, cli_instance: Instance) -> None:
    proc = orch("job", "submit", *SEED)
    assert proc.returncode == 0, show(proc)
    run_id = proc.stdout.strip()
    assert UUID.fullmatch(run_id), show(proc)
    assert f"orch run logs {run_id} --follow" in proc.stderr
    assert wait_status(cli_instance, run_id, {RunStatus.SUCCESS, RunStatus.FAILURE}) is RunStatus.SUCCESS


def test_submit_takes_celery_execution_config_for_a_job_that_names_no_executor(
        orch, tmp_path: Path, cli_instance: Instance) -> None:
    # The README's example: the job names no executor, so submitting means the celery executor,
    # and its config (here stall_timeout) must be accepted by the CLI's own check too.
    config = tmp_path / "execution.yaml"
    config.write_text("execution:\n  config:\n    stall_timeout: 300\n")
    proc = orch("job", "submit", *SEED, "-c", str(config))
    assert proc.returncode == 0, show(proc)
    run_id = proc.stdout.strip()
    assert cli_instance.storage.get_run(run_id).record.stall_timeout == 300
    assert wait_status(cli_instance, run_id, {RunStatus.SUCCESS, RunStatus.FAILURE}) is RunStatus.SUCCESS


def test_submit_wait_failure_exits_1_with_the_error(orch, cli_instance: Instance) -> None:
    proc = orch("job", "submit", "-m", FIXTURES, "-j", "failing_job", "--wait", timeout=90)
    assert proc.returncode == 1, show(proc)
    assert "Step 'explode' failed: ValueError: boom: cannot handle 1" in proc.stderr, show(proc)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "--verbose" in proc.stderr
    run_id = run_id_of(proc)
    info = cli_instance.storage.get_run(run_id)
    assert info.status is RunStatus.FAILURE
    # The code went by pointer, not as a pickled blob: the fixture module is importable on workers.
    assert info.record.code.module == FIXTURES

    shown = orch("run", "show", run_id, "--verbose")
    assert shown.returncode == 0, show(shown)
    assert re.search(r"explode\s.*failed", shown.stdout), show(shown)
    assert re.search(r"after\s.*skipped", shown.stdout), show(shown)
    assert "Traceback" in shown.stderr and "ValueError: boom" in shown.stderr, show(shown)


def test_submit_bad_config_exits_2_and_enqueues_nothing(orch, tmp_path: Path, cli_instance: Instance) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("ops:\n  configured:\n    config:\n      count: not-a-number\n")
    before = len(cli_instance.storage.list_runs(job_name="configured_job", limit=1000))
    proc = orch("job", "submit", "-m", FIXTURES, "-j", "configured_job", "-c", str(config), "--wait")
    assert proc.returncode == 2, show(proc)
    assert "ops.configured.config.count" in proc.stderr, show(proc)
    assert "ops.configured.config.name" in proc.stderr, show(proc)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not UUID.search(proc.stdout)
    assert len(cli_instance.storage.list_runs(job_name="configured_job", limit=1000)) == before


def test_submit_unknown_job_exits_2(orch) -> None:
    proc = orch("job", "submit", "-m", "definitions.seed_op_job", "-j", "nope")
    assert proc.returncode == 2, show(proc)
    assert "No job named 'nope'" in proc.stderr and "do_stuff" in proc.stderr


# -- orch run list / show / logs ------------------------------------------------------------------
def test_run_list_shows_the_run(orch, succeeded_run: str) -> None:
    proc = orch("run", "list", "--job", "do_stuff", "--limit", "50")
    assert proc.returncode == 0, show(proc)
    line = next((ln for ln in proc.stdout.splitlines() if succeeded_run in ln), None)
    assert line is not None, show(proc)
    assert "do_stuff" in line and "SUCCESS" in line

    proc = orch("run", "list", "--status", "failure")
    assert proc.returncode == 0, show(proc)
    assert succeeded_run not in proc.stdout


def test_run_show_lists_steps_with_status_and_worker(orch, succeeded_run: str) -> None:
    proc = orch("run", "show", succeeded_run)
    assert proc.returncode == 0, show(proc)
    assert "SUCCESS" in proc.stdout and "do_stuff" in proc.stdout
    for step in ("return_five", "add_one"):
        row = next((ln for ln in proc.stdout.splitlines() if f" {step} " in ln), None)
        assert row is not None, show(proc)
        assert "succeeded" in row, row
        assert re.search(r"w[12]@\S+ \(pid \d+\)", row), row
    # A unique prefix of the id is enough.
    assert orch("run", "show", succeeded_run[:13]).returncode == 0


def test_run_logs_prints_every_event(orch, succeeded_run: str) -> None:
    proc = orch("run", "logs", succeeded_run)
    assert proc.returncode == 0, show(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].split()[2] == "RUN_START", show(proc)
    assert lines[-1].split()[2] == "RUN_SUCCESS", show(proc)
    assert any("STEP_SUCCESS" in ln and "return_five" in ln for ln in lines), show(proc)
    assert any("STEP_SUCCESS" in ln and "add_one" in ln for ln in lines), show(proc)


def test_run_logs_follow_ends_when_the_run_ends(orch, orch_env, cli_instance: Instance, tmp_path: Path) -> None:
    config = tmp_path / "short.yaml"
    config.write_text("ops:\n  nap:\n    config:\n      seconds: 2\n")
    submitted = orch("job", "submit", "-m", FIXTURES, "-j", "sleepy_job", "-c", str(config))
    assert submitted.returncode == 0, show(submitted)
    run_id = submitted.stdout.strip()
    started = time.monotonic()
    follower = subprocess.Popen([ORCH, "run", "logs", run_id, "--follow"], cwd=ROOT, env=orch_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = follower.communicate(timeout=60)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, out + err
    lines = out.splitlines()
    assert any("LOG INFO" in ln and "sleeping 2" in ln for ln in lines), out
    assert any("STEP_SUCCESS" in ln and " wake " in ln for ln in lines), out
    assert lines[-1].split()[2] == "RUN_SUCCESS", out
    assert time.monotonic() - started >= 1.5, "follow returned before the run could have ended"
    assert cli_instance.storage.get_run(run_id).status is RunStatus.SUCCESS


# -- orch run cancel ----------------------------------------------------------------------------
def test_run_cancel_then_cancel_again(orch, cli_instance: Instance) -> None:
    submitted = orch("job", "submit", "-m", FIXTURES, "-j", "sleepy_job")
    assert submitted.returncode == 0, show(submitted)
    run_id = submitted.stdout.strip()
    assert wait_status(cli_instance, run_id, {RunStatus.STARTED}) is RunStatus.STARTED

    proc = orch("run", "cancel", run_id)
    assert proc.returncode == 0, show(proc)
    assert "Canceled run" in proc.stdout
    shown = orch("run", "show", run_id)
    assert shown.returncode == 0, show(shown)
    assert re.search(r"^Status:\s+CANCELED", shown.stdout, re.M), show(shown)
    assert cli_instance.storage.get_run(run_id).status is RunStatus.CANCELED

    again = orch("run", "cancel", run_id)
    assert again.returncode == 1, show(again)
    assert "already finished" in again.stderr and "CANCELED" in again.stderr


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["show", "logs", "cancel"])
@pytest.mark.parametrize("run_id", ["00000000-0000-0000-0000-000000000000", "not a run id!"])
def test_unknown_run_id_exits_2(orch, command: str, run_id: str) -> None:
    proc = orch("run", command, run_id)
    assert proc.returncode == 2, show(proc)
    assert f"No run with id '{run_id}'" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_unreachable_redis_exits_2_with_masked_url(orch, orch_env) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**orch_env, "REDIS_URL": f"redis://:hunter2@127.0.0.1:{port}/0"}
    for args in (["run", "list"], ["job", "submit", *SEED]):
        proc = orch(*args, env=env)
        assert proc.returncode == 2, show(proc)
        assert f"redis://:***@127.0.0.1:{port}/0" in proc.stderr, show(proc)
        assert "hunter2" not in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr


# -- orch flower --------------------------------------------------------------------------------
def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.loads(reply.read().decode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_flower_shows_every_step_by_name_and_run_id(orch, orch_env, cluster, tmp_path: Path) -> None:
    pytest.importorskip("flower")
    port = _free_port()
    log = open(tmp_path / "flower.log", "wb")  # noqa: SIM115 - closed below
    # Flower 2 serves its HTTP API without authentication only when asked to.
    env = {**orch_env, "FLOWER_UNAUTHENTICATED_API": "true"}
    proc = subprocess.Popen([ORCH, "flower", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # Flower answers, then sees both workers' heartbeats: it is receiving task events.
        deadline = time.monotonic() + 30
        workers: dict = {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "flower.log").read_text()
            try:
                workers = _get_json(f"{base}/api/workers?status=true")  # type: ignore[assignment]
                if sum(1 for name, alive in workers.items() if alive and name.split("@")[0] in ("w1", "w2")) == 2:
                    break
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.3)
        else:
            pytest.fail(f"Flower did not see the workers: {workers}\n{(tmp_path / 'flower.log').read_text()}")

        submitted = orch("job", "submit", *SEED, "--wait", timeout=90)
        assert submitted.returncode == 0, show(submitted)
        run_id = run_id_of(submitted)
        wanted = {"do_stuff.return_five", "do_stuff.add_one"}
        found: dict[str, dict] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and set(found) != wanted:
            tasks = _get_json(f"{base}/api/tasks?limit=1000")
            for task in tasks.values():  # type: ignore[union-attr]
                if task.get("name") in wanted and run_id in str(task.get("kwargs")):
                    found[task["name"]] = task
            time.sleep(0.5)
        assert set(found) == wanted, f"found {sorted(found)} in Flower for run {run_id}"
        for name, task in found.items():
            assert f"'step_key': '{name.split('.', 1)[1]}'" in str(task["kwargs"]), task
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        log.close()
    assert proc.returncode is not None


def test_run_reexecute_from_failure_reuses_upstream(orch, tmp_path: Path, cli_instance: Instance) -> None:
    flag, log = tmp_path / "flag", tmp_path / "start.log"
    flag.write_text("1")
    config = tmp_path / "cfg.yaml"
    config.write_text(
        f"ops:\n  fail_while_flagged:\n    config:\n      flag: {flag}\n  counted_start:\n    config:\n      log: {log}\n"
    )
    first = orch("job", "submit", "-m", "tests.integration.cli.fixtures.failing_jobs", "-j", "recoverable_job",
                 "-c", str(config), "--wait", timeout=120)
    assert first.returncode == 1, first.stdout + first.stderr
    parent = cli_instance.storage.list_runs(job_name="recoverable_job", limit=1)[0].run_id
    flag.unlink()
    again = orch("run", "reexecute", parent, "--wait", timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "fail_while_flagged" in again.stdout
    assert log.read_text().split() == ["ran"], "counted_start must not run again"
    child = cli_instance.storage.list_runs(job_name="recoverable_job", limit=1)[0]
    assert child.record.parent_run_id == parent and child.status.value == "SUCCESS"
    missing = orch("run", "reexecute", "0000-no-such-run")
    assert missing.returncode == 2 and "No run with id" in missing.stderr
