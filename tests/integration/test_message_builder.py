"""The messages a completion pushes (``MessageBuilder``) are those ``send_task`` would publish.

Compared on a real redis-server (a kombu Redis channel connects when it is created): the same
steps through ``dispatch.step_messages`` (the builder) and through ``send_task`` with a capturing
channel, payload for payload, with only the random delivery tag differing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from celery import signals

from orchestrator import job, op
from orchestrator.distributed import dispatch
from orchestrator.distributed.message_builder import builder_for
from orchestrator.local.processes import RedisServer
from orchestrator.plan.planner import build_plan


@op
def source() -> int:
    return 1


@op(tags={"celery/priority": 7})
def urgent(x: int) -> int:
    return x


@op(tags={"celery/queue": "gpu"})
def on_gpu(x: int) -> int:
    return x


@op(tags={"dagster-celery/queue": "gpu", "dagster-celery/priority": -2})
def both(x: int) -> int:
    return x


@job
def routed() -> None:
    x = source()
    urgent(x)
    on_gpu(x)
    both(x)


@pytest.fixture
def app(redis_server: RedisServer) -> Iterator[Any]:
    app = dispatch.make_app(redis_server.url)
    yield app
    app.close()


def _decoded(payload: str) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(payload)
    message["properties"].pop("delivery_tag")
    return message


def _steps() -> list[Any]:
    return list(build_plan(routed).steps)


def test_builder_matches_send_task_message_for_message(app: Any) -> None:
    steps = _steps()
    assert builder_for(app) is not None and builder_for(app).usable()  # type: ignore[union-attr]
    built = dispatch.step_messages(app, "routed", "run-1", steps, "orch")
    sent = dispatch._captured_messages(app, "routed", "run-1", steps, "orch")
    assert sorted(built) == sorted(sent) == sorted(s.key for s in steps)
    for key in built:
        (built_list, built_payload), (sent_list, sent_payload) = built[key], sent[key]
        assert built_list == sent_list
        assert _decoded(built_payload) == _decoded(sent_payload), key
    # The routing the tags ask for: queue and kombu's priority list (a higher tag runs first).
    assert built["source"][0] == "orch"
    assert built["urgent"][0] == "orch"  # kombu's priority 0, taken first
    assert _decoded(built["urgent"][1])["properties"]["priority"] == 0
    assert _decoded(built["source"][1])["properties"]["priority"] == 0
    assert built["on_gpu"][0] == "gpu"
    assert built["both"][0] == "gpu:7"  # tag -2: after the default (5)
    body = json.loads(_decoded(built["urgent"][1])["headers"]["kwargsrepr"].replace("'", '"'))
    assert body == {"run_id": "run-1", "step_key": "urgent", "attempt": 0}


def test_builder_names_the_running_step_as_parent(app: Any) -> None:
    """Sent from inside a task, as a completion is, the message names it as parent and its root."""
    from celery import Task
    from celery._state import _task_stack

    class Running(Task):
        name = "parent.step"

    task = Running()
    task.bind(app)
    task.push_request(id="parent-id", root_id="root-id", called_directly=False)
    _task_stack.push(task)
    try:
        steps = _steps()[:1]
        built = dispatch.step_messages(app, "routed", "run-2", steps, "orch")
        sent = dispatch._captured_messages(app, "routed", "run-2", steps, "orch")
    finally:
        _task_stack.pop()
        task.pop_request()
    headers = _decoded(built["source"][1])["headers"]
    assert (headers["parent_id"], headers["root_id"]) == ("parent-id", "root-id")
    assert _decoded(built["source"][1]) == _decoded(sent["source"][1])


def test_publish_signal_receivers_get_the_full_path(app: Any) -> None:
    """A user's ``before_task_publish`` handler still sees every step message."""
    seen: list[str] = []

    def receiver(sender: str | None = None, **_: Any) -> None:
        seen.append(str(sender))

    signals.before_task_publish.connect(receiver, weak=False)
    try:
        builder = builder_for(app)
        assert builder is not None and not builder.usable()
        built = dispatch.step_messages(app, "routed", "run-3", _steps(), "orch")
    finally:
        signals.before_task_publish.disconnect(receiver)
    assert sorted(seen) == sorted(f"routed.{k}" for k in built)
    assert builder_for(app).usable()  # type: ignore[union-attr]


def test_task_sent_events_take_the_full_path(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With task events on (Flower watching), Celery's send path also publishes ``task-sent``."""
    monkeypatch.setenv("ORCH_TASK_EVENTS", "1")
    builder = builder_for(app)
    assert builder is not None and not builder.usable()
    monkeypatch.delenv("ORCH_TASK_EVENTS")
    assert builder.usable()
