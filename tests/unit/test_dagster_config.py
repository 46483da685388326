"""Dagster's config API: ``RunConfig``, ``EnvVar``, ``configured``, ``make_values_resource``,
``DagsterInvalidConfigError``, ``validate_run_config`` and the config types (``Shape``, ``Selector``,
``Enum``, ``*Source``, ``Array``, ``Map``, ``ScalarUnion``), as Dagster documents them.

Several tests are Dagster's own (``dagster_tests/.../pythonic_config/test_env_vars.py``) with
only the imports changed; the rest check the documented behaviour, and that environment
variables stay references (``{"env": NAME}``) in what a run stores.

(No ``from __future__ import annotations`` here: the ``Config`` classes defined inside tests must be
real annotations for ops to see them, as in Dagster's own tests.)
"""


import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum as PyEnum

import pytest

from orchestrator import (
    Array,
    Config,
    ConfigError,
    ConfigurableResource,
    DagsterInvalidConfigError,
    Enum,
    EnumValue,
    EnvVar,
    Field,
    IntSource,
    Map,
    PermissiveConfig,
    RunConfig,
    ScalarUnion,
    Selector,
    Shape,
    StringSource,
    asset,
    build_op_context,
    configured,
    executor,
    graph,
    in_process_executor,
    job,
    make_values_resource,
    materialize,
    op,
    resource,
    validate_run_config,
)
from orchestrator.definitions.config.run_config import resolve_run_config


@contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """Dagster's ``dagster._core.test_utils.environ``: set variables for a block, then restore them."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --------------------------------------------------------------------------- EnvVar (Dagster's tests)


def test_direct_use_env_var_ok() -> None:
    with environ({"A_STR": "foo"}):
        assert EnvVar("A_STR").get_value() == "foo"
        assert EnvVar("A_STR").get_value(default="bar") == "foo"
    os.environ.pop("A_NON_EXISTENT_VAR", None)
    assert EnvVar("A_NON_EXISTENT_VAR").get_value() is None
    assert EnvVar("A_NON_EXISTENT_VAR").get_value(default="bar") == "bar"


def test_direct_use_int_env_var_ok() -> None:
    with environ({"AN_INT": "55"}):
        assert EnvVar.int("AN_INT").get_value() == 55
        assert EnvVar.int("AN_INT").get_value(default=10) == 55
    os.environ.pop("A_NON_EXISTENT_VAR", None)
    assert EnvVar.int("A_NON_EXISTENT_VAR").get_value() is None
    assert EnvVar.int("A_NON_EXISTENT_VAR").get_value(default=100) == 100


def test_direct_use_env_var_err() -> None:
    with pytest.raises(RuntimeError, match=re.escape('Attempted to directly retrieve environment variable '
                                                     'EnvVar("A_STR"). EnvVar defers resolution')):
        str(EnvVar("A_STR"))
    with pytest.raises(RuntimeError, match=re.escape('IntEnvVar("AN_INT"). IntEnvVar defers resolution')):
        int(EnvVar.int("AN_INT"))
    assert repr(EnvVar("A_STR")) == 'EnvVar("A_STR")'


def test_str_env_var() -> None:
    executed = {}

    class AStringConfig(Config):
        a_str: str

    @asset
    def a_string_asset(config: AStringConfig):
        assert config.a_str == "foo"
        executed["a_string_asset"] = True

    with environ({"A_STR": "foo"}):
        materialize([a_string_asset], run_config=RunConfig(ops={"a_string_asset": AStringConfig(a_str=EnvVar("A_STR"))}))
    assert executed["a_string_asset"]


def test_str_env_var_nested() -> None:
    executed = {}

    class AStringConfig(Config):
        a_str: str

    class AnOuterConfig(Config):
        inner: AStringConfig

    @asset
    def a_string_asset(config: AnOuterConfig):
        assert config.inner.a_str == "bar"
        executed["a_string_asset"] = True

    with environ({"A_STR": "bar"}):
        materialize([a_string_asset], run_config=RunConfig(
            ops={"a_string_asset": AnOuterConfig(inner=AStringConfig(a_str=EnvVar("A_STR")))}))
    assert executed["a_string_asset"]


def test_int_env_var_and_non_int_value() -> None:
    executed = {}

    class AnIntConfig(Config):
        an_int: int

    @asset
    def an_int_asset(config: AnIntConfig):
        assert config.an_int == 5
        executed["an_int_asset"] = True

    run_config = RunConfig(ops={"an_int_asset": AnIntConfig(an_int=EnvVar.int("AN_INT"))})
    with environ({"AN_INT": "5"}):
        materialize([an_int_asset], run_config=run_config)
    assert executed.pop("an_int_asset")
    with environ({"AN_INT": "NOT_AN_INT"}):
        with pytest.raises(DagsterInvalidConfigError,
                           match=r'Value stored in env variable "AN_INT" cannot be coerced into an int.'):
            materialize([an_int_asset], run_config=run_config)
    assert len(executed) == 0


def test_env_var_defaults() -> None:
    executed = {}

    class AStringConfig(Config):
        a_str: str = EnvVar("A_STR")
        an_int: int = EnvVar.int("AN_INT")

    @asset
    def a_string_asset(config: AStringConfig):
        assert config.a_str == "foo" and config.an_int == 55
        executed["a_string_asset"] = True

    with environ({"A_STR": "foo", "AN_INT": "55"}):
        materialize([a_string_asset], run_config=RunConfig(ops={"a_string_asset": AStringConfig()}))
    assert executed["a_string_asset"]


def test_env_vars_stay_references_in_the_resolved_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run stores holds the variable's name, never its value; the step reads it."""

    class TokenConfig(Config):
        token: str

    class Client(ConfigurableResource):
        key: str
        port: int

    @op
    def use(config: TokenConfig, client: Client) -> str:
        return f"{config.token}/{client.key}/{client.port}"

    @job(resource_defs={"client": Client(key=EnvVar("H13B_KEY"), port=EnvVar.int("H13B_PORT"))})
    def secret_job():
        use()

    run_config = RunConfig(ops={"use": TokenConfig(token=EnvVar("H13B_TOKEN"))})
    monkeypatch.delenv("H13B_TOKEN", raising=False)
    # Checking the run config needs no variable: a submitter may not have them.
    resolved = resolve_run_config(secret_job, run_config)
    assert resolved.op_configs["use"] == {"token": {"env": "H13B_TOKEN"}}
    assert resolved.resource_configs["client"] == {"key": {"env": "H13B_KEY"}, "port": {"env": "H13B_PORT"}}
    assert resolved.raw["ops"]["use"] == {"config": {"token": {"env": "H13B_TOKEN"}}}
    monkeypatch.setenv("H13B_TOKEN", "t0k")
    monkeypatch.setenv("H13B_KEY", "k3y")
    monkeypatch.setenv("H13B_PORT", "8080")
    assert secret_job.execute_in_process(run_config=run_config).output_for_node("use") == "t0k/k3y/8080"


def test_a_missing_variable_fails_the_step_naming_variable_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    @op(config_schema={"password": StringSource, "port": Field(IntSource, default_value=5432)})
    def connect(context) -> str:
        return f"{context.op_config['password']}:{context.op_config['port']}"

    @job
    def connect_job():
        connect()

    monkeypatch.delenv("H13B_MISSING", raising=False)
    run_config = {"ops": {"connect": {"config": {"password": {"env": "H13B_MISSING"}}}}}
    result = connect_job.execute_in_process(run_config=run_config, raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert "ops.connect.config.password" in failure.message and "'H13B_MISSING' is not set" in failure.message
    with pytest.raises(ConfigError) as err:
        connect_job.execute_in_process(run_config=run_config)
    assert err.value.errors[0].path == "ops.connect.config.password"
    monkeypatch.setenv("H13B_MISSING", "pw")
    assert connect_job.execute_in_process(run_config=run_config).output_for_node("connect") == "pw:5432"


# --------------------------------------------------------------------------- RunConfig


class GreetConfig(Config):
    person_name: str
    greeting: str = "hello"


@op
def print_greeting(config: GreetConfig) -> str:
    return f"{config.greeting} {config.person_name}"


@job
def greeting_job():
    print_greeting()


def test_run_config_to_config_dict_and_positional_ops() -> None:
    run_config = RunConfig({"print_greeting": GreetConfig(person_name="Alice")})
    assert run_config.to_config_dict() == {
        "loggers": {}, "resources": {}, "execution": {},
        "ops": {"print_greeting": {"config": {"person_name": "Alice"}}},
    }
    result = greeting_job.execute_in_process(run_config=run_config)
    assert result.output_for_node("print_greeting") == "hello Alice"


def test_run_config_as_a_jobs_default_config_and_for_graphs_and_resources() -> None:
    class Prefix(ConfigurableResource):
        text: str = "-"

    @op
    def tagged(config: GreetConfig, prefix: Prefix) -> str:
        return prefix.text + config.person_name

    @graph
    def inner():
        tagged()

    @job(config=RunConfig(ops={"inner": {"ops": {"tagged": GreetConfig(person_name="Bo")}}},
                          resources={"prefix": Prefix(text=">")}),
         resource_defs={"prefix": Prefix.configure_at_launch()})
    def nested_job():
        inner()

    assert nested_job.execute_in_process().output_for_node("inner.tagged") == ">Bo"
    override = RunConfig(ops={"inner": {"ops": {"tagged": GreetConfig(person_name="Cy")}}})
    assert nested_job.execute_in_process(run_config=override).output_for_node("inner.tagged") == ">Cy"


def test_run_config_enums_literals_and_permissive_config() -> None:
    class Permission(PyEnum):
        GUEST = "guest"
        ADMIN = "admin"

    class Cat(Config):
        kind: str = "cat"
        meows: int

    class UsersConfig(Config):
        users: dict[str, Permission]
        pet: Cat

    @op
    def admins(config: UsersConfig) -> list:
        return sorted(u for u, p in config.users.items() if p is Permission.ADMIN) + [config.pet.kind]

    @job
    def users_job():
        admins()

    rc = RunConfig({"admins": UsersConfig(users={"bob": Permission.GUEST, "al": Permission.ADMIN}, pet=Cat(meows=3))})
    assert rc.to_config_dict()["ops"]["admins"]["config"]["users"] == {"bob": "GUEST", "al": "ADMIN"}
    assert users_job.execute_in_process(run_config=rc).output_for_node("admins") == ["al", "cat"]

    class Loose(PermissiveConfig):
        title: str | None = None

    @op
    def echo(config: Loose) -> dict:
        return config.model_dump()

    @job
    def loose_job():
        echo()

    result = loose_job.execute_in_process(run_config=RunConfig({"echo": Loose(title="t", beds=4)}))
    assert result.output_for_node("echo") == {"title": "t", "beds": 4}


# --------------------------------------------------------------------------- errors and validate_run_config


def test_dagster_invalid_config_error_is_config_error_with_messages() -> None:
    assert DagsterInvalidConfigError is ConfigError
    with pytest.raises(DagsterInvalidConfigError) as err:
        greeting_job.execute_in_process(run_config={"ops": {"print_greeting": {"config": {"person_nam": "x"}}}})
    paths = [e.path for e in err.value.errors]
    assert "ops.print_greeting.config.person_name" in paths
    assert all(isinstance(e.message, str) and e.message for e in err.value.errors)
    assert err.value.errors[0] == (err.value.errors[0].path, err.value.errors[0].message)


def test_validate_run_config_returns_dagsters_shape_with_defaults() -> None:
    @op(config_schema={"n": int, "label": Field(str, default_value="x")})
    def needs_n(context) -> int:
        return context.op_config["n"]

    @resource(config_schema={"url": Field(str, default_value="db://")})
    def database(context):
        return context.resource_config["url"]

    @graph
    def wrapper():
        needs_n()

    @job(resource_defs={"database": database})
    def n_job():
        wrapper()

    checked = validate_run_config(n_job, {"ops": {"wrapper": {"ops": {"needs_n": {"config": {"n": 1}}}}}})
    assert checked["ops"] == {"wrapper": {"ops": {"needs_n": {"config": {"n": 1, "label": "x"}}}}}
    assert checked["resources"]["database"] == {"config": {"url": "db://"}}
    assert checked["execution"] == {"in_process": {"config": {}}}
    assert checked["loggers"] == {}
    with pytest.raises(DagsterInvalidConfigError) as err:
        validate_run_config(n_job, {"ops": {"wrapper": {"ops": {"needs_n": {"config": {"n": "one"}}}}}})
    assert [e.path for e in err.value.errors] == ["ops.wrapper.ops.needs_n.config.n"]
    checked = validate_run_config(n_job, RunConfig(ops={"wrapper": {"ops": {"needs_n": {"config": {"n": 2}}}}}))
    assert checked["ops"]["wrapper"]["ops"]["needs_n"]["config"]["n"] == 2


# --------------------------------------------------------------------------- config types


def run_op_with(schema: object, config: object) -> object:
    @op(config_schema=schema)
    def echo(context):
        return context.op_config

    @job
    def echo_job():
        echo()

    return echo_job.execute_in_process(run_config={"ops": {"echo": {"config": config}}}).output_for_node("echo")


def test_shape_selector_enum_array_map_and_scalar_union() -> None:
    schema = {
        "shape": Shape({"a": int, "b": Field(str, default_value="B")}),
        "choice": Selector({"csv": {"path": str}, "db": {"table": str}}),
        "color": Enum("Color", [EnumValue("RED", python_value=(255, 0, 0)), EnumValue("BLUE")]),
        "items": Array(int),
        "limits": Map(str, int, key_label_name="table"),
        "location": ScalarUnion(scalar_type=str, non_scalar_schema={"bucket": str, "key": str}),
    }
    value = run_op_with(schema, {"shape": {"a": 1}, "choice": {"db": {"table": "t"}}, "color": "RED",
                                 "items": [1, 2], "limits": {"users": 3}, "location": "s3://b/k"})
    assert value == {"shape": {"a": 1, "b": "B"}, "choice": {"db": {"table": "t"}}, "color": (255, 0, 0),
                     "items": [1, 2], "limits": {"users": 3}, "location": "s3://b/k"}
    assert run_op_with({"location": ScalarUnion(str, {"bucket": str, "key": str})},
                       {"location": {"bucket": "b", "key": "k"}}) == {"location": {"bucket": "b", "key": "k"}}


def test_map_and_scalar_union_errors_name_the_path() -> None:
    with pytest.raises(ConfigError) as err:
        run_op_with({"limits": Map(str, int)}, {"limits": {"users": "many"}})
    assert [e.path for e in err.value.errors] == ["ops.echo.config.limits.users"]
    with pytest.raises(ConfigError) as err:
        run_op_with({"loc": ScalarUnion(str, {"bucket": str})}, {"loc": 5})
    assert err.value.errors[0].path == "ops.echo.config.loc"
    assert "str or dict" in err.value.errors[0].message
    with pytest.raises(ConfigError) as err:
        run_op_with({"loc": ScalarUnion(str, {"bucket": str})}, {"loc": {"bucket": 1}})
    assert err.value.errors[0].path == "ops.echo.config.loc.bucket"
    from orchestrator import DefinitionError

    with pytest.raises(DefinitionError, match="Map key_type must be one of"):
        Map(list, int)


def test_sources_read_env_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("H13B_INT", "7")
    assert run_op_with({"n": IntSource, "s": StringSource}, {"n": {"env": "H13B_INT"}, "s": "lit"}) == {
        "n": 7, "s": "lit"}


# --------------------------------------------------------------------------- configured


@op(config_schema={"iterations": int, "word": Field(str, is_required=False, default_value="hello")})
def example(context) -> str:
    return " ".join([context.op_config["word"]] * context.op_config["iterations"])


def test_configured_op_fixed_and_with_a_function() -> None:
    configured_example = configured(example, name="configured_example")({"iterations": 2, "word": "wheaties"})

    @configured(example, int)
    def another_configured_example(config):
        return {"iterations": config, "word": "cheerios"}

    @job
    def configured_job():
        configured_example()
        another_configured_example()

    result = configured_job.execute_in_process(run_config={"ops": {"another_configured_example": {"config": 3}}})
    assert result.output_for_node("configured_example") == "wheaties wheaties"
    assert result.output_for_node("another_configured_example") == "cheerios cheerios cheerios"
    # The fixed copy takes no config; the other takes an int.
    with pytest.raises(ConfigError) as err:
        configured_job.execute_in_process(run_config={"ops": {"configured_example": {"config": {"iterations": 1}}}})
    assert "configured_example" in str(err.value) and "takes none from run config" in str(err.value)
    with pytest.raises(ConfigError):
        configured_job.execute_in_process(run_config={"ops": {"another_configured_example": {"config": "x"}}})


def test_configured_op_defaults_and_a_missing_name() -> None:
    sample = configured(example, name="sample")({"iterations": 1})  # "word" comes from the default

    @job
    def sample_job():
        sample()

    assert sample_job.execute_in_process().output_for_node("sample") == "hello"
    from orchestrator import DefinitionError

    with pytest.raises(DefinitionError, match="needs a name"):
        configured(example)({"iterations": 1})


def test_configured_pythonic_op_gets_its_config_object() -> None:
    fixed = print_greeting.configured({"person_name": "Zed"}, name="greet_zed")

    @job
    def zed_job():
        fixed()

    assert zed_job.execute_in_process().output_for_node("greet_zed") == "hello Zed"


def test_configured_resources_fixed_function_and_decorator(monkeypatch: pytest.MonkeyPatch) -> None:
    @resource(config_schema={"region": str, "use_unsigned_session": bool, "retries": Field(int, default_value=3)})
    def s3_session(init_context):
        return dict(init_context.resource_config)

    east = s3_session.configured({"region": "us-east-1", "use_unsigned_session": False})

    @configured(s3_session, config_schema={"region": str})
    def unsigned_s3_session(config):
        return {"region": config["region"], "use_unsigned_session": True}

    @configured(s3_session)
    def west(_init_context):
        return {"region": "us-west-1", "use_unsigned_session": False}

    @op(required_resource_keys={"east", "unsigned", "west"})
    def sessions(context) -> list:
        return [context.resources.east, context.resources.unsigned, context.resources.west]

    @job(resource_defs={"east": east, "unsigned": unsigned_s3_session, "west": west})
    def s3_job():
        sessions()

    result = s3_job.execute_in_process(run_config={"resources": {"unsigned": {"config": {"region": "eu"}}}})
    assert result.output_for_node("sessions") == [
        {"region": "us-east-1", "use_unsigned_session": False, "retries": 3},
        {"region": "eu", "use_unsigned_session": True, "retries": 3},
        {"region": "us-west-1", "use_unsigned_session": False, "retries": 3},
    ]
    with pytest.raises(ConfigError) as err:
        s3_job.execute_in_process()
    assert [e.path for e in err.value.errors] == ["resources.unsigned.config.region"]


def test_configured_string_source_resource_reads_env_at_build(monkeypatch: pytest.MonkeyPatch) -> None:
    @resource(config_schema={"username": StringSource, "password": StringSource})
    def database_client(context):
        return (context.resource_config["username"], context.resource_config["password"])

    @op(required_resource_keys={"database"})
    def get_one(context):
        return context.resources.database

    @job(resource_defs={"database": database_client.configured(
        {"username": {"env": "SYSTEM_USER_H13B"}, "password": {"env": "SYSTEM_PASSWORD_H13B"}})})
    def get_one_from_db():
        get_one()

    monkeypatch.delenv("SYSTEM_USER_H13B", raising=False)
    resolved = resolve_run_config(get_one_from_db)
    assert resolved.resource_configs["database"] == {"username": {"env": "SYSTEM_USER_H13B"},
                                                     "password": {"env": "SYSTEM_PASSWORD_H13B"}}
    monkeypatch.setenv("SYSTEM_USER_H13B", "u")
    monkeypatch.setenv("SYSTEM_PASSWORD_H13B", "p")
    assert get_one_from_db.execute_in_process().output_for_node("get_one") == ("u", "p")


def test_configured_executor_keeps_its_name_rules() -> None:
    labels: list = []

    @executor(name="labelled", config_schema={"label": Field(str, default_value="none")})
    def labelled(init_context):
        labels.append(init_context.executor_config["label"])
        return in_process_executor.executor_creation_fn(init_context)

    preset = configured(labelled, name="preset")({"label": "preset"})
    assert preset.name == "preset" and preset.configured_config == {"label": "preset"}


# --------------------------------------------------------------------------- make_values_resource


def test_make_values_resource_with_schema_and_any() -> None:
    @op(required_resource_keys={"values"})
    def read(context) -> tuple:
        return context.resources.values["my_str"], context.resources.values["my_int"]

    @job(resource_defs={"values": make_values_resource(my_str=str, my_int=int)})
    def values_job():
        read()

    run_config = {"resources": {"values": {"config": {"my_str": "foo", "my_int": 1}}}}
    assert values_job.execute_in_process(run_config=run_config).output_for_node("read") == ("foo", 1)
    with pytest.raises(ConfigError) as err:
        values_job.execute_in_process(run_config={"resources": {"values": {"config": {"my_str": "foo"}}}})
    assert [e.path for e in err.value.errors] == ["resources.values.config.my_int"]

    @op(required_resource_keys={"file_dir"})
    def where(context) -> str:
        return context.resources.file_dir

    @job(resource_defs={"file_dir": make_values_resource()})
    def file_dir_job():
        where()

    result = file_dir_job.execute_in_process(run_config={"resources": {"file_dir": {"config": "/tmp/x"}}})
    assert result.output_for_node("where") == "/tmp/x"


def test_config_objects_in_build_op_context() -> None:
    assert print_greeting(GreetConfig(person_name="Di")) == "hello Di"
    assert print_greeting(build_op_context(op_config={"person_name": "Ed"})) == "hello Ed"


def test_direct_calls_and_resources_outside_runs_read_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    class Key(ConfigurableResource):
        key: str

    monkeypatch.setenv("H13B_DIRECT", "direct-value")
    assert print_greeting(GreetConfig(person_name=EnvVar("H13B_DIRECT"))) == "hello direct-value"
    unresolved = Key(key=EnvVar("H13B_DIRECT"))
    assert isinstance(unresolved.key, EnvVar)  # the object keeps the reference...
    assert unresolved.process_config_and_initialize().key == "direct-value"  # ...built, it has the value
    monkeypatch.delenv("H13B_DIRECT")
    with pytest.raises(ConfigError, match="'H13B_DIRECT' is not set"):
        print_greeting(GreetConfig(person_name=EnvVar("H13B_DIRECT")))


# --------------------------------------------------------------------------- config from YAML (Dagster's tests)


def test_config_from_files(tmp_path) -> None:
    from orchestrator import DagsterInvariantViolationError, config_from_files

    (tmp_path / "pass_env.yaml").write_text("ops:\n  can_fail:\n    config:\n      error: false\n")
    (tmp_path / "more.yaml").write_text("ops:\n  can_fail:\n    config:\n      retries: 2\n")
    assert config_from_files([str(tmp_path / "pass_env.yaml")]) == {"ops": {"can_fail": {"config": {"error": False}}}}
    assert config_from_files([str(tmp_path / "pass_env.yaml"), str(tmp_path / "more.yaml")]) == {
        "ops": {"can_fail": {"config": {"error": False, "retries": 2}}}}
    with pytest.raises(DagsterInvariantViolationError, match="produced no results"):
        config_from_files([str(tmp_path / "not_a_file.yaml")])
    (tmp_path / "code.py").write_text("x = {\"a\": b: c}\n")
    with pytest.raises(DagsterInvariantViolationError, match="Encountered error attempting to parse yaml"):
        config_from_files([str(tmp_path / "code.py")])


def test_config_from_yaml_strings() -> None:
    from orchestrator import DagsterInvariantViolationError, config_from_yaml_strings

    a = "\nfoo:\n  bar: 1\nbaz: 3\n"
    b = '\nfoo:\n  one: "one"\nother: 4\n'
    c = '\nfinal: "result"\n'
    assert config_from_yaml_strings([a, b, c]) == {"foo": {"bar": 1, "one": "one"}, "baz": 3, "other": 4,
                                                   "final": "result"}
    with pytest.raises(DagsterInvariantViolationError, match="Encountered error attempting to parse yaml"):
        config_from_yaml_strings(["--- `"])
    assert config_from_yaml_strings([]) == {}


def test_config_from_pkg_resources() -> None:
    from orchestrator import DagsterInvariantViolationError, config_from_pkg_resources

    with pytest.raises(DagsterInvariantViolationError, match="Encountered error attempting to parse yaml"):
        config_from_pkg_resources([("orchestrator", "does_not_exist.yaml")])
    assert config_from_pkg_resources([]) == {}


def test_invalid_schemas_raise_dagsters_definition_error() -> None:
    from orchestrator import DagsterInvalidConfigDefinitionError, DefinitionError

    with pytest.raises(DagsterInvalidConfigDefinitionError):
        Map(str, object())
    assert issubclass(DagsterInvalidConfigDefinitionError, DefinitionError)
