"""The rules of recovery that need no server: how a lost pool process is described, how many worker
deaths a step survives, which broker messages are step messages. The Lua side (claims, death
counts) runs against a real redis-server in ``tests/integration/test_recovery.py``."""

from __future__ import annotations

import json

import pytest
from billiard.exceptions import WorkerLostError

from orchestrator.distributed.broker_leases import RUN_HEADER, STEP_HEADER, Restored, _step_of, held_tags
from orchestrator.distributed.liveness import (
    HEARTBEAT_INTERVAL,
    HEARTBEAT_TIMEOUT,
    MAX_WORKER_DEATHS,
    exit_cause,
    max_worker_deaths,
)


@pytest.mark.parametrize(("exc", "cause"), [
    (WorkerLostError("Worker exited prematurely: signal 9 (SIGKILL) Job: 3."), "signal 9 (SIGKILL)"),
    (WorkerLostError("Worker exited prematurely: exitcode 1 Job: 0."), "exit code 1"),
    (WorkerLostError("Worker exited prematurely: signal 15 (SIGTERM) Job: 1."), "signal 15 (SIGTERM)"),
    (SystemExit(2), "exit code 2 (SystemExit)"),
    (SystemExit(None), "exit code 0 (SystemExit)"),
    (SystemExit("bye"), "exit code 1 (SystemExit)"),
    (KeyboardInterrupt(), "KeyboardInterrupt"),
    (WorkerLostError("Worker exited prematurely: KeyboardInterrupt."), "KeyboardInterrupt"),
    (WorkerLostError(""), "WorkerLostError"),
])
def test_exit_cause_names_the_signal_or_exit_code(exc: BaseException, cause: str) -> None:
    assert exit_cause(exc) == cause


def test_max_worker_deaths_comes_from_the_executor_config_else_the_default() -> None:
    assert MAX_WORKER_DEATHS == 3
    assert max_worker_deaths({}) == 3
    assert max_worker_deaths({"executor": "celery", "config": {"queue": "orch"}}) == 3
    assert max_worker_deaths({"config": {"max_worker_deaths": 5}}) == 5
    assert max_worker_deaths({"config": {"max_worker_deaths": 0}}) == 1, "at least one attempt"


def test_defaults_detect_a_death_within_thirty_seconds_after_three_missed_beats() -> None:
    assert HEARTBEAT_TIMEOUT <= 30 and HEARTBEAT_TIMEOUT >= 3 * HEARTBEAT_INTERVAL


def _unacked(headers: dict) -> bytes:
    return json.dumps([{"body": "e30=", "headers": headers, "properties": {}}, "orch", "orch"]).encode()


def test_only_step_messages_are_taken_back() -> None:
    step = _unacked({"id": "t-1", "task": "job.step", RUN_HEADER: "r-1", STEP_HEADER: "add_one"})
    assert _step_of(step) == Restored("r-1", "add_one", "t-1")
    assert _step_of(_unacked({"id": "t-2", "task": "other_app.task"})) is None
    assert _step_of(b"not json") is None
    assert _step_of(None) is None


def test_held_tags_reads_a_channel_without_creating_its_qos() -> None:
    class QoS:
        _delivered = {"tag-1": object(), "tag-2": object()}

    class Channel:
        _qos = QoS()

    assert held_tags(Channel()) == ["tag-1", "tag-2"]
    assert held_tags(object()) == []
