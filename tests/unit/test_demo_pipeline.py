"""The demo pipeline (definitions/demo) run in process: exact totals, report file, dynamic step keys."""

from __future__ import annotations

import csv
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from definitions.demo.pipeline import (
    DATA_FILE,
    DEFAULT_CHUNKS,
    chunk_bounds,
    demo_pipeline,
    expected_summary,
    expected_totals,
    format_cents,
    parse_cents,
)
from orchestrator import ConfigError, EventType, JobDefinition

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ["central", "east", "north", "south", "west"]


def run(tmp_path: Path, **op_config: dict) -> object:
    config = {"ops": {"write_report": {"config": {"report_dir": str(tmp_path / "reports")}}}}
    for name, cfg in op_config.items():
        config["ops"].setdefault(name, {"config": {}})["config"].update(cfg)
    return demo_pipeline.execute_in_process(run_config=config)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory):
    return run(tmp_path_factory.mktemp("demo"))


def test_job_is_importable_by_code_pointer():
    module = importlib.import_module("definitions.demo.pipeline")
    assert isinstance(module.demo_pipeline, JobDefinition)
    assert module.demo_pipeline.name == "demo_pipeline"
    assert importlib.import_module("definitions.demo").demo_pipeline is demo_pipeline


def test_shipped_data_set_is_small_and_regenerates_byte_for_byte():
    assert DATA_FILE.exists() and DATA_FILE.stat().st_size < 300 * 1024
    with open(DATA_FILE, newline="") as f:
        rows = list(csv.DictReader(f))
    assert 2000 <= len(rows) <= 5000
    assert sorted({r["region"] for r in rows}) == REGIONS
    proc = subprocess.run([sys.executable, str(DATA_FILE.with_name("generate_sales.py")), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_expected_totals_pinned_for_the_shipped_csv():
    # Pinned so a changed data file or a broken oracle is noticed, not silently agreed with.
    totals = expected_totals()
    assert (totals["orders"], totals["units"], totals["revenue_cents"]) == (3000, 15210, 27292867)
    assert list(totals["by_region"]) == REGIONS
    assert sum(r["revenue_cents"] for r in totals["by_region"].values()) == totals["revenue_cents"]
    assert sum(p["units"] for p in totals["by_product"].values()) == totals["units"]
    assert list(totals["by_month"]) == [f"2024-0{m}" for m in range(1, 7)]


def test_run_succeeds_and_totals_equal_direct_computation(default_run):
    assert default_run.success
    merged = dict(default_run.output_for_node("merge_aggregates"))
    assert merged.pop("chunks") == DEFAULT_CHUNKS
    assert merged == expected_totals()


def test_summary_is_exact(default_run):
    summary = default_run.output_for_node("summarize")
    assert summary == expected_summary(report_path=summary["report_path"])
    assert summary["revenue"] == "272928.67"
    assert set(summary["revenue_by_region"]) == set(REGIONS)
    assert sum(parse_cents(v) for v in summary["revenue_by_region"].values()) == summary["revenue_cents"]
    assert summary["top_product"] == "doohickey"


def test_report_file_written_under_configured_dir(default_run, tmp_path_factory):
    path = Path(default_run.output_for_node("write_report"))
    assert path.exists() and path.suffix == ".md"
    assert path.parent.name == "reports"
    assert default_run.run_id in path.name
    text = path.read_text()
    assert text.startswith("# Sales report")
    for region in REGIONS:
        assert re.search(rf"^\| {region} \|", text, re.M), region
    assert "272928.67" in text


def test_dynamic_step_keys(default_run):
    keys = [e.step_key for e in default_run.get_step_success_events()]
    chunk_keys = [k for k in keys if k.startswith("aggregate_chunk[")]
    assert sorted(chunk_keys) == sorted(f"aggregate_chunk[chunk_{i}]" for i in range(DEFAULT_CHUNKS))
    assert all(re.fullmatch(r"aggregate_chunk\[chunk_\d+\]", k) for k in chunk_keys)
    for name in ("load_sales", "split_sales", "merge_aggregates", "write_report", "summarize"):
        assert default_run.is_node_success(name), name
    assert keys.index("split_sales") < min(keys.index(k) for k in chunk_keys)
    assert keys.index("merge_aggregates") > max(keys.index(k) for k in chunk_keys)


def test_output_metadata_and_logs(default_run):
    outputs = [e for e in default_run.all_events if e.event_type is EventType.STEP_OUTPUT]
    load = next(e for e in outputs if e.step_key == "load_sales")
    assert load.data["metadata"]["rows"] == 3000
    split = [e for e in outputs if e.step_key == "split_sales"]
    assert [e.data["mapping_key"] for e in split] == [f"chunk_{i}" for i in range(DEFAULT_CHUNKS)]
    assert sum(e.data["metadata"]["rows"] for e in split) == 3000
    report = next(e for e in outputs if e.step_key == "write_report")
    assert report.data["metadata"]["path"] == default_run.output_for_node("write_report")
    logs = [e.message for e in default_run.all_events if e.event_type is EventType.LOG]
    assert any("Read 3000 orders" in m for m in logs)
    assert any("Merged 10 chunks" in m for m in logs)


@pytest.mark.parametrize("chunks", [1, 8, 12])
def test_chunk_count_is_configurable_and_totals_do_not_change(tmp_path, chunks):
    result = run(tmp_path, split_sales={"num_chunks": chunks})
    assert result.success
    merged = dict(result.output_for_node("merge_aggregates"))
    assert merged.pop("chunks") == chunks
    assert merged == expected_totals()
    mapped = {e.step_key for e in result.get_step_success_events() if e.step_key.startswith("aggregate_chunk")}
    assert mapped == {f"aggregate_chunk[chunk_{i}]" for i in range(chunks)}


def test_json_report_and_other_csv(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text(
        "order_id,date,region,product,quantity,unit_price\n"
        "A1,2024-01-02,north,widget,2,1.50\n"
        "A2,2024-02-03,south,widget,1,10\n"
        "A3,2024-02-04,north,gizmo,3,0.05\n"
    )
    result = run(tmp_path, load_sales={"csv_path": str(small)}, write_report={"format": "json"})
    assert result.success
    summary = result.output_for_node("summarize")
    assert summary["orders"] == 3 and summary["chunks"] == 3  # never more chunks than rows
    assert summary["revenue_cents"] == 2 * 150 + 1000 + 3 * 5 == expected_totals(small)["revenue_cents"]
    assert summary["revenue_by_region"] == {"north": "3.15", "south": "10.00"}
    report = json.loads(Path(summary["report_path"]).read_text())
    assert report["by_region"]["north"] == {"orders": 2, "units": 5, "revenue_cents": 315}


def test_report_dir_defaults_to_orch_home(monkeypatch, tmp_path):
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    result = demo_pipeline.execute_in_process()
    path = Path(result.output_for_node("write_report"))
    assert path.parent == tmp_path / "home" / "reports"


def test_bad_config_is_rejected_before_running():
    with pytest.raises(ConfigError) as info:
        demo_pipeline.execute_in_process(run_config={"ops": {"split_sales": {"config": {"num_chunks": "ten"}}}})
    assert "split_sales" in str(info.value)


def test_helpers():
    assert parse_cents("12.5") == 1250 and parse_cents("0.05") == 5 and parse_cents("7") == 700
    assert format_cents(27292867) == "272928.67" and format_cents(5) == "0.05"
    with pytest.raises(ValueError):
        parse_cents("1.234")
    assert chunk_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert chunk_bounds(2, 10) == [(0, 1), (1, 2)]
    assert chunk_bounds(0, 10) == []
