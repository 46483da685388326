"""The in-memory IO manager: values live in the process for the run. The in-process default."""

from __future__ import annotations

from typing import Any

from orchestrator.definitions.io_managers.base import InputContext, IOManager, OutputContext, io_manager

__all__ = ["InMemoryIOManager", "mem_io_manager"]


class InMemoryIOManager(IOManager):
    """Keeps outputs in a dict keyed by their identifier."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.values[tuple(context.get_identifier())] = obj

    def load_input(self, context: InputContext) -> Any:
        key = tuple(context.get_identifier())
        if key not in self.values:
            raise KeyError(
                f"No value in memory for output {'/'.join(key)}. The in-memory IO manager only "
                "holds outputs of the current run in this process; use fs_io_manager to share "
                "outputs between processes or runs."
            )
        return self.values[key]

    def has_output(self, context: OutputContext) -> bool:
        return tuple(context.get_identifier()) in self.values


@io_manager(description="Keeps outputs in memory, for one run in one process.")
def mem_io_manager(_init_context: Any) -> InMemoryIOManager:
    return InMemoryIOManager()
