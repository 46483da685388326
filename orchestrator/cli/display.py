"""Terminal output: consoles, tables, and the live view of a run's steps fed by its events."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from orchestrator.events import RunEvent
    from orchestrator.results import ExecuteInProcessResult

__all__ = ["make_console", "RunDisplay", "StepState"]

# Wide enough that piped output (tests, CI, `| grep`) is never wrapped mid-message.
_PIPE_WIDTH = 200

_STYLES = {"pending": "dim", "running": "yellow", "retrying": "yellow", "succeeded": "green",
           "failed": "bold red", "skipped": "dim"}


def make_console(stderr: bool = False) -> Console:
    """A rich console; when not writing to a terminal, a wide one without colour."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=max(console.width, _PIPE_WIDTH))
    return console


@dataclass
class StepState:
    """What the display knows about one step."""

    key: str
    status: str = "pending"
    started: float | None = None
    duration_ms: float | None = None
    error: Any = None

    def elapsed_ms(self) -> float | None:
        if self.duration_ms is not None:
            return self.duration_ms
        if self.started is not None and self.status in ("running", "retrying"):
            return (time.time() - self.started) * 1000
        return None


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


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
        self.steps: dict[str, StepState] = {}
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
    def _step(self, key: str) -> StepState:
        state = self.steps.get(key)
        if state is None:
            state = self.steps[key] = StepState(key)
        return state

    def on_event(self, event: RunEvent) -> None:
        """Update the view with one run event."""
        from orchestrator.events import EventType

        kind, key = event.event_type, event.step_key
        if kind is EventType.RUN_START:
            self._start()
            return
        if kind is EventType.LOG:
            self._print_log(event)
            return
        if key is None:
            return
        finished: StepState | None = None
        with self._lock:
            state = self._step(key)
            if kind is EventType.STEP_START:
                if state.started is None:
                    state.started = event.timestamp
                state.status = "running"
            elif kind is EventType.STEP_RETRY:
                state.status = "retrying"
            elif kind is EventType.STEP_SUCCESS:
                state.status = "succeeded"
                duration = event.data.get("duration_ms")
                state.duration_ms = float(duration) if duration is not None else self._since(state, event)
                finished = state
            elif kind is EventType.STEP_FAILURE:
                state.status = "failed"
                state.duration_ms = self._since(state, event)
                state.error = event.error
                finished = state
            elif kind is EventType.STEP_SKIPPED:
                state.status = "skipped"
                finished = state
        if kind is EventType.STEP_RETRY:
            self._print_line(f"  {key}: retrying ({event.message})")
        if finished is not None and self._live is None:
            duration = f" in {_ms(finished.duration_ms)} ms" if finished.duration_ms is not None else ""
            self._print_line(f"  {finished.key}: {finished.status}{duration}")

    @staticmethod
    def _since(state: StepState, event: RunEvent) -> float | None:
        return None if state.started is None else max(event.timestamp - state.started, 0.0) * 1000

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
            steps = [StepState(s.key, s.status, s.started, s.duration_ms, s.error) for s in self.steps.values()]
        done = sum(s.status in ("succeeded", "failed", "skipped") for s in steps)
        table = Table()
        table.add_column("")
        table.add_column("Step")
        table.add_column("Status")
        table.add_column("Duration (ms)", justify="right")
        for s in steps:
            icon: RenderableType = Spinner("dots") if s.status in ("running", "retrying") else Text(" ")
            table.add_row(icon, Text(s.key), Text(s.status, style=_STYLES.get(s.status, "")), _ms(s.elapsed_ms()))
        return Group(Text(f"{self.title}: {done}/{len(steps)} steps finished"), table)

    def summary_table(self) -> RenderableType:
        """Step, status and duration of every step, in the order they were seen."""
        from rich.table import Table
        from rich.text import Text

        table = Table()
        table.add_column("Step")
        table.add_column("Status")
        table.add_column("Duration (ms)", justify="right")
        for s in self.steps.values():
            table.add_row(Text(s.key), Text(s.status, style=_STYLES.get(s.status, "")), _ms(s.duration_ms))
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
        failed = [s for s in self.steps.values() if s.status == "failed"]
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
