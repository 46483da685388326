"""The in-memory IO manager: values live in the process for the run. The in-process default."""

from __future__ import annotations

from typing import Any

from orchestrator.definitions.io_managers.base import InputContext, IOManager, OutputContext, io_manager

__all__ = ["InMemoryIOManager", "mem_io_manager"]


class InMemoryIOManager(IOManager):
    """An IO manager that keeps outputs in a dict in this process, for as long as it lives.

    The class behind ``mem_io_manager``. Values are keyed by their output's identifier
    (``(run_id, step_key, output name[, mapping key])``, in ``values``); loading one that is not
    there raises a ``KeyError`` that says to use ``fs_io_manager`` to share outputs between
    processes or runs.

    Examples:
        >>> from orchestrator import InMemoryIOManager, build_input_context, build_output_context
        >>> manager = InMemoryIOManager()
        >>> stored = build_output_context(run_id="r1", step_key="one", name="result")
        >>> manager.handle_output(stored, [1, 2])
        >>> manager.load_input(build_input_context(upstream_output=stored))
        [1, 2]
        >>> manager.values
        {('r1', 'one', 'result'): [1, 2]}
    """

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


mem_io_manager.__doc__ = """Keeps outputs in memory, in the process, for one run: the in-process default.

Every job's ``io_manager`` when it names none and runs in one process (``execute_in_process``,
``materialize_to_memory``). Steps in separate processes share no memory: there (the
multiprocess executor, Celery workers) a job that names no ``io_manager`` uses
``fs_io_manager`` instead, and one that names ``mem_io_manager`` cannot load an input stored by
another process.

Examples:
    >>> from orchestrator import job, mem_io_manager, op
    >>> @op
    ... def one() -> int:
    ...     return 1
    >>> @op
    ... def plus_one(x: int) -> int:
    ...     return x + 1
    >>> @job(resource_defs={"io_manager": mem_io_manager})
    ... def add_job():
    ...     plus_one(one())
    >>> add_job.execute_in_process().output_for_node("plus_one")
    2
"""
