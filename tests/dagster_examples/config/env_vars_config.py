# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/configuration/env_vars_config.py in dagster-io/dagster,
# shown on https://docs.dagster.io/guides/operate/configuration/using-environment-variables-and-secrets.
# ruff: noqa
# ruff: isort: skip_file
# start_database_example
import orchestrator as dg


@dg.resource(config_schema={"username": dg.StringSource, "password": dg.StringSource})
def database_client(context: dg.InitResourceContext):
    username = context.resource_config["username"]
    password = context.resource_config["password"]
    ...


@dg.op(required_resource_keys={"database"})
def get_one(context: dg.OpExecutionContext):
    context.resources.database.execute_query("SELECT 1")


@dg.job(
    resource_defs={
        "database": database_client.configured(
            {
                "username": {"env": "SYSTEM_USER"},
                "password": {"env": "SYSTEM_PASSWORD"},
            }
        )
    }
)
def get_one_from_db():
    get_one()


# end_database_example
