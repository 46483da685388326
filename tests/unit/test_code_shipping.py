"""How a job travels to workers (pointer or signed blob, by the documented rule) and the version of
its code: what a submitter records, and what a worker process does when its loaded code differs.

No server. Workers are simulated by fresh Python processes, so that imports, ``sys.modules`` and the
hashing import finder of one case never leak into another (or into this test process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator.cli.loading import import_user_file
from orchestrator.distributed.code import code_ref_for, importable_on_workers
from orchestrator.distributed.code_versions import pointer_version

ROOT = Path(__file__).resolve().parents[2]


class _Blobs:
    """Stands in for the Redis client where only blob storage is exercised (set/expire/exists/get)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.ttls: dict[str, int] = {}

    def set(self, key: str, value: bytes, nx: bool = False, ex: int | None = None) -> bool:
        if nx and key in self.data:
            return False
        self.data[key] = value
        if ex is not None:
            self.ttls[key] = ex
        return True

    def expire(self, key: str, seconds: int) -> bool:
        if key not in self.data:
            return False
        self.ttls[key] = seconds
        return True

    def exists(self, key: str) -> int:
        return int(key in self.data)

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)


JOB_SOURCE = '''
from orchestrator import job, op
from {helper} import VALUE


@op
def produce():
    return VALUE


@job
def {job}():
    produce()
'''


def _write_module(folder: Path, name: str, value: str) -> Path:
    """A job module ``name`` and its helper ``name_helper`` (holding ``VALUE``) in ``folder``."""
    (folder / f"{name}_helper.py").write_text(f"VALUE = {value!r}\n")
    path = folder / f"{name}.py"
    path.write_text(JOB_SOURCE.format(helper=f"{name}_helper", job=f"{name}_job"))
    return path


def test_a_file_run_from_its_own_folder_ships_as_a_blob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bug: the submitter counted its working directory as shared with the workers.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    path = _write_module(tmp_path, "parts_a", "one")
    module = import_user_file(str(path))
    assert not importable_on_workers(module.__name__)
    blobs = _Blobs()
    ref = code_ref_for(module.parts_a_job, blobs, "secret")  # type: ignore[arg-type]
    assert ref.blob_sha256 and ref.module is None and ref.version == ref.blob_sha256
    assert blobs.exists(f"orch:code:{ref.blob_sha256}")
    # A process elsewhere (a worker without this folder) runs it: the file's module and its
    # helper went by value.
    blob_file = tmp_path / "blob"
    blob_file.write_bytes(blobs.data[f"orch:code:{ref.blob_sha256}"][32:])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = ("import cloudpickle, sys; job = cloudpickle.loads(open(sys.argv[1], 'rb').read()); "
              "print(job.execute_in_process().output_for_node('produce'))")
    proc = subprocess.run([sys.executable, "-c", script, str(blob_file)], cwd=elsewhere, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "one", proc.stderr


def test_a_file_whose_folder_is_on_pythonpath_ships_as_a_pointer(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    path = _write_module(tmp_path, "parts_b", "two")
    module = import_user_file(str(path))
    assert importable_on_workers("parts_b") and importable_on_workers("parts_b_helper")
    ref = code_ref_for(module.parts_b_job, _Blobs(), "secret")  # type: ignore[arg-type]
    assert (ref.module, ref.attr, ref.blob_sha256) == ("parts_b", "parts_b_job", None)
    assert ref.root == str(tmp_path.resolve())
    assert set(ref.modules) == {"parts_b", "parts_b_helper"}, ref.modules
    assert all(v.startswith("sha256:") for v in ref.modules.values())


def test_what_counts_as_importable_on_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    import definitions.seed_op_job  # noqa: F401 - part of the editable install of this project

    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert importable_on_workers("definitions.seed_op_job")  # an installed (editable) distribution
    assert importable_on_workers(yaml.__name__)  # site-packages
    assert not importable_on_workers("__main__")


def test_a_module_passed_with_m_is_a_pointer_whatever_the_rule(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    _write_module(tmp_path, "parts_c", "three")
    from orchestrator.cli.loading import load_code

    code = load_code("parts_c", None)
    pointer = code.code_pointer("parts_c_job")
    assert pointer == "parts_c:parts_c_job"
    ref = code_ref_for(code.get_job("parts_c_job"), _Blobs(), "secret", pointer)  # type: ignore[arg-type]
    assert ref.module == "parts_c" and ref.root == str(tmp_path.resolve()) and ref.version
    assert load_code(None, str(tmp_path / "parts_c.py")).code_pointer("parts_c_job") is None


def test_the_version_covers_the_job_modules_and_their_imports_not_the_framework(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    path = _write_module(tmp_path, "parts_d", "four")
    module = import_user_file(str(path))
    version, modules = pointer_version(module.parts_d_job, "parts_d")
    assert set(modules) == {"parts_d", "parts_d_helper"}
    (tmp_path / "parts_d_helper.py").write_text("VALUE = 'FOUR'\n")  # same size, other bytes
    version2, modules2 = pointer_version(module.parts_d_job, "parts_d")
    assert version2 != version and modules2["parts_d"] == modules["parts_d"]
    assert modules2["parts_d_helper"] != modules["parts_d_helper"]


# -- a worker process -----------------------------------------------------------------------------
SUBMITTER = '''
import json, sys
sys.path.insert(0, sys.argv[1])
import importlib
module = importlib.import_module(sys.argv[2])
from orchestrator.distributed.code import code_ref_for
ref = code_ref_for(getattr(module, sys.argv[3]), None, "s", sys.argv[2] + ":" + sys.argv[3])
print(ref.model_dump_json())
'''

WORKER = '''
import json, sys
from orchestrator.distributed.code import load_job
from orchestrator.distributed.records import CodeRef

def run(ref_json):
    ref = CodeRef.model_validate_json(ref_json)
    try:
        job = load_job(ref, None, None, check_version=True, run_id="RID")
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    result = job.execute_in_process()
    return {"value": result.output_for_node("produce")}

for line in sys.stdin:
    command, _, arg = line.rstrip("\\n").partition(" ")
    if command == "run":
        print(json.dumps(run(arg)), flush=True)
    elif command == "write":
        path, _, text = arg.partition(" ")
        open(path, "w").write(json.loads(text))
        print(json.dumps({"written": path}), flush=True)
'''


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}"}


def _submit(folder: Path, module: str) -> str:
    proc = subprocess.run([sys.executable, "-c", SUBMITTER, str(folder), module, f"{module}_job"],
                          capture_output=True, text=True, env=_env(folder), timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


class _Worker:
    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=_env(folder), cwd=folder)

    def ask(self, line: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, self.proc.stderr.read() if self.proc.stderr else ""
        return dict(json.loads(answer))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def test_a_worker_reimports_changed_code_and_refuses_code_that_changed_again(tmp_path: Path) -> None:
    _write_module(tmp_path, "edited", "v1")
    ref1 = _submit(tmp_path, "edited")
    worker = _Worker(tmp_path)
    try:
        assert worker.ask(f"run {ref1}") == {"value": "v1"}
        # Edit the helper within the same second, same size: a timestamp-checked .pyc would be stale.
        (tmp_path / "edited_helper.py").write_text("VALUE = 'v2'\n")
        ref2 = _submit(tmp_path, "edited")
        assert json.loads(ref2)["version"] != json.loads(ref1)["version"]
        assert worker.ask(f"run {ref2}") == {"value": "v2"}
        # A run of the first version already loaded here keeps its own code (not mixed with v2).
        assert worker.ask(f"run {ref1}") == {"value": "v1"}
    finally:
        worker.close()
    # A fresh worker process has only the files, which hold v2: the v1 run is refused, named.
    fresh = _Worker(tmp_path)
    try:
        answer = fresh.ask(f"run {ref1}")
        assert answer["error"] == "CodeChangedError", answer
        message = answer["message"]
        assert "edited_helper" in message and "run RID" in message and "orch run reexecute RID" in message
        assert "edited_job" in message
        assert fresh.ask(f"run {ref2}") == {"value": "v2"}
    finally:
        fresh.close()


def test_a_worker_that_cannot_import_the_pointer_says_where_the_submitter_had_it(tmp_path: Path) -> None:
    _write_module(tmp_path, "elsewhere", "x")
    ref = _submit(tmp_path, "elsewhere")
    other = tmp_path / "other"
    other.mkdir()
    worker = _Worker(other)  # PYTHONPATH of this worker: "other", not the module's folder
    try:
        answer = worker.ask(f"run {ref}")
    finally:
        worker.close()
    assert answer["error"] == "CodeLoadError", answer
    assert "elsewhere" in answer["message"] and str(tmp_path.resolve()) in answer["message"]
