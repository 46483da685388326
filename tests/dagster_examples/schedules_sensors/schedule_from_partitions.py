# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/partitions_schedules_sensors/schedule_from_partitions.py in
# dagster-io/dagster (start_marker .. end_partitioned_asset_schedule; the relative import of
# my_partitioned_config points at the ported partitioned_job.py), shown on
# https://docs.dagster.io/concepts/partitions-schedules-sensors/schedules (schedules from partitioned jobs).
# ruff: noqa
# ruff: isort: skip_file

from tests.dagster_examples.partitions.partitioned_job import my_partitioned_config

# start_marker
from orchestrator import build_schedule_from_partitioned_job, job


@job(config=my_partitioned_config)
def do_stuff_partitioned():
    ...


do_stuff_partitioned_schedule = build_schedule_from_partitioned_job(
    do_stuff_partitioned,
)

# end_marker


# start_partitioned_asset_schedule
from orchestrator import (
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
    HourlyPartitionsDefinition,
)


@asset(partitions_def=HourlyPartitionsDefinition(start_date="2020-01-01-00:00"))
def hourly_asset():
    ...


partitioned_asset_job = define_asset_job("partitioned_job", selection=[hourly_asset])


asset_partitioned_schedule = build_schedule_from_partitioned_job(
    partitioned_asset_job,
)

# end_partitioned_asset_schedule
