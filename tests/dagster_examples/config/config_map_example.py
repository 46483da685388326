# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/configuration/config_map_example.py in dagster-io/dagster,
# shown on https://docs.dagster.io/concepts/configuration/configured (configured with a config schema).
# ruff: noqa
# ruff: isort: skip_file
from orchestrator import resource, configured


@resource(config_schema={"region": str, "use_unsigned_session": bool})
def s3_session(_init_context):
    """Connect to S3."""


@configured(s3_session, config_schema={"region": str})
def unsigned_s3_session(config):
    return {"region": config["region"], "use_unsigned_session": False}
