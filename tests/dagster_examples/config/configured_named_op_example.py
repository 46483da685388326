# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/configuration/configured_named_op_example.py in dagster-io/dagster,
# shown on https://docs.dagster.io/concepts/configuration/configured (several configured copies in one job).
# ruff: noqa
# ruff: isort: skip_file
from orchestrator import In, Int, List, Field, OpExecutionContext, op, job, configured


# start_configured_named
@op(
    config_schema={
        "is_sample": Field(bool, is_required=False, default_value=False),
    },
    ins={"xs": In(List[Int])},
)
def get_dataset(context: OpExecutionContext, xs):
    if context.op_config["is_sample"]:
        return xs[:5]
    else:
        return xs


# If we want to use the same op configured in multiple ways in the same job,
# we have to specify unique names when configuring them:
sample_dataset = configured(get_dataset, name="sample_dataset")({"is_sample": True})
full_dataset = configured(get_dataset, name="full_dataset")({"is_sample": False})


@job
def datasets():
    sample_dataset()
    full_dataset()


# end_configured_named
