"""Code on workers: a run runs the code it was submitted with, and code travels by what workers can import.

Real redis-server and Celery workers on the product's defaults (no ``ORCH_*`` tuning variable);
the user code lives in temporary directories that are on the workers' PYTHONPATH, as a project
directory would be, and submits go through the real ``orch`` console script.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestrator import EventType, Instance, get_run
from orchestrator.local.processes import CeleryWorker, RedisServer
from orchestrator.status import RunStatus

ROOT = Path(__file__).resolve().parents[2]
ORCH = str(Path(sys.executable).parent / "orch")
SECRET = "code-versions-secret"

JOB = '''
from orchestrator import job, op
from {name}_helper import VALUE


@op
def report(context):
    context.log.info("value: " + VALUE)
    return VALUE


@job
def {name}():
    report()
'''

FLAKY = '''
import os

from orchestrator import job, op


@op
def first():
    return 1


@op
def needs_flag(x):
    if not os.path.exists({flag!r}):
        raise RuntimeError("no flag yet")
    return x + 1


@job
def local_module():
    needs_flag(first())
'''


@dataclass
class Setup:
    instance: Instance
    projects: Path  # on the workers' PYTHONPATH
    scratch: Path  # nowhere on anybody's path
    workdir: Path
    env: dict[str, str]  # a submitter's environment: the connection, no PYTHONPATH

    def worker_env(self) -> dict[str, str]:
        return {**self.env, "PYTHONPATH": os.pathsep.join([str(self.projects), str(ROOT)])}

    def orch(self, *args: str, cwd: Path, pythonpath: Path | None = None, timeout: float = 90) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        return subprocess.run([ORCH, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def setup(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    home = os.environ["ORCH_HOME"]
    projects = tmp_path_factory.mktemp("projects")
    scratch = tmp_path_factory.mktemp("scratch")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORCH_", "REDIS_")) and k != "PYTHONPATH"}
    env.update({"REDIS_URL": redis_server.url, "ORCH_HOME": home, "ORCH_SECRET": SECRET, "COLUMNS": "200"})
    s = Setup(Instance(redis_url=redis_server.url, home=home, secret=SECRET), projects, scratch,
              tmp_path_factory.mktemp("code-workers"), env)
    worker = CeleryWorker("code1", s.workdir, s.worker_env(), concurrency=1, cwd=scratch)
    worker.start()
    try:
        yield s
    finally:
        worker.stop()


def _write_job(folder: Path, name: str, value: str) -> None:
    (folder / f"{name}_helper.py").write_text(f"VALUE = {value!r}\n")
    (folder / f"{name}.py").write_text(JOB.format(name=name))


def _run_id(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()[0]


def _logged(instance: Instance, run_id: str) -> list[str]:
    return [e.message for e in instance.storage.all_events(run_id) if e.event_type is EventType.LOG]


def test_a_pointer_job_edited_between_two_submits_runs_the_new_code(setup: Setup) -> None:
    _write_job(setup.projects, "edited_job", "v1")
    # Submitted from elsewhere, the module importable by PYTHONPATH as on the workers.
    first = _run_id(setup.orch("job", "submit", "-m", "edited_job", "-j", "edited_job", cwd=setup.scratch,
                               pythonpath=setup.projects))
    result = get_run(first, setup.instance).wait(timeout=60)
    assert result.success and _logged(setup.instance, first) == ["value: v1"]
    # Same size, same second: only the bytes differ (a timestamp-checked .pyc would be stale).
    (setup.projects / "edited_job_helper.py").write_text("VALUE = 'v2'\n")
    second = _run_id(setup.orch("job", "submit", "-m", "edited_job", "-j", "edited_job", cwd=setup.scratch,
                                pythonpath=setup.projects))
    result = get_run(second, setup.instance).wait(timeout=60)
    assert result.success and _logged(setup.instance, second) == ["value: v2"]
    codes = [setup.instance.storage.get_run(r).record.code for r in (first, second)]
    assert codes[0].version and codes[1].version and codes[0].version != codes[1].version
    assert codes[0].modules["edited_job"] == codes[1].modules["edited_job"]
    assert codes[0].modules["edited_job_helper"] != codes[1].modules["edited_job_helper"]


def test_a_run_whose_code_changed_before_it_ran_fails_naming_the_change_then_reexecutes(setup: Setup) -> None:
    _write_job(setup.projects, "changed_job", "before")
    later = setup.scratch / "later.yaml"
    later.write_text("execution:\n  config:\n    queue: later\n")  # a queue no worker consumes yet
    run_id = _run_id(setup.orch("job", "submit", "-m", "changed_job", "-j", "changed_job", "-c", str(later),
                                cwd=setup.scratch, pythonpath=setup.projects))
    (setup.projects / "changed_job_helper.py").write_text("VALUE = 'after!'\n")
    worker = CeleryWorker("later1", setup.workdir, setup.worker_env(), concurrency=1, queues=("later",),
                          cwd=setup.scratch)
    worker.start()
    try:
        result = get_run(run_id, setup.instance).wait(timeout=60)
        assert result.status is RunStatus.FAILURE
        reason = setup.instance.storage.get_run(run_id).reason or ""
        assert "changed after run" in reason and "changed_job_helper" in reason, reason
        assert f"orch run reexecute {run_id}" in reason, reason
        assert _logged(setup.instance, run_id) == []  # nothing ran with the other code
        # The fix the message gives, from a directory where the module is not importable at all.
        elsewhere = setup.scratch / "elsewhere"
        elsewhere.mkdir()
        proc = setup.orch("run", "reexecute", run_id, "--all", cwd=elsewhere)
        new_run = _run_id(proc)
        assert get_run(new_run, setup.instance).wait(timeout=60).success
        assert _logged(setup.instance, new_run) == ["value: after!"]
    finally:
        worker.stop()


def test_reexecute_of_a_run_submitted_with_m_local_module_works_from_another_directory(setup: Setup) -> None:
    flag = setup.scratch / "flag"
    (setup.projects / "local_module.py").write_text(FLAKY.format(flag=str(flag)))
    # As a user would: cd into the project, submit with -m, no PYTHONPATH.
    run_id = _run_id(setup.orch("job", "submit", "-m", "local_module", "-j", "local_module", cwd=setup.projects))
    assert get_run(run_id, setup.instance).wait(timeout=60).status is RunStatus.FAILURE
    assert setup.instance.storage.get_run(run_id).record.code.root == str(setup.projects.resolve())
    flag.write_text("")
    proc = setup.orch("run", "reexecute", run_id, "--wait", cwd=setup.scratch)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_submit_f_from_the_files_own_folder_runs_on_workers(setup: Setup) -> None:
    folder = setup.scratch / "script_dir"  # not on the workers' PYTHONPATH
    folder.mkdir()
    _write_job(folder, "parts", "from a file")
    run_id = _run_id(setup.orch("job", "submit", "-f", "parts.py", "-j", "parts", cwd=folder))
    record = setup.instance.storage.get_run(run_id).record
    assert record.code.blob_sha256 and record.code.module is None
    assert get_run(run_id, setup.instance).wait(timeout=60).success
    assert _logged(setup.instance, run_id) == ["value: from a file"]
