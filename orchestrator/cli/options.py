"""Options shared by commands: where the code is (-m/-f/-a) and how to run it (-c, --tags, --partition)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["code_location_options", "run_options"]


def _compose(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(fn: Any) -> Any:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


code_location_options = _compose(
    click.option("-m", "--module", "module", metavar="MODULE",
                 help="Importable module with the code (the current directory is on the path)."),
    click.option("-f", "--file", "file", metavar="PATH", help="Python file with the code."),
    click.option("-a", "--attr", "attr", metavar="ATTR",
                 help="Name of the repository, Definitions or job in the module (needed when there are several)."),
)

run_options = _compose(
    click.option("-c", "--config", "config_files", multiple=True, metavar="CONFIG.yaml",
                 help="Run config YAML file; repeat to deep-merge several, later files win."),
    click.option("--tags", "tags", metavar="JSON", help='Run tags as a JSON object, e.g. \'{"team": "data"}\'.'),
    click.option("--partition", "partition", metavar="KEY", help="Partition key to run."),
)
