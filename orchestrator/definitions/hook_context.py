"""What a hook receives when it fires: the ``HookContext`` (and the node it follows).

Kept apart from the hook definitions so the step runner, which builds these contexts, does not
import ``hooks``: applying a hook to a job (``@my_hook`` over a job) makes ``hooks`` import
``jobs``, and ``jobs`` launches runs through the execution layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.definitions.resources import Resources

if TYPE_CHECKING:
    from orchestrator.definitions.hooks import HookDefinition

__all__ = ["HookContext", "HookNode", "build_hook_context"]


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
    return HookContext(op=op, op_exception=op_exception, run_id=run_id, job_name=job_name,
                       resources=Resources(dict(resources or {})))
