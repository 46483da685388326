# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/partitions_schedules_sensors/sensors/asset_sensors.py in
# dagster-io/dagster (start_asset_sensor_marker .. end_asset_sensor_test_marker), shown on
# https://docs.dagster.io/concepts/partitions-schedules-sensors/asset-sensors.
# ruff: noqa
from orchestrator import RunRequest, SkipReason, asset, job


@job
def my_job():
    pass


# start_asset_sensor_marker
from orchestrator import AssetKey, EventLogEntry, SensorEvaluationContext, asset_sensor


@asset_sensor(asset_key=AssetKey("my_table"), job=my_job)
def my_asset_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry):
    yield RunRequest(
        run_key=context.cursor,
        run_config={
            "ops": {
                "read_materialization": {
                    "config": {
                        "asset_key": asset_event.dagster_event.asset_key.path,  # type: ignore
                    }
                }
            }
        },
    )


# end_asset_sensor_marker

# start_asset_sensor_test_marker
from orchestrator import DagsterInstance, build_sensor_context, materialize


def test_my_asset_sensor():
    @asset
    def my_table():
        return 1

    instance = DagsterInstance.ephemeral()
    ctx = build_sensor_context(instance)

    result = list(my_asset_sensor(ctx))
    assert len(result) == 1
    assert isinstance(result[0], SkipReason)

    materialize([my_table], instance=instance)

    result = list(my_asset_sensor(ctx))
    assert len(result) == 1
    assert isinstance(result[0], RunRequest)


# end_asset_sensor_test_marker
