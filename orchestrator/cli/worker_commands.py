"""``orch worker start`` and ``orch flower``: exec Celery for ``worker.app`` in this process.

Both replace the ``orch`` process with ``python -m celery ...`` (``os.execvpe``), so signals from
a terminal, systemd or Kubernetes go straight to Celery and its warm shutdown.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import cli, verbose_option
from orchestrator.cli.errors import CliError

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["worker_group", "worker_start", "flower", "celery_worker_argv", "celery_flower_argv", "FLOWER_HINT"]

CELERY_APP = "worker.app"
FLOWER_HINT = "pip install 'orchestrator[flower]'"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@cli.group("worker")
def worker_group() -> None:
    """Run Celery workers for the orchestrator's step tasks."""


def celery_worker_argv(concurrency: int | None = None, queues: str | None = None, name: str | None = None,
                       loglevel: str = "INFO", extra: Sequence[str] = ()) -> list[str]:
    """``python -m celery -A worker.app worker ...`` with the given options."""
    from orchestrator.distributed.dispatch import DEFAULT_QUEUE

    argv = [sys.executable, "-m", "celery", "-A", CELERY_APP, "worker", "-Q", queues or DEFAULT_QUEUE,
            "--loglevel", loglevel]
    if concurrency is not None:
        argv += ["-c", str(concurrency)]
    if name:
        argv += ["-n", name]
    return argv + list(extra)


def celery_flower_argv(port: int, address: str, extra: Sequence[str] = ()) -> list[str]:
    """``python -m celery -A worker.app flower --address=... --port=...``."""
    return [sys.executable, "-m", "celery", "-A", CELERY_APP, "flower", f"--address={address}", f"--port={port}",
            *extra]


def flower_installed() -> bool:
    return importlib.util.find_spec("flower") is not None


def _check_environment(need_secret: bool, insecure: bool) -> Instance:
    """Fail early, with the CLI's clear messages, where ``worker.app`` would fail with a traceback."""
    from orchestrator.distributed.instance import Instance

    instance = Instance.from_env()  # no REDIS_URL and no dev.json -> a clear error, exit 2
    if need_secret and not insecure and not instance.secret and os.environ.get("ORCH_INSECURE") != "1":
        raise CliError(
            "ORCH_SECRET is not set, so the worker could not verify shipped code. Set ORCH_SECRET to the same value "
            "as the submitters, or pass --insecure (ORCH_INSECURE=1) for local experiments."
        )
    return instance


def _exec(argv: list[str], env: Mapping[str, str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, dict(env))
    except OSError as exc:
        raise CliError(f"Could not start {' '.join(argv[:5])}: {exc}") from exc


@worker_group.command("start", context_settings={"ignore_unknown_options": True})
@click.option("-c", "--concurrency", "concurrency", type=click.IntRange(min=1), metavar="N",
              help="Worker processes in the pool (Celery's default: the number of CPUs).")
@click.option("-Q", "--queues", "queues", metavar="QUEUES", help="Comma-separated queues to consume (default: orch).")
@click.option("-n", "--hostname", "--name", "name", metavar="NAME",
              help="Node name, e.g. 'w1@%h' (Celery's default: celery@HOST).")
@click.option("--loglevel", "-l", "loglevel", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], case_sensitive=False))
@click.option("--insecure", is_flag=True, help="Run without ORCH_SECRET (sets ORCH_INSECURE=1). Local experiments only.")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- CELERY_ARGS]...")
@verbose_option
def worker_start(concurrency: int | None, queues: str | None, name: str | None, loglevel: str, insecure: bool,
                 celery_args: tuple[str, ...]) -> None:
    """Start a Celery worker (celery -A worker.app worker) in this process.

    It reads the same environment as submitters: REDIS_URL (or the `orch dev` connection),
    ORCH_SECRET, ORCH_HOME. Arguments after `--` go to `celery worker` unchanged.
    """
    _check_environment(need_secret=True, insecure=insecure)
    env = dict(os.environ)
    if insecure:
        env["ORCH_INSECURE"] = "1"
    _exec(celery_worker_argv(concurrency, queues, name, loglevel.upper(), celery_args), env)


@cli.command("flower", context_settings={"ignore_unknown_options": True})
@click.option("--port", "port", type=click.IntRange(1, 65535), default=5555, show_default=True)
@click.option("--address", "address", default="127.0.0.1", show_default=True,
              help="Address to listen on. Flower has no authentication unless you pass e.g. --basic-auth.")
@click.argument("flower_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- FLOWER_ARGS]...")
@verbose_option
def flower(port: int, address: str, flower_args: tuple[str, ...]) -> None:
    """Start Flower, Celery's monitor, for the workers (steps show as `<job>.<step_key>`)."""
    if not flower_installed():
        raise CliError(f"Flower is not installed. Install it with: {FLOWER_HINT}")
    instance = _check_environment(need_secret=False, insecure=False)
    if address not in _LOOPBACK and not any(a.startswith(("--basic-auth", "--basic_auth", "--auth")) for a in flower_args):
        click.echo(f"Warning: Flower will listen on {address} without authentication; anyone who can reach it can "
                   "see task arguments and revoke tasks. Consider --basic-auth=user:password.", err=True)
    click.echo(f"Flower: http://{address}:{port}/", err=True)
    from orchestrator.distributed.task_events import enable_on_workers

    enable_on_workers(instance.broker_url)  # Flower's own first broadcast comes 5 s after it starts
    _exec(celery_flower_argv(port, address, flower_args), os.environ)
