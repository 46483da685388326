"""``orch dev``: Redis, workers and Flower on this machine, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.errors import RUN_FAILED_EXIT, CliError

__all__ = ["dev"]


def _code_paths(module: str | None, file: str | None) -> tuple[list[Path], str | None, list[Path]]:
    """Directories to add to the workers' PYTHONPATH for ``-m``/``-f``, a submit hint's code option,
    and the paths to watch for changes (the code location's files)."""
    from orchestrator.local.code_watch import watched_paths
    from orchestrator.local.dev import module_root

    if module and file:
        raise CliError("Pass at most one of -m/--module MODULE or -f/--file PATH.")
    if module:
        root = module_root(module)
        if root is None:
            raise CliError(f"Module '{module}' not found from {Path.cwd()} or PYTHONPATH. Check the name, and run "
                           f"`orch dev` from the directory it is importable from.")
        return [root], f"-m {module}", watched_paths(root, module=module)
    if file:
        path = Path(file)
        if not path.is_file():
            raise CliError(f"File not found: {file}" + (" (it is a directory)" if path.is_dir() else ""))
        return [path.resolve().parent], f"-f {file}", watched_paths(path.resolve().parent, file=file)
    return [], None, []


def _ui_args(module: str | None, file: str | None, code_option: str | None, wanted: bool | None) -> list[str] | None:
    """``orch ui``'s code options, or None when no UI is to run (no code, --no-ui, or not
    installed and not asked for: a ``CliError`` when it was asked for)."""
    import importlib.util

    if wanted is False or not code_option:
        if wanted and not code_option:
            raise CliError("--ui needs the code to show: pass -m MODULE or -f FILE.")
        return None
    if not all(importlib.util.find_spec(m) for m in ("starlette", "uvicorn", "jinja2", "sse_starlette")):
        if wanted:
            raise CliError("The web UI is not installed. Install it with: pip install 'orchestrator[ui]'")
        return None
    return ["-m", module] if module else ["-f", str(file)]


def _job_names(module: str | None, file: str | None) -> list[str]:
    from orchestrator.cli.loading import load_code

    return list(load_code(module, file).repository.job_names)


@cli.command("dev")
@click.option("-m", "--module", "module", metavar="MODULE", help="Module with your jobs (its directory goes on the workers' path).")
@click.option("-f", "--file", "file", metavar="PATH", help="Python file with your jobs (its directory goes on the workers' path).")
@click.option("--workers", "workers", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes.")
@click.option("--concurrency", "concurrency", type=click.IntRange(min=1), default=1, show_default=True,
              help="Pool processes per worker.")
@click.option("--flower/--no-flower", "flower", default=None, help="Start Flower (default: when it is installed).")
@click.option("--flower-port", "flower_port", type=click.IntRange(1, 65535), metavar="PORT",
              help="Flower's port (default: a free one).")
@click.option("--scheduler/--no-scheduler", "scheduler", default=True, show_default=True,
              help="With -m/-f: run `orch scheduler start` for the code's schedules and sensors.")
@click.option("--ui/--no-ui", "ui", default=None,
              help="With -m/-f: serve the web UI (`orch ui`; default: when its dependencies are installed).")
@click.option("--ui-port", "ui_port", type=click.IntRange(1, 65535), metavar="PORT",
              help="The web UI's port (default: 3000 when free, else a free one).")
@verbose_option
def dev(module: str | None, file: str | None, workers: int, concurrency: int, flower: bool | None,
        flower_port: int | None, scheduler: bool, ui: bool | None, ui_port: int | None) -> None:
    """Run a development environment: Redis (unless REDIS_URL is set), workers and Flower, on 127.0.0.1.

    Writes the connection to $ORCH_HOME/dev.json so another terminal can submit with no
    environment set. With -m/-f, a scheduler evaluates the code's schedules and sensors, and a
    change to a .py file of that code location restarts the workers and the scheduler, so the
    next run uses the new code (a running step finishes first). Ctrl-C or
    SIGTERM stops everything started here. Exits 1 if a process dies.
    """
    from orchestrator.home import orch_home
    from orchestrator.local.dev import DevEnvironment, DevProcessDied

    paths, code_option, watch = _code_paths(module, file)
    jobs = _job_names(module, file) if code_option else []

    def on_code_change(changed: list[Path]) -> None:
        shown = ", ".join(str(p) for p in changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        click.echo(f"Code changed ({shown}): restarting the workers ...", err=True)

    def on_warning(message: str) -> None:
        click.echo(f"Warning: {message}", err=True)

    scheduler_args = (["-m", module] if module else ["-f", str(file)]) if code_option and scheduler else None
    ui_args = _ui_args(module, file, code_option, ui)
    env = DevEnvironment(home=orch_home(), workers=workers, concurrency=concurrency, flower=flower,
                         flower_port=flower_port, pythonpath=paths, watch=watch, on_code_change=on_code_change,
                         scheduler=scheduler_args, on_warning=on_warning, ui=ui_args, ui_port=ui_port)

    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        stop.set()

    # SIGINT too: a supervisor started in the background (SIGINT ignored) still stops on request.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    where = "private Redis" if not os.environ.get("REDIS_URL") else "Redis from REDIS_URL"
    click.echo(f"Starting {where}, {workers} worker(s) x {concurrency}" +
               (", Flower" if flower is not False else "") + " ...", err=True)
    try:
        env.start()
        if not stop.is_set():
            _print_ready(env, code_option, jobs)
        try:
            env.wait(stop)
        except DevProcessDied as exc:
            click.echo(f"Error: {exc}", err=True)
            click.echo("Stopping everything.", err=True)
            raise click.exceptions.Exit(RUN_FAILED_EXIT) from None
        name = signal.Signals(received[-1]).name if received else "request"
        click.echo(f"Stopping ({name}) ...", err=True)
    finally:
        # A second Ctrl-C or SIGTERM during shutdown only sets the event again: children are always stopped.
        try:
            env.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    click.echo("Stopped.", err=True)


def _print_ready(env: object, code_option: str | None, jobs: list[str]) -> None:
    from orchestrator.home import orch_home
    from orchestrator.local.dev import DevEnvironment

    assert isinstance(env, DevEnvironment)
    click.echo("orch dev is running:")
    for line in env.describe():
        click.echo(f"  {line}")
    if env.secret_generated:
        click.echo("  Secret:  generated for this session (in dev.json; set ORCH_SECRET to choose one)")
    home_prefix = "" if not os.environ.get("ORCH_HOME") else f"ORCH_HOME={orch_home()} "
    code = code_option or "-m MODULE"
    job = jobs[0] if jobs else "JOB"
    click.echo("Submit from another terminal (no REDIS_URL needed):")
    click.echo(f"  {home_prefix}orch job submit {code} -j {job} --wait")
    if len(jobs) > 1:
        click.echo(f"  jobs: {', '.join(jobs)}")
    click.echo(f"  {home_prefix}orch run list")
    click.echo("Press Ctrl-C to stop.", nl=True)
