"""An asset sensor and a run failure sensor, for test_scheduler.py: both read what runs on the
workers recorded in Redis (asset materializations, run failures). Their one-second interval is the
user's choice in the definitions."""

from __future__ import annotations

from orchestrator import (
    AssetKey,
    DefaultSensorStatus,
    Definitions,
    RunFailureSensorContext,
    RunRequest,
    asset,
    asset_sensor,
    define_asset_job,
    job,
    op,
    run_failure_sensor,
)


@asset
def orders() -> int:
    return 3


orders_job = define_asset_job("orders_job", selection=[orders])


@op
def note(context) -> str:
    return context.run_tags.get("source", context.run_tags.get("failed", ""))


@job
def report_job():
    note()


@op
def explode() -> None:
    raise RuntimeError("explodes on purpose")


@job
def failing_job():
    explode()


@asset_sensor(asset_key=AssetKey("orders"), job=report_job, minimum_interval_seconds=1,
              default_status=DefaultSensorStatus.RUNNING)
def orders_updated(context, asset_event):
    return RunRequest(run_key=asset_event.run_id, tags={"source": asset_event.run_id,
                                                        "storage_id": str(asset_event.storage_id)})


@run_failure_sensor(request_job=report_job, monitored_jobs=[failing_job], minimum_interval_seconds=1,
                    default_status=DefaultSensorStatus.RUNNING)
def failing_job_failed(context: RunFailureSensorContext):
    steps = [e.step_key for e in context.get_step_failure_events()]
    return RunRequest(run_key=context.dagster_run.run_id,
                      tags={"failed": context.dagster_run.run_id, "steps": ",".join(s or "" for s in steps)})


defs = Definitions(assets=[orders], jobs=[orders_job, report_job, failing_job],
                   sensors=[orders_updated, failing_job_failed])
