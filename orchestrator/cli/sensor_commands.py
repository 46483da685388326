"""``orch sensor list|start|stop|cursor|ticks``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.errors import CliError
from orchestrator.cli.options import code_location_options
from orchestrator.cli.scheduler_commands import code_option

if TYPE_CHECKING:
    from orchestrator.distributed.schedule_storage import InstigatorState

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
    from rich.text import Text

    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import list_definitions, status_text
    from orchestrator.distributed.schedule_storage import SENSOR

    code = load_code(module, file, attr)

    def row(s: Any, state: InstigatorState, running: bool, last_text: str) -> list[Text | str]:
        return [Text(s.name), Text(_kind(s)), Text(", ".join(s.job_names)), f"{s.minimum_interval_seconds}s",
                Text(status_text(state, s.default_status)), Text(state.cursor or ""), Text(last_text)]

    list_definitions(code, SENSOR, list(code.repository.sensor_defs),
                     ("Sensor", "Kind", "Jobs", "Interval", "Status", "Cursor", "Last tick"), row,
                     code_option(module, file, attr))


def _toggle(module: str | None, file: str | None, attr: str | None, name: str, running: bool) -> None:
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import toggle_definition
    from orchestrator.distributed.schedule_storage import SENSOR

    toggle_definition(load_code(module, file, attr), SENSOR, name, running, code_option(module, file, attr),
                      lambda sensor_def: f"Sensor '{name}' is RUNNING (every {sensor_def.minimum_interval_seconds}s).",
                      f"Sensor '{name}' is STOPPED (its cursor and run keys are kept).")


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
    from orchestrator.cli.tick_display import show_ticks
    from orchestrator.distributed.schedule_storage import SENSOR

    show_ticks(SENSOR, name, limit, tracebacks)
