"""``orch scheduler start``: the long-running process that evaluates schedules and sensors."""

from __future__ import annotations

import logging
import signal
import threading

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.connection import connect, redis_errors
from orchestrator.cli.options import code_location_options

__all__ = ["scheduler_group", "scheduler_start", "code_option"]


@cli.group("scheduler")
def scheduler_group() -> None:
    """Run the scheduler: it evaluates schedules and sensors and submits their runs."""


def code_option(module: str | None, file: str | None, attr: str | None) -> str:
    """The code location options as typed (``-m mod``), for hints."""
    text = f"-m {module}" if module else f"-f {file}" if file else "-m MODULE"
    return text + (f" -a {attr}" if attr else "")


@scheduler_group.command("start")
@code_location_options
@click.option("--loglevel", "-l", "loglevel", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="INFO prints every tick that requested runs or failed; DEBUG also the skipped ones.")
@verbose_option
def scheduler_start(module: str | None, file: str | None, attr: str | None, loglevel: str) -> None:
    """Evaluate the schedules and sensors of a module or file until Ctrl-C or SIGTERM.

    Schedules tick on their cron strings (in their execution_timezone) and sensors every
    minimum_interval_seconds; the runs they request are submitted to the workers. Their state
    (on/off, cursors, run keys, tick history) lives in Redis, so several schedulers may run at
    once, on any machines: each tick is taken by one of them, and a scheduler that dies mid-tick
    has its tick finished by another. Turn schedules and sensors on and off with
    `orch schedule start|stop NAME` and `orch sensor start|stop NAME`.
    """
    from orchestrator.cli.loading import load_code
    from orchestrator.cli.tick_display import schedule_storage, status_text, tick_line
    from orchestrator.distributed.schedule_storage import SCHEDULE, SENSOR
    from orchestrator.distributed.scheduler.daemon import SchedulerDaemon
    from orchestrator.distributed.scheduler.run_requests import CodeLocation
    from orchestrator.distributed.scheduler.ticks import TickRecord, TickStatus

    level = getattr(logging, loglevel.upper())
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("orchestrator.scheduler").setLevel(level)
    code = load_code(module, file, attr)
    instance = connect()
    location = CodeLocation(code.repository, code.source, code.code_pointer)

    def on_tick(record: TickRecord) -> None:
        if record.status is TickStatus.FAILURE:
            click.echo(tick_line(record), err=True)
        elif record.status is TickStatus.SUCCESS and level <= logging.INFO or level <= logging.DEBUG:
            click.echo(tick_line(record), err=True)

    with redis_errors(instance):
        daemon = SchedulerDaemon(location, instance, on_tick=on_tick)
        storage = schedule_storage(instance)
        schedule_states = storage.states(SCHEDULE, [s.name for s in daemon.schedules])
        sensor_states = storage.states(SENSOR, [s.name for s in daemon.sensors])
    click.echo(f"Scheduler {daemon.owner} for {code.source} on Redis at {instance.masked_url}:", err=True)
    for s in daemon.schedules:
        tz = f" ({s.execution_timezone})" if s.execution_timezone else ""
        click.echo(f"  schedule {s.name}: '{s.cron_schedule}'{tz} -> {s.job_name}, "
                   f"{status_text(schedule_states[s.name], s.default_status)}", err=True)
    for sensor in daemon.sensors:
        click.echo(f"  sensor {sensor.name}: every {sensor.minimum_interval_seconds}s -> "
                   f"{', '.join(sensor.job_names) or 'no job'}, {status_text(sensor_states[sensor.name], sensor.default_status)}",
                   err=True)
    if not daemon.schedules and not daemon.sensors:
        click.echo(f"  no schedules or sensors in {code.source}: nothing to evaluate until they are added "
                   "(restart the scheduler after).", err=True)

    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        daemon.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    name = signal.Signals(received[-1]).name if received else "request"
    click.echo(f"Scheduler {daemon.owner} stopped ({name}).", err=True)
