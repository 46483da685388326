"""The benchmark runner keeps working: ``python -m bench.run --smoke`` (N=5, 1 repetition, no warm-up).

Not a timing test: it checks that the runner starts its redis-server and workers, runs every shape
for the project and the floor, stops everything, and writes every field of the results file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.local.processes import find_redis_server

ROOT = Path(__file__).resolve().parents[2]
TOP_FIELDS = {"rows": list, "in_process_ms_per_step": float, "plan_10k_s": float, "import_s": float,
              "worker_rss_mb": float, "floor_worker_rss_mb": float, "ui": dict}
UI_FIELDS = ("runs_page_s", "api_runs_s", "run_page_s", "api_run_s")
ROW_FIELDS = {"shape": str, "n": int, "project_s": float, "floor_s": float, "ratio": float}


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_bench_runner_smoke(tmp_path: Path) -> None:
    if find_redis_server() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI (make test installs it)")
        pytest.skip("redis-server is not installed")
    out = tmp_path / "results.json"
    kept = [ROOT / "bench" / "RESULTS.md", ROOT / "bench" / "results.json"]
    before = {p: p.stat().st_mtime_ns for p in kept if p.exists()}
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=100)
    assert proc.returncode == 0, f"bench runner failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    results = json.loads(out.read_text())
    for name, kind in TOP_FIELDS.items():
        assert isinstance(results.get(name), kind), f"{name} missing or not {kind.__name__}: {results.get(name)!r}"
    assert {row["shape"] for row in results["rows"]} == {"chain", "fanout", "dynamic"}
    for row in results["rows"]:
        for name, kind in ROW_FIELDS.items():
            assert isinstance(row.get(name), kind), f"row {row} lacks {name} ({kind.__name__})"
        assert row["n"] == 5
        assert row["project_s"] > 0 and row["floor_s"] > 0
        assert row["ratio"] == pytest.approx(row["project_s"] / row["floor_s"], rel=0.01)
    assert results["worker_rss_mb"] > 0 and results["floor_worker_rss_mb"] > 0
    assert results["ui"]["run_steps"] == 50 and results["ui"]["runs_stored"] >= 201
    assert all(results["ui"][name] > 0 for name in UI_FIELDS), results["ui"]
    assert "shape" in proc.stdout and "ratio" in proc.stdout  # the table went to stdout
    # a smoke run never replaces the figures of the last full run
    assert {p: p.stat().st_mtime_ns for p in kept if p.exists()} == before
