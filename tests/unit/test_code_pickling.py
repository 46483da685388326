"""Shipped code keeps its file names (``execution/code_pickling.py``), and its blob stays deterministic."""

from __future__ import annotations

import pickle
import sys
import traceback
from pathlib import Path

import cloudpickle
import pytest

from orchestrator.execution.code_pickling import dumps_keeping_file_names

SOURCE = '''\
def outer(x):
    def inner():
        raise ValueError(f"bad {x}")
    return inner()
'''


@pytest.fixture
def by_value_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "pickled_by_value_mod.py").write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import pickled_by_value_mod

    cloudpickle.register_pickle_by_value(pickled_by_value_mod)
    yield pickled_by_value_mod
    cloudpickle.unregister_pickle_by_value(pickled_by_value_mod)
    sys.modules.pop("pickled_by_value_mod", None)


def test_code_pickled_by_value_keeps_its_file_and_lines(by_value_module, tmp_path: Path) -> None:
    blob = dumps_keeping_file_names(by_value_module.outer)
    loaded = pickle.loads(blob)
    assert loaded is not by_value_module.outer  # rebuilt from the blob, not imported
    with pytest.raises(ValueError, match="bad 7") as caught:
        loaded(7)
    frames = [(f.filename, f.lineno, f.name) for f in traceback.extract_tb(caught.value.__traceback__)][1:]
    path = str(tmp_path / "pickled_by_value_mod.py")
    assert frames == [(path, 4, "outer"), (path, 3, "inner")]


def test_the_same_code_pickles_to_the_same_bytes(by_value_module) -> None:
    # A blob's hash is its code version: submitting the same job twice must not make a new one.
    assert dumps_keeping_file_names(by_value_module.outer) == dumps_keeping_file_names(by_value_module.outer)


def test_plain_cloudpickle_loses_the_file_name(by_value_module) -> None:
    # What this module is for: cloudpickle alone writes "<dynamic-code>" (if it stops doing so,
    # dumps_keeping_file_names can go).
    loaded = pickle.loads(cloudpickle.dumps(by_value_module.outer))
    assert loaded.__code__.co_filename == "<dynamic-code>"


JOB_SOURCE = '''\
from orchestrator import job, multiprocess_executor, op


@op
def explode():
    raise ValueError("exploded")


@job(executor_def=multiprocess_executor)
def exploding():
    explode()
'''


def test_multiprocess_children_name_the_file_of_code_pickled_by_value(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A job from a script or notebook is pickled by value to the pool's children: their
    # tracebacks must name its file, as shipped blobs' do on workers.
    from orchestrator import execute_job

    (tmp_path / "pickled_mp_job.py").write_text(JOB_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    import pickled_mp_job

    cloudpickle.register_pickle_by_value(pickled_mp_job)
    try:
        result = execute_job(pickled_mp_job.exploding, raise_on_error=False)
    finally:
        cloudpickle.unregister_pickle_by_value(pickled_mp_job)
        sys.modules.pop("pickled_mp_job", None)
    error = result.failure_data_for_node("explode").error
    assert str(error) == "ValueError: exploded"
    text = "".join(error.stack)
    assert f'File "{tmp_path / "pickled_mp_job.py"}", line 6, in explode' in text
    assert "<dynamic-code>" not in text
