"""Watching a code location's files for ``orch dev``: a poll of the ``.py`` files' sizes and times.

Polling needs no dependency and works on every file system (bind mounts and network disks
included, where change notifications often do not arrive); a code location is at most a few
thousand files, so a scan costs milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["CodeWatcher", "watched_paths"]

# Directories that hold no code of the location: environments, caches, version control.
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", ".venv", "env", "build", "dist"})
_MAX_FILES = 20000


def watched_paths(module_root: Path, module: str | None = None, file: str | None = None) -> list[Path]:
    """What to watch for a code location: a package's directory (recursively), or for a single
    module or a ``-f`` file, the ``.py`` files of its folder."""
    if module is not None:
        top = module.split(".")[0]
        package = module_root / top
        return [package] if package.is_dir() else [module_root / f"{top}.py", module_root]
    if file is not None:
        path = Path(file).resolve()
        return [path, path.parent]
    return []


class CodeWatcher:
    """Remembers the ``.py`` files under ``paths`` and tells which changed since the last look.

    A directory is scanned recursively, except that a directory given after a file (a module's
    folder) is scanned only one level deep: its sibling modules, not everything below it.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._snapshot = self._scan()

    def _files(self) -> Iterator[Path]:
        shallow = False
        for path in self.paths:
            if path.is_file():
                shallow = True
                yield path
            elif path.is_dir():
                yield from self._walk(path, shallow)

    def _walk(self, root: Path, shallow: bool) -> Iterator[Path]:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [] if shallow else [d for d in dirnames if d not in _SKIPPED_DIRS and not d.startswith(".")]
            for name in filenames:
                if name.endswith(".py"):
                    yield Path(dirpath) / name

    def _scan(self) -> dict[Path, tuple[int, int]]:
        found: dict[Path, tuple[int, int]] = {}
        for path in self._files():
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
            if len(found) >= _MAX_FILES:
                break
        return found

    def changed(self) -> list[Path]:
        """Files added, removed or modified since the previous call (or since creation)."""
        now = self._scan()
        before = self._snapshot
        self._snapshot = now
        return sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))
