"""``orch job submit``: start a run on the Celery workers, optionally following it live."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import is_verbose, job_group, verbose_option
from orchestrator.cli.errors import RUN_FAILED_EXIT, CliError
from orchestrator.cli.options import code_location_options, run_options

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.submit import RunHandle

__all__ = ["job_submit"]


@job_group.command("submit")
@code_location_options
@click.option("-j", "--job", "job_name", required=True, metavar="JOB", help="Job to submit.")
@run_options
@click.option("--wait", "wait", is_flag=True, help="Follow the run live until it ends; exit 1 unless it succeeds.")
@click.option("--timeout", "timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="With --wait: stop waiting after this long (the run goes on); exit 1. Implies --wait.")
@verbose_option
@click.pass_context
def job_submit(ctx: click.Context, module: str | None, file: str | None, attr: str | None, job_name: str,
               config_files: tuple[str, ...], tags: str | None, partition: str | None, wait: bool,
               timeout: float | None) -> None:
    """Submit a job to the Celery workers and print the run id.

    Config is validated first: nothing is enqueued when it is wrong. With --wait, each step is
    shown live; exit 0 when the run succeeds, 1 when it fails or is canceled.
    """
    from orchestrator.cli.config_files import load_run_config, parse_tags
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.run_commands import redis_errors
    from orchestrator.definitions.config.run_config import resolve_run_config
    from orchestrator.definitions.partitions import PartitionedConfig
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.submit import submit_job

    run_tags = parse_tags(tags)
    run_config = load_run_config(config_files)
    job = load_code(module, file, attr).get_job(job_name)
    if partition is None and isinstance(job.config, PartitionedConfig):
        raise CliError(f"Job '{job.name}' is partitioned: pass --partition KEY (one of {job.config.describe_keys()}).")
    # Config errors are reported before looking for Redis at all; submit_job checks again.
    resolve_run_config(job, run_config, partition)
    instance = Instance.from_env()
    with redis_errors(instance):
        handle = submit_job(job, run_config=run_config, tags=run_tags, partition_key=partition, instance=instance)
    if not (wait or timeout is not None):
        click.echo(handle.run_id)
        click.echo(f"Submitted run {handle.run_id} of job '{job.name}' to Redis at {instance.masked_url}. "
                   f"Follow it with: orch run logs {handle.run_id} --follow", err=True)
        return
    code = follow_run(ctx, handle, instance, job.name, timeout)
    if code:
        ctx.exit(code)


def follow_run(ctx: click.Context, handle: RunHandle, instance: Instance, job_name: str,
               timeout: float | None) -> int:
    """Show the run live until it ends (or ``timeout``); the exit code: 0 on success, else 1 (130 on Ctrl-C)."""
    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import RunProgress, expected_steps
    from orchestrator.cli.run_commands import INTERRUPTED_EXIT, redis_errors
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
