"""``orch backfill``'s errors that need no Redis: they are reported before it is looked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ORCH = str(Path(sys.executable).parent / "orch")
REGIONAL = ["-f", str(FIXTURES / "partitioned_job.py"), "-j", "regional_job"]


@pytest.fixture
def orch(tmp_path: Path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # No REDIS_URL and no dev.json in this home: a command that reached Redis would say so.
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTHONPATH")}
        env.update(ORCH_HOME=str(tmp_path), COLUMNS="200")
        return subprocess.run([ORCH, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    return run


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr and not proc.stdout.strip()
    for needle in needles:
        assert needle in proc.stderr, f"{needle!r} not in stderr:\n{proc.stderr}"


def test_help_shows_the_ways_to_choose_partitions(orch) -> None:
    proc = orch("backfill", "--help")
    assert proc.returncode == 0, proc.stderr
    for option in ("--all", "--partitions", "--from", "--to", "--max-concurrent", "list", "status", "cancel"):
        assert option in proc.stdout


def test_a_job_is_needed(orch) -> None:
    assert_clean_error(orch("backfill"), "Say which job to backfill", "orch backfill list")


def test_one_way_to_choose(orch) -> None:
    assert_clean_error(orch("backfill", *REGIONAL), "Choose the partitions of job 'regional_job' one way")
    assert_clean_error(orch("backfill", *REGIONAL, "--all", "--partitions", "eu"), "one way")


def test_unknown_partitions_and_ranges(orch) -> None:
    assert_clean_error(orch("backfill", *REGIONAL, "--partitions", "eu,asia"),
                       "Job 'regional_job' has no partition 'asia' (partitions: eu, us).")
    assert_clean_error(orch("backfill", *REGIONAL, "--from", "us", "--to", "eu"), "--from 'us' comes after --to 'eu'")


def test_max_concurrent_must_be_positive(orch) -> None:
    proc = orch("backfill", *REGIONAL, "--all", "--max-concurrent", "0")
    assert proc.returncode == 2 and "--max-concurrent" in proc.stderr, proc.stderr


def test_a_good_choice_then_needs_redis(orch) -> None:
    assert_clean_error(orch("backfill", *REGIONAL, "--all"), "REDIS_URL is not set")


def test_subcommands_take_no_job(orch) -> None:
    assert_clean_error(orch("backfill", "-j", "regional_job", "list"), "`orch backfill list` takes no code location")
