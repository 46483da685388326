"""How the CLI shows a distributed run from its events (no server): canceled steps, counts that
include mapped steps, step order, queues without a worker, and output into a closed pipe."""

from __future__ import annotations

import io
import os
import sys
import time

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from orchestrator.cli.app import OrchGroup, output_closed
from orchestrator.cli.progress import RunProgress, StepLayout, StepTracker, steps_table, waiting_text
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.lifecycle import Lifecycle

LIFE = Lifecycle("r1", "job")


def _event(kind: str, key: str | None, at: float, **data: object) -> RunEvent:
    event = LIFE.event(EventType[kind], key, **data)
    event.timestamp = at
    return event


def test_a_step_running_at_cancel_is_canceled_with_its_duration_fixed() -> None:
    now = time.time()
    tracker = StepTracker(["slow", "after"]).apply_all([
        _event("STEP_START", "slow", now - 10, worker="w1@h", pid=7),
        _event("STEP_FAILURE", "slow", now - 4, canceled=True, duration_ms=6000.0),
        _event("RUN_CANCELED", None, now - 4),
        # What the terminated attempt may still report afterwards changes nothing.
        _event("STEP_RETRY", "slow", now - 3),
        _event("STEP_SUCCESS", "slow", now - 2, duration_ms=9000.0),
    ])
    slow = tracker.steps["slow"]
    assert slow.status == "canceled" and slow.finished
    assert slow.elapsed() == pytest.approx(6.0)
    assert tracker.failed() == []  # canceled is not failed: the run's reason is shown instead
    assert (tracker.done, tracker.total) == (1, 2)
    tracker.mark(list(tracker.steps), "not run")
    assert [s.status for s in tracker.ordered()] == ["canceled", "not run"]


def test_a_real_failure_stays_failed() -> None:
    now = time.time()
    tracker = StepTracker(["boom"]).apply_all([
        _event("STEP_START", "boom", now - 1),
        _event("STEP_FAILURE", "boom", now),
    ])
    assert tracker.steps["boom"].status == "failed"
    assert [s.key for s in tracker.failed()] == ["boom"]


def test_layout_orders_mapped_steps_at_their_template_by_mapping_key() -> None:
    layout = StepLayout(expected=["emit", "total"], templates={"sq"}, expanding={"emit"},
                        position={"emit": 0, "sq": 1, "total": 2})
    tracker = StepTracker(layout.expected, order=layout.sort_key)
    tracker.register(layout.concrete(["total", "sq", "sq[k10]", "sq[k2]", "emit", "sq[k1]"]))
    assert [s.key for s in tracker.ordered()] == ["emit", "sq[k1]", "sq[k2]", "sq[k10]", "total"]
    assert tracker.total == 5


def test_waiting_text_names_the_queue_its_steps_and_the_fix() -> None:
    assert waiting_text({}) == []
    [one] = waiting_text({"gpu": ["train"]})
    assert one == ("No live worker consumes queue 'gpu': step train is queued on it. "
                   "Start one with: orch worker start -Q gpu")
    [many] = waiting_text({"gpu": [f"s{i}" for i in range(7)]})
    assert "steps s0, s1, s2, s3, s4 and 2 more are queued" in many


def _plain_progress(registered: list[str]) -> tuple[RunProgress, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False)
    layout = StepLayout(expected=["emit", "total"], templates={"sq"}, expanding={"emit"},
                        position={"emit": 0, "sq": 1, "total": 2})
    progress = RunProgress(console, "job", "r1", layout.expected, live=False, layout=layout,
                           registered=lambda: list(registered))
    return progress, out


def test_progress_counts_mapped_steps_when_their_source_finishes() -> None:
    registered = ["emit", "sq", "total"]
    progress, out = _plain_progress(registered)
    now = time.time()
    with progress:
        progress.on_event(_event("STEP_START", "emit", now))
        # The source's completion registered its mapped steps in run storage.
        registered += ["sq[a]", "sq[b]"]
        progress.on_event(_event("STEP_SUCCESS", "emit", now + 0.1, duration_ms=100.0))
    assert "emit: succeeded" in out.getvalue() and "[1/4]" in out.getvalue(), out.getvalue()
    assert [s.key for s in progress.tracker.ordered()] == ["emit", "sq[a]", "sq[b]", "total"]


def test_progress_prints_a_queue_without_worker_once_and_not_after_the_end() -> None:
    progress, out = _plain_progress([])
    with progress:
        progress.set_waiting({"gpu": ["train"]})
        progress.set_waiting({"gpu": ["train"]})
        assert progress.waiting == [waiting_text({"gpu": ["train"]})[0]]
        progress.set_waiting({})
    progress.set_waiting({"cpu": ["x"]})
    assert out.getvalue().count("No live worker consumes queue 'gpu'") == 1, out.getvalue()
    assert "cpu" not in out.getvalue()


def test_output_closed_tells_a_closed_pipe_from_an_open_one() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as writer:
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = writer
        try:
            assert not output_closed()
            os.close(read_end)
            assert output_closed()
        finally:
            sys.stdout, sys.stderr = saved


def test_a_broken_pipe_that_is_not_the_output_is_reported_as_an_error() -> None:
    @click.group(cls=OrchGroup)
    def group() -> None:
        pass

    @group.command()
    def talk() -> None:
        raise BrokenPipeError(32, "Broken pipe")  # e.g. a socket, while stdout is fine

    result = CliRunner().invoke(group, ["talk"])
    assert result.exit_code == 1
    assert "Unexpected error: BrokenPipeError" in result.output


def test_steps_table_lists_canceled_steps() -> None:
    now = time.time()
    tracker = StepTracker(["slow"]).apply_all([
        _event("STEP_START", "slow", now - 3),
        _event("STEP_FAILURE", "slow", now - 1, canceled=True, duration_ms=2000.0),
    ])
    out = io.StringIO()
    Console(file=out, width=120).print(steps_table(tracker))
    assert "canceled" in out.getvalue() and "2.00 s" in out.getvalue()
