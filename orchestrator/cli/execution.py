"""Run a job in this process with the live display, and report how it went."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.cli.display import RunDisplay, make_console
from orchestrator.cli.errors import CliError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.execution.results import ExecuteInProcessResult

__all__ = ["execute_with_display"]


def execute_with_display(job: JobDefinition, *, run_config: Mapping[str, Any] | None = None,
                         partition_key: str | None = None, tags: Mapping[str, str] | None = None,
                         op_selection: str | None = None, verbose: bool = False,
                         title: str | None = None) -> ExecuteInProcessResult:
    """Execute ``job`` in process, showing each step live, then the summary. Config errors raise."""
    from orchestrator.definitions.partitions import PartitionedConfig

    if partition_key is None and isinstance(job.config, PartitionedConfig):
        raise CliError(f"Job '{job.name}' is partitioned: pass --partition KEY (one of {job.config.describe_keys()}).")
    # The display prints LOG events itself; without this, warnings would also reach stderr raw.
    logging.getLogger("orchestrator").addHandler(logging.NullHandler())
    run_id = str(uuid.uuid4())
    display = RunDisplay(make_console(), job.name, run_id, title=title)
    with display:
        result = job.execute_in_process(run_config=run_config, partition_key=partition_key, tags=tags,
                                        op_selection=op_selection, raise_on_error=False, run_id=run_id,
                                        on_event=display.on_event)
    display.report(result, verbose)
    return result
