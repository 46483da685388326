"""Success and failure hooks: callbacks that run after a step, e.g. to alert or to clean up."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

__all__ = ["HookContext", "HookDefinition", "success_hook", "failure_hook", "build_hook_context"]


class HookNode:
    """The node a hook follows: ``name`` is the node's name in the job (its alias, if aliased)."""

    def __init__(self, path: str, definition: Any) -> None:
        self.path = path
        self.name = path.rsplit(".", 1)[-1]
        self.definition = definition

    def __getattr__(self, item: str) -> Any:
        return getattr(self.definition, item)

    def __repr__(self) -> str:
        return f"<node {self.path}>"


class HookContext:
    """What a hook receives: the op and step it follows, the run, resources, and the op's exception."""

    def __init__(self, *, hook_def: HookDefinition | None = None, op: Any = None, step_key: str | None = None,
                 run_id: str = "EPHEMERAL", job_name: str = "__ephemeral__", resources: Any = None,
                 op_config: Any = None, op_exception: BaseException | None = None,
                 op_output_values: dict[str, Any] | None = None, log: Any = None) -> None:
        self.hook_def = hook_def
        self.op = op
        self.step_key = step_key
        self.run_id = run_id
        self.job_name = job_name
        self.resources = resources
        self.op_config = op_config
        self.op_exception = op_exception
        self.op_output_values = dict(op_output_values or {})
        self.log = log

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.hook_def.required_resource_keys if self.hook_def else frozenset()


def build_hook_context(resources: dict[str, Any] | None = None, op: Any = None,
                       op_exception: BaseException | None = None, run_id: str = "EPHEMERAL",
                       job_name: str = "__ephemeral__") -> HookContext:
    """A ``HookContext`` for calling a hook directly in tests."""
    from orchestrator.definitions.resources import Resources

    return HookContext(op=op, op_exception=op_exception, run_id=run_id, job_name=job_name,
                       resources=Resources(dict(resources or {})))


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


def _hook_decorator(kind: Literal["success", "failure"]) -> Callable[..., Any]:
    def decorator(fn: Callable[[HookContext], Any] | None = None, *, name: str | None = None,
                  required_resource_keys: set[str] | None = None) -> Any:
        def wrap(f: Callable[[HookContext], Any]) -> HookDefinition:
            if len(inspect.signature(f).parameters) != 1:
                from orchestrator.errors import DefinitionError

                raise DefinitionError(f"Hook '{f.__name__}' must take exactly one parameter, the HookContext.")
            return HookDefinition(name or f.__name__, f, kind, required_resource_keys)

        if fn is not None:
            return wrap(fn)
        return wrap

    decorator.__doc__ = f"Turn ``fn(context)`` into a hook that fires when a step {'succeeds' if kind == 'success' else 'fails'}."
    return decorator


success_hook = _hook_decorator("success")
failure_hook = _hook_decorator("failure")
