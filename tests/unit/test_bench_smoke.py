"""The benchmark runner keeps working: ``python -m bench.run --smoke`` (N=5, 1 repetition, no warm-up).

Not a timing test: it checks that the runner starts its redis-server and workers, runs every shape
for the project and both floors (plain Celery, Celery configured like us), measures submit latency,
Redis memory and the scaling rows, stops everything, and writes every field of the results file.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.local.processes import find_redis_server

ROOT = Path(__file__).resolve().parents[2]
TOP_FIELDS = {"rows": list, "in_process_ms_per_step": float, "plan_10k_s": float, "import_s": float,
              "import_api_s": float, "worker_rss_mb": float, "plain_worker_rss_mb": float,
              "configured_worker_rss_mb": float, "submit_latency": dict, "redis_memory": dict, "scaling": dict,
              "redis_commands": dict, "ui": dict, "checks": list, "machine": dict}
UI_FIELDS = ("runs_page_s", "api_runs_s", "run_page_s", "api_run_s")
SIDES = ("project", "plain", "configured")
ROW_FIELDS = {"shape": str, "n": int, "ratio_plain": float, "ratio_configured": float,
              **{f"{side}_s": float for side in SIDES}, **{f"{side}_times_s": list for side in SIDES}}


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
        assert all(t > 0 for side in SIDES for t in row[f"{side}_times_s"]), row
        for floor in ("plain", "configured"):
            pairs = zip(row["project_times_s"], row[f"{floor}_times_s"], strict=True)
            assert row[f"ratio_{floor}"] == pytest.approx(statistics.median(p / f for p, f in pairs), rel=0.01)
    assert results["worker_rss_mb"] > 0 and results["plain_worker_rss_mb"] > 0
    latency = results["submit_latency"]
    assert latency["project"]["to_op_body_s"] > 0 and latency["plain"]["to_task_body_s"] > 0, latency
    assert set(results["redis_memory"]) == {"chain_5", "fanout_5"}
    for mem in results["redis_memory"].values():
        assert mem["after"]["run_keys"]["keys"] > 0 and mem["after"]["run_keys"]["bytes"] > 0, mem
    assert [r["processes"] for r in results["scaling"]["rows"]] == [1, 2]
    assert all(r["project_s"] > 0 and r["plain_s"] > 0 for r in results["scaling"]["rows"])
    assert set(results["redis_commands"]) == set(SIDES)
    assert all(isinstance(c["holds"], bool) and c["target"] for c in results["checks"]), results["checks"]
    assert results["ui"]["run_steps"] == 50 and results["ui"]["runs_stored"] >= 201
    assert all(results["ui"][name] > 0 for name in UI_FIELDS), results["ui"]
    assert "plain Celery s" in proc.stdout and "vs plain" in proc.stdout  # the table went to stdout
    # a smoke run never replaces the figures of the last full run
    assert {p: p.stat().st_mtime_ns for p in kept if p.exists()} == before
