"""``orch schedule list|start|stop|preview|ticks``."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.errors import RUN_FAILED_EXIT
from orchestrator.cli.options import code_location_options
from orchestrator.cli.scheduler_commands import code_option

if TYPE_CHECKING:
    from orchestrator.definitions.schedules import ScheduleDefinition
    from orchestrator.distributed.schedule_storage import InstigatorState

__all__ = ["schedule_group", "schedule_list", "schedule_start", "schedule_stop", "schedule_preview", "schedule_ticks"]


@cli.group("schedule")
def schedule_group() -> None:
    """List, turn on and off, preview and inspect schedules (run by `orch scheduler start`)."""


def _next_tick(schedule_def: ScheduleDefinition, after: float) -> dt.datetime | None:
    """The schedule's first tick after ``after`` (epoch seconds)."""
    from orchestrator.distributed.scheduler.cron import ticks_after

    start = dt.datetime.fromtimestamp(after, dt.timezone.utc)
    return next(ticks_after(schedule_def.cron_schedule, schedule_def.execution_timezone, start), None)


@schedule_group.command("list")
@code_location_options
@verbose_option
def schedule_list(module: str | None, file: str | None, attr: str | None) -> None:
    """List the schedules of a module or file: cron, timezone, status, next and last tick."""
    from rich.text import Text

    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import list_definitions, status_text
    from orchestrator.distributed.schedule_storage import SCHEDULE

    code = load_code(module, file, attr)
    schedules = [code.repository.get_schedule_def(s.name) for s in code.repository.schedule_defs]
    now = time.time()

    def row(s: ScheduleDefinition, state: InstigatorState, running: bool, last_text: str) -> list[Text]:
        upcoming = _next_tick(s, now) if running else None
        return [Text(s.name), Text(str(s.job_name)), Text(str(s.cron_schedule)), Text(s.execution_timezone or "UTC"),
                Text(status_text(state, s.default_status)), Text(upcoming.isoformat() if upcoming else ""),
                Text(last_text)]

    list_definitions(code, SCHEDULE, schedules,
                     ("Schedule", "Job", "Cron", "Timezone", "Status", "Next tick", "Last tick"), row,
                     code_option(module, file, attr))


def _toggle(module: str | None, file: str | None, attr: str | None, name: str, running: bool) -> None:
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import toggle_definition
    from orchestrator.distributed.schedule_storage import SCHEDULE

    def running_message(schedule_def: ScheduleDefinition) -> str:
        upcoming = _next_tick(schedule_def, time.time())
        return (f"Schedule '{name}' is RUNNING ('{schedule_def.cron_schedule}' in "
                f"{schedule_def.execution_timezone or 'UTC'}); next tick at "
                f"{upcoming.isoformat() if upcoming else 'never'}.")

    toggle_definition(load_code(module, file, attr), SCHEDULE, name, running, code_option(module, file, attr),
                      running_message, f"Schedule '{name}' is STOPPED.")


@schedule_group.command("start")
@click.argument("name")
@code_location_options
@verbose_option
def schedule_start(name: str, module: str | None, file: str | None, attr: str | None) -> None:
    """Turn schedule NAME on: it ticks from now on (missed ticks before now are not run)."""
    _toggle(module, file, attr, name, True)


@schedule_group.command("stop")
@click.argument("name")
@code_location_options
@verbose_option
def schedule_stop(name: str, module: str | None, file: str | None, attr: str | None) -> None:
    """Turn schedule NAME off."""
    _toggle(module, file, attr, name, False)


@schedule_group.command("preview")
@click.argument("name")
@code_location_options
@click.option("-n", "--count", "count", type=click.IntRange(1, 100), default=5, show_default=True,
              help="How many upcoming tick times to show.")
@verbose_option
@click.pass_context
def schedule_preview(ctx: click.Context, name: str, module: str | None, file: str | None, attr: str | None,
                     count: int) -> None:
    """Show schedule NAME's next tick times and what its next tick would request (nothing is submitted).

    Exit 1 when evaluating the schedule fails or a run request would be rejected.
    """
    from orchestrator.cli.job_commands import _data_text, _indent
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import find_definition
    from orchestrator.definitions.schedules import ScheduleEvaluationContext
    from orchestrator.distributed.scheduler.cron import ticks_after
    from orchestrator.distributed.scheduler.run_requests import (
        CodeLocation,
        RunRequestError,
        describe_request,
        plan_run,
    )
    from orchestrator.distributed.scheduler.schedules import schedule_run_tags

    code = load_code(module, file, attr)
    schedule_def = find_definition(code, "schedule", name)
    start = dt.datetime.now(dt.timezone.utc)
    upcoming = list(itertools.islice(ticks_after(schedule_def.cron_schedule, schedule_def.execution_timezone, start),
                                     count))
    click.echo(f"Schedule '{name}': '{schedule_def.cron_schedule}' in {schedule_def.execution_timezone or 'UTC'}, "
               f"job {schedule_def.job_name}. Next ticks:")
    for tick in upcoming:
        click.echo(f"  {tick.isoformat()}")
    if not upcoming:
        return
    context = ScheduleEvaluationContext(scheduled_execution_time=upcoming[0], schedule_name=name,
                                        repository_def=code.repository)
    try:
        with context:
            data = schedule_def.evaluate_tick(context)
    except Exception as exc:  # noqa: BLE001 - the user's schedule function failed: say so, exit 1
        click.echo(f"Evaluating the tick at {upcoming[0].isoformat()} raised {type(exc).__name__}: {exc}", err=True)
        ctx.exit(RUN_FAILED_EXIT)
    requests = list(data.run_requests or [])
    if not requests:
        click.echo(f"The tick at {upcoming[0].isoformat()} would skip: {data.skip_message or 'no run requested'}.")
        return
    location = CodeLocation(code.repository, code.source, code.code_pointer)
    failed = False
    click.echo(f"The tick at {upcoming[0].isoformat()} would request {len(requests)} run(s):")
    for i, request in enumerate(requests):
        what = describe_request(request, i, f"schedule '{name}'")
        try:
            planned = plan_run(location, request, "preview", schedule_run_tags(name, upcoming[0]), what)
        except RunRequestError as exc:
            click.echo(f"  {exc}", err=True)
            failed = True
            continue
        partition = f", partition {request.partition_key}" if request.partition_key else ""
        click.echo(f"  {i + 1}. job {planned.job.name}{partition}, tags {planned.tags}")
        if request.run_config:
            click.echo(_indent(_data_text(request.run_config), 5))
    if failed:
        ctx.exit(RUN_FAILED_EXIT)


@schedule_group.command("ticks")
@click.argument("name")
@click.option("--limit", "limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many ticks.")
@click.option("--traceback", "tracebacks", is_flag=True, help="Also print the tracebacks of failed ticks.")
@verbose_option
def schedule_ticks(name: str, limit: int, tracebacks: bool) -> None:
    """Show schedule NAME's last ticks, newest first: status, runs, skip reasons and errors."""
    from orchestrator.cli.tick_display import show_ticks
    from orchestrator.distributed.schedule_storage import SCHEDULE

    show_ticks(SCHEDULE, name, limit, tracebacks)
