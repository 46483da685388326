"""When the demo pipeline runs by itself: a daily schedule, and a sensor that reports failed runs.

Both are off until turned on (``orch schedule start demo_pipeline_daily -m definitions``), as
Dagster's schedules and sensors are by default; ``orch scheduler start -m definitions`` (started
by ``deploy/`` and by ``orch dev -m definitions``) evaluates them once they are.
"""

from __future__ import annotations

from orchestrator import RunFailureSensorContext, ScheduleDefinition, run_failure_sensor

from .pipeline import demo_pipeline

#: Every morning at 06:00 UTC.
demo_pipeline_daily = ScheduleDefinition(name="demo_pipeline_daily", job=demo_pipeline, cron_schedule="0 6 * * *",
                                         execution_timezone="UTC")


@run_failure_sensor(monitored_jobs=[demo_pipeline])
def demo_pipeline_failed(context: RunFailureSensorContext) -> None:
    """Log the failure of a demo pipeline run (where a real project would page someone)."""
    context.log.error(f"Run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: "
                      f"{context.failure_event.message}")


__all__ = ["demo_pipeline_daily", "demo_pipeline_failed"]
