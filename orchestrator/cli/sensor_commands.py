"""``orch sensor list|start|stop|cursor|ticks``."""

from __future__ import annotations

from typing import Any

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.errors import CliError
from orchestrator.cli.options import code_location_options
from orchestrator.cli.scheduler_commands import code_option

__all__ = ["sensor_group", "sensor_list", "sensor_start", "sensor_stop", "sensor_cursor", "sensor_ticks"]


@cli.group("sensor")
def sensor_group() -> None:
    """List, turn on and off and inspect sensors (run by `orch scheduler start`)."""


def _kind(sensor_def: Any) -> str:
    from orchestrator.definitions.sensors import AssetSensorDefinition, RunStatusSensorDefinition

    if isinstance(sensor_def, AssetSensorDefinition):
        return f"asset {sensor_def.asset_key.to_user_string()}"
    if isinstance(sensor_def, RunStatusSensorDefinition):
        return f"run status {getattr(sensor_def.run_status, 'name', sensor_def.run_status)}"
    return "sensor"


@sensor_group.command("list")
@code_location_options
@verbose_option
def sensor_list(module: str | None, file: str | None, attr: str | None) -> None:
    """List the sensors of a module or file: kind, jobs, interval, status, cursor, last tick."""
    from rich.table import Table
    from rich.text import Text

    from orchestrator.cli.display import make_console
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import load_ticks, schedule_storage, status_text, warn_if_no_scheduler, when
    from orchestrator.distributed.schedule_storage import SENSOR
    from orchestrator.distributed.scheduler.evaluation import is_running

    code = load_code(module, file, attr)
    sensors = list(code.repository.sensor_defs)
    console = make_console()
    if not sensors:
        console.print(f"No sensors in {code.source}.", markup=False)
        return
    instance = connect()
    with redis_errors(instance):
        storage = schedule_storage(instance)
        states = storage.states(SENSOR, [s.name for s in sensors])
        last = {s.name: load_ticks(storage, SENSOR, s.name, 1) for s in sensors}
    table = Table()
    for column in ("Sensor", "Kind", "Jobs", "Interval", "Status", "Cursor", "Last tick"):
        table.add_column(column)
    any_running = False
    for s in sensors:
        state = states[s.name]
        any_running = any_running or is_running(state, s.default_status)
        ticks = last[s.name]
        last_text = f"{ticks[0].status.value} {when(ticks[0].timestamp)}" if ticks else ""
        table.add_row(Text(s.name), Text(_kind(s)), Text(", ".join(s.job_names)), f"{s.minimum_interval_seconds}s",
                      Text(status_text(state, s.default_status)), Text(state.cursor or ""), Text(last_text))
    console.print(f"Sensors in {code.source}:", markup=False, soft_wrap=True)
    console.print(table)
    if any_running:
        with redis_errors(instance):
            warn_if_no_scheduler(storage, code_option(module, file, attr))


def _toggle(module: str | None, file: str | None, attr: str | None, name: str, running: bool) -> None:
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import find_definition, schedule_storage, set_running, warn_if_no_scheduler

    code = load_code(module, file, attr)
    sensor_def = find_definition(code, "sensor", name)
    instance = connect()
    with redis_errors(instance):
        set_running(instance, "sensor", sensor_def, running)
        if running:
            click.echo(f"Sensor '{name}' is RUNNING (every {sensor_def.minimum_interval_seconds}s).")
            warn_if_no_scheduler(schedule_storage(instance), code_option(module, file, attr))
        else:
            click.echo(f"Sensor '{name}' is STOPPED (its cursor and run keys are kept).")


@sensor_group.command("start")
@click.argument("name")
@code_location_options
@verbose_option
def sensor_start(name: str, module: str | None, file: str | None, attr: str | None) -> None:
    """Turn sensor NAME on (it goes on from its cursor)."""
    _toggle(module, file, attr, name, True)


@sensor_group.command("stop")
@click.argument("name")
@code_location_options
@verbose_option
def sensor_stop(name: str, module: str | None, file: str | None, attr: str | None) -> None:
    """Turn sensor NAME off."""
    _toggle(module, file, attr, name, False)


@sensor_group.command("cursor")
@click.argument("name")
@click.option("--set", "new_cursor", metavar="VALUE", help="Set the cursor to VALUE.")
@click.option("--delete", "delete", is_flag=True, help="Delete the cursor (the sensor starts from scratch).")
@verbose_option
def sensor_cursor(name: str, new_cursor: str | None, delete: bool) -> None:
    """Show sensor NAME's cursor, or set it (--set VALUE) or delete it (--delete)."""
    from orchestrator.cli.tick_display import schedule_storage
    from orchestrator.distributed.schedule_storage import SENSOR

    if new_cursor is not None and delete:
        raise CliError("Pass --set VALUE or --delete, not both.")
    instance = connect()
    with redis_errors(instance):
        storage = schedule_storage(instance)
        if new_cursor is not None or delete:
            storage.set_cursor(SENSOR, name, new_cursor)
            click.echo(f"Sensor '{name}': cursor {'deleted' if delete else f'set to {new_cursor!r}'}.")
            return
        state = storage.state(SENSOR, name)
        keys = storage.run_key_count(name)
    if state.cursor is None:
        click.echo(f"Sensor '{name}' has no cursor ({keys} run key(s) requested).")
    else:
        click.echo(state.cursor)
        click.echo(f"({keys} run key(s) requested)", err=True)


@sensor_group.command("ticks")
@click.argument("name")
@click.option("--limit", "limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many ticks.")
@click.option("--traceback", "tracebacks", is_flag=True, help="Also print the tracebacks of failed ticks.")
@verbose_option
def sensor_ticks(name: str, limit: int, tracebacks: bool) -> None:
    """Show sensor NAME's last ticks, newest first: status, runs, skip reasons and errors."""
    from orchestrator.cli.display import make_console
    from orchestrator.cli.tick_display import load_ticks, print_ticks, schedule_storage
    from orchestrator.distributed.schedule_storage import SENSOR

    instance = connect()
    with redis_errors(instance):
        records = load_ticks(schedule_storage(instance), SENSOR, name, limit)
    print_ticks(make_console(), SENSOR, name, records, tracebacks)
