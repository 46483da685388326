"""The one place that builds run and step lifecycle events, so every executor words them alike.

A run starts (RUN_START), ends once (RUN_SUCCESS, RUN_FAILURE or RUN_CANCELED), and each of its
steps that does not run is SKIPPED with a reason. The step runner builds the events of a step
that runs (STEP_START, STEP_OUTPUT, STEP_SUCCESS, STEP_FAILURE, STEP_RETRY); this module builds
the rest, wherever the run executes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.events import ErrorInfo, EventType, RunEvent, trusted

__all__ = ["Lifecycle"]


@dataclass(frozen=True)
class Lifecycle:
    """Builds the lifecycle events of run ``run_id`` of job ``job_name``."""

    run_id: str
    job_name: str

    def event(self, event_type: EventType, step_key: str | None = None, message: str = "",
              error: ErrorInfo | None = None, **data: Any) -> RunEvent:
        """Any event of this run, built without validation (its values are ours)."""
        return trusted(RunEvent, event_type=event_type, run_id=self.run_id, job_name=self.job_name,
                       step_key=step_key, timestamp=time.time(), message=message, error=error, data=data)

    def run_started(self, where: str) -> RunEvent:
        """RUN_START; ``where`` says how the run executes (``in process``, ``on workers (...)``)."""
        return self.event(EventType.RUN_START, message=f"Started run {self.run_id} of job '{self.job_name}' {where}.")

    def run_succeeded(self) -> RunEvent:
        return self.event(EventType.RUN_SUCCESS, message=f"Run of job '{self.job_name}' succeeded.")

    def run_failed(self, failed_steps: Sequence[str] = (), reason: str | None = None,
                   error: ErrorInfo | None = None, **data: Any) -> RunEvent:
        """RUN_FAILURE naming the failed steps, or ``reason`` when the run failed for another cause."""
        if reason is None:
            shown = ", ".join(failed_steps) if failed_steps else "a step"
            reason = f"Run of job '{self.job_name}' failed: step(s) {shown} failed."
        return self.event(EventType.RUN_FAILURE, message=reason, error=error,
                          failed_steps=list(failed_steps), **data)

    def run_canceled(self, running: Sequence[str] = ()) -> RunEvent:
        return self.event(EventType.RUN_CANCELED, message=f"Run {self.run_id} was canceled.", running=sorted(running))

    def step_skipped(self, step_key: str, reason: str) -> RunEvent:
        return self.event(EventType.STEP_SKIPPED, step_key, reason)

    def step_failed(self, step_key: str, message: str, error: ErrorInfo | None = None, **data: Any) -> RunEvent:
        """STEP_FAILURE of a step that could not run at all (its process died, its code did not load)."""
        return self.event(EventType.STEP_FAILURE, step_key, message, error=error, **data)
