# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/partitions_schedules_sensors/partition_mapping.py in
# dagster-io/dagster, shown on https://docs.dagster.io/concepts/partitions-schedules-sensors/partitioning-assets
# (partition dependencies).
# ruff: noqa
import orchestrator as dg

partitions_def = dg.DailyPartitionsDefinition(start_date="2023-01-21")


@dg.asset(partitions_def=partitions_def)
def events(): ...


@dg.asset(
    partitions_def=partitions_def,
    ins={
        "events": dg.AssetIn(
            partition_mapping=dg.TimeWindowPartitionMapping(
                start_offset=-1, end_offset=-1
            ),
        )
    },
)
def yesterday_event_stats(events): ...
