"""Errors raised by the library. Every one derives from :class:`OrchestratorError`."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "OrchestratorError",
    "DefinitionError",
    "ConfigError",
    "ConfigErrorEntry",
    "DagsterInvalidConfigError",
    "DagsterInvariantViolationError",
    "DagsterInvalidConfigDefinitionError",
    "DagsterUnknownResourceError",
    "DagsterResourceFunctionError",
    "TypeCheckError",
    "RunTimeoutError",
    "RunNotFoundError",
    "InvocationError",
    "RetryRequested",
    "Failure",
    "DagsterTypeCheckDidNotPass",
    "DagsterTypeCheckError",
]


class OrchestratorError(Exception):
    """Base class of every error the library raises on its own account."""


class DefinitionError(OrchestratorError):
    """An op, graph, job or asset is wired or declared wrongly. Raised when it is defined."""


class DagsterInvalidConfigDefinitionError(DefinitionError):
    """A config schema is not one the config system accepts (Dagster's name). Raised when it is defined."""


class InvocationError(DefinitionError):
    """An op or graph was called in a way that cannot work (e.g. symbolic values outside a job)."""


class ConfigErrorEntry(NamedTuple):
    """One error of a :class:`ConfigError`: the dotted config ``path`` and the ``message``."""

    path: str
    message: str


class ConfigError(OrchestratorError):
    """Run config does not match the schema. Raised before any op runs.

    ``errors`` lists every bad path as ``(path, message)`` pairs (:class:`ConfigErrorEntry`,
    so ``error.message`` works as on Dagster's errors). Dagster's name for it is
    ``DagsterInvalidConfigError``.
    """

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        self.errors = [ConfigErrorEntry(str(path), str(msg)) for path, msg in (errors or [])]
        if self.errors:
            lines = "\n".join(f"  - {path}: {msg}" for path, msg in self.errors)
            message = f"{message}\n{lines}"
        super().__init__(message)


#: Dagster's name for :class:`ConfigError` (the same class: ``except`` either catches both).
#:
#: Example::
#:
#:     import pytest
#:     from orchestrator import DagsterInvalidConfigError, job, op
#:
#:     @op(config_schema={"n": int})
#:     def needs_n(context):
#:         return context.op_config["n"]
#:
#:     @job
#:     def n_job():
#:         needs_n()
#:
#:     with pytest.raises(DagsterInvalidConfigError):
#:         n_job.execute_in_process(run_config={"ops": {"needs_n": {"config": {"n": "x"}}}})
DagsterInvalidConfigError = ConfigError


class DagsterInvariantViolationError(OrchestratorError):
    """An API was used in a way that cannot work (Dagster's name), e.g. reading the generator
    resources of a built IO manager context outside its ``with`` block."""


class DagsterUnknownResourceError(OrchestratorError, AttributeError):
    """``context.resources.<key>`` names a resource the op did not require (or the job lacks).

    An ``AttributeError`` too, so ``hasattr(context.resources, key)`` answers False."""


class DagsterResourceFunctionError(OrchestratorError):
    """A resource function (or a Pythonic resource's setup) raised while building the resource."""


class TypeCheckError(OrchestratorError):
    """A value given to or returned by an op does not match its declared type."""


class RunTimeoutError(OrchestratorError):
    """Waiting for a run took longer than the timeout given."""


class RunNotFoundError(OrchestratorError):
    """No run with the given id exists in the instance's storage."""


class RetryRequested(Exception):  # noqa: N818 - Dagster's name
    """Raise from an op to ask for the step to be retried.

    ``max_retries`` bounds the attempts; ``seconds_to_wait`` delays the next one.
    """

    def __init__(self, max_retries: int = 1, seconds_to_wait: float = 0.0) -> None:
        super().__init__(f"retry requested (max_retries={max_retries}, wait={seconds_to_wait}s)")
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait


class Failure(Exception):  # noqa: N818 - Dagster's name
    """Raise from an op to fail the step with a description and metadata, but no retry."""

    def __init__(self, description: str = "", metadata: dict | None = None, allow_retries: bool = True) -> None:
        super().__init__(description)
        self.description = description
        self.metadata = dict(metadata or {})
        self.allow_retries = allow_retries


class DagsterTypeCheckDidNotPass(TypeCheckError):  # noqa: N818 - Dagster's name
    """A value given to or returned by an op failed its type check (a ``DagsterType``'s check, or
    the op's annotation). ``description`` and ``metadata`` are the failed ``TypeCheck``'s;
    ``dagster_type`` is the type that was checked.

    Example::

        import pytest
        from orchestrator import DagsterTypeCheckDidNotPass, job, op

        @op
        def emit() -> int:
            return "not an int"

        @job
        def typed():
            emit()

        with pytest.raises(DagsterTypeCheckDidNotPass):
            typed.execute_in_process()
    """

    def __init__(self, description: str | None = None, metadata: dict | None = None, dagster_type: object = None) -> None:
        super().__init__(description or "Type check failed.")
        self.description = description
        self.metadata = dict(metadata or {})
        self.dagster_type = dagster_type


class DagsterTypeCheckError(TypeCheckError):
    """A type check function raised instead of returning a bool or a ``TypeCheck``."""
