"""Dagster types, events and input_values on real Celery workers over a real redis-server: a type
check failing on a worker fails the step with DagsterTypeCheckDidNotPass, what ops report
(expectations, observations, materializations with metadata) reads back from the distributed
result as in process, and ``orch job submit -m definitions -j do_stuff --wait`` runs on workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator import (
    AssetMaterialization,
    AssetObservation,
    DagsterType,
    ExpectationResult,
    In,
    Instance,
    MetadataValue,
    Out,
    Output,
    RunStatus,
    graph,
    job,
    op,
    submit_job,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

EvenType = DagsterType(lambda _ctx, v: isinstance(v, int) and v % 2 == 0, name="EvenType")


@op
def three() -> int:
    return 3


@op(ins={"n": In(EvenType)}, out=Out(EvenType))
def keep_even(n):
    return n


@job
def odd_into_even():
    keep_even(three())


@op
def report(context) -> Output[int]:
    context.log_event(ExpectationResult(success=True, label="rows", metadata={"rows": 3}))
    context.log_event(AssetObservation(asset_key="upstream", metadata={"age": 1.5}))
    yield AssetMaterialization(asset_key=["warehouse", "t"], metadata={"url": MetadataValue.url("http://x")})
    yield Output(3, metadata={"source": "report"})


@job
def reporting():
    report()


@op
def triple(x: int) -> int:
    return 3 * x


@graph
def tripling(x):
    triple(x)


tripling_job = tripling.to_job(name="tripling_job", input_values={"x": 14})


def test_type_check_failing_on_a_worker_fails_the_step(instance: Instance) -> None:
    result = submit_job(odd_into_even, instance=instance).wait(timeout=60)
    assert not result.success and result.status is RunStatus.FAILURE
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "keep_even"
    assert failure.error is not None and failure.error.cls_name == "DagsterTypeCheckDidNotPass"
    assert "input 'n'" in failure.error.message and "EvenType" in failure.error.message
    assert result.is_node_success("three") and result.is_node_failed("keep_even")


def test_reported_events_read_back_from_the_distributed_result(instance: Instance) -> None:
    result = submit_job(reporting, instance=instance).wait(timeout=60)
    assert result.success
    [expectation] = result.expectation_results_for_node("report")
    assert expectation.label == "rows" and expectation.metadata["rows"] == MetadataValue.int(3)
    [observation] = result.asset_observations_for_node("report")
    assert observation.asset_key.path == ("upstream",) and observation.metadata["age"].value == 1.5
    [materialization] = result.asset_materializations_for_node("report")
    assert materialization.asset_key.path == ("warehouse", "t")
    assert materialization.metadata["url"] == MetadataValue.url("http://x")
    [event] = result.get_asset_materialization_events()
    assert event.materialization.asset_key.path == ("warehouse", "t")
    assert result.output_for_node("report") == 3


def test_job_input_values_reach_the_worker(instance: Instance) -> None:
    result = submit_job(tripling_job, instance=instance).wait(timeout=60)
    assert result.success and result.output_for_node("triple") == 42


def test_orch_job_submit_from_the_definitions_package(instance: Instance) -> None:
    orch = str(Path(sys.executable).parent / "orch")
    proc = subprocess.run([orch, "job", "submit", "-m", "definitions", "-j", "do_stuff", "--wait", "--timeout", "60"],
                          cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "succeeded" in proc.stdout, proc.stdout
    [latest] = instance.storage.list_runs(job_name="do_stuff", limit=1)
    assert latest.status is RunStatus.SUCCESS
    record = latest.record
    assert (record.code.module, record.code.attr) == ("definitions", "defs")  # found through the defs convention
