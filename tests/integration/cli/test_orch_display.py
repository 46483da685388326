"""What users see of distributed runs, for real (redis-server, Celery workers, Flower, the ``orch``
console script): a queue no worker consumes is named, a canceled step ends canceled (in run
storage, ``orch run show``, ``orch run logs`` and Flower), mapped steps are counted as soon as they
exist, and output into a closed pipe ends quietly.

The submitters run without any ``ORCH_*`` tuning variable: what is shown must come on the defaults.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestrator import Instance, RunStatus
from orchestrator.local.processes import CeleryWorker, free_port
from orchestrator.status import StepStatus
from tests.integration.cli.fixtures.display_jobs import NOBODY_QUEUE, PARKED_QUEUE

ROOT = Path(__file__).resolve().parents[3]
ORCH = str(Path(sys.executable).parent / "orch")
JOBS = "tests.integration.cli.fixtures.display_jobs"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# What a deployment sets, not how fast things happen.
_CONNECTION = ("ORCH_HOME", "ORCH_SECRET")


def show(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def untuned(env: dict[str, str]) -> dict[str, str]:
    """``env`` without any ORCH_* variable other than the connection settings."""
    return {k: v for k, v in env.items() if not k.startswith("ORCH_") or k in _CONNECTION}


@pytest.fixture(scope="module")
def env(orch_env: dict[str, str]) -> dict[str, str]:
    return untuned(orch_env)


@pytest.fixture(scope="module")
def run_orch(env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([ORCH, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def storage_instance(cluster) -> Instance:
    return cluster.instance


def _wait(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this test started (its own session), by its process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


class _Lines:
    """The stdout lines of a running process, read in a thread, with their arrival times."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[tuple[float, str]] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout
        threading.Thread(target=lambda: [self._queue.put(ln) for ln in stream] + [self._queue.put(None)],
                         daemon=True).start()

    def wait_for(self, pattern: str, timeout: float) -> str | None:
        """The first line matching ``pattern`` within ``timeout`` seconds, else None."""
        deadline = time.monotonic() + timeout
        for _t, line in self.lines:
            if re.search(pattern, line):
                return line
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            self.lines.append((time.monotonic(), line))
            if re.search(pattern, line):
                return line
        return None

    def text(self) -> str:
        return "".join(line for _t, line in self.lines)


# -- a queue nobody consumes --------------------------------------------------------------------
def test_submit_wait_and_run_show_name_a_queue_no_worker_consumes(
        env: dict[str, str], run_orch, storage_instance: Instance) -> None:
    started = time.monotonic()
    proc = subprocess.Popen([ORCH, "job", "submit", "-m", JOBS, "-j", "unconsumed_job", "--wait"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = _Lines(proc)
    try:
        submitted = lines.wait_for(r"Submitted run", 30)
        assert submitted, lines.text()
        run_id = UUID.search(submitted).group(0)  # type: ignore[union-attr]
        notice = lines.wait_for(rf"queue '{NOBODY_QUEUE}'", 10)
        waited = time.monotonic() - started
        assert notice is not None, f"no word of queue {NOBODY_QUEUE} within 10 s:\n{lines.text()}"
        assert "No live worker consumes" in notice and "unconsumed" in notice, notice
        assert f"orch worker start -Q {NOBODY_QUEUE}" in notice, notice

        shown = run_orch("run", "show", run_id)
        assert shown.returncode == 0, show(shown)
        assert re.search(rf"^Waiting:\s+No live worker consumes queue '{NOBODY_QUEUE}': step unconsumed",
                         shown.stdout, re.M), show(shown)
        assert re.search(r"│ unconsumed\s+│ queued\s+│", shown.stdout), show(shown)
        assert storage_instance.storage.get_run(run_id).status is RunStatus.QUEUED

        canceled = run_orch("run", "cancel", run_id)
        assert canceled.returncode == 0, show(canceled)
        # The follower sees the cancel and ends: exit 1 (the run did not succeed), the outcome said.
        outcome = lines.wait_for(r"of job 'unconsumed_job' was canceled", 30)
        assert outcome is not None and "(0/1 steps finished)" in outcome, lines.text()
        assert proc.wait(timeout=30) == 1, lines.text()
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert "Traceback" not in err, err
    finally:
        _stop(proc)
    print(f"queue named after {waited:.1f}s")  # noqa: T201 - the figure the report quotes


# -- cancel ---------------------------------------------------------------------------------------
def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.loads(reply.read().decode())


@pytest.fixture
def flower(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``orch flower`` receiving the cluster's task events; yields its base URL."""
    pytest.importorskip("flower")
    port = free_port()
    log_path = tmp_path / "flower.log"
    with open(log_path, "wb") as log:
        # Flower 2 serves its HTTP API without authentication only when asked to.
        proc = subprocess.Popen([ORCH, "flower", "--port", str(port)], cwd=ROOT,
                                env={**env, "FLOWER_UNAUTHENTICATED_API": "true"}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def sees_workers() -> bool:
            assert proc.poll() is None, log_path.read_text()
            try:
                workers = _get_json(f"{base}/api/workers?status=true")
            except (urllib.error.URLError, OSError, ValueError):
                return False
            return isinstance(workers, dict) and sum(
                1 for name, alive in workers.items() if alive and name.split("@")[0] in ("w1", "w2")) == 2

        _wait(sees_workers, 40, "Flower to see both workers")
        yield base
    finally:
        _stop(proc)


def _step_row(text: str, step: str) -> tuple[str, str]:
    """(status, duration) of ``step`` in the steps table of ``orch run show``."""
    found = re.search(rf"│ {re.escape(step)}\s+│ (\S[^│]*?)\s+│\s+([^│]*?)\s+│", text)
    assert found, text
    return found.group(1), found.group(2)


def test_cancel_ends_running_step_canceled_and_flower_shows_no_dropped_step_as_success(
        env: dict[str, str], run_orch, storage_instance: Instance, cluster, flower: str, tmp_path: Path) -> None:
    storage = storage_instance.storage
    submitted = run_orch("job", "submit", "-m", JOBS, "-j", "cancel_job")
    assert submitted.returncode == 0, show(submitted)
    run_id = submitted.stdout.strip()
    _wait(lambda: "long_step" in storage.running_steps(run_id), 60, "long_step to be running")
    time.sleep(1.0)  # a measurable duration

    canceled = run_orch("run", "cancel", run_id)
    assert canceled.returncode == 0, show(canceled)
    assert storage.get_run(run_id).status is RunStatus.CANCELED

    # Run storage: the step is over, CANCELED; nothing is left running.
    statuses = storage.step_statuses(run_id)
    assert statuses.get("long_step") is StepStatus.CANCELED, statuses
    assert statuses.get("begin") is StepStatus.SUCCESS, statuses
    assert "parked" not in statuses and "finish" not in statuses, statuses
    assert storage.running_steps(run_id) == {}

    # orch run show: canceled, with a duration that no longer grows.
    first = run_orch("run", "show", run_id)
    assert first.returncode == 0, show(first)
    status, duration = _step_row(first.stdout, "long_step")
    assert status == "canceled", show(first)
    assert duration.endswith(" s") and float(duration.split()[0]) >= 1.0, show(first)
    time.sleep(1.5)
    second = run_orch("run", "show", run_id)
    assert _step_row(second.stdout, "long_step") == ("canceled", duration), show(second)
    assert _step_row(second.stdout, "parked")[0] == "not run", show(second)
    assert re.search(r"^Steps:\s+2/4 finished", second.stdout, re.M), show(second)

    # orch run logs: the same story, the step's end before the run's.
    logs = run_orch("run", "logs", run_id)
    assert logs.returncode == 0, show(logs)
    ends = [ln for ln in logs.stdout.splitlines() if "long_step" in ln and "STEP_FAILURE" in ln]
    assert len(ends) == 1 and "was canceled with its run" in ends[0], logs.stdout
    assert logs.stdout.splitlines()[-1].split()[2] == "RUN_CANCELED", logs.stdout

    # A worker that was not up at the cancel (so it missed the revoke) picks up the parked step.
    late = CeleryWorker("late", tmp_path, untuned({**cluster.env}), concurrency=1, queues=(PARKED_QUEUE,), cwd=ROOT)
    late.start()
    try:
        _wait(lambda: "not running step parked" in late.log_text(), 30, "the late worker to drop the parked step")
    finally:
        late.stop()
    assert "parked" not in storage.step_statuses(run_id)

    ran = {e.step_key for e in storage.all_events(run_id) if e.event_type.name == "STEP_SUCCESS"}
    assert ran == {"begin"}, ran
    wanted = {"cancel_job.begin": "SUCCESS", "cancel_job.long_step": "REVOKED", "cancel_job.parked": "REVOKED"}
    found: dict[str, str] = {}

    def flower_states() -> bool:
        tasks = _get_json(f"{flower}/api/tasks?limit=1000")
        assert isinstance(tasks, dict)
        found.clear()
        for task in tasks.values():
            if run_id in str(task.get("kwargs")):
                found[task["name"]] = task["state"]
        return all(found.get(name) == state for name, state in wanted.items())

    _wait(flower_states, 20, f"Flower to show {wanted}")
    succeeded = {name.split(".", 1)[1] for name, state in found.items() if state == "SUCCESS"}
    assert succeeded <= ran, f"Flower shows steps that never ran as SUCCESS: {found}"


# -- counts ---------------------------------------------------------------------------------------
def test_dynamic_run_counts_every_mapped_step(run_orch) -> None:
    proc = run_orch("job", "submit", "-m", JOBS, "-j", "dynamic_8", "--wait", "--timeout", "90", timeout=120)
    assert proc.returncode == 0, show(proc)
    counts = re.findall(r"\[(\d+)/(\d+)\]", proc.stdout)
    assert len(counts) == 8, show(proc)
    # Every mapped step is counted from the moment fan_out registered them, not as they start.
    assert {total for _done, total in counts} == {"8"}, show(proc)
    assert re.search(r"fan_out: succeeded .*\[1/8\]", proc.stdout), show(proc)
    assert "(8/8 steps finished)" in proc.stdout, show(proc)

    run_id = UUID.search(proc.stdout).group(0)  # type: ignore[union-attr]
    shown = run_orch("run", "show", run_id)
    assert re.search(r"^Steps:\s+8/8 finished", shown.stdout, re.M), show(shown)
    order = re.findall(r"│ (fan_out|square\[k\d\]|add_up)\s", shown.stdout)
    assert order == ["fan_out", *[f"square[k{i}]" for i in range(6)], "add_up"], show(shown)


# -- pipes ----------------------------------------------------------------------------------------
def test_run_logs_into_a_closed_pipe_exits_0_without_a_traceback(env: dict[str, str], run_orch) -> None:
    proc = run_orch("job", "submit", "-m", JOBS, "-j", "chatty_job", "--wait", "--timeout", "60", timeout=90)
    assert proc.returncode == 0, show(proc)
    run_id = UUID.search(proc.stdout).group(0)  # type: ignore[union-attr]
    full = run_orch("run", "logs", run_id)
    assert len(full.stdout.encode()) > 128 * 1024, "the logs must overflow a pipe's buffer for this test"

    # `orch run logs RID | head -1`, with the shell's own pipe.
    piped = subprocess.run(["bash", "-c", f'"{ORCH}" run logs {run_id} | head -1; exit "${{PIPESTATUS[0]}}"'],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0, show(piped)
    assert piped.stdout.splitlines() == [full.stdout.splitlines()[0]], show(piped)
    assert piped.stderr == "", show(piped)


def test_cancel_reads_running_steps_again_when_one_starts_meanwhile(storage_instance: Instance) -> None:
    """``lua/finish_run.lua`` refuses a cancel that would leave a step started meanwhile "running"."""
    from orchestrator.distributed.keys import run_keys
    from orchestrator.execution.lifecycle import Lifecycle

    storage = storage_instance.storage
    run_id = f"cancel-race-{time.time_ns()}"
    k = run_keys(run_id)
    redis = storage_instance.redis
    redis.hset(k.record, mapping={"status": RunStatus.STARTED.value, "json": "{}"})
    redis.hset(k.running, "a", json.dumps({"worker": "w", "started": time.time() - 2}))
    lifecycle = Lifecycle(run_id, "race_job")
    seen: list[list[str]] = []

    def build(running: dict[str, dict]) -> tuple[list, list]:
        seen.append(sorted(running))
        if len(seen) == 1:  # step b starts between the read and the close
            redis.hset(k.running, "b", json.dumps({"worker": "w", "started": time.time()}))
        steps = [(key, lifecycle.step_failed(key, f"{key} canceled", canceled=True)) for key in sorted(running)]
        return steps, [lifecycle.run_canceled(list(running))]

    try:
        assert storage.cancel_run(run_id, "canceled", build) is not None
        assert seen == [["a"], ["a", "b"]]
        assert storage.step_statuses(run_id) == {"a": StepStatus.CANCELED, "b": StepStatus.CANCELED}
        assert storage.running_steps(run_id) == {}
        kinds = [(e.event_type.name, e.step_key) for e in storage.all_events(run_id)]
        assert kinds == [("STEP_FAILURE", "a"), ("STEP_FAILURE", "b"), ("RUN_CANCELED", None)], kinds
        assert storage.cancel_run(run_id, "canceled", build) is None  # closed already: changes nothing
        assert len(storage.all_events(run_id)) == 3
    finally:
        redis.delete(*[getattr(k, name) for name in ("record", "running", "status", "events", "end")])
