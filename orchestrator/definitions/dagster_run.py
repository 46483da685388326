"""``DagsterRun`` and ``DagsterRunStatus``: a run as Dagster's run status sensors and tests see it
(``result.dagster_run``, ``context.dagster_run`` of a run status sensor)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

__all__ = ["DagsterRun", "DagsterRunStatus"]


class DagsterRunStatus(enum.Enum):
    """Dagster's run statuses (a run status sensor fires for one of them).

    Example::

        @run_status_sensor(run_status=DagsterRunStatus.SUCCESS)
        def on_success(context):
            ...
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
    """One run: id, job name, status, tags, run config, parent and root run ids.

    Example::

        result = my_job.execute_in_process()
        assert result.dagster_run.status == DagsterRunStatus.SUCCESS
        assert result.dagster_run.job_name == "my_job"
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
