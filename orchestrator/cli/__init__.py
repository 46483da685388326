"""The ``orch`` command line. Importing this package registers every command module on ``cli``."""

from __future__ import annotations

from orchestrator.cli import (  # noqa: F401 - registers commands  # noqa: F401 - registers commands
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


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="orch")
