"""``orch dev``'s watcher: which edits of a code location it reports, and what it watches."""

from __future__ import annotations

import os
from pathlib import Path

from orchestrator.local.code_watch import CodeWatcher, watched_paths


def _touch(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_package_is_watched_recursively_and_only_python_files_count(tmp_path: Path) -> None:
    _touch(tmp_path / "pkg" / "__init__.py", "")
    _touch(tmp_path / "pkg" / "sub" / "jobs.py", "A = 1\n")
    _touch(tmp_path / "pkg" / "data.csv", "a,b\n")
    _touch(tmp_path / "pkg" / ".venv" / "lib.py", "")
    paths = watched_paths(tmp_path, module="pkg.sub.jobs")
    assert paths == [tmp_path / "pkg"]
    watcher = CodeWatcher(paths)
    assert watcher.changed() == []
    _touch(tmp_path / "pkg" / "data.csv", "a,b,c\n")
    _touch(tmp_path / "pkg" / ".venv" / "lib.py", "X = 1\n")
    assert watcher.changed() == []
    _touch(tmp_path / "pkg" / "sub" / "jobs.py", "A = 2\n")  # same size: the time tells
    os.utime(tmp_path / "pkg" / "sub" / "jobs.py", ns=(1, 1))
    assert watcher.changed() == [tmp_path / "pkg" / "sub" / "jobs.py"]
    _touch(tmp_path / "pkg" / "new.py", "")
    assert watcher.changed() == [tmp_path / "pkg" / "new.py"]
    (tmp_path / "pkg" / "new.py").unlink()
    assert watcher.changed() == [tmp_path / "pkg" / "new.py"]
    assert watcher.changed() == []


def test_a_single_module_or_file_is_watched_with_its_sibling_modules_only(tmp_path: Path) -> None:
    _touch(tmp_path / "parts.py", "")
    _touch(tmp_path / "helper.py", "")
    _touch(tmp_path / "deeper" / "other.py", "")
    assert watched_paths(tmp_path, module="parts") == [tmp_path / "parts.py", tmp_path]
    watcher = CodeWatcher(watched_paths(tmp_path, file=str(tmp_path / "parts.py")))
    _touch(tmp_path / "deeper" / "other.py", "changed = True\n")
    assert watcher.changed() == []
    _touch(tmp_path / "helper.py", "changed = True\n")
    assert watcher.changed() == [tmp_path / "helper.py"]
