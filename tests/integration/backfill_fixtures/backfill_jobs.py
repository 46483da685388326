"""Partitioned jobs for ``tests/integration/test_backfills.py``, loaded with ``orch backfill -f``.

This folder is not on the workers' ``PYTHONPATH``, so the jobs travel as signed blobs.
"""

from __future__ import annotations

import time

from orchestrator import StaticPartitionsDefinition, asset, define_asset_job, job, op, static_partitioned_config

NAP_SECONDS = 1.5


@static_partitioned_config(partition_keys=["a", "b", "c"])
def letters(partition_key: str) -> dict:
    return {"ops": {"nap_for": {"config": {"key": partition_key}}}}


@op(config_schema={"key": str})
def nap_for(context) -> str:
    # Long enough for runs started together to overlap, so that a missing limit shows.
    time.sleep(NAP_SECONDS)
    return context.op_config["key"]


@job(config=letters)
def letters_job():
    nap_for()


@job
def plain_job():
    nap_for()


@static_partitioned_config(partition_keys=["a", "b", "c"])
def slow_letters(partition_key: str) -> dict:
    return {"ops": {"long_nap_for": {"config": {"key": partition_key}}}}


@op(config_schema={"key": str})
def long_nap_for(context) -> str:
    # Still running when a test cancels its backfill from another process.
    time.sleep(8)
    return context.op_config["key"]


@job(config=slow_letters)
def slow_letters_job():
    long_nap_for()


regions = StaticPartitionsDefinition(["eu", "us"])


@asset(partitions_def=regions)
def sales(context) -> str:
    return f"sales of {context.partition_key}"


sales_job = define_asset_job("sales_job", selection=[sales])
