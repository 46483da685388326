"""`make demo` from a fresh clone, on a machine where redis-server is not on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _path_without_redis(shim: Path) -> str:
    """A PATH with every usual tool but no redis-server (merged-/usr systems share /bin and /usr/bin)."""
    dirs = []
    for i, src in enumerate(["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]):
        if not Path(src).is_dir():
            continue
        target = shim / str(i)
        target.mkdir(parents=True)
        for entry in Path(src).iterdir():
            if entry.name.startswith("redis-"):
                continue
            try:
                (target / entry.name).symlink_to(entry)
            except FileExistsError:
                pass
        dirs.append(str(target))
    return os.pathsep.join(dirs)


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def test_make_demo_from_a_fresh_clone_without_redis_on_path(tmp_path: Path) -> None:
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("git and make are needed")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ORCH_SECRET", "VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = _path_without_redis(tmp_path / "shim")
    env["ORCH_HOME"] = str(tmp_path / "home")
    probe = subprocess.run(["sh", "-c", "command -v redis-server || echo none"], env=env, capture_output=True,
                           text=True, timeout=10)
    assert probe.stdout.strip() == "none"
    proc = subprocess.run(["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-5000:]
    assert "Demo result" in output and '"orders": 3000' in output
    assert "Stopped Redis, the workers and Flower." in output
    leftovers = _processes_mentioning(str(tmp_path))
    assert not leftovers, leftovers
