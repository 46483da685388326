"""Run config validation, job config (defaults, mappings, partitions), resources and the op context."""

from __future__ import annotations

import pytest

from orchestrator import (
    Config,
    ConfigError,
    ConfigurableResource,
    DefinitionError,
    EventType,
    Field,
    InitResourceContext,
    ResourceDefinition,
    RetryPolicy,
    RetryRequested,
    build_op_context,
    config_mapping,
    daily_partitioned_config,
    graph,
    job,
    op,
    resource,
    static_partitioned_config,
)

# -- config errors --------------------------------------------------------------------------------

RAN: list[str] = []


@op(config_schema={"config_param": str, "count": int, "ratio": Field(float, default_value=0.5)})
def do_something(context):
    RAN.append("do_something")
    return (context.op_config["config_param"], context.op_config["count"], context.op_config["ratio"])


@op
def side_effect():
    RAN.append("side_effect")


@job
def config_job():
    do_something()
    side_effect()


def test_config_error_lists_every_bad_path_and_nothing_runs() -> None:
    RAN.clear()
    bad = {
        "ops": {
            "do_something": {"config": {"config_param": 5, "cuont": 3}},
            "no_such_op": {"config": {}},
        },
        "resorces": {},
    }
    with pytest.raises(ConfigError) as err:
        config_job.execute_in_process(run_config=bad)
    paths = dict(err.value.errors)
    assert "ops.do_something.config.config_param" in paths
    assert "expected str" in paths["ops.do_something.config.config_param"]
    assert "5" in paths["ops.do_something.config.config_param"]
    assert "ops.do_something.config.count" in paths  # missing required field
    assert any("did you mean 'count'" in msg for msg in paths.values())
    assert "ops.no_such_op" in paths and "did you mean 'do_something'" not in paths["ops.no_such_op"]
    assert "resorces" in paths and "did you mean 'resources'" in paths["resorces"]
    assert len(err.value.errors) >= 5
    assert RAN == []


def test_config_defaults_are_filled() -> None:
    result = config_job.execute_in_process(
        run_config={"ops": {"do_something": {"config": {"config_param": "x", "count": 2}}}}
    )
    assert result.output_for_node("do_something") == ("x", 2, 0.5)


def test_nested_graph_config_nests_under_ops() -> None:
    @op(config_schema={"n": int})
    def leaf(context) -> int:
        return context.op_config["n"] * 10

    @graph
    def inner():
        return leaf()

    @graph
    def outer():
        return inner()

    @job
    def the_job():
        outer()

    cfg = {"ops": {"outer": {"ops": {"inner": {"ops": {"leaf": {"config": {"n": 4}}}}}}}}
    assert the_job.execute_in_process(run_config=cfg).output_for_node("outer.inner.leaf") == 40
    with pytest.raises(ConfigError) as err:
        the_job.execute_in_process(run_config={"ops": {"outer": {"ops": {"inner": {"ops": {"leaf": {"config": {"n": "x"}}}}}}}})
    assert "ops.outer.ops.inner.ops.leaf.config.n" in dict(err.value.errors)


class AddConfig(Config):
    amount: int
    label: str = "sum"


def test_pydantic_config_parameter() -> None:
    @op
    def add(config: AddConfig) -> str:
        return f"{config.label}={config.amount + 1}"

    @job
    def pyd_job():
        add()

    result = pyd_job.execute_in_process(run_config={"ops": {"add": {"config": {"amount": 2}}}})
    assert result.output_for_node("add") == "sum=3"
    with pytest.raises(ConfigError) as err:
        pyd_job.execute_in_process(run_config={"ops": {"add": {"config": {"amount": "lots"}}}})
    assert "ops.add.config.amount" in dict(err.value.errors)
    assert add(AddConfig(amount=1)) == "sum=2"


class Outer(Config):
    word: str


def test_config_mapping_with_pydantic_outer_config() -> None:
    @op(config_schema={"config_param": str})
    def echo(context) -> str:
        return context.op_config["config_param"]

    @config_mapping
    def simplified(val: Outer):
        return {"ops": {"echo": {"config": {"config_param": val.word.upper()}}}}

    @job(config=simplified)
    def mapped_job():
        echo()

    assert mapped_job.execute_in_process(run_config={"word": "hi"}).output_for_node("echo") == "HI"


def test_static_partitioned_config_reaches_config_and_context() -> None:
    @static_partitioned_config(partition_keys=["eu", "us"])
    def region_config(partition_key: str):
        return {"ops": {"report": {"config": {"region": partition_key}}}}

    @op(config_schema={"region": str})
    def report(context) -> str:
        return f"{context.op_config['region']}/{context.partition_key}"

    @job(config=region_config)
    def regional():
        report()

    result = regional.execute_in_process(partition_key="us")
    assert result.output_for_node("report") == "us/us"
    assert regional.partitions_def.get_partition_keys() == ["eu", "us"]
    with pytest.raises(ConfigError, match="'asia' is not a partition"):
        regional.execute_in_process(partition_key="asia")
    with pytest.raises(ConfigError, match="partition_key"):
        regional.execute_in_process()


def test_daily_partitioned_config_gets_the_day_window() -> None:
    @daily_partitioned_config(start_date="2024-01-01")
    def daily(start, end):
        return {"ops": {"day": {"config": {"date": start.strftime("%Y-%m-%d"), "end": end.strftime("%Y-%m-%d")}}}}

    @op(config_schema={"date": str, "end": str})
    def day(context) -> tuple:
        return context.op_config["date"], context.op_config["end"], context.partition_key

    @job(config=daily)
    def daily_job():
        day()

    assert daily_job.execute_in_process(partition_key="2024-02-29").output_for_node("day") == (
        "2024-02-29", "2024-03-01", "2024-02-29")
    with pytest.raises(ConfigError):
        daily_job.execute_in_process(partition_key="2023-12-31")


def test_input_values_from_run_config_are_type_checked() -> None:
    @op
    def double(x: int) -> int:
        return x * 2

    @job
    def needs_input():
        double()

    assert needs_input.execute_in_process(run_config={"ops": {"double": {"inputs": {"x": 4}}}}).output_for_node("double") == 8
    assert needs_input.execute_in_process(run_config={"ops": {"double": {"inputs": {"x": {"value": 5}}}}}).output_for_node("double") == 10
    with pytest.raises(ConfigError) as err:
        needs_input.execute_in_process(run_config={"ops": {"double": {"inputs": {"x": "four"}}}})
    assert "ops.double.inputs.x" in dict(err.value.errors)


# -- resources ------------------------------------------------------------------------------------


def test_generator_resources_tear_down_in_reverse_order_even_when_the_op_fails() -> None:
    log: list[str] = []

    def make(name: str) -> ResourceDefinition:
        @resource
        def _res(_init):
            log.append(f"setup {name}")
            try:
                yield name
            finally:
                log.append(f"teardown {name}")

        return _res

    @op(required_resource_keys={"a", "b"})
    def use(context):
        log.append(f"op {context.resources.a}{context.resources.b}")
        raise RuntimeError("op failed")

    @job(resource_defs={"a": make("a"), "b": make("b")})
    def res_job():
        use()

    result = res_job.execute_in_process(raise_on_error=False)
    assert not result.success
    assert log == ["setup a", "setup b", "op ab", "teardown b", "teardown a"]


def test_only_the_resources_a_step_needs_are_built() -> None:
    built: list[str] = []

    def make(name: str) -> ResourceDefinition:
        return ResourceDefinition(lambda _ctx: built.append(name) or name)

    @op(required_resource_keys={"used"})
    def only_used(context) -> str:
        return context.resources.used

    @job(resource_defs={"used": make("used"), "unused": make("unused")})
    def lazy_job():
        only_used()

    assert lazy_job.execute_in_process().output_for_node("only_used") == "used"
    assert built == ["used"]


def test_resource_config_and_dependencies() -> None:
    @resource(config_schema={"host": str, "port": Field(int, default_value=5432)})
    def database(init: InitResourceContext) -> str:
        return f"{init.resource_config['host']}:{init.resource_config['port']}"

    @resource(required_resource_keys={"database"})
    def client(init: InitResourceContext) -> str:
        return f"client({init.resources.database})"

    @op(required_resource_keys={"client"})
    def connect(context) -> str:
        return context.resources.client

    @job(resource_defs={"database": database, "client": client})
    def db_job():
        connect()

    result = db_job.execute_in_process(run_config={"resources": {"database": {"config": {"host": "db"}}}})
    assert result.output_for_node("connect") == "client(db:5432)"
    with pytest.raises(ConfigError) as err:
        db_job.execute_in_process(run_config={"resources": {"database": {"config": {"host": 1}}}})
    assert "resources.database.config.host" in dict(err.value.errors)


class Greeter(ConfigurableResource):
    greeting: str = "hello"

    def greet(self, who: str) -> str:
        return f"{self.greeting} {who}"


def test_configurable_resource_plain_object_and_hardcoded() -> None:
    @op(required_resource_keys={"greeter", "plain", "fixed"})
    def greet(context) -> str:
        return f"{context.resources.greeter.greet('you')} {context.resources.plain['x']} {context.resources.fixed}"

    @job(resource_defs={"greeter": Greeter(greeting="hi"), "plain": {"x": 1},
                        "fixed": ResourceDefinition.hardcoded_resource(42)})
    def greet_job():
        greet()

    assert greet_job.execute_in_process().output_for_node("greet") == "hi you 1 42"
    overridden = greet_job.execute_in_process(run_config={"resources": {"greeter": {"config": {"greeting": "yo"}}}})
    assert overridden.output_for_node("greet") == "yo you 1 42"


def test_missing_resource_key_is_a_definition_error_at_job_creation() -> None:
    @op(required_resource_keys={"warehouse"})
    def load(context):
        return None

    with pytest.raises(DefinitionError) as err:
        @job
        def broken():
            load()

    assert "'load'" in str(err.value) and "'warehouse'" in str(err.value) and "resource_defs" in str(err.value)


# -- context --------------------------------------------------------------------------------------


def test_context_fields_in_a_run() -> None:
    seen: dict = {}

    @op(config_schema={"k": int})
    def inspect_ctx(context):
        seen.update(run_id=context.run_id, op=context.op_def.name, cfg=context.op_config,
                    retry=context.retry_number, tags=context.run_tags, job=context.job_name,
                    has_partition=context.has_partition_key)
        context.add_output_metadata({"rows": 3})
        context.log.warning("careful")
        return 1

    @job(tags={"team": "data"})
    def ctx_job():
        inspect_ctx()

    result = ctx_job.execute_in_process(run_config={"ops": {"inspect_ctx": {"config": {"k": 1}}}},
                                        run_id="run-123", tags={"who": "me"})
    assert seen == {"run_id": "run-123", "op": "inspect_ctx", "cfg": {"k": 1}, "retry": 0,
                    "tags": {"team": "data", "who": "me"}, "job": "ctx_job", "has_partition": False}
    output_event = next(e for e in result.all_events if e.event_type is EventType.STEP_OUTPUT)
    assert output_event.data["metadata"]["rows"] == 3
    log_event = next(e for e in result.all_events if e.event_type is EventType.LOG)
    assert log_event.message == "careful" and log_event.data["level"] == "WARNING"
    assert log_event.step_key == "inspect_ctx"


def test_build_op_context_with_config_resources_partition_and_teardown() -> None:
    torn: list[str] = []

    @resource
    def conn(_init):
        yield "conn"
        torn.append("conn")

    @op(config_schema={"n": int}, required_resource_keys={"conn"})
    def uses(context, x: int) -> str:
        return f"{context.resources.conn}:{context.op_config['n'] + x}:{context.partition_key}:{context.run_tags['t']}"

    with build_op_context(op_config={"n": 1}, resources={"conn": conn}, partition_key="p1", run_tags={"t": "v"}) as ctx:
        assert uses(ctx, 2) == "conn:3:p1:v"
    assert torn == ["conn"]
    with pytest.raises(ConfigError):
        uses(build_op_context(op_config={"n": "bad"}, resources={"conn": "c"}), 1)


# -- retries --------------------------------------------------------------------------------------


def test_retry_requested_from_the_op() -> None:
    attempts: list[int] = []

    @op
    def flaky(context) -> int:
        attempts.append(context.retry_number)
        if context.retry_number < 2:
            raise RetryRequested(max_retries=3)
        return context.retry_number

    @job
    def retry_job():
        flaky()

    result = retry_job.execute_in_process()
    assert result.success and result.output_for_node("flaky") == 2
    assert attempts == [0, 1, 2]
    assert len([e for e in result.all_events if e.event_type is EventType.STEP_RETRY]) == 2


def test_job_level_op_retry_policy_stops_at_max_retries() -> None:
    attempts: list[int] = []

    @op
    def always_fails(context):
        attempts.append(context.retry_number)
        raise ValueError("nope")

    @job(op_retry_policy=RetryPolicy(max_retries=2))
    def policy_job():
        always_fails()

    result = policy_job.execute_in_process(raise_on_error=False)
    assert not result.success
    assert attempts == [0, 1, 2]
    failure = result.get_step_failure_events()[0]
    assert failure.error is not None and failure.error.cls_name == "ValueError" and "nope" in failure.error.message


# -- IO managers see the right identities ---------------------------------------------------------


def test_io_manager_sees_the_upstream_output_identity() -> None:
    from orchestrator import DynamicOut, DynamicOutput, IOManager, Out, io_manager

    seen: list[tuple] = []

    class Recording(IOManager):
        def __init__(self) -> None:
            self.store: dict = {}

        def handle_output(self, context, obj) -> None:
            seen.append(("out", context.step_key, context.name, context.mapping_key, context.run_id,
                         context.metadata.get("owner")))
            self.store[tuple(context.get_identifier())] = obj

        def load_input(self, context):
            up = context.upstream_output
            seen.append(("in", context.name, context.step_key, up.step_key, up.name, up.mapping_key, up.run_id))
            return self.store[tuple(up.get_identifier())]

    @io_manager
    def recording(_init):
        return Recording()

    @op(out={"left": Out(metadata={"owner": "a"}), "right": Out(io_manager_key="other")})
    def split():
        return 1, 2

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(10, mapping_key="k1")

    @op
    def combine(a: int, b: int, c: int) -> int:
        return a + b + c

    @job(resource_defs={"io_manager": recording, "other": recording})
    def identity_job():
        left, right = split()
        fan().map(lambda x: combine(left, right, x))

    result = identity_job.execute_in_process(run_id="rid-1")
    assert result.success and result.output_for_node("combine") == {"k1": 13}
    assert ("out", "split", "left", None, "rid-1", "a") in seen
    assert ("out", "split", "right", None, "rid-1", None) in seen
    assert ("out", "fan", "result", "k1", "rid-1", None) in seen
    loads = [s for s in seen if s[0] == "in"]
    assert ("in", "a", "combine[k1]", "split", "left", None, "rid-1") in loads
    assert ("in", "b", "combine[k1]", "split", "right", None, "rid-1") in loads
    assert ("in", "c", "combine[k1]", "fan", "result", "k1", "rid-1") in loads
