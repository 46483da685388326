"""Following a run live in the terminal until it ends: ``orch job submit --wait`` and
``orch run reexecute --wait``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import is_verbose
from orchestrator.cli.connection import redis_errors
from orchestrator.cli.errors import INTERRUPTED_EXIT, RUN_FAILED_EXIT

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.submit import RunHandle

__all__ = ["follow_run"]


def follow_run(ctx: click.Context, handle: RunHandle, instance: Instance, job_name: str,
               timeout: float | None) -> int:
    """Show the run live until it ends (or ``timeout``); the exit code: 0 on success, else 1 (130 on Ctrl-C)."""
    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import RunProgress, expected_steps
    from orchestrator.distributed.records import RunStatus

    console = make_console()
    console.print(f"Submitted run {handle.run_id} of job '{job_name}' to Redis at {instance.masked_url}",
                  markup=False, highlight=False, soft_wrap=True)
    with redis_errors(instance):
        expected = expected_steps(instance.storage, handle.run_id)
    progress = RunProgress(console, job_name, handle.run_id, expected)
    failure: list[BaseException] = []

    def consume() -> None:
        try:
            for event in handle.events():
                progress.on_event(event)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            failure.append(exc)

    # The events are read in a thread so that --timeout and Ctrl-C work even while no event arrives.
    reader = threading.Thread(target=consume, name=f"orch-follow-{handle.run_id}", daemon=True)
    try:
        with progress:
            reader.start()
            reader.join(timeout)
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
        click.echo(f"Run {handle.run_id} did not finish within {timeout:g}s (status {info.status.value}); it goes on. "
                   f"Follow it with: orch run logs {handle.run_id} --follow", err=True)
        return RUN_FAILED_EXIT
    progress.report(info, is_verbose(ctx))
    return 0 if info.status is RunStatus.SUCCESS else RUN_FAILED_EXIT
