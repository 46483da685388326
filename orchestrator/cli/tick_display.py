"""Showing schedules' and sensors' state and ticks in the terminal, shared by ``orch schedule``,
``orch sensor`` and ``orch scheduler start``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

from orchestrator.cli.errors import CliError

if TYPE_CHECKING:
    from rich.console import Console

    from orchestrator.cli.loading import LoadedCode
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.schedule_storage import InstigatorState, ScheduleStorage
    from orchestrator.distributed.scheduler.ticks import TickRecord

__all__ = ["when", "status_text", "tick_line", "print_ticks", "load_ticks", "find_definition", "warn_if_no_scheduler",
           "set_running", "schedule_storage"]

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
