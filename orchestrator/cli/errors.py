"""Errors the CLI reports to the user, and how every error is turned into a message and exit code."""

from __future__ import annotations

import traceback

import click

__all__ = ["CliError", "USAGE_EXIT", "RUN_FAILED_EXIT", "INTERRUPTED_EXIT", "report_exception"]

USAGE_EXIT = 2
RUN_FAILED_EXIT = 1
INTERRUPTED_EXIT = 130  # Ctrl-C, as a shell reports SIGINT
VERBOSE_HINT = "Run with --verbose for the traceback."


class CliError(Exception):
    """A problem with what the user asked for: printed as a clear message, exit ``exit_code``."""

    def __init__(self, message: str, exit_code: int = USAGE_EXIT, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint


def _config_error_text(exc: Exception) -> str:
    text = str(exc)
    # ConfigError puts its paths into the message today; make sure each one is shown regardless.
    missing = [f"  - {path}: {msg}" for path, msg in getattr(exc, "errors", []) if f"{path}: {msg}" not in text]
    return "\n".join([text, *missing])


def describe_exception(exc: BaseException) -> tuple[str, int, str | None]:
    """(message, exit code, hint) for any exception reaching the top of the CLI.

    The message starts with what went wrong: our own errors (``CliError`` and every
    ``OrchestratorError``) are written to be read by the user, and already name the op, job,
    config path, queue or file and the fix, so their class name is left out (it is in the
    ``--verbose`` traceback). Anything else is a bug or an environment problem we did not
    foresee: it keeps its class name, and the hint points at ``--verbose``.

    Parameters:
        exc: the exception that reached the top of the CLI.
    """
    from orchestrator.errors import ConfigError, OrchestratorError

    if isinstance(exc, CliError):
        return exc.message, exc.exit_code, exc.hint
    if isinstance(exc, ConfigError):
        return _config_error_text(exc), USAGE_EXIT, None
    if isinstance(exc, OrchestratorError):
        return str(exc) or type(exc).__name__, USAGE_EXIT, None
    return f"Unexpected error: {type(exc).__name__}: {exc}", RUN_FAILED_EXIT, VERBOSE_HINT


def report_exception(exc: BaseException, verbose: bool) -> int:
    """Print ``exc`` to stderr (with its traceback when ``verbose``) and return the exit code."""
    message, code, hint = describe_exception(exc)
    if verbose:
        click.echo("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip(), err=True)
    click.echo(f"Error: {message}", err=True)
    if hint and not verbose:
        click.echo(hint, err=True)
    return code
