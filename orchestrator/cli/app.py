"""The ``orch`` click group. Command modules register their groups and commands onto it."""

from __future__ import annotations

from typing import Any

import click

from orchestrator.cli.errors import report_exception

__all__ = ["cli", "job_group", "asset_group", "verbose_option", "is_verbose"]

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


class OrchGroup(click.Group):
    """The top group: turns every error raised by a command into a clean message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
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
