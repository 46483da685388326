"""Fault tests: worker death, Redis restart, cancel, stalls, re-execution, auth, TLS, bad messages.

Each test starts what it needs on loopback (real redis-server, real Celery workers), is bounded
in time, and stops only the processes it started.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import (
    EventType,
    In,
    Instance,
    Nothing,
    RunNotFoundError,
    RunStatus,
    fs_io_manager,
    get_run,
    job,
    op,
    reexecute,
    submit_job,
)
from orchestrator.distributed.keys import run_keys
from orchestrator.execution.scheduling import StepUpdate
from orchestrator.local.processes import CeleryWorker, RedisServer
from orchestrator.status import StepStatus
from tests.integration.polling import lines, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret"


class Site:
    """A redis-server and workers for one test, all stopped at the end."""

    def __init__(self, workdir: Path, server: RedisServer) -> None:
        self.workdir = workdir
        self.server = server
        self.home = str(workdir / "home")
        self.workers: list[CeleryWorker] = []
        # The product's defaults: no recovery timeout or interval is tuned here.
        self.env = {"REDIS_URL": server.url, "ORCH_HOME": self.home, "ORCH_SECRET": SECRET,
                    "PYTHONPATH": str(ROOT)}

    @property
    def instance(self) -> Instance:
        return Instance(redis_url=self.server.url, home=self.home, secret=SECRET)

    def worker(self, name: str, **env: str) -> CeleryWorker:
        w = CeleryWorker(name, self.workdir, {**self.env, **env}, concurrency=1, cwd=ROOT)
        w.start()
        self.workers.append(w)
        return w

    def logs(self) -> str:
        return "\n".join(w.log_text() for w in self.workers)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()
        self.server.stop()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis", appendonly=True).start()
    s = Site(tmp_path, server)
    monkeypatch.setenv("ORCH_HOME", s.home)
    yield s
    s.stop()




# -- jobs used below (defined here: they ship to workers as signed pickles) ------------------------

@op(config_schema={"dir": str})
def first(context) -> int:
    with open(Path(context.op_config["dir"]) / "first.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    return 1


@op(config_schema={"dir": str, "seconds": float})
def slow(context, x: int) -> int:
    with open(Path(context.op_config["dir"]) / "slow.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(context.op_config["seconds"])
    with open(Path(context.op_config["dir"]) / "slow_done.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    return x + 10


@op(config_schema={"dir": str})
def down_a(context, x: int) -> int:
    with open(Path(context.op_config["dir"]) / "down_a.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    return x + 100


@op(config_schema={"dir": str})
def down_b(context, x: int) -> int:
    with open(Path(context.op_config["dir"]) / "down_b.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    return x + 1000


@job
def slow_pipeline():
    s = slow(first())
    down_a(s)
    down_b(s)


def _slow_config(directory: Path, seconds: float) -> dict:
    return {"ops": {"first": {"config": {"dir": str(directory)}},
                    "slow": {"config": {"dir": str(directory), "seconds": seconds}},
                    "down_a": {"config": {"dir": str(directory)}},
                    "down_b": {"config": {"dir": str(directory)}}}}


def _running_worker(site: Site, run_id: str, step_key: str) -> str:
    running = site.instance.storage.running_steps(run_id)
    return str(running[step_key]["worker"])


# -- worker death ---------------------------------------------------------------------------------

def test_sigkill_of_the_worker_running_a_step_loses_nothing(site: Site, tmp_path: Path) -> None:
    w1, w2 = site.worker("w1"), site.worker("w2")
    out = tmp_path / "out"
    out.mkdir()
    handle = submit_job(slow_pipeline, run_config=_slow_config(out, 3.0), instance=site.instance)
    wait_for(lambda: "slow" in site.instance.storage.running_steps(handle.run_id), 30, "slow to start")
    victim_name = _running_worker(site, handle.run_id, "slow")
    victim = w1 if victim_name.startswith("w1@") else w2
    victim.kill()  # SIGKILL of the whole worker: main process and pool child
    result = handle.wait(timeout=90)
    assert result.success, site.logs()[-4000:]
    assert result.output_for_node("down_a") == 111 and result.output_for_node("down_b") == 1011
    assert len(lines(out / "slow.txt")) == 2, "the killed step ran again elsewhere"
    assert len(lines(out / "down_a.txt")) == 1 and len(lines(out / "down_b.txt")) == 1
    assert len(lines(out / "first.txt")) == 1


# -- Redis restart ----------------------------------------------------------------------------------

@op
def tick(x: int) -> int:
    time.sleep(0.4)
    return x + 1


@op
def zero() -> int:
    return 0


@job
def ticking_chain():
    v = zero()
    for i in range(10):
        v = tick.alias(f"tick_{i}")(v)


def test_redis_restarted_mid_run_with_aof_the_run_completes(site: Site) -> None:
    site.worker("w1")
    handle = submit_job(ticking_chain, instance=site.instance)
    wait_for(lambda: site.instance.storage.running_steps(handle.run_id), 30, "a step to start")
    time.sleep(0.5)
    site.server.stop()
    time.sleep(1.0)
    restarted = RedisServer(site.server.workdir, port=site.server.port, appendonly=True)
    restarted.start()
    site.server = restarted
    try:
        result = handle.wait(timeout=60)
    except Exception:
        print(site.logs()[-6000:])
        raise
    assert result.success, (site.instance.storage.get_run(handle.run_id).reason, site.logs()[-4000:])
    assert result.output_for_node("tick_9") == 10


# -- cancel -------------------------------------------------------------------------------------

def test_cancel_terminates_the_running_step_and_enqueues_nothing_more(site: Site, tmp_path: Path) -> None:
    site.worker("w1")
    out = tmp_path / "out"
    out.mkdir()
    handle = submit_job(slow_pipeline, run_config=_slow_config(out, 20.0), instance=site.instance)
    wait_for(lambda: "slow" in site.instance.storage.running_steps(handle.run_id), 30, "slow to start")
    started = time.monotonic()
    assert handle.cancel() is True
    assert handle.status() is RunStatus.CANCELED
    assert handle.cancel() is False
    time.sleep(3)
    assert not (out / "slow_done.txt").exists(), "the running step should have been terminated"
    assert not (out / "down_a.txt").exists() and not (out / "down_b.txt").exists()
    events = site.instance.storage.all_events(handle.run_id)
    assert [e.event_type for e in events].count(EventType.RUN_CANCELED) == 1
    assert not [e for e in events if e.step_key in ("down_a", "down_b") and e.event_type is EventType.STEP_START]
    assert time.monotonic() - started < 15


# -- stalls -------------------------------------------------------------------------------------

@op(tags={"celery/queue": "nobody-serves-this"})
def never_served() -> int:
    return 1


@job
def unserved_job():
    never_served()


def test_stalled_run_is_failed_within_its_deadline_naming_the_step(site: Site, tmp_path: Path) -> None:
    w1 = site.worker("w1")
    # A 2 s stall_timeout (run config, not environment): the default 600 s would make the test wait 10 minutes.
    config = {"execution": {"config": {"stall_timeout": 2.0}}}
    handle = submit_job(unserved_job, run_config=config, instance=site.instance)
    started = time.monotonic()
    result = handle.wait(timeout=30)
    assert time.monotonic() - started < 10
    assert result.status is RunStatus.FAILURE
    reason = site.instance.storage.get_run(handle.run_id).reason or ""
    assert "stalled" in reason and "never_served" in reason
    assert "queued, no worker consuming queue nobody-serves-this" in reason, reason
    assert site.instance.storage.queues_with_live_workers() == {"orch": [w1.name + "@" + _host(w1)]}
    # Nobody waiting: the workers' watchdog fails it on its own.
    other = submit_job(unserved_job, run_config=config, instance=site.instance)
    wait_for(lambda: other.status() is RunStatus.FAILURE, 20, "the worker watchdog to fail the run")
    # A started step whose worker went silent is told apart from a queued one. A 3 s stall_timeout
    # fails the run before the 30 s heartbeat timeout would send the step again.
    out = tmp_path / "out"
    out.mkdir()
    config = {**_slow_config(out, 20.0), "execution": {"config": {"stall_timeout": 3.0}}}
    handle = submit_job(slow_pipeline, run_config=config, instance=site.instance)
    wait_for(lambda: "slow" in site.instance.storage.running_steps(handle.run_id), 30, "slow to start")
    w1.kill()
    result = handle.wait(timeout=30)
    reason = site.instance.storage.get_run(handle.run_id).reason or ""
    assert result.status is RunStatus.FAILURE and "stalled" in reason
    assert f"slow started on worker w1@{_host(w1)}" in reason and "no heartbeat since" in reason, reason
    assert "queued" not in reason, reason


def _host(worker: CeleryWorker) -> str:
    """The host part of a worker's Celery name, as its banner prints it (``w1@host ready.``)."""
    marker = f"{worker.name}@"
    text = worker.log_text()
    return text.split(marker, 1)[1].split()[0].rstrip(".") if marker in text else ""


# -- re-execution -------------------------------------------------------------------------------

@op(config_schema={"dir": str})
def count_a(context) -> int:
    with open(Path(context.op_config["dir"]) / "a.txt", "a") as f:
        f.write("x\n")
    return 1


@op(config_schema={"dir": str})
def count_b(context, x: int) -> int:
    with open(Path(context.op_config["dir"]) / "b.txt", "a") as f:
        f.write("x\n")
    return x + 1


@op(config_schema={"dir": str})
def maybe_fail(context, x: int) -> int:
    if (Path(context.op_config["dir"]) / "fail.flag").exists():
        raise RuntimeError("flag file present")
    return x * 10


@job(resource_defs={"io_manager": fs_io_manager})
def recoverable():
    maybe_fail(count_b(count_a()))


def _recoverable_config(directory: Path) -> dict:
    return {"ops": {name: {"config": {"dir": str(directory)}} for name in ("count_a", "count_b", "maybe_fail")}}


def test_reexecute_from_failure_reuses_upstream_outputs(site: Site, tmp_path: Path) -> None:
    site.worker("w1")
    out = tmp_path / "out"
    out.mkdir()
    (out / "fail.flag").write_text("1")
    first_run = submit_job(recoverable, run_config=_recoverable_config(out), instance=site.instance).wait(60)
    assert first_run.status is RunStatus.FAILURE and first_run.get_failed_step_keys() == ["maybe_fail"], first_run.failure_error
    (out / "fail.flag").unlink()
    handle = reexecute(first_run.run_id, from_failure=True, instance=site.instance)
    second = handle.wait(60)
    assert second.success and second.output_for_node("maybe_fail") == 20
    assert lines(out / "a.txt") == ["x"] and lines(out / "b.txt") == ["x"], "upstream ops must not run again"
    assert [e.step_key for e in second.get_step_success_events()] == ["maybe_fail"]
    record = site.instance.storage.get_run(handle.run_id).record
    assert record.tags["orch/parent_run_id"] == first_run.run_id
    assert record.tags["orch/root_run_id"] == first_run.run_id
    # A re-execution of the re-execution still finds count_b's output in the first run.
    third = reexecute(handle.run_id, step_selection=["maybe_fail"], instance=site.instance).wait(60)
    assert third.success and third.output_for_node("maybe_fail") == 20
    assert site.instance.storage.get_run(third.run_id).record.tags["orch/root_run_id"] == first_run.run_id


def test_reexecute_in_process_with_a_persistent_io_manager(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "fail.flag").write_text("1")
    parent = recoverable.execute_in_process(run_config=_recoverable_config(out), raise_on_error=False)
    assert not parent.success
    (out / "fail.flag").unlink()
    child = recoverable.execute_in_process(run_config=_recoverable_config(out), parent_run_id=parent.run_id,
                                           step_selection=["maybe_fail"])
    assert child.success and child.output_for_node("maybe_fail") == 20
    assert lines(out / "a.txt") == ["x"] and lines(out / "b.txt") == ["x"]


# -- security -----------------------------------------------------------------------------------

def test_password_protected_redis_never_shows_the_password(tmp_path: Path, monkeypatch) -> None:
    password = "pw-" + "s3cr3t-value-91"
    server = RedisServer(tmp_path / "redis", password=password).start()
    site = Site(tmp_path, server)
    monkeypatch.setenv("ORCH_HOME", site.home)
    try:
        site.worker("w1")
        from definitions.seed_op_job import do_stuff

        result = submit_job(do_stuff, instance=site.instance).wait(60)
        assert result.success and result.output_for_node("add_one") == 6
        failing = submit_job(recoverable, run_config={"ops": {"count_a": {"config": {"dir": "/nonexistent/dir"}},
                                                              "count_b": {"config": {"dir": "/x"}},
                                                              "maybe_fail": {"config": {"dir": "/x"}}}},
                             instance=site.instance).wait(60)
        assert not failing.success
        texts = [site.logs()]
        for run in (result, failing):
            texts += [e.model_dump_json() for e in run.all_events]
            texts.append(site.instance.redis.hget(run_keys(run.run_id).record, "json").decode())
        texts.append(repr(site.instance))
        assert password not in "\n".join(texts)
        assert "***" in site.instance.masked_url
        bad = Instance(redis_url=server.url.replace(password, "wrong"), home=site.home, secret=SECRET)
        with pytest.raises(Exception) as err:
            bad.ping()
        assert "wrong" not in str(err.value) and password not in str(err.value)
    finally:
        site.stop()


def _make_tls_files(directory: Path) -> tuple[Path, Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
        "-subj", "/CN=orch-test-ca")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    ext = directory / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(cert),
        "-days", "2", "-extfile", str(ext))
    return cert, key, ca


def test_tls_redis_with_a_self_signed_ca(tmp_path: Path, monkeypatch) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    tls = _make_tls_files(tmp_path / "tls")
    server = RedisServer(tmp_path / "redis", tls=tls).start()
    site = Site(tmp_path, server)
    monkeypatch.setenv("ORCH_HOME", site.home)
    try:
        assert site.server.url.startswith("rediss://")
        site.worker("w1")
        from definitions.seed_op_job import do_stuff

        result = submit_job(do_stuff, instance=site.instance).wait(60)
        assert result.success and result.output_for_node("add_one") == 6
        untrusted = Instance(redis_url=server.url.split("?")[0] + "?ssl_cert_reqs=required", home=site.home)
        with pytest.raises(Exception) as err:
            untrusted.ping()
        assert "Cannot reach Redis" in str(err.value) or "certificate" in str(err.value).lower()
    finally:
        site.stop()


def test_pickle_messages_and_unknown_runs_are_dropped(site: Site, tmp_path: Path) -> None:
    worker = site.worker("w1")
    from kombu import Connection

    marker = tmp_path / "pwned.txt"
    with Connection(site.server.url) as conn:
        producer = conn.Producer(serializer="pickle")
        producer.publish(
            {"args": [], "kwargs": {"run_id": "x", "step_key": "y", "payload": f"open('{marker}', 'w')"}},
            routing_key="orch", serializer="pickle",
            headers={"task": "evil.step", "id": "pickle-1", "lang": "py", "argsrepr": "()", "kwargsrepr": "{}"},
        )
    app = __import__("orchestrator.distributed.dispatch", fromlist=["app_for"]).app_for(site.server.url)
    app.send_task("some_job.some_step", kwargs={"run_id": "no-such-run", "step_key": "some_step", "attempt": 0},
                  queue="orch")
    wait_for(lambda: "dropping step some_step of unknown run no-such-run" in worker.log_text(), 30,
              "the unknown run to be dropped")
    wait_for(lambda: "pickle" in worker.log_text().lower(), 30, "the pickle message to be refused")
    assert not marker.exists()
    assert site.instance.redis.llen("orch") == 0
    with pytest.raises(RunNotFoundError):
        get_run("../../etc/passwd", instance=site.instance)


def test_corrupted_stored_output_fails_the_step_naming_it(site: Site, tmp_path: Path) -> None:
    site.worker("w1")
    out = tmp_path / "out"
    out.mkdir()
    run = submit_job(recoverable, run_config=_recoverable_config(out), instance=site.instance).wait(60)
    assert run.success
    stored = Path(site.home) / "storage" / run.run_id / "count_b" / "result"
    assert stored.exists()
    stored.write_bytes(b"not a pickle")
    child = reexecute(run.run_id, step_selection=["maybe_fail"], instance=site.instance).wait(60)
    assert not child.success
    error = child.failure_error
    assert error is not None and "count_b" in error.message and "maybe_fail" in error.message
    assert json.loads(site.instance.redis.hget(run_keys(child.run_id).record, "json"))["parent_run_id"] == run.run_id


# -- a worker dying between its completion and publishing what became ready --------------------------

@op(config_schema={"dir": str})
def ping(context) -> None:
    with open(Path(context.op_config["dir"]) / "ping.txt", "a") as f:
        f.write("ping\n")


@op(ins={"start": In(Nothing)}, config_schema={"dir": str})
def pong(context) -> int:
    with open(Path(context.op_config["dir"]) / "pong.txt", "a") as f:
        f.write("pong\n")
    return 7


@job
def ping_pong():
    pong(start=ping())


def test_steps_lost_between_completion_and_publish_are_re_sent(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    config = {"ops": {"ping": {"config": {"dir": str(out)}}, "pong": {"config": {"dir": str(out)}}}}
    handle = submit_job(ping_pong, run_config=config, instance=site.instance)
    # As if a worker ran `ping`, recorded its completion, and died before enqueueing `pong`.
    site.instance.redis.delete("orch")
    completion = site.instance.storage.complete(
        handle.run_id, StepUpdate("ping", StepStatus.SUCCESS, outputs=["ping.result"]))
    assert completion.ready == ["pong"]
    assert "pong" in site.instance.storage.outbox(handle.run_id)
    site.worker("w1")
    result = handle.wait(timeout=60)
    assert result.success and result.output_for_node("pong") == 7
    assert lines(out / "pong.txt") == ["pong"]
    assert not (out / "ping.txt").exists()
    resent = [e for e in result.all_events if e.event_type is EventType.LOG and "Re-sent step(s) pong" in e.message]
    assert len(resent) == 1
    assert site.instance.storage.outbox(handle.run_id) == {}


def test_a_completion_pushes_the_steps_it_makes_ready_exactly_once(site: Site, tmp_path: Path) -> None:
    """The Lua completion itself enqueues a step that certainly becomes ready (one round trip, no
    window between recording a completion and publishing its successor); a repeated completion
    pushes nothing."""
    from orchestrator.distributed.dispatch import app_for, step_messages
    from orchestrator.distributed.keys import run_keys

    out = tmp_path / "out"
    out.mkdir()
    config = {"ops": {"ping": {"config": {"dir": str(out)}}, "pong": {"config": {"dir": str(out)}}}}
    handle = submit_job(ping_pong, run_config=config, instance=site.instance)
    site.instance.redis.delete("orch")  # as if a worker took `ping` and ran it
    plan = site.instance.storage.plan(handle.run_id)
    pong_step = plan.by_key["pong"]
    app = app_for(site.instance.broker_url, site.instance.backend_url)
    messages = step_messages(app, "ping_pong", handle.run_id, [pong_step], "orch")
    assert list(messages) == ["pong"] and messages["pong"][0] == "orch"
    update = StepUpdate("ping", StepStatus.SUCCESS, outputs=["ping.result"], certain=[pong_step])
    applied = site.instance.storage.complete(handle.run_id, update, ["pong"], False, messages=messages)
    assert applied.ready == ["pong"] and applied.published == ["pong"]
    assert site.instance.storage.outbox(handle.run_id) == {}, "a pushed step never enters the outbox"
    assert site.instance.redis.llen("orch") == 1
    again = site.instance.storage.complete(handle.run_id, update, ["pong"], False, messages=messages)
    assert again.duplicate and site.instance.redis.llen("orch") == 1
    assert site.instance.redis.hget(run_keys(handle.run_id).status, "ping") == b"success"
    site.worker("w1")
    result = handle.wait(timeout=60)
    assert result.success and result.output_for_node("pong") == 7
    assert lines(out / "pong.txt") == ["pong"]
