"""The definitions tests/integration/test_ui_api.py serves: a job with op config (so a wrong run
config has paths to report), a failing job (to re-execute), a slow job (to cancel), a
partitioned job, two assets, a schedule and a sensor."""

from __future__ import annotations

import time

from orchestrator import (
    Definitions,
    ScheduleDefinition,
    SkipReason,
    asset,
    job,
    op,
    sensor,
    static_partitioned_config,
)


@op(config_schema={"n": int})
def load_n(context) -> int:
    context.log.info(f"loading {context.op_config['n']}")
    return context.op_config["n"]


@op
def double(x: int) -> int:
    return 2 * x


@job
def add_job() -> None:
    double(load_n())


@op
def always_fails() -> None:
    raise ValueError("this op always fails")


@job
def fails_job() -> None:
    always_fails()


@op
def sleeps() -> None:
    time.sleep(60)


@job
def slow_job() -> None:
    sleeps()


@static_partitioned_config(partition_keys=["eu", "us"])
def region_config(partition_key: str) -> dict:
    return {"ops": {"load_n": {"config": {"n": len(partition_key)}}}}


@job(config=region_config)
def region_job() -> None:
    double(load_n())


@asset
def raw_numbers() -> list:
    return [1, 2, 3]


@asset
def number_total(raw_numbers: list) -> int:
    return sum(raw_numbers)


every_hour = ScheduleDefinition(name="every_hour", cron_schedule="0 * * * *", job=add_job,
                                run_config={"ops": {"load_n": {"config": {"n": 1}}}})


@sensor(job=add_job, minimum_interval_seconds=60)
def never_fires(context):
    return SkipReason("nothing to do")


defs = Definitions(jobs=[add_job, fails_job, slow_job, region_job], assets=[raw_numbers, number_total],
                   schedules=[every_hour], sensors=[never_fires])
