"""The two status vocabularies: where a step ended, and where a run is in its life.

Both are ``str`` enums, so their values are what run storage, events and the CLI show
(``StepStatus.FAILURE == "failure"``), and there is one spelling of each status in the code.
"""

from __future__ import annotations

import enum

__all__ = ["StepStatus", "RunStatus"]


class StepStatus(str, enum.Enum):
    """How a step ended. A step has at most one, and once it has one it never changes.

    SKIPPED and ABANDONED steps did not run and are both reported as STEP_SKIPPED. They differ in
    what a fan-in or collect downstream does: a step SKIPPED because an optional output was not
    yielded is simply left out of the fan-in, whereas a step ABANDONED because a step it needs
    failed passes the failure on, so nothing behind it runs on partial inputs (as in Dagster).
    CANCELED steps were running when their run was canceled; like Dagster's interrupted steps,
    each is reported by a STEP_FAILURE event, whose data says ``canceled: true``.
    """

    SUCCESS = "success"
    FAILURE = "failure"
    SKIPPED = "skipped"
    ABANDONED = "abandoned"
    CANCELED = "canceled"

    @property
    def failed_upstream(self) -> bool:
        """Whether steps that need this one must not run (it failed or was canceled, or did not run
        for a failure)."""
        return self in (StepStatus.FAILURE, StepStatus.ABANDONED, StepStatus.CANCELED)


class RunStatus(str, enum.Enum):
    """Where a run is in its life: QUEUED until a step starts, STARTED, then one terminal status.

    The status of a submitted run (``RunHandle.status()``, ``RunResult.status``, ``orch run list
    --status``) and of a run a ``DagsterInstance`` recorded. A ``str`` enum: each member equals
    its value (``RunStatus.SUCCESS == "SUCCESS"``). The terminal statuses are SUCCESS, FAILURE and
    CANCELED (``is_finished``). Run status sensors use Dagster's ``DagsterRunStatus`` instead.

    Examples:
        >>> from orchestrator import RunStatus
        >>> [status.value for status in RunStatus if status.is_finished]
        ['SUCCESS', 'FAILURE', 'CANCELED']
        >>> RunStatus("QUEUED").is_finished, RunStatus.SUCCESS == "SUCCESS"
        (False, True)
    """

    QUEUED = "QUEUED"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        """Whether the run has ended (succeeded, failed or was canceled)."""
        return self in (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED)
