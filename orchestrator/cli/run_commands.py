"""``orch run list|show|logs|cancel``: the history of distributed runs, read from Redis."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import cli, is_verbose, verbose_option
from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.errors import INTERRUPTED_EXIT, RUN_FAILED_EXIT, CliError

if TYPE_CHECKING:
    from orchestrator.cli.progress import StepTracker
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunInfo
    from orchestrator.events import RunEvent

__all__ = ["run_group", "run_list", "run_show", "run_logs", "run_cancel", "run_reexecute", "find_run"]

_STATUSES = ("QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELED")
_PREFIX = re.compile(r"^[0-9a-fA-F-]{4,}$")


@cli.group("run")
def run_group() -> None:
    """List, inspect, follow and cancel runs submitted to the workers."""


def _no_run(run_id: str, instance: Instance) -> CliError:
    return CliError(f"No run with id '{run_id}' in Redis at {instance.masked_url}. "
                    f"See the runs there with `orch run list`.")


def find_run(instance: Instance, run_id: str) -> RunInfo:
    """The run with id ``run_id``, or the only run whose id starts with it; a clear error otherwise."""
    from orchestrator.errors import RunNotFoundError

    text = run_id.strip()
    if not text or len(text) > 200 or not text.isprintable() or any(c.isspace() for c in text):
        raise _no_run(run_id, instance)
    storage = instance.storage
    try:
        return storage.get_run(text)
    except RunNotFoundError:
        pass
    if _PREFIX.match(text):
        matches = storage.run_ids_starting_with(text.lower(), limit=6)
        if len(matches) == 1:
            try:
                return storage.get_run(matches[0])
            except RunNotFoundError:
                pass
        elif len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5])
            raise CliError(f"Run id prefix '{text}' is ambiguous: it matches {shown}{' ...' if len(matches) > 5 else ''}. "
                           f"Give more of the id.")
    raise _no_run(run_id, instance)


def _when(ts: float | None, with_date: bool = True) -> str:
    if ts is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S"
    return time.strftime(fmt, time.localtime(ts))


def _run_duration(info: RunInfo) -> float | None:
    start = info.started_at
    if start is None:
        return None
    end = info.ended_at if info.ended_at is not None else (None if info.status.is_finished else time.time())
    return None if end is None else end - start


# -- orch run list -------------------------------------------------------------------------------
@run_group.command("list")
@click.option("--job", "job_name", metavar="NAME", help="Only runs of this job.")
@click.option("--status", "status", type=click.Choice(_STATUSES, case_sensitive=False), help="Only runs with this status.")
@click.option("--limit", "limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many runs to show.")
@verbose_option
def run_list(job_name: str | None, status: str | None, limit: int) -> None:
    """List runs, newest first: run id, job, status, created, duration."""
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import format_duration
    from orchestrator.distributed.records import RunStatus

    instance = connect()
    with redis_errors(instance):
        runs = instance.storage.list_runs(job_name=job_name, status=RunStatus(status.upper()) if status else None,
                                          limit=limit)
    console = make_console()
    if not runs:
        what = " matching the filters" if job_name or status else ""
        console.print(f"No runs{what} in Redis at {instance.masked_url}.", markup=False, highlight=False)
        return
    table = Table()
    table.add_column("Run ID", no_wrap=True)
    table.add_column("Job")
    table.add_column("Status")
    table.add_column("Created")
    table.add_column("Duration", justify="right")
    for info in runs:
        duration = format_duration(_run_duration(info))
        if duration and not info.status.is_finished:
            duration += " (running)"
        table.add_row(Text(info.run_id), Text(info.record.job_name), Text(info.status.value, style=_status_style(info)),
                      _when(info.record.created_at), duration)
    console.print(table)


def _status_style(info: RunInfo) -> str:
    return {"SUCCESS": "green", "FAILURE": "bold red", "CANCELED": "yellow", "STARTED": "cyan"}.get(info.status.value, "")


# -- orch run show -------------------------------------------------------------------------------
@run_group.command("show")
@click.argument("run_id")
@verbose_option
@click.pass_context
def run_show(ctx: click.Context, run_id: str) -> None:
    """Show a run's record and a table of its steps (status, duration, worker, attempts).

    Every step the run has registered is listed (mapped steps too, once their dynamic output is
    stored). While the run goes on, steps that are sent but not started show as "queued", and a
    queue that no live worker consumes is named; once it has ended, steps that never ran show as
    "not run".
    """
    from orchestrator.cli.display import make_console
    from orchestrator.cli.progress import StepTracker, format_duration, print_failures, step_layout, steps_table

    instance = connect()
    storage = instance.storage
    with redis_errors(instance):
        info = find_run(instance, run_id)
        rid = info.run_id
        layout = step_layout(storage, rid)
        registered = storage.registered_steps(rid)
        events = storage.all_events(rid)
        tracker = StepTracker(layout.expected, order=layout.sort_key).apply_all(events)
        tracker.register(layout.concrete(registered))
        # A run waiting in the run queue has sent no step yet: its place there is what it waits on.
        in_queue = None if info.status.is_finished else _run_queue_place(instance, rid)
        waiting = [] if info.status.is_finished or in_queue else _waiting_on_queues(instance, rid, tracker,
                                                                                     is_verbose(ctx))
    if info.status.is_finished:
        tracker.mark(list(tracker.steps), "not run")
    record = info.record
    console = make_console()
    rows = [
        ("Run", rid),
        ("Job", record.job_name),
        ("Status", info.status.value),
        ("Created", _when(record.created_at)),
        ("Started", _when(info.started_at)),
        ("Ended", _when(info.ended_at)),
        ("Duration", format_duration(_run_duration(info))),
        ("Code", record.code.describe()),
        ("Queue", record.queue),
        ("Steps", f"{tracker.done}/{tracker.total} finished"),
    ]
    if record.tags:
        rows.append(("Tags", ", ".join(f"{k}={v}" for k, v in sorted(record.tags.items()))))
    if record.partition_key:
        rows.append(("Partition", record.partition_key))
    if record.parent_run_id:
        rows.append(("Parent run", record.parent_run_id))
    if record.root_run_id and record.root_run_id != record.parent_run_id:
        rows.append(("Root run", record.root_run_id))
    if record.op_selection:
        rows.append(("Op selection", ", ".join(record.op_selection)))
    if info.reason:
        rows.append(("Reason", info.reason))
    if in_queue:
        rows.append(("Run queue", in_queue))
    rows += [("Waiting", line) for line in waiting]
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        console.print(f"{key + ':':<{width}} {value}", markup=False, highlight=False, soft_wrap=True)
    if record.run_config:
        console.print("Run config:", markup=False)
        console.print(_config_text(record.run_config), markup=False, highlight=False, soft_wrap=True)
    if tracker.steps:
        console.print(steps_table(tracker))
    else:
        console.print("Steps: none", markup=False)
    if info.status.is_finished and info.status.value != "SUCCESS":
        print_failures(tracker, info, is_verbose(ctx))


def _run_queue_place(instance: Instance, run_id: str) -> str | None:
    """``position 2 of 5`` for a run waiting for run-queue slots (see ``distributed/run_queue.py``)."""
    from orchestrator.distributed.run_queue import RunQueue

    place = RunQueue(instance.redis).position(run_id)
    return None if place is None else f"position {place[0]} of {place[1]} runs waiting for a slot"


def _waiting_on_queues(instance: Instance, run_id: str, tracker: StepTracker, verbose: bool) -> list[str]:
    """Mark the queued steps of a run going on, and name each queue no live worker consumes."""
    from orchestrator.cli.progress import waiting_text
    from orchestrator.distributed.consumers import queued_steps_by_queue, queues_with_live_workers

    by_queue = queued_steps_by_queue(instance, run_id)
    for steps in by_queue.values():
        tracker.mark(steps, "queued")
    if not by_queue:
        return []
    try:
        consumed = queues_with_live_workers(instance)
    except Exception as exc:  # noqa: BLE001 - a hint: the run itself is shown regardless
        return [f"(could not ask which queues have live workers: {type(exc).__name__}: {exc})"] if verbose else []
    return waiting_text({q: steps for q, steps in by_queue.items() if not consumed.get(q)})


def _config_text(config: dict) -> str:
    import json

    import yaml

    try:
        text = yaml.safe_dump(config, sort_keys=False, default_flow_style=False).rstrip()
    except yaml.YAMLError:
        text = json.dumps(config, indent=2, default=str)
    return "\n".join("  " + line for line in text.splitlines())


# -- orch run logs -------------------------------------------------------------------------------
def format_event(event: RunEvent) -> str:
    """One line: time, type (LOG with its level), step, message (and the error of a failure)."""
    from orchestrator.events import EventType

    ts = event.timestamp
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) + f".{int((ts % 1) * 1000):03d}"
    kind = event.event_type.display_name
    if event.event_type is EventType.LOG:
        kind = f"LOG {str(event.data.get('level', 'INFO')).upper()}"
    message = event.message.replace("\n", "\n    ")
    if event.event_type is EventType.STEP_START and event.data.get("worker"):
        message += f" [worker {event.data['worker']}, pid {event.data.get('pid')}]"
    if event.error is not None and f"{event.error.cls_name}: {event.error.message}" not in message:
        message += f" ({event.error.cls_name}: {event.error.message})"
    return f"{stamp} {kind:<14} {event.step_key or '-':<20} {message}"


@run_group.command("logs")
@click.argument("run_id")
@click.option("--follow", "-f", "follow", is_flag=True, help="Keep printing new events until the run ends.")
@verbose_option
@click.pass_context
def run_logs(ctx: click.Context, run_id: str, follow: bool) -> None:
    """Print every event of a run, one per line: time, type, step, message."""
    instance = connect()
    verbose = is_verbose(ctx)
    with redis_errors(instance):
        rid = find_run(instance, run_id).run_id
        events = instance.storage.follow_events(rid) if follow else iter(instance.storage.all_events(rid))
        try:
            for event in events:
                click.echo(format_event(event))
                if verbose and event.error is not None and event.error.traceback:
                    click.echo("    " + event.error.traceback.rstrip().replace("\n", "\n    "))
        except KeyboardInterrupt:
            click.echo(f"Stopped following run {rid}; it goes on.", err=True)
            ctx.exit(INTERRUPTED_EXIT)


# -- orch run cancel -----------------------------------------------------------------------------
@run_group.command("cancel")
@click.argument("run_id")
@verbose_option
@click.pass_context
def run_cancel(ctx: click.Context, run_id: str) -> None:
    """Cancel a run: queued steps will not start; running ones are terminated.

    Exit 0 when the run was canceled, 1 when it had already finished.
    """
    from orchestrator.distributed.submit import RunHandle

    instance = connect()
    with redis_errors(instance):
        info = find_run(instance, run_id)
        handle = RunHandle(info.run_id, instance)
        canceled = handle.cancel()
        after = handle.info() if not canceled else info
    if canceled:
        click.echo(f"Canceled run {info.run_id} of job '{info.record.job_name}' (it was {info.status.value}). "
                   "Queued steps will not start; running steps are terminated and nothing after them is enqueued.")
        return
    click.echo(f"Run {info.run_id} of job '{info.record.job_name}' had already finished with status "
               f"{after.status.value}; nothing to cancel.", err=True)
    ctx.exit(RUN_FAILED_EXIT)


# -- orch run reexecute --------------------------------------------------------------------------
@run_group.command("reexecute")
@click.argument("run_id")
@click.option("--from-failure/--all", "from_failure", default=True, show_default=True,
              help="Run again only the failed, skipped and unfinished steps (default), or every step.")
@click.option("--steps", "steps", metavar="KEYS", help="Comma-separated steps (op paths or step keys) to run again.")
@click.option("--wait", "wait", is_flag=True, help="Follow the new run live until it ends; exit 1 unless it succeeds.")
@click.option("--timeout", "timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="With --wait: stop waiting after this long (the run goes on); exit 1. Implies --wait.")
@verbose_option
@click.pass_context
def run_reexecute(ctx: click.Context, run_id: str, from_failure: bool, steps: str | None, wait: bool,
                  timeout: float | None) -> None:
    """Start a new run of RUN_ID's job and config that reuses the stored outputs of its successful
    steps and runs the rest (or exactly --steps). Prints the new run id."""
    from orchestrator.cli.follow import follow_run
    from orchestrator.distributed.reexecute import reexecute

    instance = connect()
    with redis_errors(instance):
        info = find_run(instance, run_id)
        selection = [s.strip() for s in steps.split(",") if s.strip()] if steps else None
        handle = reexecute(info.run_id, from_failure=from_failure, step_selection=selection, instance=instance)
    if not (wait or timeout is not None):
        click.echo(handle.run_id)
        click.echo(f"Re-executing run {info.run_id} as run {handle.run_id}. "
                   f"Follow it with: orch run logs {handle.run_id} --follow", err=True)
        return
    code = follow_run(ctx, handle, instance, info.record.job_name, timeout)
    if code:
        ctx.exit(code)
