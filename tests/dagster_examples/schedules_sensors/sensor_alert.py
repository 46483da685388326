# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/partitions_schedules_sensors/sensors/sensor_alert.py in
# dagster-io/dagster (the email sensors and the two "testing with context" sections; the Slack and
# email-helper sections need other packages), shown on
# https://docs.dagster.io/concepts/partitions-schedules-sensors/sensors (run status sensors).
# ruff: noqa
# ruff: isort: skip_file
from orchestrator import run_failure_sensor, RunFailureSensorContext



def email_alert(_):
    pass


# start_simple_fail_sensor


@run_failure_sensor
def my_email_failure_sensor(context: RunFailureSensorContext):
    message = f'Job "{context.dagster_run.job_name}" failed. Error: {context.failure_event.message}'
    email_alert(message)


# end_simple_fail_sensor


# start_failure_sensor_testing_with_context_setup

from orchestrator import op, job


@op
def fails():
    raise Exception("failure!")


@job
def my_job_fails():
    fails()


# end_failure_sensor_testing_with_context_setup

# start_alert_sensor_testing_with_context_marker
from orchestrator import DagsterInstance, build_run_status_sensor_context

# execute the job
instance = DagsterInstance.ephemeral()
result = my_job_fails.execute_in_process(instance=instance, raise_on_error=False)

# retrieve the DagsterRun
dagster_run = result.dagster_run

# retrieve a failure event from the completed job execution
dagster_event = result.get_job_failure_event()

# create the context
run_failure_sensor_context = build_run_status_sensor_context(
    sensor_name="my_email_failure_sensor",
    dagster_instance=instance,
    dagster_run=dagster_run,
    dagster_event=dagster_event,
).for_run_failure()

# run the sensor
my_email_failure_sensor(run_failure_sensor_context)

# end_alert_sensor_testing_with_context_marker

# start_simple_success_sensor
from orchestrator import run_status_sensor, RunStatusSensorContext, DagsterRunStatus


@run_status_sensor(run_status=DagsterRunStatus.SUCCESS)
def my_email_sensor(context: RunStatusSensorContext):
    message = f'Job "{context.dagster_run.job_name}" succeeded.'
    email_alert(message)


# end_simple_success_sensor

# start_run_status_sensor_testing_with_context_setup


@op
def succeeds():
    return 1


@job
def my_job_succeeds():
    succeeds()


# end_run_status_sensor_testing_with_context_setup

# start_run_status_sensor_testing_marker

# execute the job
instance = DagsterInstance.ephemeral()
result = my_job_succeeds.execute_in_process(instance=instance)

# retrieve the DagsterRun
dagster_run = result.dagster_run

# retrieve a success event from the completed execution
dagster_event = result.get_job_success_event()

# create the context
run_status_sensor_context = build_run_status_sensor_context(
    sensor_name="my_email_sensor",
    dagster_instance=instance,
    dagster_run=dagster_run,
    dagster_event=dagster_event,
)

# run the sensor
my_email_sensor(run_status_sensor_context)

# end_run_status_sensor_testing_marker
