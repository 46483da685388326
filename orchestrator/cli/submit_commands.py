"""``orch job submit``: start a run on the Celery workers, optionally following it live."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import job_group, verbose_option
from orchestrator.cli.connection import redis_errors
from orchestrator.cli.errors import CliError
from orchestrator.cli.follow import follow_run
from orchestrator.cli.options import code_location_options, run_options

if TYPE_CHECKING:
    pass

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

    With -m MODULE the workers import the job from MODULE by name (start them where it is
    importable). With -f FILE the job is shipped as a signed blob, unless FILE's folder is on
    PYTHONPATH or FILE belongs to an installed package.
    """
    from orchestrator.cli.config_files import load_run_config, parse_tags
    from orchestrator.cli.loading import load_code
    from orchestrator.definitions.built_in_executors import celery_executor
    from orchestrator.definitions.config.run_config import resolve_run_config, stored_run_config
    from orchestrator.definitions.partitions import PartitionedConfig
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.submit import submit_job

    run_tags = parse_tags(tags)
    run_config = load_run_config(config_files)
    code = load_code(module, file, attr)
    job = code.get_job(job_name)
    if partition is None and isinstance(job.config, PartitionedConfig):
        raise CliError(f"Job '{job.name}' is partitioned: pass --partition KEY (one of {job.config.describe_keys()}).")
    # Config errors are reported before looking for Redis at all; submit_job checks again.
    resolved = resolve_run_config(job, run_config, partition, default_executor=celery_executor)
    stored_run_config(job, resolved, celery_executor)
    instance = Instance.from_env()
    with redis_errors(instance):
        # -m: workers import the module by name; -f: a blob unless its module is importable there.
        handle = submit_job(job, run_config=run_config, tags=run_tags, partition_key=partition, instance=instance,
                            code_pointer=code.code_pointer(job.name))
    if not (wait or timeout is not None):
        click.echo(handle.run_id)
        click.echo(f"Submitted run {handle.run_id} of job '{job.name}' to Redis at {instance.masked_url}. "
                   f"Follow it with: orch run logs {handle.run_id} --follow", err=True)
        return
    exit_code = follow_run(ctx, handle, instance, job.name, timeout)
    if exit_code:
        ctx.exit(exit_code)
