"""Schedules ticking every minute, for the slow tests of test_scheduler.py:

- ``every_minute`` requests one run of ``minute_job`` per tick;
- ``broken_schedule`` raises, so each of its ticks is a failed tick;
- ``slow_schedule`` requests two runs of ``slow_config_job``, whose config mapping sleeps for
  SLOW_CONFIG_SECONDS: the mapping runs when the scheduler checks each request and again when it
  submits it, so there is a window between the first run's submission and the tick's end in which
  the test kills the scheduler that holds the tick.
"""

from __future__ import annotations

import time

from orchestrator import (
    DefaultScheduleStatus,
    Definitions,
    RunRequest,
    ScheduleDefinition,
    config_mapping,
    job,
    op,
    schedule,
)

SLOW_CONFIG_SECONDS = 4.0


@op
def report_tick(context) -> str:
    return context.run_tags["dagster/scheduled_execution_time"]


@job
def minute_job():
    report_tick()


@config_mapping(config_schema={"label": str})
def slow_mapping(config):
    time.sleep(SLOW_CONFIG_SECONDS)
    return {"ops": {"labelled": {"config": {"label": config["label"]}}}}


@op(config_schema={"label": str})
def labelled(context) -> str:
    return context.op_config["label"]


@job(config=slow_mapping)
def slow_config_job():
    labelled()


every_minute = ScheduleDefinition(name="every_minute", job=minute_job, cron_schedule="* * * * *",
                                  default_status=DefaultScheduleStatus.RUNNING)


@schedule(job=minute_job, cron_schedule="* * * * *", default_status=DefaultScheduleStatus.RUNNING)
def broken_schedule(context):
    raise ValueError("this schedule function fails on purpose")


@schedule(job=slow_config_job, cron_schedule="* * * * *", default_status=DefaultScheduleStatus.RUNNING)
def slow_schedule(context):
    return [RunRequest(run_key=label, run_config={"label": label}) for label in ("first", "second")]


defs = Definitions(jobs=[minute_job, slow_config_job], schedules=[every_minute, broken_schedule, slow_schedule])
