"""Schedules and sensors as definitions: what to run and when. They put their jobs in a repository."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from orchestrator.errors import DefinitionError

__all__ = ["RunRequest", "SkipReason", "ScheduleDefinition", "SensorDefinition", "schedule", "sensor",
           "ScheduleEvaluationContext", "SensorEvaluationContext"]


class RunRequest:
    """Ask for a run of the target job, with config, tags, a partition, and a de-duplication key."""

    def __init__(self, run_key: str | None = None, run_config: Mapping[str, Any] | None = None,
                 tags: Mapping[str, str] | None = None, job_name: str | None = None,
                 partition_key: str | None = None) -> None:
        self.run_key = run_key
        self.run_config = dict(run_config or {})
        self.tags = dict(tags or {})
        self.job_name = job_name
        self.partition_key = partition_key


class SkipReason:
    """Returned by a schedule or sensor that decides not to run this time, and why."""

    def __init__(self, skip_message: str | None = None) -> None:
        self.skip_message = skip_message


class ScheduleEvaluationContext:
    """What a schedule function receives: the time it is evaluated for."""

    def __init__(self, scheduled_execution_time: Any = None, resources: Any = None) -> None:
        self.scheduled_execution_time = scheduled_execution_time
        self.resources = resources


class SensorEvaluationContext:
    """What a sensor function receives: its cursor and last run key."""

    def __init__(self, cursor: str | None = None, last_run_key: str | None = None, resources: Any = None) -> None:
        self.cursor = cursor
        self.last_run_key = last_run_key
        self.resources = resources

    def update_cursor(self, cursor: str | None) -> None:
        self.cursor = cursor


def _job_name(job: Any, job_name: str | None, what: str) -> str:
    if job is not None:
        return str(job.name)
    if job_name:
        return job_name
    raise DefinitionError(f"{what} needs a target: pass job= or job_name=.")


class ScheduleDefinition:
    """Run a job on a cron schedule (``cron_schedule="0 * * * *"``)."""

    def __init__(self, name: str | None = None, cron_schedule: str = "", job: Any = None, job_name: str | None = None,
                 run_config: Mapping[str, Any] | None = None, tags: Mapping[str, str] | None = None,
                 execution_timezone: str | None = None, description: str | None = None,
                 execution_fn: Callable[..., Any] | None = None) -> None:
        fields = cron_schedule.split()
        if len(fields) != 5:
            raise DefinitionError(
                f"Schedule {name or ''} has cron_schedule {cron_schedule!r}; expected 5 fields like '0 0 * * *'."
            )
        self.job = job
        self.job_name = _job_name(job, job_name, f"Schedule '{name}'")
        self.name = name or f"{self.job_name}_schedule"
        self.cron_schedule = cron_schedule
        self.run_config = dict(run_config or {})
        self.tags = dict(tags or {})
        self.execution_timezone = execution_timezone
        self.description = description
        self.execution_fn = execution_fn

    def evaluate(self, context: ScheduleEvaluationContext | None = None) -> list[RunRequest] | SkipReason:
        """The run requests this schedule makes at one tick."""
        if self.execution_fn is None:
            return [RunRequest(run_config=self.run_config, tags=self.tags, job_name=self.job_name)]
        result = self.execution_fn(context or ScheduleEvaluationContext())
        if isinstance(result, SkipReason):
            return result
        if isinstance(result, RunRequest):
            return [result]
        if isinstance(result, Mapping):
            return [RunRequest(run_config=result, tags=self.tags, job_name=self.job_name)]
        return list(result or [])


class SensorDefinition:
    """Run a job when a condition holds; the function returns RunRequests or a SkipReason."""

    def __init__(self, name: str, evaluation_fn: Callable[..., Any], job: Any = None, job_name: str | None = None,
                 minimum_interval_seconds: int = 30, description: str | None = None) -> None:
        self.name = name
        self.evaluation_fn = evaluation_fn
        self.job = job
        self.job_name = _job_name(job, job_name, f"Sensor '{name}'")
        self.minimum_interval_seconds = minimum_interval_seconds
        self.description = description

    def evaluate(self, context: SensorEvaluationContext | None = None) -> list[RunRequest] | SkipReason:
        """The run requests this sensor makes at one evaluation."""
        result = self.evaluation_fn(context or SensorEvaluationContext())
        if isinstance(result, SkipReason):
            return result
        if isinstance(result, RunRequest):
            return [result]
        return list(result or [])


def schedule(cron_schedule: str, job: Any = None, job_name: str | None = None, name: str | None = None,
             execution_timezone: str | None = None, tags: Mapping[str, str] | None = None,
             description: str | None = None) -> Callable[[Callable[..., Any]], ScheduleDefinition]:
    """Decorate ``fn(context)`` returning run config, a RunRequest, RunRequests or a SkipReason."""

    def wrap(fn: Callable[..., Any]) -> ScheduleDefinition:
        return ScheduleDefinition(name=name or fn.__name__, cron_schedule=cron_schedule, job=job, job_name=job_name,
                                  tags=tags, execution_timezone=execution_timezone, description=description,
                                  execution_fn=fn)

    return wrap


def sensor(job: Any = None, job_name: str | None = None, name: str | None = None, minimum_interval_seconds: int = 30,
           description: str | None = None) -> Callable[[Callable[..., Any]], SensorDefinition]:
    """Decorate ``fn(context)`` returning RunRequests or a SkipReason."""

    def wrap(fn: Callable[..., Any]) -> SensorDefinition:
        return SensorDefinition(name or fn.__name__, fn, job=job, job_name=job_name,
                                minimum_interval_seconds=minimum_interval_seconds, description=description)

    return wrap
