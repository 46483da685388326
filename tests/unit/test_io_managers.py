"""Tests for the filesystem and universal-pathlib IO managers and the ORCH_HOME defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orchestrator.definitions.io_managers.base import (
    InputContext,
    OutputContext,
    build_input_context,
    build_output_context,
)
from orchestrator.definitions.io_managers.fs import (
    FilesystemIOManager,
    OutputNotFoundError,
    PickledObjectFilesystemIOManager,
    fs_io_manager,
    safe_path_part,
)
from orchestrator.definitions.io_managers.redis import redis_io_manager
from orchestrator.definitions.io_managers.upath import UPathIOManager, upath_io_manager
from orchestrator.definitions.resources import build_init_resource_context
from orchestrator.errors import OrchestratorError
from orchestrator.home import default_storage_dir, orch_home

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Point:
    x: int
    y: int


@dataclass
class AssetKey:
    path: list[str]


def out_ctx(step_key: str = "add", name: str = "result", run_id: str = "run1", **kwargs: Any) -> OutputContext:
    return build_output_context(step_key=step_key, name=name, run_id=run_id, **kwargs)


def in_ctx(upstream: OutputContext, **kwargs: Any) -> InputContext:
    return build_input_context(name="x", step_key="downstream", upstream_output=upstream, **kwargs)


# --------------------------------------------------------------------------- home


def test_orch_home_uses_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    assert orch_home() == tmp_path / "home"
    assert default_storage_dir() == tmp_path / "home" / "storage"


def test_orch_home_defaults_to_dot_orch_in_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ORCH_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert orch_home() == tmp_path / ".orch"
    assert default_storage_dir() == tmp_path / ".orch" / "storage"


# --------------------------------------------------------------------------- fs


@pytest.mark.parametrize("value", [42, {"a": [1, 2], "b": {"c": None}}, Point(1, 2), None, b"\x00bytes"])
def test_fs_round_trip(tmp_path: Path, value: Any) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    out = out_ctx()
    manager.handle_output(out, value)
    assert manager.load_input(in_ctx(out)) == value


def test_fs_layout_and_metadata(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    out = out_ctx(step_key="outer.inner.op", name="out")
    manager.handle_output(out, 1)
    expected = tmp_path / "run1" / "outer.inner.op" / "out"
    assert expected.is_file()
    assert out.get_logged_metadata() == {"path": str(expected)}


def test_fs_mapping_keys_do_not_collide(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    outs = {key: out_ctx(step_key="emit", mapping_key=key) for key in ("a", "b", "c")}
    for key, ctx in outs.items():
        manager.handle_output(ctx, f"value-{key}")
    assert {key: manager.load_input(in_ctx(ctx)) for key, ctx in outs.items()} == {
        "a": "value-a", "b": "value-b", "c": "value-c"}
    assert (tmp_path / "run1" / "emit" / "result" / "b").is_file()


def test_fs_mapped_step_keys_are_sanitized_and_distinct(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    keys = ["process[k]", "process_k_", "process[k2]", "a/b", "..", "."]
    for key in keys:
        manager.handle_output(out_ctx(step_key=key), key)
    assert [manager.load_input(in_ctx(out_ctx(step_key=key))) for key in keys] == keys
    assert (tmp_path / "run1" / "process%5Bk%5D" / "result").is_file()
    # Nothing escaped the base directory or landed outside the run directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run1"]
    assert sorted(p.name for p in (tmp_path / "run1").iterdir()) == sorted(safe_path_part(k) for k in keys)


def test_safe_path_part_escapes_reversibly() -> None:
    assert safe_path_part("outer.inner.op") == "outer.inner.op"
    assert safe_path_part("process[k]") == "process%5Bk%5D"
    assert safe_path_part("a/b") == "a%2Fb"
    assert safe_path_part("..") == "%2E%2E"
    assert safe_path_part("%") == "%25"
    assert safe_path_part("é") == "%C3%A9"
    assert safe_path_part("") == "%"


def test_fs_runs_do_not_collide(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    manager.handle_output(out_ctx(run_id="r1"), 1)
    manager.handle_output(out_ctx(run_id="r2"), 2)
    assert manager.load_input(in_ctx(out_ctx(run_id="r1"))) == 1
    assert manager.load_input(in_ctx(out_ctx(run_id="r2"))) == 2


def test_fs_overwrite_replaces_value(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    manager.handle_output(out_ctx(), "old")
    manager.handle_output(out_ctx(), "new")
    assert manager.load_input(in_ctx(out_ctx())) == "new"
    assert [p.name for p in (tmp_path / "run1" / "add").iterdir()] == ["result"]


def test_fs_write_failure_leaves_previous_value_and_no_temp_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    manager.handle_output(out_ctx(), "previous")

    def crash(src: Any, dst: Any) -> None:
        assert Path(src).read_bytes(), "the temp file should hold the whole new value before the rename"
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        manager.handle_output(out_ctx(), "new value")
    with pytest.raises(OSError, match="simulated crash"):
        manager.handle_output(out_ctx(step_key="never"), "first value")
    monkeypatch.undo()

    assert manager.load_input(in_ctx(out_ctx())) == "previous"
    assert [p.name for p in (tmp_path / "run1" / "add").iterdir()] == ["result"]
    assert list((tmp_path / "run1" / "never").iterdir()) == []
    assert not manager.has_output(out_ctx(step_key="never"))


def test_fs_outputs_survive_a_new_process(tmp_path: Path) -> None:
    value = {"rows": [1, 2, 3], "name": "survivor", "nested": {"ok": True}}
    PickledObjectFilesystemIOManager(tmp_path).handle_output(out_ctx(step_key="produce[0]", run_id="r-sub"), value)
    code = (
        "import json, sys\n"
        "from orchestrator.definitions.io_managers.base import build_input_context, build_output_context\n"
        "from orchestrator.definitions.io_managers.fs import PickledObjectFilesystemIOManager\n"
        "up = build_output_context(step_key='produce[0]', name='result', run_id='r-sub')\n"
        "value = PickledObjectFilesystemIOManager(sys.argv[1]).load_input(build_input_context(upstream_output=up))\n"
        "print(json.dumps(value))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == value


def test_fs_missing_output_message(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    with pytest.raises(OutputNotFoundError) as info:
        manager.load_input(in_ctx(out_ctx(step_key="upstream_op", name="table")))
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, OrchestratorError)
    assert "output 'table' of step 'upstream_op'" in message
    assert "input 'x' of step 'downstream'" in message
    assert str(tmp_path / "run1" / "upstream_op" / "table") in message
    assert "never stored" in message
    assert "shared" in message


def test_fs_has_output(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    assert not manager.has_output(out_ctx())
    manager.handle_output(out_ctx(), 0)
    assert manager.has_output(out_ctx())
    assert not manager.has_output(out_ctx(name="other"))


def test_fs_asset_layout_is_run_independent(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    key = AssetKey(["a", "b"])
    manager.handle_output(out_ctx(run_id="run-1", step_key="a__b", asset_key=key), {"v": 1})
    assert (tmp_path / "a" / "b").is_file()
    later = out_ctx(run_id="run-2", step_key="a__b", asset_key=key)
    assert manager.load_input(in_ctx(later)) == {"v": 1}
    assert manager.load_input(in_ctx(out_ctx(run_id="run-2"), asset_key=key)) == {"v": 1}


def test_fs_asset_partitions_are_separate(tmp_path: Path) -> None:
    manager = PickledObjectFilesystemIOManager(tmp_path)
    key = AssetKey(["daily"])
    manager.handle_output(out_ctx(asset_key=key, partition_key="2024-01-01"), 1)
    manager.handle_output(out_ctx(asset_key=key, partition_key="2024-01-02"), 2)
    assert (tmp_path / "daily" / "2024-01-01").is_file()
    assert manager.load_input(in_ctx(out_ctx(), asset_key=key, partition_key="2024-01-02")) == 2
    with pytest.raises(OutputNotFoundError, match=r"asset daily \(partition '2024-01-03'\)"):
        manager.load_input(in_ctx(out_ctx(), asset_key=key, partition_key="2024-01-03"))


def test_fs_io_manager_defaults_to_orch_home_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    manager = fs_io_manager(build_init_resource_context(config={}))
    assert isinstance(manager, FilesystemIOManager)
    assert manager.base_dir == tmp_path / "home" / "storage"
    manager.handle_output(out_ctx(), 5)
    assert (tmp_path / "home" / "storage" / "run1" / "add" / "result").is_file()


def test_fs_io_manager_uses_configured_base_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    manager = fs_io_manager(build_init_resource_context(config={"base_dir": str(tmp_path / "custom")}))
    assert manager.base_dir == tmp_path / "custom"


# --------------------------------------------------------------------------- upath


def test_upath_memory_round_trip() -> None:
    base = f"memory://orch-test-{uuid.uuid4().hex}"
    manager = UPathIOManager(base)
    out = out_ctx(step_key="process[k]", mapping_key="m1")
    manager.handle_output(out, Point(3, 4))
    assert manager.has_output(out)
    assert manager.load_input(in_ctx(out)) == Point(3, 4)
    assert out.get_logged_metadata()["path"] == f"{base}/run1/process%5Bk%5D/result/m1"
    assert not manager.has_output(out_ctx(step_key="process[k]", mapping_key="m2"))


def test_upath_file_round_trip_shares_layout_with_fs(tmp_path: Path) -> None:
    manager = upath_io_manager(build_init_resource_context(config={"base_path": tmp_path.as_uri()}))
    manager.handle_output(out_ctx(step_key="outer.inner.op"), [1, 2, 3])
    assert manager.load_input(in_ctx(out_ctx(step_key="outer.inner.op"))) == [1, 2, 3]
    # Same layout and format as fs_io_manager: either can read what the other wrote.
    assert PickledObjectFilesystemIOManager(tmp_path).load_input(in_ctx(out_ctx(step_key="outer.inner.op"))) == [1, 2, 3]
    assert [p.name for p in (tmp_path / "run1" / "outer.inner.op").iterdir()] == ["result"]


def test_upath_file_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manager = UPathIOManager(tmp_path.as_uri())
    manager.handle_output(out_ctx(), "previous")

    def crash(src: Any, dst: Any) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        manager.handle_output(out_ctx(), "new")
    monkeypatch.undo()
    assert manager.load_input(in_ctx(out_ctx())) == "previous"
    assert [p.name for p in (tmp_path / "run1" / "add").iterdir()] == ["result"]


def test_upath_missing_output_message() -> None:
    base = f"memory://orch-test-{uuid.uuid4().hex}"
    with pytest.raises(OutputNotFoundError) as info:
        UPathIOManager(base).load_input(in_ctx(out_ctx(step_key="load_db", name="rows")))
    message = str(info.value)
    assert "output 'rows' of step 'load_db'" in message
    assert f"{base}/run1/load_db/rows" in message
    assert "never stored" in message


def test_upath_missing_backend_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "s3fs", None)  # makes `import s3fs` fail whether installed or not
    with pytest.raises(OrchestratorError) as info:
        UPathIOManager("s3://bucket/prefix")
    assert "pip install 'orchestrator[s3]'" in str(info.value)
    assert "s3://bucket/prefix" in str(info.value)


# --------------------------------------------------------------------------- redis (no server needed)


def test_redis_io_manager_without_url_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(OrchestratorError) as info:
        redis_io_manager(build_init_resource_context(config={}))
    assert "REDIS_URL" in str(info.value)
    assert "redis_url" in str(info.value)


def test_io_manager_modules_import_redis_and_upath_lazily() -> None:
    code = (
        "import sys, json\n"
        "import orchestrator\n"
        "before = {m for m in ('redis', 'upath', 'fsspec') if m in sys.modules}\n"
        "import orchestrator.definitions.io_managers.fs, orchestrator.definitions.io_managers.redis, orchestrator.definitions.io_managers.upath\n"
        "after = {m for m in ('redis', 'upath', 'fsspec') if m in sys.modules}\n"
        "print(json.dumps(sorted(after - before)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
