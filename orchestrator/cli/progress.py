"""Live progress of a submitted run, fed by its event stream (``RunHandle.events()``).

On a terminal: a progress bar of finished/total steps with the running steps under it, and one
permanent line per finished step above it. Elsewhere (pipes, CI): plain lines, one per step
start and finish. Also used by ``orch run show`` to rebuild the steps table from stored events.

The total counts every step the run has registered: the plan's, and each mapped step as soon as
the dynamic output that creates it is stored (not only once it starts). A step that was running
when its run was canceled ends "canceled", its duration fixed at the cancel; a queue that no live
worker consumes is named while steps wait on it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from orchestrator.plan.planner import UNRESOLVED, parse_step_key

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from orchestrator.distributed.run_storage import RunInfo
    from orchestrator.events import RunEvent

__all__ = ["StepRecord", "StepTracker", "StepLayout", "RunProgress", "format_duration", "expected_steps",
           "step_layout", "waiting_text"]

STYLES = {"pending": "dim", "queued": "cyan", "running": "yellow", "retrying": "yellow", "succeeded": "green",
           "failed": "bold red", "skipped": "dim", "canceled": "yellow", "not run": "dim"}
_FINISHED = ("succeeded", "failed", "skipped", "canceled")
_ACTIVE = ("running", "retrying")


def format_duration(seconds: float | None) -> str:
    """``0.123 s``, ``12.3 s``, ``3m 05s``, ``1h 02m``; empty for ``None``."""
    if seconds is None:
        return ""
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


@dataclass
class StepRecord:
    """What the events say about one step."""

    key: str
    status: str = "pending"
    started: float | None = None
    ended: float | None = None
    duration_ms: float | None = None
    worker: str | None = None
    pid: int | None = None
    attempts: int = 0
    error: Any = None
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.status in _FINISHED

    def elapsed(self) -> float | None:
        """Seconds the step took (or has been running)."""
        if self.duration_ms is not None:
            return self.duration_ms / 1000
        if self.started is None:
            return None
        if self.ended is not None:
            return max(self.ended - self.started, 0.0)
        if self.status in _ACTIVE:
            return max(time.time() - self.started, 0.0)
        return None

    @property
    def where(self) -> str:
        if not self.worker:
            return ""
        return f"{self.worker} (pid {self.pid})" if self.pid is not None else self.worker


@dataclass
class StepTracker:
    """Folds run events into per-step records. ``expected`` are the plan's steps, in order;
    ``order`` (a sort key of step keys), when given, is the order :meth:`ordered` lists them in."""

    expected: list[str] = field(default_factory=list)
    steps: dict[str, StepRecord] = field(default_factory=dict)
    run_events: list[RunEvent] = field(default_factory=list)
    order: Callable[[str], Any] | None = None

    def __post_init__(self) -> None:
        self.register(self.expected)

    def register(self, keys: Iterable[str]) -> bool:
        """Know these steps (still pending unless events said otherwise); True when any was new."""
        new = False
        for key in keys:
            if key not in self.steps:
                self.steps[key] = StepRecord(key)
                new = True
        return new

    def ordered(self) -> list[StepRecord]:
        """Every step: in ``order`` when given, else in the order they became known."""
        records = list(self.steps.values())
        order = self.order
        return records if order is None else sorted(records, key=lambda s: order(s.key))

    def mark(self, keys: Iterable[str], status: str, only: tuple[str, ...] = ("pending",)) -> None:
        """Show the steps ``keys`` that are in a status of ``only`` as ``status`` (``queued``, ``not run``)."""
        for key in keys:
            state = self.steps.get(key)
            if state is not None and state.status in only:
                state.status = status

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(s.finished for s in self.steps.values())

    def apply(self, event: RunEvent) -> StepRecord | None:
        """Update from one event; returns the step it concerns (None for run-level events and
        for events that change nothing)."""
        from orchestrator.events import EventType

        kind, key = event.event_type, event.step_key
        if key is None:
            if kind in (EventType.RUN_START, EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED):
                self.run_events.append(event)
            return None
        state = self.steps.get(key)
        if state is None:
            state = self.steps[key] = StepRecord(key)
        if state.status == "canceled":
            # Final: what a terminated (or left-to-finish) attempt reports afterwards changes nothing.
            return None
        if kind is EventType.STEP_START:
            state.attempts += 1
            state.started = event.timestamp
            state.ended = None
            state.duration_ms = None
            state.status = "running"
            worker = event.data.get("worker")
            state.worker = str(worker) if worker else state.worker
            pid = event.data.get("pid")
            state.pid = int(pid) if isinstance(pid, (int, str)) and str(pid).isdigit() else state.pid
        elif kind is EventType.STEP_RETRY:
            state.status = "retrying"
            state.message = event.message
        elif kind is EventType.STEP_SUCCESS:
            state.status = "succeeded"
            state.ended = event.timestamp
            duration = event.data.get("duration_ms")
            state.duration_ms = float(duration) if isinstance(duration, (int, float)) else None
        elif kind is EventType.STEP_FAILURE:
            # A step running when its run was canceled ends with a STEP_FAILURE marked canceled.
            state.status = "canceled" if event.data.get("canceled") else "failed"
            state.ended = event.timestamp
            state.error = event.error
            state.message = event.message
            duration = event.data.get("duration_ms")
            if isinstance(duration, (int, float)):
                state.duration_ms = float(duration)
            # A step canceled before its start was written: where it ran comes with its end.
            worker, pid = event.data.get("worker"), event.data.get("pid")
            state.worker = state.worker or (str(worker) if worker else None)
            state.pid = state.pid if state.pid is not None else (pid if isinstance(pid, int) else None)
        elif kind is EventType.STEP_SKIPPED:
            state.status = "skipped"
            state.ended = event.timestamp
            state.message = event.message
        return state

    def apply_all(self, events: Iterable[RunEvent]) -> StepTracker:
        for event in events:
            self.apply(event)
        return self

    def failed(self) -> list[StepRecord]:
        return [s for s in self.steps.values() if s.status == "failed"]


def expected_steps(storage: Any, run_id: str) -> list[str]:
    """The plan's concrete step keys (dynamic templates left out: their mapped steps are
    registered as their dynamic outputs are stored; see :func:`step_layout`)."""
    return step_layout(storage, run_id).expected


def _natural(text: str) -> tuple[Any, ...]:
    # "k10" after "k9": mapping keys are often numbered.
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


@dataclass
class StepLayout:
    """What a run's plan says about its steps, for counting and ordering them.

    ``expected``: the concrete steps, in plan order. ``templates``: the dynamic templates (each
    replaced by the mapped steps of its key). ``expanding``: the steps whose completion registers
    mapped steps (the sources of dynamic outputs).
    """

    expected: list[str] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)
    expanding: set[str] = field(default_factory=set)
    position: dict[str, int] = field(default_factory=dict)

    def concrete(self, keys: Iterable[str]) -> list[str]:
        """``keys`` without the templates (registered steps include them), nested templates
        (``op[a,?]``, waiting for an inner dynamic output) included."""
        return [k for k in keys if k not in self.templates and UNRESOLVED not in parse_step_key(k)[1]]

    def sort_key(self, key: str) -> tuple[Any, ...]:
        """Plan order; a mapped step ``op[k]`` at its template's place, by mapping key."""
        if key in self.position:
            return (self.position[key], ())
        template, _, rest = key.partition("[")
        return (self.position.get(template, len(self.position)), _natural(rest or key))


def step_layout(storage: Any, run_id: str) -> StepLayout:
    """The :class:`StepLayout` of run ``run_id`` (empty when its plan is not stored)."""
    from orchestrator.errors import RunNotFoundError

    try:
        plan = storage.plan(run_id)
    except RunNotFoundError:
        return StepLayout()
    return StepLayout(
        expected=[s.key for s in plan.steps if not s.is_template],
        templates={s.key for s in plan.steps if s.is_template},
        expanding={s.mapped_on.step_key for s in plan.steps if s.mapped_on is not None},
        position={s.key: i for i, s in enumerate(plan.steps)},
    )


def waiting_text(unconsumed: dict[str, list[str]]) -> list[str]:
    """One line per queue that no live worker consumes, naming its queued steps and the fix."""
    lines = []
    for queue, steps in sorted(unconsumed.items()):
        shown = ", ".join(steps[:5]) + (f" and {len(steps) - 5} more" if len(steps) > 5 else "")
        what = f"step {shown} is" if len(steps) == 1 else f"steps {shown} are"
        lines.append(f"No live worker consumes queue '{queue}': {what} queued on it. "
                     f"Start one with: orch worker start -Q {queue}")
    return lines


def steps_table(tracker: StepTracker) -> RenderableType:
    """Step, status, duration, worker and attempts of every step."""
    from rich.table import Table
    from rich.text import Text

    table = Table()
    table.add_column("Step")
    table.add_column("Status")
    table.add_column("Duration", justify="right")
    table.add_column("Worker")
    table.add_column("Attempts", justify="right")
    for s in tracker.ordered():
        table.add_row(Text(s.key), Text(s.status, style=STYLES.get(s.status, "")), format_duration(s.elapsed()),
                      Text(s.where), str(s.attempts) if s.attempts else "")
    return table


def print_failures(tracker: StepTracker, info: RunInfo, verbose: bool) -> None:
    """To stderr: each failed step's error (traceback when ``verbose``), else the run's reason."""
    from orchestrator.distributed.records import RunStatus

    failed = tracker.failed()
    has_traceback = False
    for s in failed:
        error = s.error
        if verbose and error is not None and error.traceback:
            click.echo(error.traceback.rstrip(), err=True)
        has_traceback = has_traceback or bool(error is not None and error.traceback)
        what = f"{error.cls_name}: {error.message}" if error is not None else (s.message or "unknown error")
        click.echo(f"Step '{s.key}' failed: {what}", err=True)
    if not failed:
        reason = info.reason
        if not reason:
            ends = [e for e in tracker.run_events if e.event_type.display_name in ("RUN_FAILURE", "RUN_CANCELED")]
            reason = ends[-1].message if ends else None
        if info.status is RunStatus.CANCELED:
            click.echo(reason or f"Run {info.run_id} was canceled.", err=True)
        elif reason:
            click.echo(reason, err=True)
    if has_traceback and not verbose:
        click.echo("Run with --verbose for the traceback.", err=True)


class RunProgress:
    """Shows a submitted run while its events arrive. Use as a context manager; feed :meth:`on_event`.

    :param console: where to show it.
    :param job_name: the run's job, for the headings.
    :param run_id: the run.
    :param expected: the plan's concrete steps, in order.
    :param live: a live view (default: when the console is a terminal) or plain lines.
    :param layout: the run's :class:`StepLayout`; with ``registered``, mapped steps are counted as
        soon as the step that creates them finishes.
    :param registered: returns every step the run has registered so far (run storage's).
    """

    def __init__(self, console: Console, job_name: str, run_id: str, expected: list[str],
                 live: bool | None = None, layout: StepLayout | None = None,
                 registered: Callable[[], list[str]] | None = None) -> None:
        self.console = console
        self.job_name = job_name
        self.run_id = run_id
        self.layout = layout
        self.tracker = StepTracker(list(expected), order=layout.sort_key if layout is not None else None)
        self.live_mode = console.is_terminal if live is None else live
        self._registered = registered
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._progress: Any = None
        self._task: Any = None
        self._started = time.time()
        self._waiting: list[str] = []
        self._closed = False

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> RunProgress:
        if self.live_mode:
            from rich.live import Live
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TextColumn("steps"), TimeElapsedColumn(),
                                      console=self.console)
            self._task = self._progress.add_task(f"job '{self.job_name}'", total=self.tracker.total or None)
            self._live = Live(get_renderable=self._render, console=self.console, refresh_per_second=8,
                              transient=True)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True  # the outcome is printed next: no more "waiting" lines
        if self._live is not None:
            self._live.stop()
            self._live = None

    # -- steps registered and queues waited on ------------------------------------------------
    def register(self, keys: Iterable[str]) -> None:
        """Count these steps (e.g. mapped steps just registered) even before any event names them."""
        concrete = self.layout.concrete(keys) if self.layout is not None else list(keys)
        with self._lock:
            if self.tracker.register(concrete):
                self._update_bar()

    def refresh_registered(self) -> None:
        """Count every step the run has registered so far (needs ``registered``)."""
        if self._registered is not None:
            self.register(self._registered())

    def set_waiting(self, unconsumed: dict[str, list[str]]) -> None:
        """Queues with queued steps that no live worker consumes (queue -> steps); {} when none.

        Shown under the bar on a terminal, else printed as a line whenever it changes.
        """
        lines = waiting_text(unconsumed)
        with self._lock:
            if self._closed:
                return
            changed, self._waiting = lines != self._waiting, lines
        if changed and self._live is None:
            for line in lines:
                self._line(f"  {line}")

    @property
    def waiting(self) -> list[str]:
        """The lines of the last :meth:`set_waiting` (queues without a live worker)."""
        with self._lock:
            return list(self._waiting)

    def _update_bar(self) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=self.tracker.total or None, completed=self.tracker.done)

    # -- events -------------------------------------------------------------------------------
    def on_event(self, event: RunEvent) -> None:
        from orchestrator.events import EventType

        kind = event.event_type
        if kind is EventType.LOG:
            level = str(event.data.get("level", "INFO"))
            where = f"[{event.step_key}] " if event.step_key else ""
            self._line(f"  {where}{level} {event.message}")
            return
        if (kind in (EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED)
                and self.layout is not None and event.step_key in self.layout.expanding):
            # The mapped steps this step's dynamic outputs create were registered with its completion.
            self.refresh_registered()
        with self._lock:
            state = self.tracker.apply(event)
            self._update_bar()
        if self._live is not None:
            # Lines printed above the live view redraw its last frame: make that frame current first.
            self._live.refresh()
        if state is None:
            return
        if kind is EventType.STEP_START and not self.live_mode:
            where = f" on {state.where}" if state.where else ""
            again = f" (attempt {state.attempts})" if state.attempts > 1 else ""
            self._line(f"  {state.key}: started{where}{again}")
        elif kind is EventType.STEP_RETRY:
            self._line(f"  {state.key}: retrying ({event.message})")
        elif kind in (EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED):
            duration = format_duration(state.elapsed()) if kind is not EventType.STEP_SKIPPED else ""
            extra = f" in {duration}" if duration else ""
            if state.where and kind is not EventType.STEP_SKIPPED:
                extra += f" on {state.where}"
            if kind is EventType.STEP_FAILURE and state.error is not None:
                extra += f": {state.error.cls_name}: {state.error.message}"
            self._line(f"  {state.key}: {state.status}{extra}  [{self.tracker.done}/{self.tracker.total}]")

    def _line(self, text: str) -> None:
        target = self._live.console if self._live is not None else self.console
        target.print(text, markup=False, highlight=False, soft_wrap=True)

    # -- rendering ----------------------------------------------------------------------------
    def _render(self) -> RenderableType:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            running = [s for s in self.tracker.steps.values() if s.status in _ACTIVE]
            rows = [(s.key, s.status, format_duration(s.elapsed()), s.where) for s in running]
            waiting = list(self._waiting)
        parts: list[Any] = [self._progress.get_renderable()]
        parts.extend(Text(f"  {line}", style="yellow") for line in waiting)
        if rows:
            limit = max(self.console.height - 6, 3)
            table = Table.grid(padding=(0, 2))
            for key, status, elapsed, where in rows[:limit]:
                table.add_row(Text(f"  {key}"), Text(status, style=STYLES.get(status, "")), Text(elapsed),
                              Text(where, style="dim"))
            parts.append(table)
            if len(rows) > limit:
                parts.append(Text(f"  ... and {len(rows) - limit} more running", style="dim"))
        return Group(*parts)

    # -- outcome ------------------------------------------------------------------------------
    def report(self, info: RunInfo, verbose: bool) -> None:
        """The outcome line; on failure or cancel, the failing steps' errors to stderr."""
        from orchestrator.distributed.records import RunStatus

        took = None
        if info.ended_at is not None:
            took = info.ended_at - (info.started_at or info.record.created_at)
        took_text = f" in {format_duration(took)}" if took is not None else ""
        counts = f"{self.tracker.done}/{self.tracker.total} steps finished"
        outcome = {RunStatus.SUCCESS: "succeeded", RunStatus.FAILURE: "failed",
                   RunStatus.CANCELED: "was canceled"}.get(info.status, info.status.value)
        self.console.print(f"Run {self.run_id} of job '{self.job_name}' {outcome}{took_text} ({counts}).",
                           markup=False, highlight=False, soft_wrap=True)
        if info.status is not RunStatus.SUCCESS:
            print_failures(self.tracker, info, verbose)
