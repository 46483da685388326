"""Dagster's resources and IO managers: ``build_resources``, ``with_resources``, nested
``ConfigurableResource`` s and ``ResourceDependency``, ``ResourceParam``, resource factories,
``ConfigurableIOManager`` / ``ConfigurableIOManagerFactory``, ``IOManagerDefinition``, the IO
contexts and their builders, ``io_manager(output_config_schema=)`` and ``UPathIOManager``.

(No ``from __future__ import annotations``: resources and configs defined inside tests are
annotations that ops must resolve, as in Dagster's own tests.)
"""

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from orchestrator import (
    AssetKey,
    ConfigError,
    ConfigurableIOManager,
    ConfigurableIOManagerFactory,
    ConfigurableResource,
    ConfigurableResourceFactory,
    DagsterInvariantViolationError,
    DefinitionError,
    EnvVar,
    EventType,
    In,
    InputContext,
    IOManager,
    IOManagerDefinition,
    Out,
    OutputContext,
    ResourceDefinition,
    ResourceDependency,
    ResourceParam,
    StringSource,
    UPathIOManager,
    asset,
    build_init_resource_context,
    build_input_context,
    build_op_context,
    build_output_context,
    build_resources,
    io_manager,
    job,
    materialize_to_memory,
    op,
    resource,
    with_resources,
)

# --------------------------------------------------------------------------- build_resources


def test_build_resources_builds_configures_and_tears_down() -> None:
    log: list[str] = []

    @resource(config_schema={"prefix": str})
    def greeter(context):
        log.append("setup")
        yield lambda name: f"{context.resource_config['prefix']} {name}"
        log.append("teardown")

    @resource(required_resource_keys={"greeter"})
    def welcome(context):
        return context.resources.greeter("team")

    with build_resources({"greeter": greeter, "welcome": welcome, "answer": 42},
                         resource_config={"greeter": {"config": {"prefix": "hi"}}}) as resources:
        assert resources.greeter("you") == "hi you"
        assert resources.welcome == "hi team"
        assert resources.answer == 42
        assert log == ["setup"]
    assert log == ["setup", "teardown"]


def test_build_resources_checks_config() -> None:
    @resource(config_schema={"prefix": str})
    def greeter(context):
        return context.resource_config["prefix"]

    with pytest.raises(ConfigError) as err:
        with build_resources({"greeter": greeter}, resource_config={"greeter": {"config": {"prefix": 1}}}):
            pass
    assert [e.path for e in err.value.errors] == ["resources.greeter.config.prefix"]
    with pytest.raises(ConfigError, match="no resource 'nope'"):
        with build_resources({"greeter": greeter}, resource_config={"nope": {"config": {}}}):
            pass


def test_build_resources_with_pythonic_resources_and_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    class Credentials(ConfigurableResource):
        username: str
        password: str

    monkeypatch.setenv("H13B_PASSWORD", "hunter2")
    with build_resources({"credentials": Credentials(username="me", password=EnvVar("H13B_PASSWORD"))}) as res:
        assert (res.credentials.username, res.credentials.password) == ("me", "hunter2")


# --------------------------------------------------------------------------- Pythonic resources


class StringHolder(ConfigurableResource):
    value: str


class NeedsAnother(ConfigurableResource):
    foo: StringHolder
    bar: str


def test_nested_resource_outside_a_run() -> None:
    resource_ = NeedsAnother(foo=StringHolder(value="foo"), bar="bar")
    assert resource_.foo.value == "foo" and resource_.bar == "bar"


def test_nested_resources_in_a_run_fully_configured_and_configured_at_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    @op
    def read(holder: NeedsAnother) -> str:
        return f"{holder.foo.value}/{holder.bar}"

    monkeypatch.setenv("H13B_FOO", "from-env")

    @job(resource_defs={"holder": NeedsAnother(foo=StringHolder(value=EnvVar("H13B_FOO")), bar="b")})
    def nested_job():
        read()

    assert nested_job.execute_in_process().output_for_node("read") == "from-env/b"
    # The nested resource is not config of the outer one.
    with pytest.raises(ConfigError, match="is a resource, not config"):
        nested_job.execute_in_process(run_config={"resources": {"holder": {"config": {"foo": {"value": "x"}}}}})

    foo = StringHolder.configure_at_launch()

    @job(resource_defs={"foo": foo, "holder": NeedsAnother(foo=foo, bar="b2")})
    def launch_job():
        read()

    result = launch_job.execute_in_process(run_config={"resources": {"foo": {"config": {"value": "given"}}}})
    assert result.output_for_node("read") == "given/b2"


def test_a_partial_nested_resource_must_be_a_top_level_resource() -> None:
    @op
    def read(holder: NeedsAnother) -> str:
        return holder.bar

    @job(resource_defs={"holder": NeedsAnother(foo=StringHolder.configure_at_launch(), bar="b")})
    def broken():
        read()

    result = broken.execute_in_process(raise_on_error=False)
    [failure] = result.get_step_failure_events()
    assert "configure_at_launch" in failure.message and "field 'foo'" in failure.message


def test_resource_dependency_and_resource_param() -> None:
    class Engine:
        def execute(self, query: str) -> str:
            return f"ran {query}"

    class DBResource(ConfigurableResource):
        engine: ResourceDependency[Engine]

        def query(self, query: str) -> str:
            return self.engine.execute(query)

    @op
    def run_query(db: DBResource, suffix: ResourceParam[str]) -> str:
        return db.query("select 1") + suffix

    @job(resource_defs={"db": DBResource(engine=Engine()), "suffix": "!"})
    def db_job():
        run_query()

    assert run_query.required_resource_keys == {"db", "suffix"}
    assert run_query.input_names == []
    assert db_job.execute_in_process().output_for_node("run_query") == "ran select 1!"
    # Direct invocation: by name, positionally, or from a context.
    assert run_query(db=DBResource(engine=Engine()), suffix="?") == "ran select 1?"
    assert run_query(DBResource(engine=Engine()), ".") == "ran select 1."
    context = build_op_context(resources={"db": DBResource(engine=Engine()), "suffix": ";"})
    assert run_query(context) == "ran select 1;"


def test_resource_param_on_assets_and_with_resources() -> None:
    @asset
    def greeting(prefix: ResourceParam[str]) -> str:
        return prefix + " world"

    @asset
    def shout(greeting: str, punct: ResourceParam[str]) -> str:
        return greeting.upper() + punct

    bound = with_resources([greeting, shout], {"prefix": "hello", "punct": "!"})
    assert len(bound) == 2
    result = materialize_to_memory(bound)
    assert result.output_for_node("shout") == "HELLO WORLD!"
    # A mock passed directly, as Dagster's testing docs do.
    client = mock.Mock()
    client.get_client.return_value.query.return_value = "my_result"

    class ClientResource(ConfigurableResource):
        username: str

    @asset
    def my_asset(client: ClientResource):
        return client.get_client().query("SELECT * FROM my_table")

    assert my_asset(client) == "my_result"


def test_with_resources_config_by_key_and_jobs_keep_their_own() -> None:
    @resource(config_schema={"n": int})
    def number(context):
        return context.resource_config["n"]

    @op(required_resource_keys={"number"})
    def read(context) -> int:
        return context.resources.number

    @job(resource_defs={"number": ResourceDefinition.hardcoded_resource(1)})
    def own_job():
        read()

    @job(resource_defs={"number": number})
    def configurable_job():
        read()

    [kept] = with_resources([own_job], {"number": number}, resource_config_by_key={"number": {"config": {"n": 5}}})
    assert kept.execute_in_process().output_for_node("read") == 1

    @asset(required_resource_keys={"number"})
    def numbered(context) -> int:
        return context.resources.number

    [bound] = with_resources([numbered], {"number": number}, resource_config_by_key={"number": {"config": {"n": 5}}})
    assert materialize_to_memory([bound]).output_for_node("numbered") == 5
    with pytest.raises(DefinitionError, match="config for resource 'other'"):
        with_resources([numbered], {"number": number}, resource_config_by_key={"other": {"config": {}}})
    assert configurable_job.execute_in_process(
        run_config={"resources": {"number": {"config": {"n": 2}}}}).output_for_node("read") == 2


def test_lifecycle_hooks_context_and_factories() -> None:
    events: list[str] = []

    class Tracked(ConfigurableResource):
        name: str

        def setup_for_execution(self, context) -> None:
            events.append(f"setup {self.name} {context.run_id is not None}")

        def teardown_after_execution(self, context) -> None:
            events.append(f"teardown {self.name}")

        def run_id(self) -> str:
            return self.get_resource_context().run_id

    class Client:
        def __init__(self, token: str) -> None:
            self.token = token

    class ClientFactory(ConfigurableResourceFactory[Client]):
        token: str

        def create_resource(self, context) -> Client:
            return Client(self.token)

    @op
    def use(tracked: Tracked, client: ResourceParam[Client]) -> str:
        return f"{tracked.run_id()} {client.token}"

    @job(resource_defs={"tracked": Tracked(name="t"), "client": ClientFactory(token="abc")})
    def lifecycle_job():
        use()

    result = lifecycle_job.execute_in_process(run_id="run-h13b")
    assert result.output_for_node("use") == "run-h13b abc"
    assert events == ["setup t True", "teardown t"]
    bound = Tracked(name="x").with_replaced_resource_context(build_init_resource_context())
    assert bound.get_resource_context().resource_config is None
    from orchestrator import OrchestratorError

    with pytest.raises(OrchestratorError, match="no resource context"):
        Tracked(name="y").get_resource_context()


def test_configure_at_launch_config_errors_name_the_path() -> None:
    class Database(ConfigurableResource):
        table: str

    @op
    def read(db: Database) -> str:
        return db.table

    @job(resource_defs={"db": Database.configure_at_launch()})
    def db_job():
        read()

    assert db_job.execute_in_process(run_config={"resources": {"db": {"config": {"table": "t"}}}}).output_for_node(
        "read") == "t"
    with pytest.raises(ConfigError) as err:
        db_job.execute_in_process()
    assert [e.path for e in err.value.errors] == ["resources.db.config.table"]


def test_resources_are_frozen_and_classes_are_refused() -> None:
    holder = StringHolder(value="v")
    with pytest.raises(Exception, match="frozen"):
        holder.value = "w"  # type: ignore[misc]
    with pytest.raises(DefinitionError, match="pass an instance"):
        @job(resource_defs={"holder": StringHolder})
        def broken():
            pass


# --------------------------------------------------------------------------- IO contexts


def test_build_output_and_input_context_fields() -> None:
    out = build_output_context(step_key="123", name="abc", run_id="r1", mapping_key="m", definition_metadata={"t": 1},
                               config={"table": "x"}, asset_key="my/asset", partition_key="2024-01-01")
    assert out.get_identifier() == ["r1", "123", "abc", "m"]
    assert out.definition_metadata == {"t": 1} and out.metadata == {"t": 1}
    assert out.config == {"table": "x"}
    assert out.has_asset_key and out.asset_key == AssetKey(["my", "asset"])
    assert out.get_asset_identifier() == ["my", "asset", "2024-01-01"]
    assert out.has_partition_key and out.asset_partition_key == "2024-01-01"
    assert out.asset_partition_keys == ["2024-01-01"] and out.has_asset_partitions
    out.add_output_metadata({"rows": 3})
    assert out.get_logged_metadata() == {"rows": 3} and out.output_metadata == {"rows": 3}
    inp = build_input_context(name="x", upstream_output=out, config={"c": 1}, metadata={"m": 2}, asset_key=["a"],
                              dagster_type=int)
    assert inp.get_identifier() == out.get_identifier()
    assert inp.get_asset_identifier() == ["a"]
    assert (inp.config, inp.definition_metadata, inp.dagster_type, inp.upstream_output) == ({"c": 1}, {"m": 2}, int, out)
    assert not build_input_context().has_asset_key and not build_input_context().has_partition_key
    with pytest.raises(ValueError, match="not an asset"):
        build_output_context().get_asset_identifier()
    assert isinstance(build_input_context(), InputContext) and isinstance(build_output_context(), OutputContext)


def test_contexts_build_resources_and_generator_resources_need_a_with_block() -> None:
    entered: list[str] = []

    @resource
    def foo_def():
        return "bar_def"

    @resource
    def cm_resource():
        try:
            yield "foo"
        finally:
            entered.append("yes")

    context = build_input_context(resources={"foo": "bar", "foo_def": foo_def})
    assert context.resources.foo == "bar" and context.resources.foo_def == "bar_def"
    context = build_output_context(step_key="test", name="test", resources={"cm_resource": cm_resource})
    with pytest.raises(DagsterInvariantViolationError, match=re.escape("`with build_output_context(...) as context:`")):
        context.resources  # noqa: B018
    del context
    assert entered == ["yes"]
    with build_input_context(resources={"cm_resource": cm_resource}) as context:
        assert context.resources.cm_resource == "foo"
    assert entered == ["yes", "yes"]


def test_io_manager_sees_asset_keys_upstream_output_and_definition_metadata() -> None:
    seen: dict = {}

    class RecordingIOManager(IOManager):
        def __init__(self) -> None:
            self.values: dict = {}

        def handle_output(self, context, obj) -> None:
            seen.setdefault("out", []).append((context.name, context.step_key, context.definition_metadata,
                                               context.op_def.name, context.dagster_type, context.job_name))
            self.values[tuple(context.get_identifier())] = obj

        def load_input(self, context) -> Any:
            seen.setdefault("in", []).append((context.name, context.upstream_output.name,
                                              context.upstream_output.definition_metadata,
                                              context.definition_metadata, context.dagster_type))
            return self.values[tuple(context.get_identifier())]

    manager = RecordingIOManager()

    @op(out=Out(int, metadata={"table": "t1"}))
    def produce() -> int:
        return 1

    @op(ins={"x": In(int, metadata={"note": "in"})})
    def consume(x: int) -> int:
        return x + 1

    @job(resource_defs={"io_manager": IOManagerDefinition.hardcoded_io_manager(manager)})
    def io_job():
        consume(produce())

    assert io_job.execute_in_process().output_for_node("consume") == 2
    assert seen["out"][0] == ("result", "produce", {"table": "t1"}, "produce", int, "io_job")
    # The step's load (the result's own read of "consume" comes after).
    assert seen["in"][0] == ("x", "result", {"table": "t1"}, {"note": "in"}, int)


def test_output_config_schema_reaches_handle_output_and_load_input() -> None:
    tables: dict = {}

    class TableIOManager(IOManager):
        def handle_output(self, context, obj) -> None:
            tables[context.config["table"]] = obj

        def load_input(self, context) -> Any:
            return tables[context.upstream_output.config["table"]]

    @io_manager(output_config_schema={"table": str, "schema": StringSource})
    def table_io_manager(_):
        return TableIOManager()

    @op
    def op_1() -> int:
        return 1

    @op
    def op_2(x: int) -> int:
        return x + 1

    @job(resource_defs={"io_manager": table_io_manager})
    def my_job():
        op_2(op_1())

    assert isinstance(table_io_manager, IOManagerDefinition)
    assert table_io_manager.output_config_schema == {"table": str, "schema": StringSource}
    run_config = {"ops": {"op_1": {"outputs": {"result": {"table": "table1", "schema": "s"}}},
                          "op_2": {"outputs": {"result": {"table": "table2", "schema": "s"}}}}}
    assert my_job.execute_in_process(run_config=run_config).output_for_node("op_2") == 2
    assert tables == {"table1": 1, "table2": 2}
    with pytest.raises(ConfigError) as err:
        my_job.execute_in_process(run_config={"ops": {"op_1": {"outputs": {"result": {"table": 3}}}}})
    paths = sorted(e.path for e in err.value.errors)
    assert "ops.op_1.outputs.result.table" in paths and "ops.op_2.outputs.result.table" in paths
    with pytest.raises(ConfigError, match="unknown output 'other'"):
        my_job.execute_in_process(run_config={"ops": {"op_1": {"outputs": {"other": {}}}}})


def test_output_config_for_an_io_manager_without_a_schema_is_an_error() -> None:
    @op
    def one() -> int:
        return 1

    @job
    def plain_job():
        one()

    with pytest.raises(ConfigError, match="takes no output config"):
        plain_job.execute_in_process(run_config={"ops": {"one": {"outputs": {"result": {"table": "t"}}}}})


# --------------------------------------------------------------------------- Pythonic IO managers


def test_configurable_io_manager_with_env_var_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class JsonIOManager(ConfigurableIOManager):
        root_path: str

        def _get_path(self, key: AssetKey) -> Path:
            return Path(self.root_path) / ("/".join(key.path) + ".json")

        def handle_output(self, context, obj) -> None:
            path = self._get_path(context.asset_key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(obj))

        def load_input(self, context) -> Any:
            return json.loads(self._get_path(context.asset_key).read_text())

    @asset
    def upstream() -> list:
        return [1, 2]

    @asset
    def downstream(upstream: list) -> int:
        return sum(upstream)

    monkeypatch.setenv("H13B_ROOT", str(tmp_path))
    manager = JsonIOManager(root_path=EnvVar("H13B_ROOT"))
    assert isinstance(manager.get_resource_definition(), IOManagerDefinition)
    result = materialize_to_memory([upstream, downstream], resources={"io_manager": manager})
    assert result.output_for_node("downstream") == 3
    assert json.loads((tmp_path / "upstream.json").read_text()) == [1, 2]


def test_configurable_io_manager_factory_and_run_config() -> None:
    stores: dict = {}

    class DictIOManager(IOManager):
        def __init__(self, prefix: str) -> None:
            self.prefix = prefix

        def handle_output(self, context, obj) -> None:
            stores[self.prefix + context.step_key] = obj

        def load_input(self, context) -> Any:
            return stores[self.prefix + context.upstream_output.step_key]

    class DictFactory(ConfigurableIOManagerFactory):
        prefix: str = "p/"

        def create_io_manager(self, context) -> DictIOManager:
            return DictIOManager(self.prefix)

    @op
    def produce() -> int:
        return 4

    @op
    def consume(x: int) -> int:
        return x * 2

    @job(resource_defs={"io_manager": DictFactory()})
    def factory_job():
        consume(produce())

    assert factory_job.execute_in_process().output_for_node("consume") == 8
    assert stores == {"p/produce": 4, "p/consume": 8}
    factory_job.execute_in_process(run_config={"resources": {"io_manager": {"config": {"prefix": "q/"}}}})
    assert stores["q/consume"] == 8


# --------------------------------------------------------------------------- UPathIOManager


class JsonUPathIOManager(UPathIOManager):
    extension = ".json"

    def dump_to_path(self, context, obj, path) -> None:
        path.write_text(json.dumps(obj))

    def load_from_path(self, context, path) -> Any:
        return json.loads(path.read_text())

    def get_metadata(self, context, obj) -> dict:
        return {"items": len(obj)} if isinstance(obj, (list, dict)) else {}


@pytest.fixture
def memory_base() -> Iterator[str]:
    yield f"memory://h13b-{uuid.uuid4().hex}"


def test_upath_subclass_paths_extension_and_metadata(memory_base: str) -> None:
    manager = JsonUPathIOManager(base_path=memory_base)
    out = build_output_context(step_key="make", name="result", run_id="r1")
    manager.handle_output(out, [1, 2, 3])
    assert out.get_logged_metadata() == {"path": f"{memory_base}/r1/make/result.json", "items": 3}
    assert manager.has_output(out)
    assert manager.load_input(build_input_context(upstream_output=out)) == [1, 2, 3]
    assert str(manager.get_op_output_relative_path(out)) .endswith("r1/make/result")
    asset_out = build_output_context(asset_key=["group", "thing"])
    manager.handle_output(asset_out, {"a": 1})
    assert asset_out.get_logged_metadata()["path"] == f"{memory_base}/group/thing.json"


def test_upath_partitions_one_or_several(memory_base: str) -> None:
    manager = JsonUPathIOManager(base_path=memory_base)
    for day in ("2024-01-01", "2024-01-02"):
        manager.handle_output(build_output_context(asset_key="daily", partition_key=day), [day])
    single = build_input_context(asset_key="daily", partition_key="2024-01-02")
    assert manager.load_input(single) == ["2024-01-02"]
    several = build_input_context(asset_key="daily", partition_keys=["2024-01-01", "2024-01-02"])
    assert manager.load_input(several) == {"2024-01-01": ["2024-01-01"], "2024-01-02": ["2024-01-02"]}


def test_upath_io_manager_in_a_pythonic_factory(memory_base: str) -> None:
    class JsonFactory(ConfigurableIOManagerFactory):
        base_path: str

        def create_io_manager(self, context) -> JsonUPathIOManager:
            return JsonUPathIOManager(base_path=self.base_path)

    @asset
    def numbers() -> list:
        return [1, 2, 3]

    @asset
    def total(numbers: list) -> int:
        return sum(numbers)

    result = materialize_to_memory([numbers, total], resources={"io_manager": JsonFactory(base_path=memory_base)})
    assert result.output_for_node("total") == 6
    events = [e for e in result.all_events if e.event_type is EventType.STEP_OUTPUT]
    paths = sorted(str(e.data["metadata"]["path"]) for e in events)
    assert any(p.endswith("numbers.json") for p in paths) and any(p.endswith("total.json") for p in paths)


def test_legacy_io_manager_adapter_builds_the_wrapped_definition_with_its_fields(tmp_path: Path) -> None:
    from orchestrator import ConfigurableLegacyIOManagerAdapter

    class OldFileIOManager(IOManager):
        def __init__(self, base_path: str) -> None:
            self.base_path = base_path

        def handle_output(self, context, obj) -> None:
            (Path(self.base_path) / f"{context.step_key}.{context.name}").write_text(obj)

        def load_input(self, context) -> str:
            upstream = context.upstream_output
            return (Path(self.base_path) / f"{upstream.step_key}.{upstream.name}").read_text()

    @io_manager(config_schema={"base_path": str})
    def old_file_io_manager(context):
        return OldFileIOManager(context.resource_config["base_path"])

    class MyIOManager(ConfigurableLegacyIOManagerAdapter):
        base_path: str

        @property
        def wrapped_io_manager(self) -> IOManagerDefinition:
            return old_file_io_manager

    @op
    def word() -> str:
        return "hi"

    @op
    def shout(w: str) -> str:
        return w.upper()

    @job(resource_defs={"io_manager": MyIOManager(base_path=str(tmp_path))})
    def adapter_job():
        shout(word())

    assert adapter_job.execute_in_process().output_for_node("shout") == "HI"
    assert (tmp_path / "word.result").read_text() == "hi"


def test_unknown_resource_and_resource_function_errors() -> None:
    from orchestrator import DagsterResourceFunctionError, DagsterUnknownResourceError

    @op
    def peek(context) -> bool:
        assert not hasattr(context.resources, "missing")
        try:
            context.resources.missing  # noqa: B018
        except DagsterUnknownResourceError as exc:
            return "missing" in str(exc)
        return False

    @job
    def peek_job():
        peek()

    assert peek_job.execute_in_process().output_for_node("peek") is True

    @resource
    def broken(_):
        raise RuntimeError("no connection")

    @op(required_resource_keys={"broken"})
    def uses(context) -> None:
        return None

    @job(resource_defs={"broken": broken})
    def broken_job():
        uses()

    with pytest.raises(DagsterResourceFunctionError, match="Resource 'broken' failed to initialize.*no connection"):
        broken_job.execute_in_process()


def test_custom_path_fs_io_manager(tmp_path: Path) -> None:
    from orchestrator import custom_path_fs_io_manager

    @op
    def one() -> int:
        return 1

    @op
    def plus(x: int) -> int:
        return x + 1

    @job(resource_defs={"io_manager": custom_path_fs_io_manager})
    def pathed():
        plus(one())

    run_config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}},
                  "ops": {"one": {"outputs": {"result": {"path": "a/one.pkl"}}},
                          "plus": {"outputs": {"result": {"path": "plus.pkl"}}}}}
    assert pathed.execute_in_process(run_config=run_config).output_for_node("plus") == 2
    assert (tmp_path / "a" / "one.pkl").exists() and (tmp_path / "plus.pkl").exists()
    with pytest.raises(ConfigError, match=r"ops\.one\.outputs\.result\.path"):
        pathed.execute_in_process(run_config={"resources": run_config["resources"]})
