"""Showing schedules' and sensors' state and ticks in the terminal, shared by ``orch schedule``,
``orch sensor`` and ``orch scheduler start``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.errors import CliError

if TYPE_CHECKING:
    from rich.console import Console

    from orchestrator.cli.loading import LoadedCode
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.schedule_storage import InstigatorState, ScheduleStorage
    from orchestrator.distributed.scheduler.ticks import TickRecord

__all__ = ["when", "status_text", "tick_line", "print_ticks", "load_ticks", "find_definition", "warn_if_no_scheduler",
           "set_running", "schedule_storage", "list_definitions", "toggle_definition", "show_ticks"]

_STATUS_STYLE = {"SUCCESS": "green", "FAILURE": "bold red", "SKIPPED": "yellow", "STARTED": "cyan"}


def when(ts: float | None) -> str:
    """A local date and time, or empty."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts is not None else ""


def status_text(state: InstigatorState, default_status: Any) -> str:
    """``RUNNING`` / ``STOPPED``, with ``(default)`` when nobody set it and the default applies."""
    if state.status:
        return state.status
    return f"{getattr(default_status, 'value', default_status)} (default)"


def tick_line(record: TickRecord) -> str:
    """One line for a recorded tick, as ``orch scheduler start`` prints them."""
    what = f"{record.kind} '{record.name}' tick {record.tick}"
    if record.kind == "schedule":
        what = f"{record.kind} '{record.name}' tick at {when(record.timestamp)}"
    attempt = f" (attempt {record.attempt})" if record.attempt > 1 else ""
    if record.status.value == "SUCCESS":
        return f"{what}{attempt}: {len(record.run_ids)} run(s) submitted: {', '.join(record.run_ids)}"
    if record.status.value == "SKIPPED":
        return f"{what}{attempt}: skipped: {record.skip_reason}"
    return f"{what}{attempt}: FAILED: {record.error}"


def schedule_storage(instance: Instance) -> ScheduleStorage:
    from orchestrator.distributed.schedule_storage import ScheduleStorage

    return ScheduleStorage(instance.redis)


def load_ticks(storage: ScheduleStorage, kind: str, name: str, limit: int) -> list[TickRecord]:
    from orchestrator.distributed.scheduler.ticks import TickRecord

    return [TickRecord.model_validate_json(raw) for raw in storage.ticks(kind, name, limit)]


def print_ticks(console: Console, kind: str, name: str, records: list[TickRecord], tracebacks: bool) -> None:
    """A table of ticks, newest first; with ``tracebacks`` the failed ticks' tracebacks below it."""
    from rich.table import Table
    from rich.text import Text

    if not records:
        console.print(f"No ticks recorded for {kind} '{name}'.", markup=False)
        return
    table = Table()
    table.add_column("Tick", no_wrap=True)
    table.add_column("Status")
    table.add_column("Runs")
    table.add_column("Skip reason / error")
    for r in records:
        label = when(r.timestamp) if kind == "schedule" else f"#{r.tick} {when(r.timestamp)}"
        runs = "\n".join(r.run_ids) if r.run_ids else ""
        note = r.error or r.skip_reason or ""
        if r.attempt > 1:
            note = f"(attempt {r.attempt}) {note}".rstrip()
        table.add_row(Text(label), Text(r.status.value, style=_STATUS_STYLE.get(r.status.value, "")), Text(runs),
                      Text(note))
    console.print(table)
    if tracebacks:
        for r in records:
            if r.traceback:
                console.print(f"\nTraceback of the tick {label_of(r)}:", markup=False)
                console.print(r.traceback, markup=False, soft_wrap=True)


def label_of(record: TickRecord) -> str:
    return when(record.timestamp) if record.kind == "schedule" else f"#{record.tick}"


def find_definition(code: LoadedCode, kind: str, name: str) -> Any:
    """The schedule or sensor called ``name``; a ``CliError`` listing those that exist otherwise."""
    repo = code.repository
    defs = repo.schedule_defs if kind == "schedule" else repo.sensor_defs
    for d in defs:
        if d.name == name:
            return repo.get_schedule_def(name) if kind == "schedule" else d
    names = ", ".join(d.name for d in defs) or "none"
    raise CliError(f"No {kind} named '{name}' in {code.source}. {kind.capitalize()}s defined: {names}.")


def set_running(instance: Instance, kind: str, definition: Any, running: bool) -> None:
    """Turn a schedule or sensor on or off in Redis; a schedule turned on counts ticks from now."""
    from orchestrator.distributed.scheduler.evaluation import is_running

    storage = schedule_storage(instance)
    state = storage.state(kind, definition.name)
    was = is_running(state, definition.default_status)
    storage.set_status(kind, definition.name, "RUNNING" if running else "STOPPED", time.time(),
                       restart=running and (not was or state.started_at is None))


def warn_if_no_scheduler(storage: ScheduleStorage, code_option: str) -> None:
    """Say so when nothing evaluates the schedules and sensors (no scheduler beat recently)."""
    from orchestrator.distributed.scheduler.daemon import BEAT_SECONDS

    if not storage.live_schedulers(within=3 * BEAT_SECONDS):
        click.echo(f"Note: no scheduler is running, so nothing is evaluated. Start one with: "
                   f"orch scheduler start {code_option}", err=True)


def list_definitions(code: LoadedCode, kind: str, definitions: Sequence[Any], columns: Sequence[str],
                     row: Callable[[Any, InstigatorState, bool, str], Sequence[Any]], code_option: str) -> None:
    """The table of ``orch schedule list`` / ``orch sensor list``, one row per definition.

    Both commands read the same state (status, last tick) from Redis and warn the same way when
    something runs but no scheduler does; only their columns differ.

    :param code: the loaded module or file the definitions come from (named in the heading).
    :param kind: ``"schedule"`` or ``"sensor"`` (the storage kind, also used in messages).
    :param definitions: the schedules or sensors to list.
    :param columns: the table's column titles; the first is the name column.
    :param row: builds a row's cells from ``(definition, state, running, last_tick_text)``.
    :param code_option: the ``-m``/``-f`` option to print in the "start a scheduler" hint.
    """
    from rich.table import Table

    from orchestrator.cli.display import make_console
    from orchestrator.distributed.scheduler.evaluation import is_running

    console = make_console()
    title = f"{kind.capitalize()}s"
    if not definitions:
        console.print(f"No {kind}s in {code.source}.", markup=False)
        return
    instance = connect()
    with redis_errors(instance):
        storage = schedule_storage(instance)
        states = storage.states(kind, [d.name for d in definitions])
        last = {d.name: load_ticks(storage, kind, d.name, 1) for d in definitions}
    table = Table()
    for column in columns:
        table.add_column(column)
    any_running = False
    for d in definitions:
        state = states[d.name]
        running = is_running(state, d.default_status)
        any_running = any_running or running
        ticks = last[d.name]
        last_text = f"{ticks[0].status.value} {when(ticks[0].timestamp)}" if ticks else ""
        table.add_row(*row(d, state, running, last_text))
    console.print(f"{title} in {code.source}:", markup=False, soft_wrap=True)
    console.print(table)
    if any_running:
        with redis_errors(instance):
            warn_if_no_scheduler(storage, code_option)


def toggle_definition(code: LoadedCode, kind: str, name: str, running: bool, code_option: str,
                      running_message: Callable[[Any], str], stopped_message: str) -> None:
    """``orch schedule|sensor start|stop NAME``: set the status in Redis and say what it is now.

    :param code: the loaded module or file that defines NAME.
    :param kind: ``"schedule"`` or ``"sensor"``.
    :param name: the schedule's or sensor's name (a ``CliError`` lists those defined when unknown).
    :param running: turn it on (``True``) or off.
    :param code_option: the ``-m``/``-f`` option to print in the "start a scheduler" hint.
    :param running_message: the line printed after turning the definition on (given the definition).
    :param stopped_message: the line printed after turning it off.
    """
    definition = find_definition(code, kind, name)
    instance = connect()
    with redis_errors(instance):
        set_running(instance, kind, definition, running)
        if running:
            click.echo(running_message(definition))
            warn_if_no_scheduler(schedule_storage(instance), code_option)
        else:
            click.echo(stopped_message)


def show_ticks(kind: str, name: str, limit: int, tracebacks: bool) -> None:
    """``orch schedule|sensor ticks NAME``: the last ``limit`` ticks recorded in Redis, newest first.

    :param kind: ``"schedule"`` or ``"sensor"``.
    :param name: the schedule's or sensor's name.
    :param limit: how many ticks at most.
    :param tracebacks: also print the failed ticks' tracebacks.
    """
    from orchestrator.cli.display import make_console

    instance = connect()
    with redis_errors(instance):
        records = load_ticks(schedule_storage(instance), kind, name, limit)
    print_ticks(make_console(), kind, name, records, tracebacks)
