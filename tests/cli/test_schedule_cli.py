"""``orch schedule`` / ``orch sensor`` / ``orch scheduler`` without a Redis: previews work offline,
the rest fail cleanly (exit 2, no traceback) naming what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = str(Path(__file__).resolve().parent / "fixtures" / "scheduled.py")
ORCH = str(Path(sys.executable).parent / "orch")


@pytest.fixture
def orch(tmp_path: Path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ORCH_SECRET", "PYTHONPATH")}
        env.update(ORCH_HOME=str(tmp_path), COLUMNS="200")
        return subprocess.run([ORCH, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    return run


def test_preview_shows_the_next_ticks_in_the_timezone_and_the_run_requested(orch) -> None:
    proc = orch("schedule", "preview", "hourly", "-f", CODE, "-n", "3")
    assert proc.returncode == 0, proc.stderr
    ticks = [line.strip() for line in proc.stdout.splitlines() if line.startswith("  20")]
    assert len(ticks) == 3 and all(":15:00+0" in t for t in ticks), proc.stdout
    assert "'15 * * * *' in Europe/Paris, job greet_job" in proc.stdout
    assert "would request 1 run(s)" in proc.stdout and "job greet_job" in proc.stdout
    assert "'dagster/schedule_name': 'hourly'" in proc.stdout and "greeting: hello" in proc.stdout


def test_preview_reports_a_bad_request_and_a_raising_function_with_exit_1(orch) -> None:
    bad = orch("schedule", "preview", "bad_config", "-f", CODE)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "RunRequest 1 of schedule 'bad_config': invalid run config for job 'greet_job'" in bad.stderr
    assert "Traceback" not in bad.stderr
    raising = orch("schedule", "preview", "raising", "-f", CODE)
    assert raising.returncode == 1
    assert "raised ValueError: no greeting today" in raising.stderr and "Traceback" not in raising.stderr


def test_unknown_schedule_lists_those_defined(orch) -> None:
    proc = orch("schedule", "preview", "nope", "-f", CODE)
    assert proc.returncode == 2
    assert "No schedule named 'nope'" in proc.stderr and "Schedules defined: hourly, bad_config, raising" in proc.stderr
    sensor = orch("sensor", "start", "nope", "-f", CODE)
    assert sensor.returncode == 2 and "Sensors defined: greetings" in sensor.stderr


@pytest.mark.parametrize("args", [
    ("scheduler", "start", "-f", CODE),
    ("schedule", "list", "-f", CODE),
    ("schedule", "start", "hourly", "-f", CODE),
    ("schedule", "ticks", "hourly"),
    ("sensor", "list", "-f", CODE),
    ("sensor", "cursor", "greetings"),
], ids=lambda a: " ".join(a[:2]))
def test_commands_needing_redis_fail_cleanly_without_it(orch, args: tuple[str, ...]) -> None:
    proc = orch(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "REDIS_URL is not set" in proc.stderr and "Traceback" not in proc.stderr
