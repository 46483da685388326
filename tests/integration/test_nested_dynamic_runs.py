"""Nested dynamic mapping on real Celery workers over a real redis-server: a nested mapped step
fails, the run fails with only its outer element's collect and the total skipped, and
re-execution from failure re-runs the whole nested group (the Redis store's counting is the same
as for one level). The outcomes of every nested shape are in the scheduling table
(``tests/scheduling_scenarios.py``); this is what a user does after one fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator import (
    DynamicOut,
    DynamicOutput,
    Instance,
    OpExecutionContext,
    RunStatus,
    job,
    op,
    reexecute,
    submit_job,
)
from tests.integration.conftest import Cluster, dump_logs

pytestmark = pytest.mark.integration


@op(out=DynamicOut(int))
def groups():
    yield DynamicOutput(2, mapping_key="a")
    yield DynamicOutput(1, mapping_key="b")


@op(out=DynamicOut(int))
def items(x: int):
    for i in range(x):
        yield DynamicOutput(10 * x + i, mapping_key=f"k{i}")


@op(config_schema={"dir": str})
def check(context: OpExecutionContext, y: int) -> int:
    directory = Path(context.op_config["dir"])
    key = context.get_mapping_key()
    if key == "a,k1" and (directory / "fail.flag").exists():
        raise RuntimeError(f"flag file present for {key}")
    with open(directory / "ran.txt", "a") as f:
        f.write(f"{key}\n")
    return y


@op
def per_group(values: list[int]) -> int:
    return sum(values)


@op
def total(values: list[int]) -> int:
    return sum(values)


@job
def nested_checks():
    def for_each(x):
        return per_group(items(x).map(check).collect())

    total(groups().map(for_each).collect())


def _outcomes(result) -> dict[str, str]:
    terminal = {"STEP_SUCCESS": "success", "STEP_FAILURE": "failure", "STEP_SKIPPED": "skipped"}
    return {e.step_key: terminal[e.event_type.value] for e in result.all_events
            if e.step_key and e.event_type.value in terminal}


def test_a_failed_nested_step_is_re_executed_with_its_whole_group(instance: Instance, cluster: Cluster,
                                                                   tmp_path: Path) -> None:
    (tmp_path / "fail.flag").write_text("1")
    config = {"ops": {"check": {"config": {"dir": str(tmp_path)}}}}
    first = submit_job(nested_checks, run_config=config, instance=instance).wait(90)
    assert first.status is RunStatus.FAILURE, dump_logs(cluster)
    assert _outcomes(first) == {
        "groups": "success", "items[a]": "success", "items[b]": "success",
        "check[a,k0]": "success", "check[a,k1]": "failure", "check[b,k0]": "success",
        "per_group[a]": "skipped", "per_group[b]": "success", "total": "skipped",
    }
    assert first.output_for_node("per_group") == {"b": 10}
    (tmp_path / "fail.flag").unlink()
    second = reexecute(first.run_id, from_failure=True, instance=instance).wait(90)
    assert second.success, dump_logs(cluster)
    assert second.output_for_node("total") == 20 + 21 + 10
    assert second.output_for_node("check") == {"a,k0": 20, "a,k1": 21, "b,k0": 10}
    # The whole group ran again (its dynamic outputs are re-yielded), each nested step once.
    assert sorted(k for k, v in _outcomes(second).items() if v == "success") == [
        "check[a,k0]", "check[a,k1]", "check[b,k0]", "groups", "items[a]", "items[b]",
        "per_group[a]", "per_group[b]", "total"]
    assert sorted((tmp_path / "ran.txt").read_text().split()) == ["a,k0", "a,k0", "a,k1", "b,k0", "b,k0"]
