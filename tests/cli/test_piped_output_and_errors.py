"""What ``orch`` writes into a pipe (issue 18): lines that are not wrapped, and error lines that
start with what went wrong rather than an exception class name.

The console script runs for real in a subprocess with its stdout a pipe, as in ``orch ... | grep``
or CI logs, and without ``COLUMNS`` (rich would otherwise wrap at 80 columns).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORCH = str(Path(sys.executable).parent / "orch")


def orch(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PYTHONPATH", "REDIS_URL")}
    env["ORCH_HOME"] = str(home)
    # capture_output: stdout and stderr are pipes, not a terminal, as in `orch ... | grep`.
    return subprocess.run([ORCH, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def deep_folder(tmp_path: Path) -> Path:
    """A folder whose path is longer than any terminal (and than rich's old 200-column pipe width)."""
    folder = tmp_path.joinpath(*(f"a_rather_long_folder_name_number_{i}" for i in range(10)))
    folder.mkdir(parents=True)
    assert len(str(folder)) > 300
    return folder


def test_a_long_path_stays_on_one_line_through_a_pipe(tmp_path: Path) -> None:
    folder = deep_folder(tmp_path)
    data = folder / "orders.csv"
    jobs = folder / "jobs.py"
    jobs.write_text(
        "from orchestrator import job, op\n\n\n"
        "@op\ndef load():\n    return 1\n\n\n"
        f"@job(description='Loads {data}')\ndef load_orders():\n    load()\n"
    )
    listed = orch("job", "list", "-f", str(jobs), home=tmp_path / "home")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    # The heading names the file, the table's description cell the data file: each whole on one line.
    assert any(str(jobs) in line for line in lines), listed.stdout
    assert any(f"Loads {data}" in line and "load_orders" in line for line in lines), listed.stdout

    shown = orch("job", "show", "-f", str(jobs), "-j", "load_orders", home=tmp_path / "home")
    assert shown.returncode == 0, shown.stderr
    assert f"Loads {data}" in shown.stdout.splitlines(), shown.stdout


def test_help_is_still_wrapped_by_click(tmp_path: Path) -> None:
    # Help text is click's, not rich's: it keeps click's own width (80 columns off a terminal).
    proc = orch("dev", "--help", home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: orch dev [OPTIONS]")
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80, proc.stdout


def test_an_error_line_starts_with_what_went_wrong(tmp_path: Path) -> None:
    # An `orch dev` already running for this ORCH_HOME: dev.json names a live pid (this test's).
    home = tmp_path / "home"
    home.mkdir()
    (home / "dev.json").write_text(json.dumps({"pid": os.getpid(), "redis_url": "redis://:pw@127.0.0.1:1/0"}))
    proc = orch("dev", home=home)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    error = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert error == [f"Error: `orch dev` is already running for ORCH_HOME={home} (pid {os.getpid()}, Redis at "
                     f"redis://:***@127.0.0.1:1/0). Stop it first, or use another ORCH_HOME."], proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_definition_error_in_a_file_names_the_file_without_the_class_name(tmp_path: Path) -> None:
    jobs = tmp_path / "bad_name.py"
    jobs.write_text("from orchestrator import op\n\n\n@op(name='not a name')\ndef fine():\n    return 1\n")
    proc = orch("job", "list", "-f", str(jobs), home=tmp_path / "home")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = next(line for line in proc.stderr.splitlines() if line.startswith("Error: "))
    assert line.startswith(f"Error: Could not import file '{jobs}': "), line
    assert "not a name" in line and f"(at {jobs}:4)" in line, line
    assert "DefinitionError" not in line and "Traceback" not in proc.stderr, proc.stderr
