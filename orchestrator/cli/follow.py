"""Following a run live in the terminal until it ends: ``orch job submit --wait`` and
``orch run reexecute --wait``.

Besides the run's events, a second thread looks every few seconds for queued steps on a queue
that no live worker consumes, so that such a run says what it waits on instead of showing 0/N.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import is_verbose
from orchestrator.cli.connection import redis_errors
from orchestrator.cli.errors import INTERRUPTED_EXIT, RUN_FAILED_EXIT

if TYPE_CHECKING:
    from orchestrator.cli.progress import RunProgress
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.submit import RunHandle
    from orchestrator.plan.planner import ExecutionPlan

__all__ = ["follow_run", "WATCH_INTERVAL"]

WATCH_INTERVAL = 2.0  # seconds between looks for queues without a live worker


def _watch_queues(instance: Instance, run_id: str, progress: RunProgress, done: threading.Event,
                  verbose: bool) -> None:
    """Until ``done``: tell ``progress`` which queues with queued steps no live worker consumes."""
    from orchestrator.distributed.consumers import unconsumed_queues

    plan: ExecutionPlan | None = None
    queue: str | None = None
    while not done.is_set():
        try:
            if plan is None:  # read once: a big run's plan takes a while to parse
                plan, queue = instance.storage.plan(run_id), instance.storage.get_run(run_id).record.queue
            progress.set_waiting(unconsumed_queues(instance, run_id, plan=plan, default_queue=queue))
        except Exception as exc:  # noqa: BLE001 - a hint; the run's events are what matters
            if verbose:
                click.echo(f"Could not ask which queues have live workers: {type(exc).__name__}: {exc}", err=True)
        done.wait(WATCH_INTERVAL)


def follow_run(ctx: click.Context, handle: RunHandle, instance: Instance, job_name: str,
               timeout: float | None) -> int:
    """Show the run live until it ends (or ``timeout``); the exit code: 0 on success, else 1 (130 on Ctrl-C)."""
    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import RunProgress, step_layout
    from orchestrator.distributed.records import RunStatus

    console = make_console()
    console.print(f"Submitted run {handle.run_id} of job '{job_name}' to Redis at {instance.masked_url}",
                  markup=False, highlight=False, soft_wrap=True)
    storage = instance.storage
    with redis_errors(instance):
        layout = step_layout(storage, handle.run_id)
    progress = RunProgress(console, job_name, handle.run_id, layout.expected, layout=layout,
                           registered=lambda: storage.registered_steps(handle.run_id))
    failure: list[BaseException] = []
    done = threading.Event()

    def consume() -> None:
        try:
            # A run followed midway (re-execute) may have registered mapped steps already.
            progress.refresh_registered()
            for event in handle.events():
                progress.on_event(event)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            failure.append(exc)
        finally:
            done.set()

    # The events are read in a thread so that --timeout and Ctrl-C work even while no event arrives.
    reader = threading.Thread(target=consume, name=f"orch-follow-{handle.run_id}", daemon=True)
    watcher = threading.Thread(target=_watch_queues, args=(instance, handle.run_id, progress, done, is_verbose(ctx)),
                               name=f"orch-queues-{handle.run_id}", daemon=True)
    try:
        with progress:
            reader.start()
            watcher.start()
            reader.join(timeout)
            done.set()
    except KeyboardInterrupt:
        click.echo(f"Stopped following run {handle.run_id}; it goes on. Cancel it with: "
                   f"orch run cancel {handle.run_id}", err=True)
        return INTERRUPTED_EXIT
    if failure:
        with redis_errors(instance):
            raise failure[0]
    with redis_errors(instance):
        info = handle.info()
    if reader.is_alive():
        # The live view is gone: say again what the run waits on, if a queue has no worker.
        for line in progress.waiting:
            click.echo(line, err=True)
        click.echo(f"Run {handle.run_id} did not finish within {timeout:g}s (status {info.status.value}); it goes on. "
                   f"Follow it with: orch run logs {handle.run_id} --follow", err=True)
        return RUN_FAILED_EXIT
    progress.report(info, is_verbose(ctx))
    return 0 if info.status is RunStatus.SUCCESS else RUN_FAILED_EXIT
