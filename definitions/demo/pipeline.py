"""The demo pipeline: sales orders -> chunks -> per-chunk aggregates -> merged totals -> report.

    load_sales -> split_sales ==(chunk_0 .. chunk_N)==> aggregate_chunk[chunk_i] -> merge_aggregates
                                                                        -> write_report -> summarize

``demo_pipeline`` is importable as ``definitions.demo.pipeline:demo_pipeline``, so workers load it by
code pointer. Run it in process (``demo_pipeline.execute_in_process()``) or on the workers
(``submit_job(demo_pipeline)``); on workers every ``aggregate_chunk[chunk_i]`` is its own Celery task.

Money is kept in integer cents throughout, so totals are exact and ``expected_totals()`` (a direct
single pass over the CSV, independent of the chunked path) must equal the pipeline's totals.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from orchestrator import DynamicOut, DynamicOutput, Field, Noneable, OpExecutionContext, job, op
from orchestrator.home import orch_home

__all__ = [
    "DATA_FILE", "DEFAULT_CHUNKS", "demo_pipeline", "expected_totals", "expected_summary", "read_sales",
    "parse_cents", "format_cents", "chunk_bounds",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "sales.csv"
COLUMNS = ("order_id", "date", "region", "product", "quantity", "unit_price")
DEFAULT_CHUNKS = 10
Totals = dict[str, Any]


# -- plain helpers (also used by the tests) ------------------------------------------------------


def parse_cents(price: str) -> int:
    """``"12.50"`` -> ``1250``, without going through floats."""
    text = price.strip()
    whole, _, frac = text.partition(".")
    if not whole.lstrip("-").isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not a price with at most two decimals: {price!r}")
    cents = int(whole.lstrip("-") or 0) * 100 + int((frac + "00")[:2])
    return -cents if text.startswith("-") else cents


def format_cents(cents: int) -> str:
    """``123456`` -> ``"1234.56"``."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def read_sales(path: str | Path | None = None) -> list[dict[str, str]]:
    """The CSV's rows as dicts of strings, checking the header."""
    path = Path(path) if path else DATA_FILE
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)} (header: {reader.fieldnames})")
        return [{c: row[c] for c in COLUMNS} for row in reader]


def chunk_bounds(n_rows: int, n_chunks: int) -> list[tuple[int, int]]:
    """``n_chunks`` contiguous [start, end) ranges as even as possible (fewer when rows are few)."""
    n_chunks = max(1, min(n_chunks, n_rows)) if n_rows else 0
    bounds = []
    for i in range(n_chunks):
        bounds.append((i * n_rows // n_chunks, (i + 1) * n_rows // n_chunks))
    return bounds


def _empty_totals() -> Totals:
    return {"orders": 0, "units": 0, "revenue_cents": 0, "by_region": {}, "by_product": {}, "by_month": {}}


def _bump(bucket: dict[str, dict[str, int]], key: str, units: int, cents: int) -> None:
    entry = bucket.setdefault(key, {"orders": 0, "units": 0, "revenue_cents": 0})
    entry["orders"] += 1
    entry["units"] += units
    entry["revenue_cents"] += cents


def _sorted_totals(totals: Totals) -> Totals:
    out = dict(totals)
    for key in ("by_region", "by_product", "by_month"):
        out[key] = {k: dict(totals[key][k]) for k in sorted(totals[key])}
    return out


def expected_totals(path: str | Path | None = None) -> Totals:
    """The totals computed directly from the CSV in one pass: what ``merge_aggregates`` must return."""
    totals = _empty_totals()
    for row in read_sales(path):
        units = int(row["quantity"])
        cents = units * parse_cents(row["unit_price"])
        totals["orders"] += 1
        totals["units"] += units
        totals["revenue_cents"] += cents
        _bump(totals["by_region"], row["region"], units, cents)
        _bump(totals["by_product"], row["product"], units, cents)
        _bump(totals["by_month"], row["date"][:7], units, cents)
    return _sorted_totals(totals)


def _summary(totals: Totals, report_path: str | None, chunks: int | None) -> dict[str, Any]:
    by_product = totals["by_product"]
    top = max(by_product, key=lambda p: (by_product[p]["revenue_cents"], p)) if by_product else None
    return {
        "orders": totals["orders"],
        "units": totals["units"],
        "revenue_cents": totals["revenue_cents"],
        "revenue": format_cents(totals["revenue_cents"]),
        "revenue_by_region": {r: format_cents(v["revenue_cents"]) for r, v in totals["by_region"].items()},
        "units_by_region": {r: v["units"] for r, v in totals["by_region"].items()},
        "top_product": top,
        "chunks": chunks,
        "report_path": report_path,
    }


def expected_summary(path: str | Path | None = None, report_path: str | None = None,
                     chunks: int | None = DEFAULT_CHUNKS) -> dict[str, Any]:
    """What ``summarize`` returns for the CSV at ``path`` (``report_path`` as the run wrote it)."""
    return _summary(expected_totals(path), report_path, chunks)


# -- ops ---------------------------------------------------------------------------------------------


@op(
    config_schema={
        "csv_path": Field(Noneable(str), default_value=None,
                          description="CSV of orders to read; default: the data set shipped in definitions/demo/data."),
    },
    description="Read the orders CSV (order_id, date, region, product, quantity, unit_price).",
)
def load_sales(context: OpExecutionContext) -> list[dict[str, str]]:
    path = Path(context.op_config["csv_path"] or DATA_FILE)
    rows = read_sales(path)
    context.log.info(f"Read {len(rows)} orders from {path}")
    context.add_output_metadata({"path": str(path), "rows": len(rows), "bytes": path.stat().st_size})
    return rows


@op(
    out=DynamicOut(list),
    config_schema={"num_chunks": Field(int, default_value=DEFAULT_CHUNKS, description="How many chunks to map over.")},
    description="Split the orders into contiguous chunks, one dynamic output (chunk_0, chunk_1, ...) each.",
)
def split_sales(context: OpExecutionContext, rows: list[dict[str, str]]) -> Iterator[DynamicOutput]:
    wanted = context.op_config["num_chunks"]
    if wanted < 1:
        raise ValueError(f"num_chunks must be at least 1, got {wanted}")
    bounds = chunk_bounds(len(rows), wanted)
    context.log.info(f"Splitting {len(rows)} orders into {len(bounds)} chunks")
    for i, (start, end) in enumerate(bounds):
        key = f"chunk_{i}"
        context.add_output_metadata({"rows": end - start, "first_row": start, "last_row": end - 1},
                                    output_name="result", mapping_key=key)
        yield DynamicOutput(rows[start:end], mapping_key=key)


@op(description="Aggregate one chunk: orders, units and revenue (cents) per region, product and month.")
def aggregate_chunk(context: OpExecutionContext, chunk: list[dict[str, str]]) -> Totals:
    totals = _empty_totals()
    bad = 0
    for row in chunk:
        try:
            units = int(row["quantity"])
            cents = units * parse_cents(row["unit_price"])
        except (KeyError, ValueError) as exc:
            bad += 1
            context.log.warning(f"Skipping order {row.get('order_id', '?')}: {exc}")
            continue
        totals["orders"] += 1
        totals["units"] += units
        totals["revenue_cents"] += cents
        _bump(totals["by_region"], row["region"], units, cents)
        _bump(totals["by_product"], row["product"], units, cents)
        _bump(totals["by_month"], row["date"][:7], units, cents)
    totals["skipped"] = bad
    context.log.info(f"Chunk of {len(chunk)} orders: {totals['units']} units, {format_cents(totals['revenue_cents'])} revenue")
    context.add_output_metadata({"orders": totals["orders"], "revenue": format_cents(totals["revenue_cents"])})
    return totals


@op(description="Fan in: add up the per-chunk aggregates.")
def merge_aggregates(context: OpExecutionContext, parts: list[Totals]) -> Totals:
    merged = _empty_totals()
    skipped = 0
    for part in parts:
        merged["orders"] += part["orders"]
        merged["units"] += part["units"]
        merged["revenue_cents"] += part["revenue_cents"]
        skipped += part.get("skipped", 0)
        for key in ("by_region", "by_product", "by_month"):
            for name, entry in part[key].items():
                into = merged[key].setdefault(name, {"orders": 0, "units": 0, "revenue_cents": 0})
                for field in ("orders", "units", "revenue_cents"):
                    into[field] += entry[field]
    if skipped:
        context.log.warning(f"{skipped} malformed orders were skipped")
    merged = _sorted_totals(merged)
    merged["chunks"] = len(parts)
    context.log.info(f"Merged {len(parts)} chunks: {merged['orders']} orders, {format_cents(merged['revenue_cents'])} revenue")
    context.add_output_metadata({"chunks": len(parts), "orders": merged["orders"],
                                 "regions": len(merged["by_region"]), "products": len(merged["by_product"])})
    return merged


def _render_markdown(title: str, run_id: str, totals: Totals) -> str:
    lines = [f"# {title}", "", f"Run `{run_id}`: {totals['orders']} orders, {totals['units']} units, "
             f"revenue {format_cents(totals['revenue_cents'])} (from {totals.get('chunks', '?')} chunks).", ""]
    for heading, key in (("Region", "by_region"), ("Product", "by_product"), ("Month", "by_month")):
        lines += [f"## By {heading.lower()}", "", f"| {heading.lower()} | orders | units | revenue | share |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for name, entry in totals[key].items():
            share = 100 * entry["revenue_cents"] / totals["revenue_cents"] if totals["revenue_cents"] else 0.0
            lines.append(f"| {name} | {entry['orders']} | {entry['units']} | {format_cents(entry['revenue_cents'])} "
                         f"| {share:.1f}% |")
        lines.append("")
    return "\n".join(lines)


@op(
    config_schema={
        "report_dir": Field(Noneable(str), default_value=None,
                            description="Directory for the report; default $ORCH_HOME/reports (shared by workers)."),
        "format": Field(str, default_value="markdown", description="markdown or json"),
        "title": Field(str, default_value="Sales report", description="The report's heading."),
    },
    description="Write the report file and return its path.",
)
def write_report(context: OpExecutionContext, totals: Totals) -> str:
    cfg: Mapping[str, Any] = context.op_config
    fmt = cfg["format"]
    if fmt not in ("markdown", "json"):
        raise ValueError(f"format must be 'markdown' or 'json', got {fmt!r}")
    directory = Path(cfg["report_dir"]).expanduser() if cfg["report_dir"] else orch_home() / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    suffix = "md" if fmt == "markdown" else "json"
    path = directory / f"sales-report-{context.run_id}.{suffix}"
    if fmt == "markdown":
        text = _render_markdown(cfg["title"], context.run_id, totals)
    else:
        text = json.dumps({"title": cfg["title"], "run_id": context.run_id, **totals}, indent=2, sort_keys=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # atomic: a re-run step never leaves a half-written report
    context.log.info(f"Wrote {fmt} report to {path}")
    context.add_output_metadata({"path": str(path), "bytes": len(text.encode())})
    return str(path)


@op(description="The run's final value: totals per region, the top product and where the report is.")
def summarize(context: OpExecutionContext, totals: Totals, report_path: str) -> dict[str, Any]:
    summary = _summary(totals, report_path, totals.get("chunks"))
    context.log.info(f"Revenue {summary['revenue']} over {summary['orders']} orders; top product {summary['top_product']}")
    context.add_output_metadata({"revenue": summary["revenue"], "top_product": summary["top_product"]})
    return summary


@job(
    description="Sales demo: read the shipped CSV, aggregate it chunk by chunk on the workers, merge, report.",
    tags={"orch/example": "demo"},
)
def demo_pipeline() -> None:
    totals = merge_aggregates(split_sales(load_sales()).map(aggregate_chunk).collect())
    summarize(totals, write_report(totals))
