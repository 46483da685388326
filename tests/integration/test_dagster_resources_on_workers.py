"""Dagster's config and resources on real Celery workers: ``EnvVar`` secrets, ``RunConfig``, nested
resources, Pythonic IO managers and output config.

The secret environment variable is set in ONE worker's environment only (a worker serving its
own queue), never in this (submitting) process: the steps read it where they run, and no Redis
key of the run (record, plan, events, Celery messages and results, the shipped code) holds its
value. A worker without the variable fails the step naming the variable and the config path.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator import (
    Config,
    ConfigurableIOManager,
    ConfigurableResource,
    EnvVar,
    EventType,
    Instance,
    IOManager,
    RunConfig,
    StringSource,
    io_manager,
    job,
    op,
    resource,
    submit_job,
)

ENV_QUEUE = "h13b_env"
TOKEN_VAR = "ORCH_TEST_H13B_TOKEN"
PORT_VAR = "ORCH_TEST_H13B_PORT"


def fingerprint(value: str) -> str:
    """A digest of a secret, so outputs show the worker read it without holding it."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- jobs


class TokenResource(ConfigurableResource):
    token: str
    port: int


@op
def read_token(tokens: TokenResource) -> dict:
    return {"token": fingerprint(tokens.token), "port": tokens.port, "pid": os.getpid()}


@job(resource_defs={"tokens": TokenResource(token=EnvVar(TOKEN_VAR), port=EnvVar.int(PORT_VAR))})
def env_resource_job():
    read_token()


class Credentials(ConfigurableResource):
    password: str


class Vault(ConfigurableResource):
    credentials: Credentials
    name: str

    def password_fingerprint(self) -> str:
        return fingerprint(self.credentials.password)


@resource(config_schema={"token": StringSource})
def raw_token(context) -> str:
    return context.resource_config["token"]


class TokenConfig(Config):
    token: str


@op(required_resource_keys={"raw"})
def combine(context, vault: Vault, config: TokenConfig) -> dict:
    return {"nested": vault.password_fingerprint(), "source": fingerprint(context.resources.raw),
            "op": fingerprint(config.token), "vault": vault.name}


@job(resource_defs={"vault": Vault(credentials=Credentials(password=EnvVar(TOKEN_VAR)), name="v1"),
                    "raw": raw_token})
def env_config_job():
    combine()


class JsonFileIOManager(ConfigurableIOManager):
    """Stores each output as a text file under ``root`` (a Pythonic IO manager)."""

    root: str

    def _path(self, step_key: str, name: str) -> Path:
        return Path(self.root) / f"{step_key}.{name}.txt"

    def handle_output(self, context, obj) -> None:
        path = self._path(context.step_key, context.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(repr(obj))
        context.add_output_metadata({"file": str(path)})

    def load_input(self, context) -> Any:
        upstream = context.upstream_output
        return eval(self._path(upstream.step_key, upstream.name).read_text())  # noqa: S307 - test data we wrote


class TableIOManager(IOManager):
    """Keeps each output in a file named by the output's config (``output_config_schema``)."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def handle_output(self, context, obj) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / context.config["table"]).write_text(str(obj))

    def load_input(self, context) -> int:
        return int((self.root / context.upstream_output.config["table"]).read_text())


@io_manager(config_schema={"root": str}, output_config_schema={"table": str})
def table_io_manager(init_context) -> TableIOManager:
    return TableIOManager(init_context.resource_config["root"])


@op
def produce() -> int:
    return 20


@op
def consume(x: int) -> int:
    return x + 1


@job(resource_defs={"io_manager": table_io_manager})
def output_config_job():
    consume(produce())


@job
def pythonic_io_job():
    consume(produce())


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def secret(cluster) -> Iterator[str]:
    """The secret, in the environment of one worker only (queue ``h13b_env``)."""
    value = f"s3cr3t-{uuid.uuid4().hex}"
    cluster.start_worker("w_env", queues=(ENV_QUEUE,), env={TOKEN_VAR: value, PORT_VAR: "6543"})
    yield value


@pytest.fixture
def submitter(instance: Instance, secret: str, monkeypatch: pytest.MonkeyPatch) -> Instance:
    monkeypatch.delenv(TOKEN_VAR, raising=False)
    monkeypatch.delenv(PORT_VAR, raising=False)
    return instance


def on_env_worker(run_config: dict | None = None) -> dict:
    return {**(run_config or {}), "execution": {"config": {"queue": ENV_QUEUE}}}


def redis_text(instance: Instance) -> str:
    """Every key and value in the instance's Redis, as text (strings, hashes, lists, sets, streams)."""
    r = instance.redis

    def text(value: Any) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    parts: list[str] = []
    for key in r.scan_iter(count=1000):
        kind = text(r.type(key))
        parts.append(text(key))
        if kind == "string":
            parts.append(text(r.get(key)))
        elif kind == "hash":
            parts.extend(text(k) + "=" + text(v) for k, v in r.hgetall(key).items())
        elif kind == "list":
            parts.extend(text(v) for v in r.lrange(key, 0, -1))
        elif kind == "set":
            parts.extend(text(v) for v in r.smembers(key))
        elif kind == "zset":
            parts.extend(text(v) for v in r.zrange(key, 0, -1))
        elif kind == "stream":
            for _id, fields in r.xrange(key):
                parts.extend(text(k) + "=" + text(v) for k, v in fields.items())
    return "\n".join(parts)


def failures(result) -> list[str]:
    return [e.message for e in result.all_events if e.event_type is EventType.STEP_FAILURE]


# --------------------------------------------------------------------------- tests


def test_env_var_resource_fields_are_read_on_the_worker_and_never_stored(submitter: Instance, secret: str) -> None:
    assert TOKEN_VAR not in os.environ
    handle = submit_job(env_resource_job, run_config=on_env_worker(), instance=submitter)
    result = handle.wait(timeout=90)
    assert result.success, failures(result)
    value = result.output_for_node("read_token")
    assert value["token"] == fingerprint(secret)
    assert value["port"] == 6543
    assert value["pid"] != os.getpid()
    stored = redis_text(submitter)
    assert handle.run_id in stored  # the scan does see this run's keys
    assert secret not in stored


def test_env_vars_in_run_config_op_config_and_nested_resources(submitter: Instance, secret: str) -> None:
    run_config = RunConfig(
        ops={"combine": TokenConfig(token=EnvVar(TOKEN_VAR))},
        resources={"raw": {"config": {"token": {"env": TOKEN_VAR}}}},
        execution={"config": {"queue": ENV_QUEUE}},
    )
    handle = submit_job(env_config_job, run_config=run_config, instance=submitter)
    record = submitter.storage.get_run(handle.run_id).record
    # The record keeps the references, as given.
    assert record.run_config["ops"]["combine"]["config"]["token"] == {"env": TOKEN_VAR}
    assert record.run_config["resources"]["raw"]["config"]["token"] == {"env": TOKEN_VAR}
    result = handle.wait(timeout=90)
    assert result.success, failures(result)
    expected = fingerprint(secret)
    assert result.output_for_node("combine") == {"nested": expected, "source": expected, "op": expected,
                                                 "vault": "v1"}
    assert secret not in redis_text(submitter)


def test_a_worker_without_the_variable_fails_the_step_naming_it(submitter: Instance) -> None:
    # The default queue's workers do not have the variable.
    result = submit_job(env_resource_job, instance=submitter).wait(timeout=90)
    assert not result.success
    [message] = failures(result)
    assert TOKEN_VAR in message and "resources.tokens.config.token" in message, message
    assert "not set in this process" in message


def test_output_config_reaches_the_io_manager_on_workers(submitter: Instance, tmp_path: Path) -> None:
    root = str(tmp_path / "tables")
    run_config = {
        "resources": {"io_manager": {"config": {"root": root}}},
        "ops": {"produce": {"outputs": {"result": {"table": "t_produce"}}},
                "consume": {"outputs": {"result": {"table": "t_consume"}}}},
    }
    result = submit_job(output_config_job, run_config=run_config, instance=submitter).wait(timeout=90)
    assert result.success, failures(result)
    assert (tmp_path / "tables" / "t_produce").read_text() == "20"
    assert (tmp_path / "tables" / "t_consume").read_text() == "21"


def test_a_configurable_io_manager_given_at_launch_runs_on_workers(submitter: Instance, tmp_path: Path) -> None:
    root = str(tmp_path / "files")
    bound = pythonic_io_job.with_resources({"io_manager": JsonFileIOManager.configure_at_launch()})
    run_config = {"resources": {"io_manager": {"config": {"root": root}}}}
    result = submit_job(bound, run_config=run_config, instance=submitter).wait(timeout=90)
    assert result.success, failures(result)
    assert (tmp_path / "files" / "consume.result.txt").read_text() == "21"
    output_events = [e for e in result.all_events if e.event_type is EventType.STEP_OUTPUT]
    assert {e.data["metadata"]["file"] for e in output_events} == {
        str(tmp_path / "files" / "produce.result.txt"), str(tmp_path / "files" / "consume.result.txt")}


def test_the_scan_finds_a_value_given_literally(submitter: Instance) -> None:
    """The control for the checks above: a value written literally in run config IS in Redis."""
    literal = f"literal-{uuid.uuid4().hex}"
    run_config = RunConfig(ops={"combine": TokenConfig(token=literal)},
                           resources={"raw": {"config": {"token": literal}}},
                           execution={"config": {"queue": ENV_QUEUE}})
    result = submit_job(env_config_job, run_config=run_config, instance=submitter).wait(timeout=90)
    assert result.success, failures(result)
    assert result.output_for_node("combine")["op"] == fingerprint(literal)
    assert literal in redis_text(submitter)
