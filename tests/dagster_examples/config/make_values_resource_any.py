# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/configuration/make_values_resource_any.py in dagster-io/dagster,
# shown on https://docs.dagster.io/concepts/configuration/config-schema (make_values_resource).
# ruff: noqa
# ruff: isort: skip_file
import os

from orchestrator import OpExecutionContext, op, job, make_values_resource

# start_file_example


@op(required_resource_keys={"file_dir"})
def add_file(context: OpExecutionContext):
    filename = f"{context.resources.file_dir}/new_file.txt"
    open(filename, "x", encoding="utf8").close()

    context.log.info(f"Created file: {filename}")


@op(required_resource_keys={"file_dir"})
def total_num_files(context: OpExecutionContext):
    files_in_dir = os.listdir(context.resources.file_dir)
    context.log.info(f"Total number of files: {len(files_in_dir)}")


@job(resource_defs={"file_dir": make_values_resource()})
def file_dir_job():
    add_file()
    total_num_files()


# end_file_example
