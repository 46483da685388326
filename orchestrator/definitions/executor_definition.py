"""Executor definitions: a name, a config schema, and the function that drives a run's steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ExecutorDefinition", "executor_by_name"]

_REGISTRY: dict[str, ExecutorDefinition] = {}


class ExecutorDefinition:
    """Chooses where steps run. Set with ``@job(executor_def=...)`` or run config ``execution``."""

    def __init__(self, name: str, config_schema: Any = None, description: str | None = None,
                 execute: Callable[..., Any] | None = None) -> None:
        self.name = name
        self.config_schema = config_schema
        self.description = description
        self._execute = execute
        self._configured: dict[str, Any] = {}
        _REGISTRY.setdefault(name, self)

    def configured(self, config: dict[str, Any]) -> ExecutorDefinition:
        """A copy with default config values (overridable by run config)."""
        copy = ExecutorDefinition.__new__(ExecutorDefinition)
        copy.__dict__.update(self.__dict__)
        copy._configured = {**self._configured, **config}
        return copy

    def __repr__(self) -> str:
        return f"<ExecutorDefinition {self.name}>"


_BUILT_IN = {"in_process": "orchestrator.executors.in_process", "multiprocess": "orchestrator.executors.multiprocess",
             "celery": "orchestrator.distributed.executor"}


def executor_by_name(name: str) -> ExecutorDefinition | None:
    """Look up a built-in executor by the name used in run config (``in_process``, ``multiprocess``...)."""
    if name not in _REGISTRY and name in _BUILT_IN:
        import importlib

        importlib.import_module(_BUILT_IN[name])
    return _REGISTRY.get(name)
