"""Every seed job succeeds on real Celery workers, config resolved once at submit.

The workers run on the product's defaults: their environment holds only where Redis is, the
shared secret, ORCH_HOME and PYTHONPATH (no ``ORCH_*`` tuning variable).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import EventType, Instance, StringSource, config_mapping, job, op, submit_job
from orchestrator.distributed.keys import run_keys
from orchestrator.local.processes import CeleryWorker, RedisServer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "seed-jobs-secret"
WORKER_TOKEN = "worker-side-token"


@pytest.fixture(scope="module")
def seed_instance(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    home = os.environ["ORCH_HOME"]
    env = {"REDIS_URL": redis_server.url, "ORCH_HOME": home, "ORCH_SECRET": SECRET, "PYTHONPATH": str(ROOT),
           "SEED_TOKEN": WORKER_TOKEN}
    assert not [k for k in env if k.startswith("ORCH_") and k not in ("ORCH_HOME", "ORCH_SECRET")]
    worker = CeleryWorker("seeds", tmp_path_factory.mktemp("seed-workers"), env, concurrency=1, cwd=ROOT)
    worker.start()
    try:
        yield Instance(redis_url=redis_server.url, home=home, secret=SECRET)
    finally:
        worker.stop()


def _logs(result) -> list[str]:
    return [e.message for e in result.all_events if e.event_type is EventType.LOG]


def _ok(result) -> None:
    assert result.success, [e.message for e in result.all_events if e.is_failure]


def test_hard_coded_config_job(seed_instance: Instance) -> None:
    from definitions.seed_hardcoded_config import do_it_all_with_default_config as seed_job

    result = submit_job(seed_job, instance=seed_instance).wait(timeout=60)
    _ok(result)
    assert _logs(result) == ["config_param: stuff"]
    other = {"ops": {"do_something": {"config": {"config_param": "other"}}}}
    result = submit_job(seed_job, run_config=other, instance=seed_instance).wait(timeout=60)
    _ok(result)
    assert _logs(result) == ["config_param: other"]


def test_config_mapping_job_is_mapped_once_at_submit(seed_instance: Instance) -> None:
    from definitions.seed_config_mapping import do_it_all_with_simplified_config as seed_job

    handle = submit_job(seed_job, run_config={"simplified_param": "stuff"}, instance=seed_instance)
    record = seed_instance.storage.get_run(handle.run_id).record
    # The user's config for display and re-execution; the mapped one for the workers.
    assert record.run_config == {"simplified_param": "stuff"}
    assert record.resolved_config == {"ops": {"do_something": {"config": {"config_param": "stuff"}}}}
    result = handle.wait(timeout=60)
    _ok(result)
    assert _logs(result) == ["config_param: stuff"]


def test_graph_jobs_with_resources(seed_instance: Instance) -> None:
    from definitions.seed_graph_jobs import local_job, prod_job

    for seed_job in (prod_job, local_job):
        result = submit_job(seed_job, instance=seed_instance).wait(timeout=60)
        _ok(result)
        assert [e.step_key for e in result.get_step_success_events()] == ["interact_with_server"]


def test_op_job(seed_instance: Instance) -> None:
    from definitions.seed_op_job import do_stuff

    result = submit_job(do_stuff, instance=seed_instance).wait(timeout=60)
    _ok(result)
    assert result.output_for_node("add_one") == 6


def test_asset_jobs_of_a_repository(seed_instance: Instance) -> None:
    from definitions.seed_assets import repo

    result = submit_job(repo.get_job("all_assets_job"), instance=seed_instance).wait(timeout=60)
    _ok(result)
    assert result.output_for_node("asset2") == [1, 2, 3, 4]
    record = seed_instance.storage.get_run(result.run_id).record
    assert (record.code.module, record.code.attr, record.code.job_name) == ("definitions.seed_assets", "repo",
                                                                             "all_assets_job")
    result = submit_job(repo.get_job("asset1_job"), instance=seed_instance).wait(timeout=60)
    _ok(result)
    assert [e.step_key for e in result.get_step_success_events()] == ["asset1"]


def test_repository_job(seed_instance: Instance) -> None:
    from definitions.seed_repository import my_repo

    result = submit_job(my_repo.get_job("do_it_all"), instance=seed_instance).wait(timeout=60)
    _ok(result)
    assert result.run_id and seed_instance.storage.get_run(result.run_id).record.code.version


@op(config_schema={"token": StringSource})
def log_token(context) -> None:
    context.log.info("token: " + context.op_config["token"])


@config_mapping(config_schema={"token": StringSource})
def token_mapping(val):
    return {"ops": {"log_token": {"config": {"token": val["token"]}}}}


@job
def env_job():
    log_token()


@job(config=token_mapping)
def env_mapping_job():
    log_token()


def _stored(instance: Instance, run_id: str) -> bytes:
    keys = [k for k in run_keys(run_id).every() if instance.redis.exists(k)]
    return b"".join(str(instance.redis.dump(k)).encode() for k in keys)


@pytest.mark.parametrize("job_def, config", [
    (env_job, {"ops": {"log_token": {"config": {"token": {"env": "SEED_TOKEN"}}}}}),
    (env_mapping_job, {"token": {"env": "SEED_TOKEN"}}),
], ids=["op-config", "config-mapping"])
def test_env_source_is_read_on_the_worker_and_never_stored(seed_instance: Instance, monkeypatch, job_def,
                                                           config) -> None:
    # The submitter and the worker see different values: the step must log the worker's, and
    # neither value may be written to Redis (only the reference {"env": "SEED_TOKEN"}).
    monkeypatch.setenv("SEED_TOKEN", "submitter-side-value")
    handle = submit_job(job_def, run_config=config, instance=seed_instance)
    record = seed_instance.storage.get_run(handle.run_id).record
    assert record.resolved_config == {"ops": {"log_token": {"config": {"token": {"env": "SEED_TOKEN"}}}}}
    result = handle.wait(timeout=60)
    _ok(result)
    assert _logs(result) == [f"token: {WORKER_TOKEN}"]
    stored = _stored(seed_instance, handle.run_id)
    assert b"submitter-side-value" not in stored and WORKER_TOKEN.encode() not in stored
