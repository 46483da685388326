"""Errors raised by the library. Every one derives from :class:`OrchestratorError`."""

from __future__ import annotations

__all__ = [
    "OrchestratorError",
    "DefinitionError",
    "ConfigError",
    "TypeCheckError",
    "RunTimeoutError",
    "RunNotFoundError",
    "InvocationError",
    "RetryRequested",
    "Failure",
]


class OrchestratorError(Exception):
    """Base class of every error the library raises on its own account."""


class DefinitionError(OrchestratorError):
    """An op, graph, job or asset is wired or declared wrongly. Raised when it is defined."""


class InvocationError(DefinitionError):
    """An op or graph was called in a way that cannot work (e.g. symbolic values outside a job)."""


class ConfigError(OrchestratorError):
    """Run config does not match the schema. Raised before any op runs.

    ``errors`` lists every bad path as ``(path, message)`` pairs.
    """

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        self.errors = list(errors or [])
        if self.errors:
            lines = "\n".join(f"  - {path}: {msg}" for path, msg in self.errors)
            message = f"{message}\n{lines}"
        super().__init__(message)


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
