# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/partitions_schedules_sensors/multipartitions_asset.py in
# dagster-io/dagster, shown on https://docs.dagster.io/concepts/partitions-schedules-sensors/partitioning-assets.
# ruff: noqa
# start_multi_partitions_marker
from orchestrator import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    MultiPartitionsDefinition,
    MultiPartitionKey,
    StaticPartitionsDefinition,
    asset,
)


@asset(
    partitions_def=MultiPartitionsDefinition(
        {
            "date": DailyPartitionsDefinition(start_date="2022-01-01"),
            "color": StaticPartitionsDefinition(["red", "yellow", "blue"]),
        }
    )
)
def multi_partitions_asset(context: AssetExecutionContext):
    if isinstance(context.partition_key, MultiPartitionKey):
        context.log.info(context.partition_key.keys_by_dimension)


# end_multi_partitions_marker

# start_multi_partitions_key_marker

from orchestrator import MultiPartitionKey, materialize

result = materialize(
    [multi_partitions_asset],
    partition_key=MultiPartitionKey({"date": "2022-01-01", "color": "red"}),
)

# end_multi_partitions_key_marker
