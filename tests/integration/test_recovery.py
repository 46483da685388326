"""Recovery on the product's defaults: killed workers, shutdowns, poison steps, long silent steps.

Every test starts its own redis-server and real Celery workers on loopback, with NO ``ORCH_*``
timeout or interval in any environment: recovery must come from heartbeats and worker presence
(30 s of silence), not from a tuned visibility timeout. Each test is bounded in time, stops only
the processes it started, and prints the recovery times it measured (also recorded as junit
properties), which the fault table of issue 12 quotes.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator import DynamicOut, DynamicOutput, EventType, Instance, RunStatus, job, op, submit_job
from orchestrator.distributed.dispatch import app_for, enqueue_steps
from orchestrator.distributed.keys import run_keys
from orchestrator.distributed.liveness import HEARTBEAT_TIMEOUT
from orchestrator.execution.lifecycle import Lifecycle
from orchestrator.execution.scheduling import StepUpdate
from orchestrator.local.processes import CeleryWorker, RedisServer
from orchestrator.status import StepStatus
from tests.integration.polling import lines, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "recovery-test-secret"


class Site:
    """A redis-server and workers for one test, all stopped at the end (by their process groups)."""

    def __init__(self, workdir: Path, server: RedisServer) -> None:
        self.workdir = workdir
        self.server = server
        self.home = str(workdir / "home")
        self.workers: list[CeleryWorker] = []
        # The defaults: nothing here tunes a timeout or an interval.
        self.env = {"REDIS_URL": server.url, "ORCH_HOME": self.home, "ORCH_SECRET": SECRET, "PYTHONPATH": str(ROOT)}

    @property
    def instance(self) -> Instance:
        return Instance(redis_url=self.server.url, home=self.home, secret=SECRET)

    def workers_up(self, *names: str, queues: tuple[str, ...] = ("orch",)) -> list[CeleryWorker]:
        """Start workers in parallel (each takes a couple of seconds to import) and wait for them."""
        started = [CeleryWorker(n, self.workdir, self.env, concurrency=1, queues=queues, cwd=ROOT).start(wait=False)
                   for n in names]
        self.workers += started
        for worker in started:
            worker.wait_ready(60)
        return started

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log_text()[-3000:]}" for w in self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.server.stop()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    for name in [n for n in os.environ if n.startswith("ORCH_") and n != "ORCH_HOME"]:
        monkeypatch.delenv(name)  # workers inherit this environment: keep it on the defaults
    s = Site(tmp_path, RedisServer(tmp_path / "redis").start())
    monkeypatch.setenv("ORCH_HOME", s.home)
    yield s
    s.stop()




def _report(record_property, name: str, seconds: float) -> None:
    print(f"\n[recovery] {name}: {seconds:.1f}s")
    record_property(name, round(seconds, 2))


# -- a step that takes a while, between a first step and two downstream ones ---------------------

@op(config_schema={"dir": str})
def first(context) -> int:
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
        f.write("x\n")
    return x + 100


@op(config_schema={"dir": str})
def down_b(context, x: int) -> int:
    with open(Path(context.op_config["dir"]) / "down_b.txt", "a") as f:
        f.write("x\n")
    return x + 1000


@job
def slow_pipeline():
    s = slow(first())
    down_a(s)
    down_b(s)


def _slow_config(directory: Path, seconds: float) -> dict:
    return {"ops": {name: {"config": {"dir": str(directory), **({"seconds": seconds} if name == "slow" else {})}}
                    for name in ("first", "slow", "down_a", "down_b")}}


def _start_times(result_or_events, step_key: str) -> list[float]:
    events = getattr(result_or_events, "all_events", result_or_events)
    return [e.timestamp for e in events if e.event_type is EventType.STEP_START and e.step_key == step_key]


def _assert_pipeline_outputs(result, out: Path) -> None:
    assert result.output_for_node("down_a") == 111 and result.output_for_node("down_b") == 1011
    assert lines(out / "down_a.txt") == ["x"] and lines(out / "down_b.txt") == ["x"], "downstream ran once"
    assert len(lines(out / "slow_done.txt")) == 1


# -- the claim and death records themselves (real Redis, no worker) ------------------------------

def test_claims_drop_copies_of_live_or_finished_steps_and_count_deaths_once(site: Site, tmp_path: Path) -> None:
    storage = site.instance.storage
    run_id = submit_job(slow_pipeline, run_config=_slow_config(tmp_path, 1.0), instance=site.instance).run_id
    first_who = {"worker": "wa@host", "pid": 11, "attempt": 0, "task_id": "t-1", "token": "exec-a"}
    claim = storage.claim_step(run_id, "first", first_who, HEARTBEAT_TIMEOUT)
    assert (claim.verdict, claim.deaths, claim.counted) == ("ok", [], False)
    assert storage.get_run(run_id).status is RunStatus.STARTED
    storage.beat_worker("wa@host", {"pid": 10, "queues": ["orch"], "active": {"t-1": 11}}, HEARTBEAT_TIMEOUT)
    assert storage.queues_with_live_workers() == {"orch": ["wa@host"]}
    second_who = {"worker": "wb@host", "pid": 22, "attempt": 0, "task_id": "t-1", "token": "exec-b"}
    busy = storage.claim_step(run_id, "first", second_who, HEARTBEAT_TIMEOUT)
    assert busy.verdict == "busy" and busy.holder is not None and busy.holder["token"] == "exec-a"
    # Silent for longer than the timeout, but its worker lists it as running (a GIL-bound step): still busy.
    silent = json.loads(site.instance.redis.hget(run_keys(run_id).running, "first"))
    silent["hb"] = time.time() - HEARTBEAT_TIMEOUT - 5
    site.instance.redis.hset(run_keys(run_id).running, "first", json.dumps(silent))
    assert storage.claim_step(run_id, "first", second_who, HEARTBEAT_TIMEOUT).verdict == "busy"
    # Its worker no longer runs it: the execution is lost; the claim takes over and counts one death.
    storage.beat_worker("wa@host", {"pid": 10, "queues": ["orch"], "active": {}}, HEARTBEAT_TIMEOUT)
    taken = storage.claim_step(run_id, "first", second_who, HEARTBEAT_TIMEOUT)
    assert taken.verdict == "ok" and taken.counted and len(taken.deaths) == 1
    assert "no heartbeat for" in taken.deaths[0]["cause"] and taken.deaths[0]["worker"] == "wa@host"
    # The pool process of the second execution dies: counted once, however often it is reported.
    event = Lifecycle(run_id, "slow_pipeline").event(EventType.LOG, "first", "died")
    for _ in range(2):
        count = storage.record_death(run_id, "first", "t-1:22", "exit code 1", "wb@host", event, task_id="t-1", pid=22)
        assert count == 2
    assert [d["cause"] for d in storage.step_deaths(run_id, "first")][1] == "exit code 1"
    assert "first" not in storage.running_steps(run_id), "the dead pool process no longer runs the step"
    # A copy of a finished step, or of a step of a closed run, is not run.
    storage.complete(run_id, StepUpdate("first", StepStatus.SUCCESS, outputs=["first.result"]))
    third_who = {**second_who, "token": "exec-c", "pid": 33}
    assert storage.claim_step(run_id, "first", third_who, HEARTBEAT_TIMEOUT).verdict == "finished"
    assert storage.record_death(run_id, "first", "late", "exit code 1", "wb@host", event) == -1
    assert storage.finish_run(run_id, RunStatus.CANCELED, "stop", [])
    assert storage.claim_step(run_id, "slow", third_who, HEARTBEAT_TIMEOUT).verdict == "closed"
    storage.forget_worker("wa@host")
    assert storage.queues_with_live_workers() == {}


# -- SIGKILL of a worker's whole process group ---------------------------------------------------

def test_sigkill_of_the_worker_group_mid_step_recovers_with_a_replacement(site: Site, tmp_path: Path,
                                                                         record_property) -> None:
    (w1,) = site.workers_up("w1")
    out = tmp_path / "out"
    out.mkdir()
    handle = submit_job(slow_pipeline, run_config=_slow_config(out, 5.0), instance=site.instance)
    wait_for(lambda: "slow" in site.instance.storage.running_steps(handle.run_id), 60, "slow to start")
    assert handle.status() is RunStatus.STARTED, "a run is STARTED as soon as a step starts"
    time.sleep(1.0)
    killed_at = time.time()
    w1.kill()  # SIGKILL of the main process and its pool process at once: nothing is acked or requeued
    site.workers_up("w2")  # the replacement
    result = handle.wait(timeout=90)
    ended = site.instance.storage.get_run(handle.run_id).ended_at or time.time()
    assert result.success, (site.instance.storage.get_run(handle.run_id).reason, site.logs())
    _assert_pipeline_outputs(result, out)
    starts = _start_times(result, "slow")
    assert len(starts) == 2 and len(lines(out / "slow.txt")) == 2, "the killed step ran once more, on w2"
    assert ended - killed_at < 90
    recovered = [e.message for e in result.all_events if e.event_type is EventType.LOG and e.step_key == "slow"]
    assert any("went back to its queue" in m or "went silent" in m for m in recovered), recovered
    _report(record_property, "sigkill: kill -> second STEP_START", starts[1] - killed_at)
    _report(record_property, "sigkill: kill -> run end", ended - killed_at)


# -- repeated random SIGKILLs during a 100-way fan-out -------------------------------------------

@op(out=DynamicOut())
def spread(context):
    for i in range(100):
        yield DynamicOutput(i, mapping_key=f"n{i}")


@op
def work(x: int) -> int:
    time.sleep(0.8)
    return 2 * x


@op(config_schema={"dir": str})
def gather(context, values: list) -> int:
    with open(Path(context.op_config["dir"]) / "fan_in.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    return sum(values)


@job
def fan_out_in():
    gather(spread().map(work).collect())


def test_repeated_random_sigkills_during_a_fan_out_lose_nothing(site: Site, tmp_path: Path, record_property) -> None:
    site.workers_up("a0", "b0", "c0")
    out = tmp_path / "out"
    out.mkdir()
    handle = submit_job(fan_out_in, run_config={"ops": {"gather": {"config": {"dir": str(out)}}}},
                        instance=site.instance)
    wait_for(lambda: any(k.startswith("work[") for k in site.instance.storage.running_steps(handle.run_id)), 60,
              "the mapped steps to start")
    rng = random.Random(12)
    kills: list[float] = []
    stop = threading.Event()

    def killer() -> None:
        # A kill every 3-5 s for ~30 s, each worker replaced under a new name; then all stay up.
        generation = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not stop.is_set():
            stop.wait(rng.uniform(3, 5))
            alive = [w for w in site.workers if w.alive()]
            if not alive or stop.is_set():
                break
            victim = rng.choice(alive)
            victim.kill()
            kills.append(time.time())
            generation += 1
            site.workers_up(f"{victim.name[0]}{generation}")

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        result = handle.wait(timeout=180)
    finally:
        stop.set()
        thread.join(timeout=60)
    info = site.instance.storage.get_run(handle.run_id)
    assert result.success, (info.reason, site.logs())
    assert len(kills) >= 5
    assert result.output_for_node("gather") == sum(2 * i for i in range(100))
    assert len(lines(out / "fan_in.txt")) == 1, "the fan-in ran exactly once"
    succeeded = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_SUCCESS]
    assert len([k for k in succeeded if k and k.startswith("work[")]) == 100
    back = [e for e in result.all_events if e.event_type is EventType.LOG
            and ("went back to its queue" in e.message or "went silent" in e.message)]
    # For each step a kill interrupted: from that kill to the step's next start.
    recovery = []
    for key in sorted({e.step_key for e in back if e.step_key}):
        starts = _start_times(result, key)
        hit = [k for k in kills if len(starts) > 1 and starts[0] < k < starts[1]]
        if hit:
            recovery.append(starts[1] - hit[0])
    print(f"\n[recovery] fan-out: {len(kills)} SIGKILLs, {len(recovery)} steps interrupted and run again")
    if recovery:
        _report(record_property, "fan-out: kill -> interrupted step's next STEP_START (max)", max(recovery))
        _report(record_property, "fan-out: kill -> interrupted step's next STEP_START (mean)",
                sum(recovery) / len(recovery))
    _report(record_property, "fan-out: last kill -> run end", (info.ended_at or time.time()) - kills[-1])
    _report(record_property, "fan-out: first kill -> run end", (info.ended_at or time.time()) - kills[0])


# -- shutdowns mid-step --------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["SIGTERM", "SIGTERM to the group", "SIGTERM then SIGQUIT"])
def test_shutdown_signals_mid_step_lose_nothing(site: Site, tmp_path: Path, how: str, record_property) -> None:
    (w1,) = site.workers_up("w1")
    out = tmp_path / "out"
    out.mkdir()
    handle = submit_job(slow_pipeline, run_config=_slow_config(out, 5.0), instance=site.instance)
    wait_for(lambda: "slow" in site.instance.storage.running_steps(handle.run_id), 60, "slow to start")
    time.sleep(1.0)
    signalled_at = time.time()
    if how == "SIGTERM":
        os.kill(w1.pid, signal.SIGTERM)  # Celery's warm shutdown: the running step finishes
    elif how == "SIGTERM to the group":
        w1.signal_group(signal.SIGTERM)  # as supervisord's stopasgroup and systemd do: the pool process dies too
    else:
        os.kill(w1.pid, signal.SIGTERM)
        time.sleep(1.0)
        os.kill(w1.pid, signal.SIGQUIT)  # cold shutdown: the running step is terminated
    site.workers_up("w2")
    result = handle.wait(timeout=90)
    ended = site.instance.storage.get_run(handle.run_id).ended_at or time.time()
    assert result.success, (site.instance.storage.get_run(handle.run_id).reason, site.logs())
    _assert_pipeline_outputs(result, out)
    starts = _start_times(result, "slow")
    if how == "SIGTERM":
        assert len(starts) == 1, "a warm shutdown lets the running step finish"
    else:
        assert len(starts) == 2, "the terminated step ran again"
        _report(record_property, f"{how}: signal -> second STEP_START", starts[1] - signalled_at)
    wait_for(lambda: not w1.alive(), 30, "the signalled worker to exit")
    _report(record_property, f"{how}: signal -> run end", ended - signalled_at)


# -- poison steps ----------------------------------------------------------------------------------

@op(config_schema={"dir": str, "how": str})
def end_process(context) -> int:
    with open(Path(context.op_config["dir"]) / "attempts.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    if context.op_config["how"] == "os._exit":
        os._exit(1)
    raise SystemExit(1)


@op
def after_end(x: int) -> int:
    return x + 1


@job
def poison_job():
    after_end(end_process())


@pytest.mark.parametrize("how", ["os._exit", "SystemExit"])
def test_an_op_that_ends_its_worker_process_fails_the_run_naming_the_cause(site: Site, tmp_path: Path, how: str,
                                                                            record_property) -> None:
    site.workers_up("w1")
    out = tmp_path / "out"
    out.mkdir()
    started = time.time()
    config = {"ops": {"end_process": {"config": {"dir": str(out), "how": how}}}}
    result = submit_job(poison_job, run_config=config, instance=site.instance).wait(timeout=120)
    elapsed = time.time() - started
    assert result.status is RunStatus.FAILURE, site.logs()
    assert elapsed < 120
    assert len(lines(out / "attempts.txt")) == 3, "three attempts, then the step fails without running again"
    assert result.get_failed_step_keys() == ["end_process"]
    assert result.is_node_skipped("after_end")
    error = result.failure_error
    assert error is not None and "its worker process died 3 times" in error.message, error
    assert error.message.count("exit code 1") == 3, error.message
    if how == "SystemExit":
        assert "SystemExit" in error.message
    info = site.instance.storage.get_run(result.run_id)
    assert info.started_at is not None, "the run was STARTED when its first step started"
    _report(record_property, f"poison ({how}): submit -> run failed", elapsed)


# -- a long step of a live worker, silent for longer than the heartbeat timeout --------------------

@op(config_schema={"dir": str, "seconds": float})
def hold_the_gil(context) -> int:
    with open(Path(context.op_config["dir"]) / "long.txt", "a") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(1.0)  # its start is written
    # libc sleep through ctypes.PyDLL keeps the GIL: the step's heartbeat thread cannot run, as with
    # a long computation in a C extension. Only the worker's main process says it is alive.
    ctypes.PyDLL(None).sleep(int(context.op_config["seconds"]))
    return 7


@job
def long_job():
    hold_the_gil()


def _send_copy(site: Site, run_id: str, step_key: str) -> None:
    """Publish another copy of a step, as a watchdog re-sending it would."""
    step = site.instance.storage.plan(run_id).by_key[step_key]
    enqueue_steps(app_for(site.server.url), "long_job", run_id, [step], "orch", resent=True)


def test_a_long_silent_step_of_a_live_worker_is_never_sent_twice(site: Site, tmp_path: Path) -> None:
    site.workers_up("w1", "w2")  # a second worker, idle: a second copy would run there
    out = tmp_path / "out"
    out.mkdir()
    seconds = HEARTBEAT_TIMEOUT + 8
    handle = submit_job(long_job, run_config={"ops": {"hold_the_gil": {"config": {"dir": str(out), "seconds": seconds}}}},
                        instance=site.instance)
    silence = 0.0
    copy_sent = False
    deadline = time.monotonic() + seconds + 30
    while handle.status() is not RunStatus.SUCCESS and time.monotonic() < deadline:
        who = site.instance.storage.running_steps(handle.run_id).get("hold_the_gil")
        if who:
            silence = max(silence, time.time() - float(who["hb"]))
        if silence > HEARTBEAT_TIMEOUT + 1 and not copy_sent:
            # A copy arriving while the step is silent but its worker runs it is dropped unrun.
            _send_copy(site, handle.run_id, "hold_the_gil")
            copy_sent = True
            wait_for(lambda: "step hold_the_gil is running on" in site.logs(), 20, "the copy to be dropped")
        time.sleep(0.5)
    result = handle.wait(timeout=30)
    assert result.success, (site.instance.storage.get_run(handle.run_id).reason, site.logs())
    assert result.output_for_node("hold_the_gil") == 7
    assert silence > HEARTBEAT_TIMEOUT and copy_sent, f"silent only {silence:.0f}s: the test proves nothing"
    # A copy of a finished step (here: of a finished run) is dropped too.
    _send_copy(site, handle.run_id, "hold_the_gil")
    wait_for(lambda: "not running step hold_the_gil" in site.logs() or "hold_the_gil is already finished" in site.logs(),
              20, "the late copy to be dropped")
    assert len(lines(out / "long.txt")) == 1, "the step ran once"
    assert len(_start_times(site.instance.storage.all_events(handle.run_id), "hold_the_gil")) == 1
    noted = [e.message for e in result.all_events if e.event_type is EventType.LOG]
    assert not [m for m in noted if "silent" in m or "back to its queue" in m or "again" in m], noted
    assert handle.status() is RunStatus.SUCCESS
    print(f"\n[recovery] long step: silent {silence:.0f}s (heartbeat timeout {HEARTBEAT_TIMEOUT:g}s), sent once")
