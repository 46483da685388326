"""Distributed runs on a real redis-server and two real Celery worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator import (
    ConfigError,
    DynamicOut,
    DynamicOutput,
    EventType,
    Instance,
    RetryPolicy,
    RunNotFoundError,
    RunStatus,
    RunTimeoutError,
    execute_job,
    get_run,
    graph,
    job,
    multiprocess_executor,
    op,
    submit_job,
)
from orchestrator.distributed import keys

ROOT = Path(__file__).resolve().parents[2]


@op
def one() -> int:
    return 1


@op
def whoami(x: int) -> dict:
    return {"pid": os.getpid(), "value": x + 1}


@op
def gather(items: list) -> dict:
    return {"pids": sorted({i["pid"] for i in items}), "total": sum(i["value"] for i in items)}


@job
def fan_out_50():
    start = one()
    gather([whoami.alias(f"leaf_{i}")(start) for i in range(50)])


@op(out=DynamicOut())
def emit(n: int):
    for i in range(n):
        yield DynamicOutput(i, mapping_key=f"k{i}")


@op
def square(x: int) -> int:
    return x * x


@op
def add_all(xs: list[int]) -> int:
    return sum(xs)


@job
def dynamic_20():
    add_all(emit().map(square).collect())


@op
def double(x: int) -> int:
    return 2 * x


@graph
def inner(x):
    return double(x)


@graph
def outer(x):
    return inner(double(x))


@job
def nested():
    outer(one())


class Boom(Exception):
    pass


@op
def explode(x: int) -> int:
    raise Boom(f"cannot handle {x}")


@op
def after(x: int) -> int:
    return x


@job
def failing():
    after(after.alias("after_again")(explode(one())))
    double(one.alias("independent")())


ATTEMPTS_FILE = Path(os.environ.get("ORCH_HOME", "/tmp")) / "flaky-attempts.txt"


@op(retry_policy=RetryPolicy(max_retries=2, delay=0.2))
def flaky(context) -> int:
    with open(context.op_config["path"], "a") as f:
        f.write(f"{context.retry_number}\n")
    if context.retry_number < 2:
        raise RuntimeError("not yet")
    return context.retry_number


flaky.config_schema = {"path": str}


@job
def retrying():
    flaky()


def test_job_from_the_test_module_ships_as_a_signed_pickle(instance: Instance) -> None:
    handle = submit_job(fan_out_50, instance=instance)
    record = instance.storage.get_run(handle.run_id).record
    assert record.code.blob_sha256 is not None and record.code.module is None
    result = handle.wait(timeout=120)
    assert result.success, [str(e) for e in result.all_events if e.is_failure]
    value = result.output_for_node("gather")
    assert value["total"] == 100
    assert len(value["pids"]) > 1, "the 50 leaves should have run on both worker processes"
    assert len(result.get_step_success_events()) == 52
    # Every published step was confirmed: nothing is left for the watchdog to re-send.
    deadline = time.monotonic() + 5
    while instance.storage.outbox(handle.run_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.storage.outbox(handle.run_id) == {}


def test_job_from_definitions_ships_as_a_code_pointer(instance: Instance) -> None:
    from definitions.seed_op_job import do_stuff

    handle = submit_job(do_stuff, instance=instance)
    record = instance.storage.get_run(handle.run_id).record
    assert (record.code.module, record.code.attr) == ("definitions.seed_op_job", "do_stuff")
    result = handle.wait(timeout=60)
    assert result.success and result.output_for_node("add_one") == 6
    assert handle.status() is RunStatus.SUCCESS


def test_dynamic_map_and_collect_of_20(instance: Instance) -> None:
    result = submit_job(dynamic_20, run_config={"ops": {"emit": {"inputs": {"n": 20}}}}, instance=instance).wait(60)
    assert result.success
    assert result.output_for_node("add_all") == sum(i * i for i in range(20))
    assert sorted(result.output_for_node("square")) == sorted(f"k{i}" for i in range(20))
    keys = {e.step_key for e in result.get_step_success_events()}
    assert {"emit", "add_all", "square[k0]", "square[k19]"} <= keys


def test_nested_graphs(instance: Instance) -> None:
    result = submit_job(nested, instance=instance).wait(60)
    assert result.success
    assert result.output_for_node("outer.inner.double") == 4
    assert {e.step_key for e in result.get_step_success_events()} == {"one", "outer.double", "outer.inner.double"}


def test_failing_op_fails_the_run_and_skips_downstream(instance: Instance) -> None:
    result = submit_job(failing, instance=instance).wait(60)
    assert not result.success and result.status is RunStatus.FAILURE
    assert result.get_failed_step_keys() == ["explode"]
    error = result.failure_error
    assert error is not None and error.cls_name == "Boom" and "cannot handle 1" in error.message
    assert "Traceback" in error.traceback
    assert {e.step_key for e in result.get_step_skipped_events()} == {"after_again", "after"}
    assert result.is_node_success("double") and result.output_for_node("double") == 2
    run_failure = [e for e in result.all_events if e.event_type is EventType.RUN_FAILURE]
    assert len(run_failure) == 1 and "explode" in run_failure[0].message


def test_retries_are_re_enqueued_with_their_delay(instance: Instance, tmp_path: Path) -> None:
    path = tmp_path / "attempts.txt"
    result = submit_job(retrying, run_config={"ops": {"flaky": {"config": {"path": str(path)}}}},
                        instance=instance).wait(60)
    assert result.success and result.output_for_node("flaky") == 2
    assert path.read_text().split() == ["0", "1", "2"]
    retries = [e for e in result.all_events if e.event_type is EventType.STEP_RETRY]
    assert len(retries) == 2 and retries[0].data["delay"] == pytest.approx(0.2)


def test_run_outlives_a_submitter_that_exits_at_once(instance: Instance, cluster) -> None:
    code = (
        "from orchestrator import submit_job\n"
        "from definitions.seed_op_job import do_stuff\n"
        "print(submit_job(do_stuff).run_id)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **cluster.env},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip().splitlines()[-1]
    reader = (
        "import sys\n"
        "from orchestrator import get_run\n"
        "r = get_run(sys.argv[1]).wait(timeout=60)\n"
        "print(r.success, r.output_for_node('add_one'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", reader, run_id], cwd=ROOT, env={**os.environ, **cluster.env},
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "6"]
    assert get_run(run_id, instance=instance).status() is RunStatus.SUCCESS


def test_blob_signed_with_another_secret_is_refused(cluster) -> None:
    @op
    def only_for_this_test() -> str:
        return "must never run"

    @job
    def signed_elsewhere():
        only_for_this_test()

    other = Instance(redis_url=cluster.server.url, home=cluster.home, secret="not-the-workers-secret")
    result = submit_job(signed_elsewhere, instance=other).wait(60)
    assert result.status is RunStatus.FAILURE
    messages = " ".join(e.message for e in result.all_events)
    assert "not signed with this worker's ORCH_SECRET" in messages
    assert not [e for e in result.all_events if e.event_type is EventType.STEP_SUCCESS]


def test_invalid_config_enqueues_nothing(instance: Instance) -> None:
    runs_before = instance.redis.zcard(keys.RUNS_INDEX)
    with pytest.raises(ConfigError) as err:
        submit_job(dynamic_20, run_config={"ops": {"emit": {"inputs": {"n": "twenty"}}}}, instance=instance)
    assert "ops.emit.inputs.n" in str(err.value)
    assert instance.redis.zcard(keys.RUNS_INDEX) == runs_before
    assert instance.redis.llen("orch") == 0


def test_events_follow_live_and_unknown_runs_raise(instance: Instance) -> None:
    handle = submit_job(nested, instance=instance)
    types = [e.event_type for e in handle.events()]
    assert types[0] is EventType.RUN_START and types[-1] is EventType.RUN_SUCCESS
    assert types.count(EventType.STEP_SUCCESS) == 3
    with pytest.raises(RunNotFoundError):
        get_run("no-such-run", instance=instance)


def test_wait_times_out_on_a_queue_nobody_serves(instance: Instance) -> None:
    @op(tags={"celery/queue": "nobody-listens"})
    def stuck() -> int:
        return 1

    @job
    def unserved():
        stuck()

    handle = submit_job(unserved, instance=instance)
    with pytest.raises(RunTimeoutError):
        handle.wait(timeout=1)
    assert handle.status() is RunStatus.QUEUED
    assert handle.cancel() is True and handle.status() is RunStatus.CANCELED


def test_execute_job_with_the_multiprocess_executor_needs_no_redis(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    mp_job = fan_out_50.graph_def.to_job(name="fan_out_mp", executor_def=multiprocess_executor)
    result = execute_job(mp_job, run_config={"execution": {"config": {"max_concurrent": 2}}})
    assert result.success
    value = result.output_for_node("gather")
    assert value["total"] == 100 and len(value["pids"]) >= 1 and os.getpid() not in value["pids"]


def test_record_is_plain_json(instance: Instance) -> None:
    handle = submit_job(nested, instance=instance)
    handle.wait(60)
    raw = instance.redis.hget(keys.run_keys(handle.run_id).record, "json")
    data = json.loads(raw)
    assert data["job_name"] == "nested" and data["run_id"] == handle.run_id
    assert time.time() - data["created_at"] < 120


def test_a_malformed_event_entry_is_reported_naming_the_run(instance: Instance) -> None:
    from orchestrator import OrchestratorError

    handle = submit_job(nested, instance=instance)
    handle.wait(60)
    good = instance.storage.all_events(handle.run_id)
    instance.redis.xadd(keys.run_keys(handle.run_id).events, {"e": b"{not json"})
    with pytest.raises(OrchestratorError) as err:
        instance.storage.all_events(handle.run_id)
    assert handle.run_id in str(err.value) and "malformed event" in str(err.value)
    # Readers of many runs (the scheduler's run feed) leave the bad entry out and go on.
    kept = instance.storage.read_events(handle.run_id, skip_malformed=True)
    assert [e.event_type for _id, e in kept][-1] is EventType.RUN_SUCCESS
    assert [e.event_type for _id, e in kept] == [e.event_type for e in good]
