"""Executor definitions: a name, a config schema, and the function that builds the ``Executor``.

An :class:`ExecutorDefinition` is what a job names (``@job(executor_def=...)``) and what run
config selects (``{"execution": {"multiprocess": {"config": {...}}}}``). It is plain data of the
definitions layer: building and running the executor (``orchestrator.executors.base.Executor``)
belongs to the layers above, which call ``executor_creation_fn`` when they launch a run.

The built-in definitions (``orchestrator.definitions.built_in_executors``) are defined here, in the
definitions layer, so that jobs and run config can name them without importing executors; the
module that implements each one (``orchestrator.executors.in_process``, ``...multiprocess``,
``orchestrator.distributed.executor``) provides its creation function with
:func:`provide_executor_implementation` when it is imported, and every launcher imports the
implementations it offers before it creates an executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, overload

from orchestrator.errors import DefinitionError, OrchestratorError

if TYPE_CHECKING:
    from orchestrator.executors.base import Executor, InitExecutorContext

    ExecutorCreationFn = Callable[[InitExecutorContext], Executor]

__all__ = ["ExecutorDefinition", "executor", "provide_executor_implementation"]


class ExecutorDefinition:
    """Chooses where a run's steps run. Set with ``@job(executor_def=...)`` or run config ``execution``.

    ``executor_creation_fn(init_context) -> Executor`` builds the executor for one run from
    ``init_context.executor_config`` (the run config's ``execution`` config, validated against
    ``config_schema``, over the values given to :meth:`configured`). Write one with :func:`executor`.
    The built-in ones are ``in_process_executor``, ``multiprocess_executor`` and
    ``celery_executor``; run config may name any of them, or the job's own, by name:
    ``{"execution": {"multiprocess": {"config": {...}}}}``.

    Args:
        name: The executor's name, which run config ``execution`` may give.
        config_schema: The schema of its config (run config ``execution``). Defaults to none.
        executor_creation_fn: Builds the ``Executor`` of a run from an ``InitExecutorContext``.
            Defaults to None (reading ``executor_creation_fn`` then raises ``DefinitionError``).
        description: What the executor does. Defaults to None.

    Raises:
        DefinitionError: when ``name`` is empty or not a string.

    Examples:
        >>> from orchestrator import ExecutorDefinition, execute_job, in_process_executor, job, op
        >>> def _create(init_context):
        ...     print("workers:", init_context.executor_config["workers"])
        ...     return in_process_executor.executor_creation_fn(init_context)
        >>> pool = ExecutorDefinition(name="pool", config_schema={"workers": int}, executor_creation_fn=_create)
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(executor_def=pool.configured({"workers": 4}))
        ... def pooled():
        ...     one()
        >>> execute_job(pooled).output_for_node("one")
        workers: 4
        1
    """

    def __init__(self, name: str, config_schema: Any = None,
                 executor_creation_fn: ExecutorCreationFn | None = None,
                 description: str | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise DefinitionError(f"An executor needs a non-empty name, got {name!r}.")
        self.name = name
        self.config_schema = config_schema
        self.description = description
        self._creation_fn = executor_creation_fn
        self._configured: dict[str, Any] = {}

    @property
    def executor_creation_fn(self) -> ExecutorCreationFn:
        """The function building this executor for a run; raises when the definition has none."""
        if self._creation_fn is None:
            raise DefinitionError(
                f"Executor '{self.name}' has no executor_creation_fn: define it with @executor(name='{self.name}') "
                "over a function returning an Executor, or pass executor_creation_fn=."
            )
        return self._creation_fn

    @property
    def configured_config(self) -> dict[str, Any]:
        """Config values set by :meth:`configured`; run config ``execution`` overrides them key by key."""
        return dict(self._configured)

    def configured(self, config: Mapping[str, Any], name: str | None = None,
                   description: str | None = None) -> ExecutorDefinition:
        """A copy with default config values (overridable by run config), optionally renamed."""
        copy = ExecutorDefinition.__new__(ExecutorDefinition)
        copy.__dict__.update(self.__dict__)
        copy._configured = {**self._configured, **config}
        if name is not None:
            copy.name = name
        if description is not None:
            copy.description = description
        return copy

    def __repr__(self) -> str:
        return f"<ExecutorDefinition {self.name}>"


@overload
def executor(name: ExecutorCreationFn) -> ExecutorDefinition: ...


@overload
def executor(name: str | None = None, config_schema: Any = None,
             description: str | None = None) -> Callable[[ExecutorCreationFn], ExecutorDefinition]: ...


def executor(name: Any = None, config_schema: Any = None, description: str | None = None) -> Any:
    """Make an :class:`ExecutorDefinition` from ``fn(init_context) -> Executor``, as Dagster's ``@executor``.

    Used bare (``@executor``) the definition is named after the function; ``@executor(name=,
    config_schema=)`` names it and declares the config that run config ``execution`` may give.
    The function is called once per run, with an ``InitExecutorContext``, and returns an
    ``Executor`` (a subclass of it, or a built-in executor's, as below).

    Args:
        name: The executor's name; used bare, the decorated function. Defaults to the function's name.
        config_schema: The schema of its config (run config ``execution``). Defaults to none.
        description: What the executor does. Defaults to the function's docstring.

    Returns:
        The ``ExecutorDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when what it decorates is not callable; when a run starts, if the
            function returns something other than an ``Executor``.

    Examples:
        >>> from orchestrator import execute_job, executor, in_process_executor, job, op
        >>> @executor
        ... def here(init_context):
        ...     "Runs the steps in this process, one at a time."
        ...     return in_process_executor.executor_creation_fn(init_context)
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(executor_def=here)
        ... def local_job():
        ...     one()
        >>> here.name, here.description, execute_job(local_job).success
        ('here', 'Runs the steps in this process, one at a time.', True)
    """

    def wrap(fn: ExecutorCreationFn) -> ExecutorDefinition:
        if not callable(fn):
            raise DefinitionError(f"@executor decorates a function (init_context) -> Executor, got {fn!r}.")
        return ExecutorDefinition(
            name=name if isinstance(name, str) else getattr(fn, "__name__", "executor"),
            config_schema=config_schema,
            executor_creation_fn=fn,
            description=description or (fn.__doc__ or "").strip() or None,
        )

    if callable(name):
        return wrap(name)
    return wrap


# -- built-in executors implemented in higher layers ------------------------------------------------
_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {}


class _ImplementedAbove:
    """The creation function of a built-in executor whose code lives in a higher layer.

    It looks the implementation up when called, so every copy of the definition (``configured``,
    a job unpickled on a worker) sees it once the implementing module has been imported.
    """

    def __init__(self, key: str, module: str) -> None:
        self.key = key
        self.module = module

    def __call__(self, init_context: InitExecutorContext) -> Executor:
        implementation = _IMPLEMENTATIONS.get(self.key)
        if implementation is None:
            raise OrchestratorError(
                f"Executor '{self.key}' is implemented in {self.module}, which is not imported. Launch runs "
                f"with execute_job/submit_job (they import every built-in executor), or import {self.module}."
            )
        result: Executor = implementation(init_context)
        return result

    def __repr__(self) -> str:
        return f"<built-in executor {self.key} from {self.module}>"


def _built_in(key: str, module: str, config_schema: Any, description: str) -> ExecutorDefinition:
    """A built-in definition whose creation function ``module`` provides when imported."""
    return ExecutorDefinition(key, config_schema=config_schema, executor_creation_fn=_ImplementedAbove(key, module),
                              description=description)


def provide_executor_implementation(definition: ExecutorDefinition,
                                    creation_fn: Callable[[InitExecutorContext], Executor]) -> None:
    """Called by the module implementing a built-in executor, at import: its creation function."""
    slot = definition._creation_fn
    if not isinstance(slot, _ImplementedAbove):
        raise DefinitionError(f"Executor '{definition.name}' is not a built-in executor awaiting an implementation.")
    _IMPLEMENTATIONS[slot.key] = creation_fn
