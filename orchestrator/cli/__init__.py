"""The ``orch`` command line. Importing this package registers every command module on ``cli``."""

from __future__ import annotations

import click

from orchestrator.cli import (  # noqa: F401 - registers commands
    asset_commands,
    backfill_commands,
    dev_commands,
    job_commands,
    prune_commands,
    run_commands,
    schedule_commands,
    scheduler_commands,
    sensor_commands,
    submit_commands,
    ui_commands,
    worker_commands,
)
from orchestrator.cli.app import cli

__all__ = ["cli", "main"]

# `orch runs ...` is `orch run ...` (the plural reads naturally for `orch runs list`, `orch runs prune`).
cli.add_command(click.Group("runs", commands=run_commands.run_group.commands, hidden=True,
                            help="The same commands as `orch run`."))


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="orch")
