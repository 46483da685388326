"""``orch backfill``: run a partitioned job once per partition; ``orch backfill list|status|cancel``.

``orch backfill (-m MODULE | -f FILE) -j JOB (--all | --partitions A,B | --from X --to Y)
[--max-concurrent N] [--tags JSON] [--wait]`` submits one run per partition with a progress bar
and prints the backfill's id. ``--max-concurrent N`` keeps at most N of its runs in progress at
once (the others wait QUEUED in the run queue and start as slots free).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.errors import INTERRUPTED_EXIT, RUN_FAILED_EXIT, CliError
from orchestrator.cli.options import code_location_options

if TYPE_CHECKING:
    from rich.console import Console

    from orchestrator.distributed.backfills import Backfill
    from orchestrator.distributed.instance import Instance

__all__ = ["backfill_group", "backfill_list", "backfill_status", "backfill_cancel"]

_POLL_SECONDS = 0.5  # how often --wait reads the state of the backfill's runs


@cli.group("backfill", invoke_without_command=True)
@code_location_options
@click.option("-j", "--job", "job_name", metavar="JOB", help="Partitioned job to backfill.")
@click.option("--all", "all_partitions", is_flag=True, help="Every partition of the job.")
@click.option("--partitions", "partitions", metavar="KEYS", help="Comma-separated partition keys.")
@click.option("--from", "start", metavar="KEY", help="First partition of a range (with --to; alone: to the last).")
@click.option("--to", "end", metavar="KEY", help="Last partition of a range (with --from; alone: from the first).")
@click.option("--max-concurrent", "max_concurrent", type=click.IntRange(min=1), metavar="N",
              help="At most N runs of the backfill in progress at once; the others wait QUEUED.")
@click.option("--tags", "tags", metavar="JSON", help='Tags for every run, as a JSON object, e.g. \'{"team": "data"}\'.')
@click.option("--wait", "wait", is_flag=True, help="Follow the runs until all have ended; exit 1 unless all succeed.")
@click.option("--timeout", "timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="With --wait: stop waiting after this long (the runs go on); exit 1. Implies --wait.")
@verbose_option
@click.pass_context
def backfill_group(ctx: click.Context, module: str | None, file: str | None, attr: str | None, job_name: str | None,
                   all_partitions: bool, partitions: str | None, start: str | None, end: str | None,
                   max_concurrent: int | None, tags: str | None, wait: bool, timeout: float | None) -> None:
    """Run a partitioned job once per partition (a backfill), or list, inspect and cancel backfills.

    \b
    orch backfill -f jobs.py -j nightly --all --max-concurrent 2
    orch backfill -m my_pkg.jobs -j nightly --from 2024-01-01 --to 2024-01-31
    orch backfill list | status ID | cancel ID

    Each run is tagged dagster/backfill=ID and dagster/partition=KEY. Every partition's config is
    checked before the first run is submitted.
    """
    if ctx.invoked_subcommand is not None:
        if module or file or job_name:
            raise CliError(f"`orch backfill {ctx.invoked_subcommand}` takes no code location or job; "
                           f"give them to `orch backfill -f FILE -j JOB ...` to start a backfill.")
        return
    if not job_name:
        raise CliError("Say which job to backfill: orch backfill (-m MODULE | -f FILE) -j JOB (--all | --partitions "
                       "A,B | --from X --to Y). Or see backfills with: orch backfill list")
    code = _launch(ctx, module, file, attr, job_name, all_partitions, partitions, start, end, max_concurrent, tags,
                   wait or timeout is not None, timeout)
    if code:
        ctx.exit(code)


def _launch(ctx: click.Context, module: str | None, file: str | None, attr: str | None, job_name: str,
            all_partitions: bool, partitions: str | None, start: str | None, end: str | None,
            max_concurrent: int | None, tags: str | None, wait: bool, timeout: float | None) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from orchestrator.cli.config_files import parse_tags
    from orchestrator.cli.display import make_console
    from orchestrator.cli.loading import load_code
    from orchestrator.distributed.backfills import (
        check_partition_configs,
        launch_backfill,
        partitions_of,
        select_partition_keys,
    )
    from orchestrator.distributed.instance import Instance

    run_tags = parse_tags(tags)
    code = load_code(module, file, attr)
    job = code.get_job(job_name)
    keys = select_partition_keys(partitions_of(job), job.name, all_partitions=all_partitions,
                                 keys=partitions, start=start, end=end)
    check_partition_configs(job, keys)  # config errors are reported before Redis is looked for
    instance = Instance.from_env()
    err = make_console(stderr=True)
    submitted: list[str] = []
    started: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with redis_errors(instance), Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task(f"Submitting runs of job '{job.name}'", total=len(keys))

            def submitted_one(backfill_id: str, key: str, _handle: object) -> None:
                started[:] = [backfill_id]
                submitted.append(key)
                progress.advance(task)

            backfill = launch_backfill(job, keys, instance=instance, tags=run_tags, max_concurrent=max_concurrent,
                                       code_pointer=code.code_pointer(job.name), source=code.source,
                                       on_submitted=submitted_one)
    except KeyboardInterrupt:
        if started:
            click.echo(f"Stopped submitting backfill {started[0]} after {len(submitted)} of {len(keys)} runs; those go "
                       f"on. Cancel them with: orch backfill cancel {started[0]}", err=True)
        return INTERRUPTED_EXIT
    bid = backfill.backfill_id
    click.echo(bid)
    limit = f", at most {max_concurrent} at once" if max_concurrent else ""
    err.print(f"Backfill {bid}: submitted {len(backfill.runs)} runs of job '{job.name}' (partitions "
              f"{_keys_text(keys)}){limit} to Redis at {instance.masked_url}.", markup=False, soft_wrap=True)
    if not wait:
        err.print(f"See it with: orch backfill status {bid}", markup=False, soft_wrap=True)
        return 0
    return _follow(instance, bid, timeout, err)


def _keys_text(keys: list[str]) -> str:
    return ", ".join(keys[:5]) + (f" ... {keys[-1]}" if len(keys) > 5 else "")


def _follow(instance: Instance, backfill_id: str, timeout: float | None, err: Console) -> int:
    """Show the runs finishing until all have ended (or ``timeout``); the exit code."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from orchestrator.distributed.backfills import BackfillStatus, get_backfill

    deadline = None if timeout is None else time.monotonic() + timeout
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with redis_errors(instance), Progress(*columns, console=err, transient=True) as progress:
            backfill = get_backfill(instance, backfill_id)
            task = progress.add_task("Runs finished", total=len(backfill.runs))
            while True:
                finished = sum(1 for r in backfill.runs if r.status is not None and r.status.is_finished)
                progress.update(task, completed=finished, description=f"Runs finished ({_counts_text(backfill)})")
                if backfill.status.is_finished and not _any_unfinished(backfill):
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                time.sleep(_POLL_SECONDS)
                backfill = get_backfill(instance, backfill_id)
    except KeyboardInterrupt:
        click.echo(f"Stopped following backfill {backfill_id}; its runs go on. Cancel them with: "
                   f"orch backfill cancel {backfill_id}", err=True)
        return INTERRUPTED_EXIT
    _print_backfill(backfill)
    if not backfill.status.is_finished or _any_unfinished(backfill):
        click.echo(f"Backfill {backfill_id} did not finish within {timeout:g}s; its runs go on. Follow it with: "
                   f"orch backfill status {backfill_id}", err=True)
        return RUN_FAILED_EXIT
    return 0 if backfill.status is BackfillStatus.COMPLETED_SUCCESS else RUN_FAILED_EXIT


def _any_unfinished(backfill: Backfill) -> bool:
    return any(r.status is not None and not r.status.is_finished for r in backfill.runs)


def _counts_text(backfill: Backfill) -> str:
    counts = backfill.counts()
    order = ("SUCCESS", "FAILURE", "CANCELED", "STARTED", "QUEUED", "NOT_SUBMITTED")
    return ", ".join(f"{counts[k]} {k.lower().replace('_', ' ')}" for k in order if counts.get(k))


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else ""


def _print_backfill(backfill: Backfill) -> None:
    """The backfill's record and a table of its partitions and their runs."""
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import format_duration

    record = backfill.record
    console = make_console()
    rows = [
        ("Backfill", record.backfill_id),
        ("Job", record.job_name),
        ("Status", backfill.status.value),
        ("Created", _when(record.created_at)),
        ("Partitions", f"{len(record.partition_keys)} ({_keys_text(record.partition_keys)})"),
        ("Runs", _counts_text(backfill) or "none"),
    ]
    if record.max_concurrent:
        rows.append(("Max concurrent", str(record.max_concurrent)))
    if record.source:
        rows.append(("Code", record.source))
    if record.tags:
        rows.append(("Tags", ", ".join(f"{k}={v}" for k, v in sorted(record.tags.items()))))
    if backfill.error:
        rows.append(("Error", backfill.error))
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        console.print(f"{key + ':':<{width}} {value}", markup=False, highlight=False, soft_wrap=True)
    table = Table()
    for name in ("Partition", "Run ID", "Status", "Started", "Duration", "Reason"):
        table.add_column(name, no_wrap=name in ("Partition", "Run ID"))
    for run in backfill.runs:
        info = run.info
        if info is None:
            table.add_row(Text(run.partition_key), "", "not submitted", "", "", "")
            continue
        end = info.ended_at if info.ended_at is not None else (None if info.status.is_finished else time.time())
        duration = format_duration(end - info.started_at) if info.started_at and end else ""
        table.add_row(Text(run.partition_key), Text(info.run_id), Text(info.status.value), _when(info.started_at),
                      duration, Text(info.reason or ""))
    console.print(table)


# -- orch backfill list | status | cancel --------------------------------------------------------
@backfill_group.command("list")
@click.option("--limit", "limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many backfills to show.")
@verbose_option
def backfill_list(limit: int) -> None:
    """List backfills, newest first: id, job, status, partitions, runs by status, created."""
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.distributed.backfills import list_backfills

    instance = connect()
    with redis_errors(instance):
        backfills = list_backfills(instance, limit=limit)
    console = make_console()
    if not backfills:
        console.print(f"No backfills in Redis at {instance.masked_url}.", markup=False, highlight=False)
        return
    table = Table()
    for name in ("Backfill", "Job", "Status", "Partitions", "Runs", "Created"):
        table.add_column(name, no_wrap=name == "Backfill")
    for backfill in backfills:
        table.add_row(Text(backfill.backfill_id), Text(backfill.record.job_name), Text(backfill.status.value),
                      str(len(backfill.record.partition_keys)), Text(_counts_text(backfill)),
                      _when(backfill.record.created_at))
    console.print(table)


@backfill_group.command("status")
@click.argument("backfill_id")
@verbose_option
def backfill_status(backfill_id: str) -> None:
    """Show a backfill: its state, and each partition's run, status and why it waits."""
    instance = connect()
    with redis_errors(instance):
        backfill = _find(instance, backfill_id)
    _print_backfill(backfill)


@backfill_group.command("cancel")
@click.argument("backfill_id")
@verbose_option
@click.pass_context
def backfill_cancel(ctx: click.Context, backfill_id: str) -> None:
    """Cancel a backfill: no more runs are submitted; its queued and running runs are canceled.

    Exit 0 when it was canceled, 1 when it had already finished.
    """
    from orchestrator.distributed.backfills import cancel_backfill

    instance = connect()
    with redis_errors(instance):
        backfill = _find(instance, backfill_id)
        canceled = cancel_backfill(instance, backfill.backfill_id)
    if canceled is None:
        click.echo(f"Backfill {backfill.backfill_id} of job '{backfill.record.job_name}' had already finished "
                   f"({backfill.status.value}); nothing to cancel.", err=True)
        ctx.exit(RUN_FAILED_EXIT)
    click.echo(f"Canceled backfill {backfill.backfill_id} of job '{backfill.record.job_name}': {len(canceled)} "
               f"unfinished run(s) canceled; no more of its runs will be submitted.")


def _find(instance: Instance, backfill_id: str) -> Backfill:
    from orchestrator.distributed.backfills import BackfillNotFoundError, get_backfill

    text = backfill_id.strip()
    if not text or len(text) > 200 or not text.isprintable() or any(c.isspace() for c in text):
        raise CliError(f"No backfill with id {backfill_id!r}. See the backfills with `orch backfill list`.")
    try:
        return get_backfill(instance, text)
    except BackfillNotFoundError as exc:
        raise CliError(str(exc)) from None
