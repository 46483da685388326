"""``orch run prune``: delete finished runs from Redis now, instead of waiting for their retention."""

from __future__ import annotations

import time

import click

from orchestrator.cli.app import verbose_option
from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.run_commands import run_group

__all__ = ["run_prune"]

_FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def _duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    """``--older-than``: a duration (``7d``, ``12h``, ``3600``), or None for the retention."""
    if value is None:
        return None
    from orchestrator.distributed.retention import parse_duration
    from orchestrator.errors import ConfigError

    try:
        return parse_duration(value, "--older-than")
    except ConfigError as exc:
        raise click.BadParameter(str(exc).removeprefix("--older-than=")) from None


def _shown(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@run_group.command("prune")
@click.option("--older-than", "older_than", metavar="DURATION", callback=_duration,
              help="Only runs that ended at least this long ago (7d, 12h, 30m, 3600; 0 for every finished run). "
                   "Default: the run retention, ORCH_RUN_RETENTION (7d).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(_FINISHED, case_sensitive=False),
              help="Only runs that ended with this status (repeat for several).")
@click.option("--dry-run", "dry_run", is_flag=True, help="Show what would be removed; remove nothing.")
@verbose_option
def run_prune(older_than: float | None, statuses: tuple[str, ...], dry_run: bool) -> None:
    """Delete finished runs (every key, and their place in the run list) from Redis now.

    Runs still queued or started are never removed. Finished runs also expire on their own once
    the run retention has passed since they ended (ORCH_RUN_RETENTION, 7 days by default).
    """
    from orchestrator.distributed.retention import prune_runs
    from orchestrator.status import RunStatus

    instance = connect()
    age = older_than if older_than is not None else instance.storage.retention
    wanted = [RunStatus(s.upper()) for s in statuses]
    with redis_errors(instance):
        pruned = prune_runs(instance, age, wanted, dry_run=dry_run)
    which = f" with status {' or '.join(s.value for s in wanted)}" if wanted else ""
    if not pruned:
        click.echo(f"No finished runs{which} that ended {_shown(age)} ago or more in Redis at {instance.masked_url}; "
                   "nothing removed.")
        return
    verb = "Would remove" if dry_run else "Removed"
    for run in pruned:
        ended = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.ended_at)) if run.ended_at else "?"
        keys = "" if dry_run else f", {run.keys} keys"
        click.echo(f"{verb} run {run.run_id} (job '{run.job_name}', {run.status.value}, ended {ended}{keys})")
    total = "" if dry_run else f" ({sum(r.keys for r in pruned)} keys)"
    click.echo(f"{verb} {len(pruned)} finished run{'s' if len(pruned) != 1 else ''}{which}{total} that ended "
               f"{_shown(age)} ago or more; runs still queued or started were left alone.")
