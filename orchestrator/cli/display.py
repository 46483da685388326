"""Terminal output: consoles, tables, and the live view of a run's steps fed by its events."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from orchestrator.cli.progress import STYLES, StepRecord, StepTracker

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from orchestrator.events import RunEvent
    from orchestrator.execution.results import ExecuteInProcessResult

__all__ = ["make_console", "RunDisplay"]

# Off a terminal (a pipe, a file, CI) a line is as long as its text: printed text is never
# wrapped (soft wrap), and tables are laid out on a page this wide, so that a cell holding a path
# (PATH_MAX is 4096) stays on its row's line too.
_PIPE_WIDTH = 10_000


def make_console(stderr: bool = False) -> Console:
    """A rich console; when not writing to a terminal, one that never wraps, without colour.

    On a terminal, rich wraps at the terminal's width as usual. Written to a pipe or a file,
    rich would wrap at 80 columns (or ``$COLUMNS``) and split long paths and messages across
    lines, which breaks ``grep`` and copy-paste: there, text is printed with soft wrap (one line
    per line of text) and tables get a page wide enough for their longest cell.

    A closed pipe raises ``BrokenPipeError`` from it as from ``click.echo``, for the CLI to handle
    once (``app.OrchGroup``), instead of rich's own ``SystemExit(1)``.

    Parameters:
        stderr: write to stderr instead of stdout (progress bars, messages beside the output).
    """
    from rich.console import Console

    class _CliConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError("the output pipe was closed")

    console: Console = _CliConsole(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = _CliConsole(stderr=stderr, highlight=False, width=max(console.width, _PIPE_WIDTH), soft_wrap=True)
    return console


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _duration_ms(step: StepRecord) -> float | None:
    if step.status == "skipped":
        return None
    elapsed = step.elapsed()
    return None if elapsed is None else elapsed * 1000


class RunDisplay:
    """Shows a run's steps: a live table on a terminal, else one line per finished step.

    Use as a context manager and pass :meth:`on_event` as ``on_event=`` to the run.
    """

    def __init__(self, console: Console, job_name: str, run_id: str, live: bool | None = None,
                 title: str | None = None) -> None:
        self.console = console
        self.job_name = job_name
        self.title = title or f"job '{job_name}'"
        self.run_id = run_id
        self.live_mode = console.is_terminal if live is None else live
        self.tracker = StepTracker()
        self._lock = threading.Lock()
        self._live: Live | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> RunDisplay:
        return self

    def _start(self) -> None:
        """Called on RUN_START, i.e. once config and plan are valid, so errors before it print alone."""
        from rich.live import Live

        self.console.print(f"Running {self.title} in process, run id {self.run_id}", markup=False, soft_wrap=True)
        if self.live_mode and self._live is None:
            self._live = Live(get_renderable=self._render_live, console=self.console,
                              refresh_per_second=8, transient=True)
            self._live.start()

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # -- events -------------------------------------------------------------------------------
    def on_event(self, event: RunEvent) -> None:
        """Update the view with one run event."""
        from orchestrator.events import EventType

        kind = event.event_type
        if kind is EventType.RUN_START:
            self._start()
            return
        if kind is EventType.LOG:
            self._print_log(event)
            return
        with self._lock:
            state = self.tracker.apply(event)
        if state is None:
            return
        if kind is EventType.STEP_RETRY:
            self._print_line(f"  {state.key}: retrying ({event.message})")
        elif state.finished and self._live is None:
            elapsed = state.elapsed()
            duration = f" in {_ms(elapsed * 1000)} ms" if elapsed is not None and state.status != "skipped" else ""
            self._print_line(f"  {state.key}: {state.status}{duration}")

    def _print_line(self, text: str) -> None:
        target = self._live.console if self._live is not None else self.console
        target.print(text, markup=False, soft_wrap=True)

    def _print_log(self, event: RunEvent) -> None:
        level = str(event.data.get("level", "INFO"))
        where = f"[{event.step_key}] " if event.step_key else ""
        self._print_line(f"  {where}{level} {event.message}")

    # -- rendering ----------------------------------------------------------------------------
    def _render_live(self) -> RenderableType:
        from rich.console import Group
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            steps = [(s.key, s.status, s.elapsed()) for s in self.tracker.steps.values()]
        done = sum(status in ("succeeded", "failed", "skipped", "canceled") for _key, status, _elapsed in steps)
        table = Table()
        table.add_column("")
        table.add_column("Step")
        table.add_column("Status")
        table.add_column("Duration (ms)", justify="right")
        for key, status, elapsed in steps:
            icon: RenderableType = Spinner("dots") if status in ("running", "retrying") else Text(" ")
            table.add_row(icon, Text(key), Text(status, style=STYLES.get(status, "")),
                          _ms(None if elapsed is None else elapsed * 1000))
        return Group(Text(f"{self.title}: {done}/{len(steps)} steps finished"), table)

    def summary_table(self) -> RenderableType:
        """Step, status and duration of every step, in the order they were seen."""
        from rich.table import Table
        from rich.text import Text

        table = Table()
        table.add_column("Step")
        table.add_column("Status")
        table.add_column("Duration (ms)", justify="right")
        for s in self.tracker.steps.values():
            table.add_row(Text(s.key), Text(s.status, style=STYLES.get(s.status, "")), _ms(_duration_ms(s)))
        return table

    def report(self, result: ExecuteInProcessResult, verbose: bool) -> None:
        """Print the summary; on failure, each failing step's error (traceback when ``verbose``) to stderr."""
        from orchestrator.events import EventType

        self.console.print("Summary:")
        self.console.print(self.summary_table())
        outcome = "succeeded" if result.success else "failed"
        self.console.print(f"Run {result.run_id} of {self.title} {outcome}.", markup=False, soft_wrap=True)
        if result.success:
            return
        failed = self.tracker.failed()
        for s in failed:
            error = s.error
            if verbose and error is not None and error.traceback:
                click.echo(error.traceback.rstrip(), err=True)
            what = f"{error.cls_name}: {error.message}" if error is not None else "unknown error"
            click.echo(f"Step '{s.key}' failed: {what}", err=True)
        if not failed:
            for event in result.all_events:
                if event.event_type is EventType.RUN_FAILURE:
                    click.echo(event.message, err=True)
        if not verbose:
            click.echo("Run with --verbose for the traceback.", err=True)
