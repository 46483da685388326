"""What a hook receives when it fires: the ``HookContext`` (and the node it follows).

Kept apart from the hook definitions so the step runner, which builds these contexts, does not
import ``hooks``: applying a hook to a job (``@my_hook`` over a job) makes ``hooks`` import
``jobs``, and ``jobs`` launches runs through the execution layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.definitions.resources import ResourceProvider, Resources, as_resource_definition

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
    """What a hook receives: the op and step it follows, the run, resources, and the op's exception.

    The step runner builds one each time a hook fires; build one for a test with
    ``build_hook_context``. ``context.op`` is the node the hook follows (``.name`` is its name
    in the job, its alias if aliased; the op definition's attributes read through it).
    ``op_output_values`` holds the values the op produced, keyed by output name (for a dynamic
    output, a dict of mapping key -> value), as in Dagster. Used as a context manager (``with
    build_hook_context(...) as context:``), it tears down the resources it built on exit.

    Args:
        hook_def: The hook being fired. Defaults to None (a context built for a test).
        op: The node the hook follows. Defaults to None.
        step_key: The key of the step the hook follows. Defaults to None.
        run_id: The run's id. Defaults to ``"EPHEMERAL"``.
        job_name: The job's name. Defaults to ``"__ephemeral__"``.
        resources: The resources the hook requires, as attributes. Defaults to None.
        op_config: The op's config in this run. Defaults to None.
        op_exception: What the op raised, for a failure hook. Defaults to None.
        op_output_values: The values the op produced, by output name (success hooks). Defaults
            to ``{}``.
        log: The step's log (``context.log.info(...)`` records a run event). Defaults to None.
        provider: What built ``resources``, torn down when the context is used as a context
            manager (``build_hook_context`` passes it). Defaults to None (nothing to tear down).

    Examples:
        >>> from orchestrator import HookContext, job, op, success_hook
        >>> @success_hook
        ... def show(context: HookContext):
        ...     print(context.op.name, context.step_key, context.op_config, context.op_output_values)
        >>> @op(config_schema={"n": int})
        ... def one(context) -> int:
        ...     return context.op_config["n"]
        >>> @job(hooks={show})
        ... def configured_job():
        ...     one()
        >>> configured_job.execute_in_process(run_config={"ops": {"one": {"config": {"n": 3}}}}).success
        one one {'n': 3} {'result': 3}
        True
    """

    def __init__(self, *, hook_def: HookDefinition | None = None, op: Any = None, step_key: str | None = None,
                 run_id: str = "EPHEMERAL", job_name: str = "__ephemeral__", resources: Any = None,
                 op_config: Any = None, op_exception: BaseException | None = None,
                 op_output_values: dict[str, Any] | None = None, log: Any = None,
                 provider: ResourceProvider | None = None) -> None:
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
        self._provider = provider

    def __enter__(self) -> HookContext:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._provider is not None:
            self._provider.teardown()

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.hook_def.required_resource_keys if self.hook_def else frozenset()


def build_hook_context(resources: dict[str, Any] | None = None, op: Any = None, run_id: str = "EPHEMERAL",
                       job_name: str = "__ephemeral__", op_exception: BaseException | None = None) -> HookContext:
    """A ``HookContext`` for calling a hook directly in tests: ``my_hook(build_hook_context(...))``.

    Resources may be definitions (``@resource``, configurable resources), built here as
    ``build_op_context`` builds them, or plain objects, given as they are. Use it as a context
    manager (``with build_hook_context(...) as context:``) to tear down generator resources
    afterwards.

    Args:
        resources: The hook's resources by key: definitions or plain objects. Defaults to none.
        op: The op (or node) the hook follows, as ``context.op``. Defaults to None.
        run_id: The run's id. Defaults to ``"EPHEMERAL"``.
        job_name: The job's name. Defaults to ``"__ephemeral__"``.
        op_exception: What the op raised, for testing a failure hook. Defaults to None.

    Returns:
        The ``HookContext``.

    Raises:
        DagsterResourceFunctionError: when a resource definition fails to initialize.

    Examples:
        >>> from orchestrator import build_hook_context, failure_hook, resource
        >>> @failure_hook(required_resource_keys={"alerts"})
        ... def alert(context):
        ...     context.resources.alerts.append(f"{context.job_name} failed: {context.op_exception}")
        >>> sent = []
        >>> context = build_hook_context(resources={"alerts": sent}, op_exception=ValueError("no data"),
        ...                              job_name="nightly")
        >>> alert(context)
        >>> sent
        ['nightly failed: no data']

        A resource definition is built, as in a run:

        >>> @resource(config_schema={"channel": str})
        ... def outbox(init_context):
        ...     return [init_context.resource_config["channel"]]
        >>> context = build_hook_context(resources={"alerts": outbox.configured({"channel": "#data"})},
        ...                              op_exception=ValueError("late"))
        >>> alert(context)
        >>> context.resources.alerts
        ['#data', '__ephemeral__ failed: late']
    """
    defs = {key: as_resource_definition(key, value) for key, value in (resources or {}).items()}
    provider = ResourceProvider(defs, run_id=run_id, configs_processed=False)
    built = Resources({key: provider.get(key) for key in defs})
    return HookContext(op=op, op_exception=op_exception, run_id=run_id, job_name=job_name,
                       resources=built, provider=provider)
