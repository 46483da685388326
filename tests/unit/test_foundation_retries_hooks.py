"""Foundation tests for retry policies and success/failure hooks."""

from __future__ import annotations

import pytest

from orchestrator import (
    EventType,
    HookContext,
    RetryPolicy,
    failure_hook,
    graph,
    job,
    op,
    success_hook,
)


class Flaky(Exception):
    pass


# -- retries ------------------------------------------------------------------------------------

def test_retry_policy_retries_until_success():
    attempts = []

    @op(retry_policy=RetryPolicy(max_retries=2))
    def flaky(context) -> str:
        attempts.append(context.retry_number)
        if context.retry_number < 2:
            raise Flaky(f"attempt {context.retry_number}")
        return "ok"

    @job
    def j():
        flaky()

    result = j.execute_in_process()
    assert result.success
    assert attempts == [0, 1, 2]
    assert result.output_for_node("flaky") == "ok"
    retries = [e for e in result.all_events if e.event_type is EventType.STEP_RETRY]
    assert len(retries) == 2
    assert all(e.step_key == "flaky" for e in retries)
    assert retries[0].error.cls_name == "Flaky"
    assert result.get_step_failure_events() == []
    assert len(result.get_step_success_events()) == 1
    assert result.is_node_success("flaky")


def test_retry_policy_exhausted_fails_run():
    attempts = []

    @op(retry_policy=RetryPolicy(max_retries=2))
    def always_fails(context) -> int:
        attempts.append(context.retry_number)
        raise Flaky("never works")

    @op
    def downstream(x: int) -> int:
        return x

    @job
    def j():
        downstream(always_fails())

    result = j.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert attempts == [0, 1, 2]
    retries = [e for e in result.all_events if e.event_type is EventType.STEP_RETRY]
    assert len(retries) == 2
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "always_fails"
    assert failure.error.cls_name == "Flaky"
    assert result.is_node_skipped("downstream")


def test_retry_policy_exhausted_raises_op_exception():
    attempts = []

    @op(retry_policy=RetryPolicy(max_retries=1))
    def always_fails(context) -> int:
        attempts.append(context.retry_number)
        raise Flaky("still broken")

    @job
    def j():
        always_fails()

    with pytest.raises(Flaky, match="still broken"):
        j.execute_in_process()
    assert attempts == [0, 1]


def test_job_level_op_retry_policy():
    attempts = []

    @op
    def flaky(context) -> int:
        attempts.append(context.retry_number)
        if context.retry_number == 0:
            raise Flaky("first")
        return 1

    @job(op_retry_policy=RetryPolicy(max_retries=1))
    def j():
        flaky()

    assert j.execute_in_process().success
    assert attempts == [0, 1]


def test_node_level_retry_policy():
    attempts = []

    @op
    def flaky(context) -> int:
        attempts.append(context.retry_number)
        if context.retry_number < 3:
            raise Flaky("again")
        return 1

    @job
    def j():
        flaky.with_retry_policy(RetryPolicy(max_retries=3))()

    assert j.execute_in_process().success
    assert attempts == [0, 1, 2, 3]


def test_no_retry_policy_means_one_attempt():
    attempts = []

    @op
    def fails(context) -> int:
        attempts.append(context.retry_number)
        raise Flaky("x")

    @job
    def j():
        fails()

    result = j.execute_in_process(raise_on_error=False)
    assert attempts == [0]
    assert not [e for e in result.all_events if e.event_type is EventType.STEP_RETRY]


# -- hooks --------------------------------------------------------------------------------------

@op
def good() -> int:
    return 1


@op
def bad(x: int) -> int:
    raise Flaky("hook me")


def test_job_level_hooks_fire_once_per_step_with_op_name():
    calls = []

    @success_hook
    def on_ok(context: HookContext):
        calls.append(("ok", context.op.name, context.op_exception))

    @failure_hook
    def on_fail(context: HookContext):
        calls.append(("fail", context.op.name, type(context.op_exception).__name__,
                      str(context.op_exception)))

    @job(hooks={on_ok, on_fail})
    def j():
        bad(good())

    result = j.execute_in_process(raise_on_error=False)
    assert not result.success
    assert sorted(calls, key=repr) == sorted([
        ("ok", "good", None),
        ("fail", "bad", "Flaky", "hook me"),
    ], key=repr)
    completed = [e for e in result.all_events if e.event_type is EventType.HOOK_COMPLETED]
    assert sorted(e.step_key for e in completed) == ["bad", "good"]


def test_node_level_hooks_fire_only_for_that_node():
    calls = []

    @success_hook
    def on_ok(context):
        calls.append(("ok", context.op.name, context.step_key))

    @failure_hook
    def on_fail(context):
        calls.append(("fail", context.op.name, context.step_key, context.op_exception))

    @op
    def other(x: int) -> int:
        return x

    @job
    def j():
        one = good.with_hooks({on_ok, on_fail})()
        other(one)
        bad.with_hooks({on_ok, on_fail})(one)

    result = j.execute_in_process(raise_on_error=False)
    assert result.is_node_success("other")
    assert len(calls) == 2
    assert ("ok", "good", "good") in calls
    [fail] = [c for c in calls if c[0] == "fail"]
    assert fail[1] == "bad" and fail[2] == "bad"
    assert isinstance(fail[3], Flaky) and str(fail[3]) == "hook me"


def test_failure_hook_fires_once_after_retries():
    calls = []

    @failure_hook
    def on_fail(context):
        calls.append(context.op.name)

    @op(retry_policy=RetryPolicy(max_retries=2))
    def always_fails() -> int:
        raise Flaky("x")

    @job(hooks={on_fail})
    def j():
        always_fails()

    j.execute_in_process(raise_on_error=False)
    assert calls == ["always_fails"]


def test_success_hook_not_fired_for_skipped_step():
    calls = []

    @success_hook
    def on_ok(context):
        calls.append(context.op.name)

    @op
    def after(x: int) -> int:
        return x

    @job(hooks={on_ok})
    def j():
        after(bad(good()))

    j.execute_in_process(raise_on_error=False)
    assert calls == ["good"]


def test_hooks_on_graph_node_apply_to_its_ops():
    calls = []

    @success_hook
    def on_ok(context):
        calls.append(context.step_key)

    @op
    def inc(x: int) -> int:
        return x + 1

    @graph
    def g():
        return inc(good())

    @job
    def j():
        g.with_hooks({on_ok})()
        good()

    assert j.execute_in_process().success
    assert sorted(calls) == ["g.good", "g.inc"]


def test_hook_on_aliased_node_reports_node_name():
    calls = []

    @success_hook
    def on_ok(context):
        calls.append((context.op.name, context.step_key))

    @job
    def j():
        good.alias("renamed").with_hooks({on_ok})()

    assert j.execute_in_process().success
    # Dagster: HookContext.op is the node, whose name is the alias
    assert calls == [("renamed", "renamed")]


def test_broken_hook_does_not_change_step_outcome():
    @success_hook
    def broken(context):
        raise RuntimeError("hook broke")

    @job(hooks={broken})
    def j():
        good()

    result = j.execute_in_process()
    assert result.success
    assert result.output_for_node("good") == 1
    errored = [e for e in result.all_events if e.event_type is EventType.HOOK_ERRORED]
    assert len(errored) == 1 and "hook broke" in errored[0].message


def test_hook_decorator_requires_one_parameter():
    from orchestrator import DefinitionError

    with pytest.raises(DefinitionError):
        @success_hook
        def two_params(a, b):
            pass
