"""A sensor that requests one run per file of a folder (run key = file name), for test_scheduler.py.

The folder is named by the environment variable FOLDER_SENSOR_DIR (the test's own setting, read
by the sensor function on each evaluation). ``minimum_interval_seconds=1`` is the user's choice
in the definition: the test need not wait 30 s between evaluations.
"""

from __future__ import annotations

import os

from orchestrator import DefaultSensorStatus, Definitions, RunRequest, SkipReason, job, op, sensor


@op(config_schema={"filename": str})
def process_file(context) -> str:
    return context.op_config["filename"]


@job
def file_job():
    process_file()


@sensor(job=file_job, minimum_interval_seconds=1, default_status=DefaultSensorStatus.RUNNING)
def folder_sensor(context):
    folder = os.environ["FOLDER_SENSOR_DIR"]
    names = sorted(os.listdir(folder))
    if not names:
        yield SkipReason(f"No files in {folder}.")
        return
    for name in names:
        yield RunRequest(run_key=name, run_config={"ops": {"process_file": {"config": {"filename": name}}}})


defs = Definitions(jobs=[file_job], sensors=[folder_sensor])
