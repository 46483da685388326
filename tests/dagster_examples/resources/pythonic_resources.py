# From Dagster's documentation examples, with only the import lines changed (dagster -> orchestrator):
# examples/docs_snippets/docs_snippets/concepts/resources/pythonic_resources.py in dagster-io/dagster,
# shown on https://docs.dagster.io/guides/build/external-resources (an excerpt: the functions below,
# verbatim; the file's others call the network or pass `assets=...` placeholders).
# ruff: noqa
# ruff: isort: skip_file

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator import Definitions


def new_resource_testing() -> None:
    # start_new_resource_testing
    from orchestrator import ConfigurableResource

    class MyResource(ConfigurableResource):
        value: str

        def get_value(self) -> str:
            return self.value

    def test_my_resource():
        assert MyResource(value="foo").get_value() == "foo"

    # end_new_resource_testing

    test_my_resource()


def new_resource_testing_with_nesting() -> None:
    # start_new_resource_testing_with_nesting
    from orchestrator import ConfigurableResource

    class StringHolderResource(ConfigurableResource):
        value: str

    class MyResourceRequiresAnother(ConfigurableResource):
        foo: StringHolderResource
        bar: str

    def test_my_resource_with_nesting():
        string_holder = StringHolderResource(value="foo")
        resource = MyResourceRequiresAnother(foo=string_holder, bar="bar")
        assert resource.foo.value == "foo"
        assert resource.bar == "bar"

    # end_new_resource_testing_with_nesting

    test_my_resource_with_nesting()


from typing import TYPE_CHECKING, Dict, Any


def new_resource_runtime() -> "Definitions":
    # start_new_resource_runtime
    from orchestrator import ConfigurableResource, Definitions, asset

    class DatabaseResource(ConfigurableResource):
        table: str

        def read(self):
            ...

    @asset
    def data_from_database(db_conn: DatabaseResource):
        return db_conn.read()

    defs = Definitions(
        assets=[data_from_database],
        resources={"db_conn": DatabaseResource.configure_at_launch()},
    )

    # end_new_resource_runtime

    # start_new_resource_runtime_launch
    from orchestrator import sensor, define_asset_job, RunRequest, RunConfig

    update_data_job = define_asset_job(
        name="update_data_job", selection=[data_from_database]
    )

    @sensor(job=update_data_job)
    def table_update_sensor():
        tables = ...
        for table_name in tables:
            yield RunRequest(
                run_config=RunConfig(
                    resources={
                        "db_conn": DatabaseResource(table=table_name),
                    },
                ),
            )

    # end_new_resource_runtime_launch

    defs = Definitions(
        assets=[data_from_database],
        jobs=[update_data_job],
        resources={"db_conn": DatabaseResource.configure_at_launch()},
        sensors=[table_update_sensor],
    )
    return defs


def get_filestore_client(*args, **kwargs):
    pass


def new_resources_nesting() -> "Definitions":
    from orchestrator import asset

    @asset
    def my_asset():
        pass

    # start_new_resources_nesting
    from orchestrator import Definitions, ConfigurableResource

    class CredentialsResource(ConfigurableResource):
        username: str
        password: str

    class FileStoreBucket(ConfigurableResource):
        credentials: CredentialsResource
        region: str

        def write(self, data: str):
            get_filestore_client(
                username=self.credentials.username,
                password=self.credentials.password,
                region=self.region,
            ).write(data)

    defs = Definitions(
        assets=[my_asset],
        resources={
            "bucket": FileStoreBucket(
                credentials=CredentialsResource(
                    username="my_user", password="my_password"
                ),
                region="us-east-1",
            ),
        },
    )
    # end_new_resources_nesting

    # start_new_resource_dep_job_runtime
    credentials = CredentialsResource.configure_at_launch()

    defs = Definitions(
        assets=[my_asset],
        resources={
            "credentials": credentials,
            "bucket": FileStoreBucket(
                credentials=credentials,
                region="us-east-1",
            ),
        },
    )

    # end_new_resource_dep_job_runtime

    return defs


class GitHubOrganization:
    def __init__(self, name: str):
        self.name = name

    def repositories(self):
        return ["dagster", "dagit", "dagster-graphql"]


class GitHub:
    def __init__(*args, **kwargs):
        pass

    def organization(self, name: str):
        return GitHubOrganization(name)


def raw_github_resource() -> None:
    # start_raw_github_resource

    from orchestrator import Definitions, asset, ResourceParam

    # `ResourceParam[GitHub]` is treated exactly like `GitHub` for type checking purposes,
    # and the runtime type of the github parameter is `GitHub`. The purpose of the
    # `ResourceParam` wrapper is to let Dagster know that `github` is a resource and not an
    # upstream asset.

    @asset
    def public_github_repos(github: ResourceParam[GitHub]):
        return github.organization("dagster-io").repositories()

    defs = Definitions(
        assets=[public_github_repos],
        resources={"github": GitHub(...)},
    )

    # end_raw_github_resource


def impl_details_resolve() -> None:
    # start_impl_details_resolve

    from orchestrator import ConfigurableResource

    class CredentialsResource(ConfigurableResource):
        username: str
        password: str

    class FileStoreBucket(ConfigurableResource):
        credentials: CredentialsResource
        region: str

        def write(self, data: str):
            # In this context, `self.credentials` is ensured to
            # be a CredentialsResource with valid values for
            # `username` and `password`

            get_filestore_client(
                username=self.credentials.username,
                password=self.credentials.password,
                region=self.region,
            ).write(data)

    # unconfigured_credentials_resource is typed as PartialResource[CredentialsResource]
    unconfigured_credentials_resource = CredentialsResource.configure_at_launch()

    # FileStoreBucket constructor accepts either a CredentialsResource or a
    # PartialResource[CredentialsResource] for the `credentials` argument
    bucket = FileStoreBucket(
        credentials=unconfigured_credentials_resource,
        region="us-east-1",
    )

    # end_impl_details_resolve
