"""Success and failure hooks: callbacks that run after a step, e.g. to alert or to clean up."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, overload

from orchestrator.definitions.hook_context import HookContext, build_hook_context

__all__ = ["HookContext", "HookDefinition", "success_hook", "failure_hook", "build_hook_context"]


class HookDefinition:
    """A callback fired after a step succeeds or fails, e.g. to alert or to clean up.

    ``@success_hook`` and ``@failure_hook`` build one. Attach it to a job (``@job(hooks={...})``,
    ``job.with_hooks(...)``, or ``@my_hook`` over a job definition) to fire for every op, or to
    one node in a body (``my_op.with_hooks({my_hook})()``). A success hook fires once the step
    has stored its outputs; a failure hook once the step has failed for good (not before each
    retry). What the hook raises is recorded as a HOOK_ERRORED event and does not change the
    step's outcome. Calling the definition with a ``HookContext`` calls the function.

    Args:
        name: The hook's name, shown in its HOOK_COMPLETED and HOOK_ERRORED events.
        hook_fn: The function, called with the ``HookContext``.
        kind: ``"success"`` or ``"failure"``: which outcome of a step fires it.
        required_resource_keys: The resources it reads from ``context.resources``; a job using
            it must define them. Defaults to none.

    Examples:
        >>> from orchestrator import HookDefinition, job, op
        >>> def _shout(context):
        ...     print(f"{context.op.name} done")
        >>> shout = HookDefinition(name="shout", hook_fn=_shout, kind="success")
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @shout
        ... @job
        ... def shouting():
        ...     one()
        >>> shouting.execute_in_process().success
        one done
        True
    """

    def __init__(self, name: str, hook_fn: Callable[[HookContext], Any], kind: Literal["success", "failure"],
                 required_resource_keys: set[str] | frozenset[str] | None = None) -> None:
        self.name = name
        self.hook_fn = hook_fn
        self.kind = kind
        self.required_resource_keys = frozenset(required_resource_keys or ())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Used as a decorator on a job, Dagster-style: @my_hook applied to a JobDefinition.
        from orchestrator.definitions.jobs import JobDefinition

        if len(args) == 1 and isinstance(args[0], JobDefinition) and not kwargs:
            return args[0].with_hooks({self})
        return self.hook_fn(*args, **kwargs)

    def fires_on(self, success: bool) -> bool:
        return (self.kind == "success") == success

    def __repr__(self) -> str:
        return f"<{self.kind}_hook {self.name}>"


_HookFn = Callable[[HookContext], Any]


def _make_hook(kind: Literal["success", "failure"], fn: _HookFn | None, name: str | None,
               required_resource_keys: set[str] | None) -> HookDefinition | Callable[[_HookFn], HookDefinition]:
    """What ``@success_hook`` and ``@failure_hook`` share: bare or called, one-parameter check."""

    def wrap(f: _HookFn) -> HookDefinition:
        if len(inspect.signature(f).parameters) != 1:
            from orchestrator.errors import DefinitionError

            raise DefinitionError(f"Hook '{f.__name__}' must take exactly one parameter, the HookContext.")
        return HookDefinition(name or f.__name__, f, kind, required_resource_keys)

    if fn is not None:
        return wrap(fn)
    return wrap


@overload
def success_hook(fn: _HookFn) -> HookDefinition: ...


@overload
def success_hook(fn: None = None, *, name: str | None = None,
                 required_resource_keys: set[str] | None = None) -> Callable[[_HookFn], HookDefinition]: ...


def success_hook(fn: _HookFn | None = None, *, name: str | None = None,
                 required_resource_keys: set[str] | None = None) -> HookDefinition | Callable[[_HookFn], HookDefinition]:
    """Turn ``fn(context)`` into a hook that fires after a step succeeds.

    The hook runs in the step's process once the op's outputs are stored, with a ``HookContext``
    (``context.op``, ``context.job_name``, ``context.resources``...). What it raises is recorded
    as a HOOK_ERRORED event; the step stays a success.

    Args:
        fn: The function, when used bare (``@success_hook``); it takes one parameter, the
            ``HookContext``. Defaults to None (``@success_hook(...)``).
        name: The hook's name. Defaults to the function's name.
        required_resource_keys: The resources it reads from ``context.resources``. Defaults to none.

    Returns:
        The ``HookDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when the function does not take exactly one parameter.

    Examples:
        >>> from orchestrator import job, op, success_hook
        >>> @success_hook
        ... def announce(context):
        ...     print(f"{context.op.name} succeeded in {context.job_name}")
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(hooks={announce})
        ... def announced():
        ...     one()
        >>> announced.execute_in_process().success
        one succeeded in announced
        True
    """
    return _make_hook("success", fn, name, required_resource_keys)


@overload
def failure_hook(fn: _HookFn) -> HookDefinition: ...


@overload
def failure_hook(fn: None = None, *, name: str | None = None,
                 required_resource_keys: set[str] | None = None) -> Callable[[_HookFn], HookDefinition]: ...


def failure_hook(fn: _HookFn | None = None, *, name: str | None = None,
                 required_resource_keys: set[str] | None = None) -> HookDefinition | Callable[[_HookFn], HookDefinition]:
    """Turn ``fn(context)`` into a hook that fires after a step fails.

    The hook runs once the step has failed for good (after its last retry), with a
    ``HookContext`` whose ``op_exception`` is what the op raised. What the hook raises is
    recorded as a HOOK_ERRORED event; the step's failure stands.

    Args:
        fn: The function, when used bare (``@failure_hook``); it takes one parameter, the
            ``HookContext``. Defaults to None (``@failure_hook(...)``).
        name: The hook's name. Defaults to the function's name.
        required_resource_keys: The resources it reads from ``context.resources``. Defaults to none.

    Returns:
        The ``HookDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when the function does not take exactly one parameter.

    Examples:
        >>> from orchestrator import failure_hook, job, op
        >>> @failure_hook
        ... def report(context):
        ...     print(f"{context.op.name} failed: {context.op_exception!r}")
        >>> @op
        ... def boom():
        ...     raise ValueError("no data")
        >>> @job(hooks={report})
        ... def failing():
        ...     boom()
        >>> failing.execute_in_process(raise_on_error=False).success
        boom failed: ValueError('no data')
        False
    """
    return _make_hook("failure", fn, name, required_resource_keys)
