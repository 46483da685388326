"""Success and failure hooks: callbacks that run after a step, e.g. to alert or to clean up."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, overload

from orchestrator.definitions.hook_context import HookContext, build_hook_context

__all__ = ["HookContext", "HookDefinition", "success_hook", "failure_hook", "build_hook_context"]


class HookDefinition:
    """A callback fired after a step succeeds or fails. Attach to jobs (``hooks=``) or nodes (``with_hooks``)."""

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
    """Turn ``fn(context)`` into a hook that fires when a step succeeds."""
    return _make_hook("success", fn, name, required_resource_keys)


@overload
def failure_hook(fn: _HookFn) -> HookDefinition: ...


@overload
def failure_hook(fn: None = None, *, name: str | None = None,
                 required_resource_keys: set[str] | None = None) -> Callable[[_HookFn], HookDefinition]: ...


def failure_hook(fn: _HookFn | None = None, *, name: str | None = None,
                 required_resource_keys: set[str] | None = None) -> HookDefinition | Callable[[_HookFn], HookDefinition]:
    """Turn ``fn(context)`` into a hook that fires when a step fails."""
    return _make_hook("failure", fn, name, required_resource_keys)
