"""``orch scheduler start``: two scheduler processes at once against a real redis-server, with real
workers running what they submit.

- a sensor requesting one run key per file of a folder runs each file exactly once, also after
  both schedulers are stopped and one is started again; a new file then runs once;
- (slow) an every-minute schedule makes exactly one run per tick, tagged with its name and tick
  time; a schedule whose function raises records failed ticks (with the traceback) and does not
  stop the others; a scheduler SIGKILLed mid-tick, after it submitted the tick's first run, has
  its tick finished by the other scheduler without a second copy of that run.

The schedulers run on the product's defaults (no ORCH_* setting in their environment): the
30-second tick lease is what the killed scheduler's tick waits out.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestrator import Instance, RunStatus
from orchestrator.distributed.run_storage import RunInfo
from orchestrator.distributed.schedule_storage import SCHEDULE, SENSOR, ScheduleStorage
from orchestrator.distributed.scheduler.ticks import TickRecord, TickStatus
from orchestrator.local.processes import ManagedProcess
from tests.integration.conftest import ROOT, Cluster, dump_logs

FIXTURES = Path(__file__).resolve().parent / "scheduler_fixtures"
ORCH = str(Path(sys.executable).parent / "orch")


class Schedulers:
    """``orch scheduler start -f FILE`` processes started by a test, stopped by process group."""

    def __init__(self, cluster: Cluster, workdir: Path, code: Path, env: dict[str, str]) -> None:
        self.cluster = cluster
        self.workdir = workdir
        self.code = code
        self.env = env
        self.procs: list[ManagedProcess] = []

    def start(self) -> ManagedProcess:
        name = f"scheduler{len(self.procs) + 1}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ORCH_") and k != "REDIS_URL"}
        env.update(self.cluster.env, PYTHONUNBUFFERED="1", **self.env)
        proc = ManagedProcess(name, [ORCH, "scheduler", "start", "-f", str(self.code)],
                              self.workdir / f"{name}.log", env, ROOT)
        proc.start()
        self.procs.append(proc)
        wait_for(f"{name} to start", lambda: " on Redis at " in proc.log_text(), 60, self.logs)
        return proc

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log_text()[-4000:]}" for p in self.procs) + "\n" + dump_logs(self.cluster)

    def stop_all(self) -> None:
        for proc in self.procs:
            proc.stop(timeout=30)


@pytest.fixture
def schedulers(cluster: Cluster, tmp_path: Path) -> Iterator[Callable[..., Schedulers]]:
    made: list[Schedulers] = []

    def make(code: Path, **env: str) -> Schedulers:
        group = Schedulers(cluster, tmp_path, code, env)
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop_all()


def wait_for(what: str, check: Callable[[], bool], timeout: float, logs: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout}s\n{logs()}")


def runs_tagged(instance: Instance, key: str, value: str) -> list[RunInfo]:
    return [r for r in instance.storage.list_runs(limit=500) if r.record.tags.get(key) == value]


def ticks(instance: Instance, kind: str, name: str) -> list[TickRecord]:
    storage = ScheduleStorage(instance.redis)
    return [TickRecord.model_validate_json(raw) for raw in storage.ticks(kind, name, 200)]


def finished(runs: list[RunInfo]) -> bool:
    return all(r.status.is_finished for r in runs)


# -- sensors ------------------------------------------------------------------------------------


def test_folder_sensor_runs_each_file_exactly_once_across_two_schedulers_and_a_restart(
        cluster: Cluster, instance: Instance, schedulers: Callable[..., Schedulers], tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (folder / name).write_text(name)
    group = schedulers(FIXTURES / "folder_sensor_defs.py", FOLDER_SENSOR_DIR=str(folder))
    group.start()
    group.start()

    def sensor_runs() -> list[RunInfo]:
        return runs_tagged(instance, "dagster/sensor_name", "folder_sensor")

    wait_for("a run per file", lambda: len(sensor_runs()) >= 3 and finished(sensor_runs()), 60, group.logs)
    # Both schedulers keep evaluating the sensor every second; no key is requested twice.
    time.sleep(4)
    runs = sensor_runs()
    assert Counter(r.record.tags["dagster/run_key"] for r in runs) == {"a.csv": 1, "b.csv": 1, "c.csv": 1}, group.logs()
    for run in runs:
        assert run.status is RunStatus.SUCCESS, group.logs()
        assert instance.storage.get_run(run.run_id).record.run_config == {
            "ops": {"process_file": {"config": {"filename": run.record.tags["dagster/run_key"]}}}}
    history = ticks(instance, SENSOR, "folder_sensor")
    assert sum(len(t.run_ids) for t in history) == 3
    assert {t.scheduler for t in history} and all(t.status is not TickStatus.FAILURE for t in history)
    skipped = [t for t in history if t.status is TickStatus.SKIPPED]
    assert skipped and "requested already" in (skipped[0].skip_reason or "")
    assert sorted(skipped[0].skipped_run_keys) == ["a.csv", "b.csv", "c.csv"]

    # Both stop; one starts again: the keys stay requested.
    group.stop_all()
    seq_before = len(ticks(instance, SENSOR, "folder_sensor"))
    group.start()
    wait_for("the restarted scheduler to tick", lambda: len(ticks(instance, SENSOR, "folder_sensor")) >= seq_before + 3,
             30, group.logs)
    assert len(sensor_runs()) == 3, group.logs()

    (folder / "d.csv").write_text("d")
    wait_for("a run for the new file", lambda: len(sensor_runs()) == 4 and finished(sensor_runs()), 60, group.logs)
    time.sleep(3)
    runs = sensor_runs()
    assert Counter(r.record.tags["dagster/run_key"] for r in runs) == {
        "a.csv": 1, "b.csv": 1, "c.csv": 1, "d.csv": 1}, group.logs()
    assert all(r.status is RunStatus.SUCCESS for r in runs)


# -- schedules (slow: they tick on the minute) ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(280)
def test_every_minute_schedule_failing_schedule_and_a_scheduler_killed_mid_tick(
        cluster: Cluster, instance: Instance, schedulers: Callable[..., Schedulers]) -> None:
    group = schedulers(FIXTURES / "cron_defs.py")
    first = group.start()
    second = group.start()
    started = dt.datetime.now(dt.timezone.utc)
    storage = ScheduleStorage(instance.redis)

    def slow_runs() -> list[RunInfo]:
        return runs_tagged(instance, "dagster/schedule_name", "slow_schedule")

    # The first tick of slow_schedule: once its first run exists, kill whichever scheduler holds it.
    wait_for("slow_schedule's first run", lambda: len(slow_runs()) >= 1, 95, group.logs)
    owner = storage.state(SCHEDULE, "slow_schedule").lease_owner
    assert owner is not None, "the tick ended before the test could kill its scheduler\n" + group.logs()
    holder = next(p for p in (first, second) if f":{p.pid}:" in owner)
    survivor = second if holder is first else first
    holder.signal_group(signal.SIGKILL)
    killed_tick = slow_runs()[0].record.tags["dagster/scheduled_execution_time"]
    assert len([r for r in slow_runs() if r.record.tags["dagster/scheduled_execution_time"] == killed_tick]) == 1

    def tick_of(name: str, scheduled: str) -> list[TickRecord]:
        stamp = dt.datetime.fromisoformat(scheduled).timestamp()
        return [t for t in ticks(instance, SCHEDULE, name) if t.timestamp == stamp]

    # The survivor takes the tick over once the dead scheduler's 30 s lease has expired.
    wait_for("the killed tick to be finished by the other scheduler",
             lambda: any(t.status is TickStatus.SUCCESS for t in tick_of("slow_schedule", killed_tick)), 75, group.logs)
    assert survivor.alive()
    [record] = tick_of("slow_schedule", killed_tick)
    assert record.attempt >= 2 and record.scheduler in survivor.log_text(), record
    same_tick = [r for r in slow_runs() if r.record.tags["dagster/scheduled_execution_time"] == killed_tick]
    assert Counter(r.record.tags["dagster/run_key"] for r in same_tick) == {"first": 1, "second": 1}, group.logs()
    assert sorted(record.run_ids) == sorted(r.run_id for r in same_tick)

    # every_minute: one run per tick, through at least two ticks, across both schedulers.
    def minute_runs() -> list[RunInfo]:
        return runs_tagged(instance, "dagster/schedule_name", "every_minute")

    wait_for("two ticks of every_minute", lambda: len(minute_runs()) >= 2 and finished(minute_runs()), 90, group.logs)
    runs = minute_runs()
    per_tick = Counter(r.record.tags["dagster/scheduled_execution_time"] for r in runs)
    assert set(per_tick.values()) == {1}, per_tick
    for tick in per_tick:
        when = dt.datetime.fromisoformat(tick)
        assert when > started - dt.timedelta(minutes=1) and when.second == 0 and when.microsecond == 0, tick
    for run in runs:
        assert run.status is RunStatus.SUCCESS, group.logs()
        assert run.record.job_name == "minute_job"
    history = [t for t in ticks(instance, SCHEDULE, "every_minute") if t.status is TickStatus.SUCCESS]
    assert len(history) == len(per_tick)

    # broken_schedule failed at each of its ticks, with its traceback, and never submitted a run.
    failed = ticks(instance, SCHEDULE, "broken_schedule")
    assert failed and all(t.status is TickStatus.FAILURE for t in failed), failed
    assert "this schedule function fails on purpose" in (failed[0].error or "")
    assert "ValueError" in (failed[0].traceback or "") and "cron_defs.py" in (failed[0].traceback or "")
    assert not runs_tagged(instance, "dagster/schedule_name", "broken_schedule")
    assert len({t.timestamp for t in failed}) == len(failed), "a tick was evaluated twice"


def test_asset_sensor_and_run_failure_sensor_fire_on_what_the_workers_recorded(
        cluster: Cluster, instance: Instance, schedulers: Callable[..., Schedulers]) -> None:
    import importlib.util

    from orchestrator import submit_job

    code = FIXTURES / "feed_sensor_defs.py"
    group = schedulers(code)
    group.start()
    group.start()
    # A new run failure sensor watches runs that end from its first tick on.
    wait_for("the run failure sensor's first tick", lambda: bool(ticks(instance, SENSOR, "failing_job_failed")),
             30, group.logs)
    spec = importlib.util.spec_from_file_location("feed_sensor_defs_in_test", code)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    orders_run = submit_job(module.defs.get_job("orders_job"), instance=instance)
    assert orders_run.wait(timeout=60).success
    failed_run = submit_job(module.defs.get_job("failing_job"), instance=instance)
    assert not failed_run.wait(timeout=60).success

    def reports(tag: str, value: str) -> list[RunInfo]:
        return [r for r in runs_tagged(instance, tag, value) if r.record.job_name == "report_job"]

    wait_for("the asset sensor's run", lambda: len(reports("source", orders_run.run_id)) == 1, 30, group.logs)
    wait_for("the failure sensor's run", lambda: len(reports("failed", failed_run.run_id)) == 1, 30, group.logs)
    time.sleep(3)  # more ticks of both sensors: nothing new
    [from_asset] = reports("source", orders_run.run_id)
    [from_failure] = reports("failed", failed_run.run_id)
    assert from_asset.record.tags["dagster/sensor_name"] == "orders_updated"
    assert int(from_asset.record.tags["storage_id"]) >= 1
    assert from_failure.record.tags["dagster/sensor_name"] == "failing_job_failed"
    assert from_failure.record.tags["steps"] == "explode"
    assert len([r for r in instance.storage.list_runs(job_name="report_job", limit=100)
                if r.record.tags.get("dagster/sensor_name") in ("orders_updated", "failing_job_failed")]) == 2
    for run in (from_asset, from_failure):
        assert instance.storage.get_run(run.run_id).status is not RunStatus.FAILURE
    asset_ticks = ticks(instance, SENSOR, "orders_updated")
    assert any("No new materialization" in (t.skip_reason or "") for t in asset_ticks)
    assert int(instance.storage.get_run(from_asset.run_id).record.tags["storage_id"]) == int(
        ScheduleStorage(instance.redis).state(SENSOR, "orders_updated").cursor or 0)


def test_the_orch_dev_environment_runs_a_scheduler_for_its_code(cluster: Cluster, instance: Instance,
                                                                tmp_path: Path) -> None:
    from orchestrator.local.dev import DevEnvironment
    from tests.integration.conftest import SECRET

    folder = tmp_path / "dev_incoming"
    folder.mkdir()
    (folder / "from_dev.csv").write_text("x")
    # No workers of its own: the cluster's workers run what its scheduler submits.
    dev = DevEnvironment(home=cluster.home, workers=0, flower=False, redis_url=cluster.server.url, secret=SECRET,
                         cwd=ROOT, write_dev_file=False, env={"FOLDER_SENSOR_DIR": str(folder)},
                         scheduler=["-f", str(FIXTURES / "folder_sensor_defs.py")])
    with dev:
        assert dev.scheduler is not None and dev.scheduler in dev.processes
        assert any(line.startswith("Scheduler: orch scheduler start -f ") for line in dev.describe())

        def from_dev() -> list[RunInfo]:
            return runs_tagged(instance, "dagster/run_key", "from_dev.csv")

        wait_for("the dev scheduler's run", lambda: len(from_dev()) == 1 and finished(from_dev()), 60,
                 lambda: dev.scheduler.log_text() if dev.scheduler else "")
        scheduler = dev.scheduler
    assert from_dev()[0].status is RunStatus.SUCCESS
    assert not scheduler.alive()
