"""The benchmark's targets, the checks of its figures against them, and its two reports: the table
printed to stdout and ``bench/RESULTS.md``.

Ratios are against the plain-defaults floor (the headline: plain Celery doing the same work), and
beside it against the floor configured like the project (what the delivery guarantees cost).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

__all__ = ["TARGETS", "RATIO_TARGETS", "RATIO_NS", "checks", "print_table", "write_markdown"]

# Ratio (project / plain floor, median of pairwise ratios) a shape must not exceed at N in RATIO_NS.
RATIO_TARGETS = {"chain": 1.10, "fanout": 0.90, "dynamic": 0.90}
RATIO_NS = (100, 1000)
TARGETS: dict[str, Any] = {
    "ratio_vs_plain": RATIO_TARGETS,
    "flat_cost_10k_vs_1k": 1.2,  # ms/step at N=10,000 over ms/step at N=1,000, chain and fan-out
    "plan_10k_s": 0.5,
    "submit_10k_s": 1.0,
    "in_process_ms_per_step": 0.10,
    "scaling_efficiency_8": 0.90,
    "import_api_s": 0.15,
    "rss_ratio_vs_plain": 1.3,
    "ui_runs_list_s": 1.0,
}


def _check(figure: str, value: float, target: float, at_most: bool = True, strict: bool = False) -> dict[str, Any]:
    op = ("<" if strict else "<=") if at_most else ">="
    holds = (value < target if strict else value <= target) if at_most else value >= target
    return {"figure": figure, "value": round(value, 4), "target": f"{op} {target:g}", "holds": bool(holds)}


def checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure of ``results`` that has a target, with the target and whether it holds.

    A figure is checked only when it was measured as its target defines it (N = 100 and 1,000, a
    10,000-step plan, 8 worker processes...), so a smoke or partial run checks less.
    """
    out = []
    for r in results.get("rows", []):
        if r["n"] in RATIO_NS and r["shape"] in RATIO_TARGETS:
            out.append(_check(f"{r['shape']} {r['n']}: project / plain Celery", r["ratio_plain"],
                              RATIO_TARGETS[r["shape"]]))
    for shape, f in results.get("flat_cost", {}).items():
        out.append(_check(f"{shape}: ms/step at N=10,000 / at N=1,000", f["project_ratio"],
                          TARGETS["flat_cost_10k_vs_1k"]))
    if results.get("plan_steps") == 10_000:
        for shape, v in results["plan_detail_s"].items():
            out.append(_check(f"plan of a 10,000-step {shape}, s", v, TARGETS["plan_10k_s"], strict=True))
    for shape, s in results.get("submit_10k_s", {}).items():
        out.append(_check(f"submit_job of a 10,000-step {shape}, s", s["median_s"], TARGETS["submit_10k_s"],
                          strict=True))
    if "in_process_ms_per_step" in results:
        out.append(_check("execute_in_process, ms/step", results["in_process_ms_per_step"],
                          TARGETS["in_process_ms_per_step"]))
    for row in results.get("scaling", {}).get("rows", []):
        if row["processes"] == 8:
            out.append(_check("scaling efficiency at 8 worker processes", row["project_efficiency"],
                              TARGETS["scaling_efficiency_8"], at_most=False))
    if "import_api_s" in results:
        out.append(_check("from orchestrator import op, job, submit_job, s", results["import_api_s"],
                          TARGETS["import_api_s"], strict=True))
    if "worker_rss_mb" in results and results.get("plain_worker_rss_mb"):
        out.append(_check("peak worker RSS, project / plain Celery worker",
                          results["worker_rss_mb"] / results["plain_worker_rss_mb"], TARGETS["rss_ratio_vs_plain"]))
    u = results.get("ui")
    if u and u["runs_stored"] >= 10_000:
        out.append(_check(f"UI runs list page and GET /api/runs ({u['runs_stored']} runs), s",
                          max(u["runs_page_s"], u["api_runs_s"]), TARGETS["ui_runs_list_s"], strict=True))
    return out


def _mark(results: dict[str, Any], prefix: str) -> str:
    found = [c for c in results.get("checks", []) if c["figure"].startswith(prefix)]
    if not found:
        return ""
    return "ok" if all(c["holds"] for c in found) else "MISS"


def _ratio_target(r: dict[str, Any]) -> str:
    return f"<= {RATIO_TARGETS[r['shape']]:.2f}" if r["n"] in RATIO_NS and r["shape"] in RATIO_TARGETS else ""


def _bytes(n: float, sign: str = "") -> str:
    """``n`` bytes in KiB or MiB; ``sign="+"`` shows the sign of a difference."""
    return f"{n / 1024:{sign}.1f} KiB" if abs(n) < 1024 * 1024 else f"{n / 1024 / 1024:{sign}.2f} MiB"


def print_table(results: dict[str, Any]) -> None:
    """The figures, as a table on stdout (``make bench`` shows this)."""
    print()
    print(f"{'shape':<8} {'n':>6} {'project s':>22} {'plain Celery s':>22} {'Celery like us s':>22} "
          f"{'vs plain':>8} {'target':>7} {'vs like us':>10} {'ms/step project|plain|like us':>30}")
    for r in results.get("rows", []):
        cells = [f"{r[f'{s}_s']:.3f} ({r[f'{s}_min_s']:.3f}-{r[f'{s}_max_s']:.3f})"
                 for s in ("project", "plain", "configured")]
        per = "|".join(f"{r[f'{s}_ms_per_step']:.2f}" for s in ("project", "plain", "configured"))
        mark = _mark(results, f"{r['shape']} {r['n']}:")
        print(f"{r['shape']:<8} {r['n']:>6} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22} {r['ratio_plain']:>8.2f} "
              f"{_ratio_target(r):>7} {r['ratio_configured']:>10.2f} {per:>30}  {mark}")
    print("(ratios: median of pairwise ratios project_i / floor_i; times: median (min-max))")
    print()

    def line(label: str, value: str, target: str = "", mark: str = "") -> None:
        print(f"{label:<58} {value:>26}  {target:<8} {mark}")

    for shape, f in results.get("flat_cost", {}).items():
        line(f"flat cost {shape}: ms/step 10k / 1k, project (plain|like us)",
             f"{f['project_ratio']:.2f} ({f['plain_ratio']:.2f}|{f['configured_ratio']:.2f})", "<= 1.2",
             _mark(results, f"{shape}: ms/step"))
    if "in_process_ms_per_step" in results:
        line(f"in process, ms/step ({results['in_process_ops']} ops)", f"{results['in_process_ms_per_step']:.3f}",
             "<= 0.10", _mark(results, "execute_in_process"))
    if "plan_detail_s" in results:
        d = results["plan_detail_s"]
        line(f"plan {results['plan_steps']} steps, s (chain|fanout)", f"{d['chain']:.3f}|{d['fanout']:.3f}",
             "< 0.5", _mark(results, "plan of"))
    for shape, s in results.get("submit_10k_s", {}).items():
        line(f"submit_job of a 10,000-step {shape}, s (max)", f"{s['median_s']:.3f} ({s['max_s']:.3f})", "< 1",
             _mark(results, f"submit_job of a 10,000-step {shape}"))
    lat = results.get("submit_latency")
    if lat:
        p = lat["project"]
        line("submit latency, 1-step job: submit_job to op body, s", f"{p['to_op_body_s']:.4f}")
        line("  ... to its STEP_START event | submit_job call, s",
             f"{p['to_step_start_event_s']:.4f}|{p['submit_call_s']:.4f}")
        line("  floors: apply_async to task body, s (plain|like us)",
             f"{lat['plain']['to_task_body_s']:.4f}|{lat['configured']['to_task_body_s']:.4f}")
    if "import_api_s" in results:
        line("from orchestrator import op, job, submit_job, s", f"{results['import_api_s']:.3f}", "< 0.15",
             _mark(results, "from orchestrator"))
        line("import orchestrator, s", f"{results['import_s']:.3f}")
    if "worker_rss_mb" in results:
        w, p, c = results["worker_rss_mb"], results["plain_worker_rss_mb"], results["configured_worker_rss_mb"]
        line("peak worker RSS MB, project|plain|like us", f"{w:.1f}|{p:.1f}|{c:.1f} ({w / p:.2f}x)", "<= 1.3x",
             _mark(results, "peak worker RSS"))
    for case, m in results.get("redis_memory", {}).items():
        mid = m.get("mid")
        mid_txt = f"{mid['run_keys_per_step']:.0f}|{mid['used_memory_per_step']:.0f}" if mid else "-"
        a = m["after"]
        line(f"redis bytes/step {case}: run keys|used_memory, mid-run", mid_txt)
        ttl = _ttl_text(a["run_keys"]["ttl_s"])
        line(f"  after the end (run keys TTL {ttl})", f"{a['run_keys_per_step']:.0f}|{a['used_memory_per_step']:.0f}")
    sc = results.get("scaling")
    if sc:
        print(f"\nscaling: {sc['width']}-way fan-out of sleep({sc['sleep_s']}), {sc['workers']}; "
              f"efficiency = {sc['efficiency']}")
        print(f"{'processes':>9} {'ideal s':>8} {'project s':>10} {'speed-up':>9} {'eff.':>6} {'plain s':>9} "
              f"{'speed-up':>9} {'eff.':>6}")
        for row in sc["rows"]:
            mark = _mark(results, "scaling efficiency") if row["processes"] == 8 else ""
            print(f"{row['processes']:>9} {row['ideal_s']:>8.3f} {row['project_s']:>10.3f} {row['project_speedup']:>9.2f} "
                  f"{row['project_efficiency']:>6.2f} {row['plain_s']:>9.3f} {row['plain_speedup']:>9.2f} "
                  f"{row['plain_efficiency']:>6.2f}  {mark}")
        print()
    if "ui" in results:
        u = results["ui"]
        line(f"UI runs list | GET /api/runs, s ({u['runs_stored']} runs)",
             f"{u['runs_page_s']:.3f}|{u['api_runs_s']:.3f}", "< 1", _mark(results, "UI runs list"))
    if "redis_rtt_ms" in results:
        line("redis PING round trip, ms", f"{results['redis_rtt_ms']:.3f}")
    for kind, per in results.get("redis_commands", {}).items():
        for case, c in per.items():
            top = ", ".join(f"{k} {v}" for k, v in list(c["by_command_per_step"].items())[:6])
            print(f"redis commands/step {kind:<10} {case:<11} {c['per_step']:>6}  ({top})")
    missed = [c["figure"] for c in results.get("checks", []) if not c["holds"]]
    print(f"\ntargets: {len(results.get('checks', [])) - len(missed)} of {len(results.get('checks', []))} hold"
          + (f"; missed: {'; '.join(missed)}" if missed else ""))


def _ttl_text(ttls: list[int]) -> str:
    """The TTLs seen on a run's keys (-1: none), as ``7.0 days`` or a range."""
    live = [t for t in ttls if t >= 0]
    if not live:
        return "none"

    def one(t: int) -> str:
        return f"{t / 86400:.1f} days" if t >= 86400 else f"{t} s"

    text = one(min(live)) if one(min(live)) == one(max(live)) else f"{one(min(live))} to {one(max(live))}"
    return text + (" (some keys none)" if len(live) < len(ttls) else "")


def write_markdown(results: dict[str, Any], path: Path, command: str) -> None:
    """``bench/RESULTS.md``: every figure with its target, the command and the machine."""
    m = results["machine"]
    rows = results.get("rows", [])
    reps = sorted({(r["n"], r["reps"]) for r in rows})
    reps_text = ", ".join(f"N={n}: {k}" for n, k in reps)
    lines = [
        "# Benchmark results",
        "",
        f"Latest full run: {time.strftime('%Y-%m-%d %H:%M', time.localtime(results['finished_at']))}, "
        f"wall time {results['wall_s']:.0f} s. Written by `{command}`; the raw figures are in "
        "`bench/results.json`.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['os']}; Python {m['python']}, "
        f"Celery {m['celery']}, kombu {m['kombu']}, redis-py {m['redis_py']}, redis-server {m['redis_server']}. "
        f"1-minute load average {results['load_avg_start']:.1f} at the start, up to "
        f"{results.get('load_avg_max', results['load_avg_end']):.1f} after a case (sampled after each), "
        f"{results['load_avg_end']:.1f} at the end. This run's own share is about 1 to 1.5 (one side's "
        "worker, the submitter, Redis); the rest is other work on the machine. Runs of the three sides "
        "alternate, so ratios hold up better than absolute times.",
        "",
        "Two floors, measured in the same run on the same private redis-server (loopback):",
        "",
        "- **plain Celery** (`bench/plain_app.py`, the headline): Celery's defaults: JSON, early ack, "
        "prefetch multiplier 4, results in the same Redis, no task events, no priorities.",
        "- **Celery configured like us** (`bench/floor_app.py`): the project's settings: acks late, reject "
        "on worker loss, prefetch 1, priority emulation, task events; results stored.",
        "",
        "Both floors run the same tasks (`bench/floor_tasks.py`): a chain whose every task enqueues its "
        "successor; a fan-out whose first task enqueues the chord itself; a dynamic fan-out whose first "
        "task writes N values and enqueues a chord over them. Every step (project op or floor task) "
        "loads a pickled int from a file, adds one and pickles it to a new file (temp file and rename, "
        "as `fs_io_manager` does" + ("; fsync of file and directory: ORCH_FSYNC=1" if results["fsync"] else
                                     "; no fsync, its default") + "). "
        "Two prefork workers with `-c 1` per side, all started together; each repetition runs the "
        "three sides one after the other, starting with the next side each time, one side busy at a time; "
        "the disk is synced before every run. Times in seconds, "
        "submit to result: median (min-max); ratios are the median of the pairwise ratios "
        f"project_i / floor_i. Repetitions: {reps_text}, after a warm-up for the first sizes of each shape.",
        "",
        "| shape | N | project s | plain Celery s | Celery like us s | project / plain (target) "
        "| project / like us | ms/step project, plain, like us |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        cells = [f"{r[f'{s}_s']:.3f} ({r[f'{s}_min_s']:.3f}-{r[f'{s}_max_s']:.3f})"
                 for s in ("project", "plain", "configured")]
        target = _ratio_target(r)
        mark = _mark(results, f"{r['shape']} {r['n']}:")
        ratio = f"{r['ratio_plain']:.2f}" + (f" ({target}, {mark})" if target else "")
        per = ", ".join(f"{r[f'{s}_ms_per_step']:.2f}" for s in ("project", "plain", "configured"))
        lines.append(f"| {r['shape']} | {r['n']} | {cells[0]} | {cells[1]} | {cells[2]} | {ratio} "
                     f"| {r['ratio_configured']:.2f} | {per} |")
    lines += ["", "| figure | value | target | holds |", "| --- | ---: | ---: | --- |"]
    for c in results.get("checks", []):
        lines.append(f"| {c['figure']} | {c['value']:g} | {c['target']} | {'yes' if c['holds'] else 'NO'} |")
    lines += ["", "Other figures:", ""]
    for shape, f in results.get("flat_cost", {}).items():
        lines.append(f"- Flat cost, {shape}: project {f['project_1k_ms']:.3f} -> {f['project_10k_ms']:.3f} ms/step "
                     f"from N=1,000 to N=10,000 ({f['project_ratio']:.2f}x, the median of each 10,000-step run "
                     f"against a 1,000-step run just before it on the same side); plain Celery "
                     f"{f['plain_ratio']:.2f}x, Celery like us {f['configured_ratio']:.2f}x.")
    for shape, s in results.get("submit_10k_s", {}).items():
        lines.append(f"- `submit_job` of a 10,000-step {shape} (planning, writing the run, enqueueing its first "
                     f"step; job built beforehand, code by pointer): {s['median_s']:.3f} s median, "
                     f"{s['max_s']:.3f} s max, of {s['runs']} runs.")
    lat = results.get("submit_latency")
    if lat:
        p = lat["project"]
        lines.append(f"- Submit latency of a 1-step job, from calling `submit_job` to the first line of the op "
                     f"body (its own `time.time()`): {1000 * p['to_op_body_s']:.1f} ms median "
                     f"({1000 * p['to_op_body_max_s']:.1f} max) of {p['reps']}; to the step's STEP_START event "
                     f"{1000 * p['to_step_start_event_s']:.1f} ms; the `submit_job` call itself "
                     f"{1000 * p['submit_call_s']:.1f} ms. The floors, `apply_async` to the task body: plain "
                     f"{1000 * lat['plain']['to_task_body_s']:.1f} ms, like us "
                     f"{1000 * lat['configured']['to_task_body_s']:.1f} ms.")
    if "plan_detail_s" in results:
        d = results["plan_detail_s"]
        lines.append(f"- Planning a {results['plan_steps']}-step job (config resolution and plan, a fresh job): "
                     f"chain {d['chain']:.3f} s, fan-out {d['fanout']:.3f} s.")
    if "import_api_s" in results:
        lines.append(f"- Import in a fresh process: `from orchestrator import op, job, submit_job` "
                     f"{results['import_api_s']:.3f} s, `import orchestrator` {results['import_s']:.3f} s.")
    if "in_process_ms_per_step" in results:
        lines.append(f"- `execute_in_process` of a chain of {results['in_process_ops']} ops: "
                     f"{results['in_process_ms_per_step']:.3f} ms/step.")
    if "worker_rss_mb" in results:
        d = results["worker_rss_detail"]
        lines.append(f"- Peak worker RSS (main process and pool, VmHWM) after every case up to N=1,000 (the last: "
                     f"{d['mid_case']}; the target): project {results['worker_rss_mb']:.1f} MB, plain Celery "
                     f"{results['plain_worker_rss_mb']:.1f} MB, Celery like us {results['configured_worker_rss_mb']:.1f}"
                     f" MB; at start {d['at_start']['project']:.1f} / {d['at_start']['plain']:.1f} / "
                     f"{d['at_start']['configured']:.1f} MB; after the 10,000-step cases too: "
                     f"{d['end']['project']:.1f} / {d['end']['plain']:.1f} / {d['end']['configured']:.1f} MB (a worker "
                     "process keeps the plans of the last runs it ran, up to 4, in memory).")
    for case, mem in results.get("redis_memory", {}).items():
        lines.append(_memory_text(case, mem))
    if "redis_rtt_ms" in results:
        lines.append(f"- Redis PING round trip: {results['redis_rtt_ms']:.3f} ms.")
    sc = results.get("scaling")
    if sc:
        lines += ["", f"Scaling: a {sc['width']}-way fan-out of `time.sleep({sc['sleep_s']})` ops, "
                  f"{sc['workers']}, median of {sc['reps']} after a warm-up; speed-up = T1 / TK, "
                  f"efficiency = {sc['efficiency']}:", "",
                  "| processes | ideal s | project s | speed-up | efficiency | plain Celery s | speed-up | efficiency |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in sc["rows"]:
            lines.append(f"| {row['processes']} | {row['ideal_s']:.3f} | {row['project_s']:.3f} | "
                         f"{row['project_speedup']:.2f} | {100 * row['project_efficiency']:.0f} % | "
                         f"{row['plain_s']:.3f} | {row['plain_speedup']:.2f} | {100 * row['plain_efficiency']:.0f} % |")
    u = results.get("ui")
    if u:
        lines += [
            "",
            f"Web UI (`bench/ui_bench.py`): {u['runs_stored']} runs stored through `RunStorage.create_run`, one of "
            f"them a {u['run_steps']}-step run whose steps all have STEP_START and STEP_SUCCESS events; uvicorn on "
            "loopback, times of real HTTP requests, median (max) of 5 after a warm-up:",
            "",
            "| request | s | target |",
            "| --- | ---: | ---: |",
            f"| runs list page `/` | {u['runs_page_s']:.3f} ({u['runs_page_max_s']:.3f}) | < 1 |",
            f"| `GET /api/runs` | {u['api_runs_s']:.3f} ({u['api_runs_max_s']:.3f}) | < 1 |",
            f"| run page `/runs/<id>`, {u['run_steps']} steps | {u['run_page_s']:.3f} ({u['run_page_max_s']:.3f}) | |",
            f"| `GET /api/runs/<id>`, {u['run_steps']} steps | {u['api_run_s']:.3f} ({u['api_run_max_s']:.3f}) | |",
        ]
    rc = results.get("redis_commands", {})
    if rc:
        lines += ["", "Redis commands per step (INFO commandstats, every client, one run of each shape at "
                  f"N={results['stats_n']}):", ""]
        for kind, per in rc.items():
            lines.append(f"- {kind}: " + ", ".join(f"{case} {c['per_step']}" for case, c in per.items()))
    lines += [
        "",
        f"Reproduce: `{command}` (or `.venv/bin/python -m bench.run`; `--reps R`, `--reps-10k R`, "
        "`--shapes chain fanout ...`, `--smoke` for a quick check of the runner). The profile of the "
        "per-step path: `.venv/bin/python -m bench.profile`.",
        "",
    ]
    path.write_text("\n".join(lines))


def _memory_text(case: str, mem: dict[str, Any]) -> str:
    a, mid = mem["after"], mem.get("mid")

    def figures(f: dict[str, Any]) -> str:
        return (f"the run's {f['run_keys']['keys']} keys {_bytes(f['run_keys']['bytes'])} "
                f"({f['run_keys_per_step']:.0f} B/step), `used_memory` {_bytes(f['used_memory_delta'], '+')} "
                f"({f['used_memory_per_step']:.0f} B/step), `used_memory_dataset` "
                f"{_bytes(f['used_memory_dataset_delta'], '+')} ({f['used_memory_dataset_per_step']:.0f} B/step)")

    parts = [f"- Redis memory of a {case.replace('_', ' ')} run ({mem['steps']} steps)"]
    if mid:
        parts.append(f": mid-run ({mid['steps_done']} steps done) {figures(mid)}")
    parts.append(f"; one second after the end {figures(a)}; peak `used_memory` "
                 f"{_bytes(mem['peak_used_memory_delta'], '+')}. TTL on the run's keys after the end: "
                 f"{_ttl_text(a['run_keys']['ttl_s'])}.")
    return "".join(parts)
