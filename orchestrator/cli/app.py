"""The ``orch`` click group. Command modules register their groups and commands onto it."""

from __future__ import annotations

import os
import sys
from typing import IO, Any

import click

from orchestrator.cli.errors import report_exception

__all__ = ["cli", "job_group", "asset_group", "verbose_option", "is_verbose", "output_closed",
           "silence_closed_output"]

_VERBOSE_KEY = "orch.verbose"


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # ctx.meta is shared by every context of one invocation, so the group and its commands agree.
    if value:
        ctx.meta[_VERBOSE_KEY] = True


def verbose_option(fn: Any) -> Any:
    """``--verbose``: show tracebacks. Accepted on the group and on each command."""
    return click.option("--verbose", "-v", is_flag=True, expose_value=False, is_eager=True,
                        callback=_set_verbose, help="Show full tracebacks on errors.")(fn)


def is_verbose(ctx: click.Context | None = None) -> bool:
    """Whether ``--verbose`` was given anywhere on the command line."""
    ctx = ctx or click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_VERBOSE_KEY))


def _pipe_closed(stream: IO[str]) -> bool:
    """Whether ``stream`` is a pipe whose reading end is closed (``orch run logs | head``)."""
    import select

    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    if not hasattr(select, "poll"):  # Windows: no way to ask; the error came from the output
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    # The writing end of a pipe nobody reads any more polls as an error (POLLERR).
    return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))


def output_closed() -> bool:
    """Whether the command's output (stdout or stderr) went to a pipe that has been closed."""
    return _pipe_closed(sys.stdout) or _pipe_closed(sys.stderr)


def silence_closed_output() -> None:
    """Python's recipe for a closed pipe (the ``signal`` docs, "Note on SIGPIPE"): point stdout
    and stderr at devnull, so that nothing more, not even the flush at exit, fails on them."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):
                continue
    finally:
        os.close(devnull)


class OrchGroup(click.Group):
    """The top group: turns every error raised by a command into a clean message and exit code.

    Output into a pipe that its reader closed (``orch run logs RID | head``) ends the command
    quietly with exit 0: the reader had all it wanted. A broken pipe elsewhere (a socket) is an error.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except BrokenPipeError as exc:
            if not output_closed():
                ctx.exit(report_exception(exc, is_verbose(ctx)))
            silence_closed_output()
            ctx.exit(0)
        except Exception as exc:  # noqa: BLE001 - the CLI's single place that reports errors
            ctx.exit(report_exception(exc, is_verbose(ctx)))


@click.group(cls=OrchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@verbose_option
def cli() -> None:
    """orch: run and inspect orchestrator jobs and assets."""


@cli.group("job")
def job_group() -> None:
    """List, inspect and run jobs."""


@cli.group("asset")
def asset_group() -> None:
    """List and materialize assets."""
