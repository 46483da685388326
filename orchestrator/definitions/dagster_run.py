"""``DagsterRun`` and ``DagsterRunStatus``: a run as Dagster's run status sensors and tests see it
(``result.dagster_run``, ``context.dagster_run`` of a run status sensor)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

__all__ = ["DagsterRun", "DagsterRunStatus"]


class DagsterRunStatus(enum.Enum):
    """Dagster's run statuses: what ``DagsterRun.status`` holds and run status sensors fire for.

    ``@run_status_sensor(run_status=DagsterRunStatus.SUCCESS)`` fires for runs that reach it;
    ``result.dagster_run.status`` is one of them. Runs here pass through QUEUED, STARTED and one of
    SUCCESS, FAILURE and CANCELED (``orchestrator.RunStatus`` holds those for distributed runs);
    the other members are Dagster's, kept so that code naming them runs.

    Examples:
        >>> from orchestrator import DagsterRunStatus, job, op
        >>> @op
        ... def boom():
        ...     raise ValueError("no data")
        >>> @job
        ... def failing():
        ...     boom()
        >>> failing.execute_in_process(raise_on_error=False).dagster_run.status
        <DagsterRunStatus.FAILURE: 'FAILURE'>
    """

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


_FINISHED = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)


class DagsterRun:
    """One run as Dagster's tests and run status sensors see it: id, job name, status, tags, run config.

    ``result.dagster_run`` and a run status sensor's ``context.dagster_run`` are one; build one
    to test a run status sensor with ``build_run_status_sensor_context``. Only these fields of
    Dagster's ``DagsterRun`` are kept: other keyword arguments are accepted and ignored.

    Args:
        job_name: The name of the job the run executes.
        run_id: The run's id.
        run_config: The run's config. Defaults to ``{}``.
        status: Where the run is, a ``DagsterRunStatus``. Defaults to ``NOT_STARTED``.
        tags: The run's tags. Defaults to ``{}``.
        parent_run_id: The run this one re-executes. Defaults to None.
        root_run_id: The first run of its re-execution lineage. Defaults to None.

    Examples:
        >>> from orchestrator import DagsterRun, DagsterRunStatus, job, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job
        ... def my_job():
        ...     one()
        >>> run = my_job.execute_in_process().dagster_run
        >>> run.job_name, run.status, run.is_success
        ('my_job', <DagsterRunStatus.SUCCESS: 'SUCCESS'>, True)
        >>> DagsterRun(job_name="my_job", run_id="r1", status=DagsterRunStatus.CANCELED).is_failure_or_canceled
        True
    """

    def __init__(self, job_name: str, run_id: str, run_config: Mapping[str, Any] | None = None,
                 status: DagsterRunStatus = DagsterRunStatus.NOT_STARTED, tags: Mapping[str, str] | None = None,
                 parent_run_id: str | None = None, root_run_id: str | None = None, **_ignored: Any) -> None:
        self.job_name = job_name
        self.run_id = run_id
        self.run_config = dict(run_config or {})
        self.status = status
        self.tags = dict(tags or {})
        self.parent_run_id = parent_run_id
        self.root_run_id = root_run_id

    @property
    def is_finished(self) -> bool:
        return self.status in _FINISHED

    @property
    def is_success(self) -> bool:
        return self.status is DagsterRunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status is DagsterRunStatus.FAILURE

    @property
    def is_failure_or_canceled(self) -> bool:
        return self.status in (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)

    def __repr__(self) -> str:
        return f"DagsterRun(job_name={self.job_name!r}, run_id={self.run_id!r}, status={self.status.value})"
