"""Run config resolved once: what a run stores, what workers rebuild from it, and non-mapping config.

No server: ``submit_job`` and ``execute_job`` validate config before they touch Redis.
"""

from __future__ import annotations

import pytest

from orchestrator import ConfigError, Instance, StringSource, config_mapping, execute_job, job, op, submit_job
from orchestrator.definitions.built_in_executors import celery_executor
from orchestrator.definitions.config.run_config import (
    json_run_config,
    rebuild_run_config,
    resolve_run_config,
    stored_run_config,
)

# Nothing listens here: reaching Redis would be an error of its own, not a ConfigError.
NOWHERE = Instance(redis_url="redis://127.0.0.1:1/0", secret="s")


@op(config_schema={"config_param": str})
def do_something(context) -> str:
    return context.op_config["config_param"]


@config_mapping(config_schema={"simplified_param": str})
def simplified(val):
    return {"ops": {"do_something": {"config": {"config_param": val["simplified_param"]}}}}


@job(config=simplified)
def mapped_job():
    do_something()


@job
def plain_job():
    do_something()


@op(config_schema={"token": StringSource})
def uses_token(context) -> str:
    return context.op_config["token"]


@config_mapping(config_schema={"token": StringSource})
def token_mapping(val):
    return {"ops": {"uses_token": {"config": {"token": val["token"]}}}}


@job(config=token_mapping)
def token_job():
    uses_token()


@config_mapping(config_schema={"token": StringSource})
def token_into_plain_field(val):
    return {"ops": {"do_something": {"config": {"config_param": val["token"]}}}}


@job(config=token_into_plain_field)
def leaky_job():
    do_something()


@config_mapping(config_schema={"token": StringSource})
def token_in_a_url(val):
    return {"ops": {"uses_token": {"config": {"token": f"postgres://app:{val['token']}@db/app"}}}}


@job(config=token_in_a_url)
def url_job():
    uses_token()


@pytest.mark.parametrize("bad", ["ops: {}", ["ops"], 3, ("a", "b")], ids=["str", "list", "int", "tuple"])
def test_a_run_config_that_is_not_a_mapping_is_a_config_error_everywhere(bad) -> None:
    calls = {
        "execute_in_process": lambda: plain_job.execute_in_process(run_config=bad),
        "execute_job": lambda: execute_job(plain_job, run_config=bad, instance=NOWHERE),
        "submit_job": lambda: submit_job(plain_job, run_config=bad, instance=NOWHERE),
        "resolve_run_config": lambda: resolve_run_config(plain_job, bad),
    }
    for name, call in calls.items():
        with pytest.raises(ConfigError) as err:
            call()
        text = str(err.value)
        assert "must be a dict" in text and "plain_job" in text, name
        assert type(bad).__name__ in text and repr(bad)[:10] in text, (name, text)


def test_an_empty_string_is_not_taken_for_no_config() -> None:
    with pytest.raises(ConfigError, match="must be a dict"):
        plain_job.execute_in_process(run_config="")


def test_the_stored_form_is_the_mapped_config_and_rebuilding_does_not_map_again() -> None:
    resolved = resolve_run_config(mapped_job, {"simplified_param": "stuff"}, default_executor=celery_executor)
    stored = stored_run_config(mapped_job, resolved, celery_executor)
    assert stored == {"ops": {"do_something": {"config": {"config_param": "stuff"}}}}
    assert resolved.given == {"simplified_param": "stuff"}
    # The bug this prevents: resolving the mapped config again goes through the mapping's schema.
    with pytest.raises(ConfigError, match="ops"):
        resolve_run_config(mapped_job, stored, default_executor=celery_executor)
    rebuilt = rebuild_run_config(mapped_job, stored, celery_executor)
    assert rebuilt.op_config("do_something") == {"config_param": "stuff"}
    assert rebuilt.execution["executor"] == "celery"


def test_env_sources_stay_references_in_the_stored_form(monkeypatch) -> None:
    monkeypatch.setenv("STORED_TOKEN", "secret-value-1")
    config = {"ops": {"uses_token": {"config": {"token": {"env": "STORED_TOKEN"}}}}}

    @job
    def direct():
        uses_token()

    resolved = resolve_run_config(direct, config, default_executor=celery_executor)
    stored = stored_run_config(direct, resolved, celery_executor)
    assert stored == config
    # Rebuilt where the step runs: the reference is still valid there (it is read when the step
    # runs, from that process's environment: see test_seed_jobs_on_workers for the end to end).
    rebuild_run_config(direct, stored, celery_executor)


def test_a_config_mapping_passing_an_env_value_through_stores_the_reference(monkeypatch) -> None:
    monkeypatch.setenv("MAPPED_TOKEN", "secret-value-2")
    resolved = resolve_run_config(token_job, {"token": {"env": "MAPPED_TOKEN"}}, default_executor=celery_executor)
    stored = stored_run_config(token_job, resolved, celery_executor)
    assert stored == {"ops": {"uses_token": {"config": {"token": {"env": "MAPPED_TOKEN"}}}}}
    assert "secret-value-2" not in repr(stored)
    rebuild_run_config(token_job, stored, celery_executor)


def test_a_config_mapping_that_would_store_an_env_value_in_clear_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("MAPPED_TOKEN", "secret-value-3")
    resolved = resolve_run_config(leaky_job, {"token": {"env": "MAPPED_TOKEN"}}, default_executor=celery_executor)
    with pytest.raises(ConfigError) as err:
        stored_run_config(leaky_job, resolved, celery_executor)
    assert "MAPPED_TOKEN" in str(err.value) and "StringSource" in str(err.value)
    assert "ops.do_something.config.config_param" in str(err.value)
    resolved = resolve_run_config(url_job, {"token": {"env": "MAPPED_TOKEN"}}, default_executor=celery_executor)
    with pytest.raises(ConfigError) as err:
        stored_run_config(url_job, resolved, celery_executor)
    assert "ops.uses_token.config.token" in str(err.value) and "MAPPED_TOKEN" in str(err.value)
    assert "secret-value-3" not in str(err.value)


def test_config_that_is_not_json_data_cannot_be_stored() -> None:
    with pytest.raises(ConfigError) as err:
        json_run_config("some_job", {"ops": {"do_something": {"config": {"config_param": {1, 2}}}}})
    assert "ops.do_something.config.config_param" in str(err.value) and "set" in str(err.value)
    assert "some_job" in str(err.value)
    assert json_run_config("j", {"ops": {"a": {"inputs": {"x": (1, 2)}}}}) == {"ops": {"a": {"inputs": {"x": [1, 2]}}}}


def test_cli_config_file_holding_a_list_is_a_config_error(tmp_path) -> None:
    from orchestrator.cli.config_files import load_run_config

    path = tmp_path / "list.yaml"
    path.write_text("- ops\n- resources\n")
    with pytest.raises(ConfigError) as err:
        load_run_config([str(path)])
    assert str(path) in str(err.value) and "a list" in str(err.value)
