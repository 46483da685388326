"""Jobs: a graph bound to resources, config, hooks, tags and an executor, ready to run."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from orchestrator.definitions.dagster_types import type_resource_keys
from orchestrator.definitions.executor_definition import ExecutorDefinition
from orchestrator.definitions.graphs import GraphDefinition, build_graph_from_body
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.definitions.topology import Topology, flatten
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.resources import ResourceDefinition
    from orchestrator.events import RunEvent
    from orchestrator.execution.results import ExecuteInProcessResult

__all__ = ["JobDefinition", "job"]


class JobDefinition:
    """An executable graph: a graph bound to resources, config, hooks, tags and an executor.

    ``@job`` and ``GraphDefinition.to_job`` build one; run it with ``execute_in_process`` (here,
    step by step), ``execute_job`` (with its executor) or ``submit_job`` (on Celery workers,
    outliving the caller). Building one checks that every resource its ops, IO managers and hooks
    need is defined, so a missing one fails at definition time, not in a run.

    Args:
        graph_def: The graph the job runs.
        name: The job's name. Defaults to the graph's name.
        description: What the job does. Defaults to the graph's description.
        resource_defs: Resources by key: ``ResourceDefinition``, ``ConfigurableResource`` or
            plain objects. Defaults to ``{}``; ``io_manager`` defaults to ``mem_io_manager``.
        config: The job's config: a dict (or ``RunConfig``) of default run config that a run's
            own is merged over, a ``ConfigMapping``, or a ``PartitionedConfig``. Defaults to None.
        tags: String tags of the job; every run of it carries them. Defaults to ``{}``.
        metadata: Free-form metadata about the job, kept as ``job.metadata``. Defaults to ``{}``.
        executor_def: Where its steps run. Defaults to ``in_process_executor``, as in Dagster;
            ``execute_job`` and ``submit_job`` run a job that names none with ``celery_executor``.
        hooks: Success and failure hooks (``HookDefinition``) fired for every op of the job.
            Defaults to none.
        op_retry_policy: The retry policy of every op that has none of its own. Defaults to no retries.
        partitions_def: The job's partitions; a run then needs a ``partition_key``. Defaults to
            the partitions of a ``PartitionedConfig`` given as ``config``, else none.
        run_tags: More tags every run carries (over ``tags``). Defaults to ``{}``.
        logger_defs: Dagster's loggers by name; kept as ``job.logger_defs``, not used: op logs
            are run events and Python log records. Defaults to ``{}``.
        input_values: Values of the graph's own inputs. Defaults to ``{}``.
        asset_layer: Which op outputs are assets and checks; set by ``define_asset_job`` and
            ``materialize``, not by users. Defaults to None.

    Raises:
        DefinitionError: when an op, IO manager, hook or resource needs a resource the job does
            not define, or ``input_values`` names no input of the graph.

    Examples:
        >>> from orchestrator import JobDefinition, graph, op
        >>> @op
        ... def greet(context) -> str:
        ...     return f"hello from {context.run.tags['team']}"
        >>> @graph
        ... def greeting():
        ...     greet()
        >>> greeting_job = JobDefinition(graph_def=greeting, name="greeting_job", tags={"team": "data"})
        >>> greeting_job.execute_in_process().output_for_node("greet")
        'hello from data'
    """

    def __init__(
        self,
        graph_def: GraphDefinition,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        executor_def: ExecutorDefinition | None = None,
        hooks: Any = None,
        op_retry_policy: RetryPolicy | None = None,
        partitions_def: Any = None,
        run_tags: Mapping[str, Any] | None = None,
        logger_defs: Mapping[str, Any] | None = None,
        input_values: Mapping[str, Any] | None = None,
        asset_layer: Any = None,
        _add_resource_hint: str | None = None,
    ) -> None:
        from orchestrator.definitions.io_managers.mem import mem_io_manager
        from orchestrator.definitions.partitions import PartitionedConfig
        from orchestrator.definitions.resources import as_resource_definition

        self.graph_def = graph_def
        self.name = name or graph_def.name
        self.description = description or graph_def.description
        self.config = config
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.run_tags = {str(k): str(v) for k, v in (run_tags or {}).items()}
        self.metadata = dict(metadata or {})
        # None means "the default": the launcher decides (in process here, celery for submit_job).
        self._executor_def = executor_def
        self.hook_defs = frozenset(hooks or ())
        self.op_retry_policy = op_retry_policy
        self.logger_defs = dict(logger_defs or {})
        self.input_values = dict(input_values or {})
        # Which op outputs are assets and checks (asset jobs; see definitions/asset_layer.py).
        self.asset_layer = asset_layer
        # How the user gives this job a missing resource, with ``{key}`` for its key: jobs built for
        # ``materialize`` take ``resources=``, not ``resource_defs=``.
        self._add_resource_hint = _add_resource_hint or "Add resource_defs={{'{key}': ...}} to the job"
        unknown = sorted(set(self.input_values) - set(graph_def.input_names))
        if unknown:
            raise DefinitionError(
                f"Job '{name or graph_def.name}' got input_values for {unknown}, which are not inputs of graph "
                f"'{graph_def.name}' (inputs: {', '.join(graph_def.input_names) or 'none'})."
            )
        if partitions_def is None and isinstance(config, PartitionedConfig):
            partitions_def = config.partitions_def
        self.partitions_def = partitions_def
        self._given_resources = dict(resource_defs or {})
        defs: dict[str, ResourceDefinition] = {k: as_resource_definition(k, v) for k, v in self._given_resources.items()}
        if "io_manager" not in defs:
            defs["io_manager"] = self._default_io_manager() or mem_io_manager
        self.resource_defs = defs
        self._check_resources()

    def _default_io_manager(self) -> ResourceDefinition | None:
        return None

    @property
    def executor_def(self) -> ExecutorDefinition:
        """The job's executor: the one it was given, else ``in_process_executor`` (as in Dagster).

        ``execute_job`` and ``submit_job`` run a job that chose none with ``celery_executor``.
        """
        if self._executor_def is not None:
            return self._executor_def
        from orchestrator.definitions.built_in_executors import in_process_executor

        return in_process_executor

    @property
    def _executor_given(self) -> bool:
        """Whether the job chose its executor (else launchers may apply their own default)."""
        return self._executor_def is not None

    def with_shared_io_manager(self) -> JobDefinition:
        """This job as it runs when its steps run in separate processes, which share no memory:
        unless the job names its own ``io_manager``, outputs go through ``fs_io_manager``
        (under ``ORCH_HOME``), so a step in one process can load what another stored."""
        if "io_manager" in self._given_resources:
            return self
        # Made once per job: a copy checks every op's resources again (milliseconds for 100 ops),
        # and every submit and every worker's first step of a run asks for it.
        shared: JobDefinition | None = self.__dict__.get("_shared_io_job")
        if shared is None:
            from orchestrator.definitions.io_managers.fs import fs_io_manager

            shared = self.__dict__["_shared_io_job"] = self.with_resources({"io_manager": fs_io_manager})
        return shared

    @property
    def source_modules(self) -> list[str]:
        """Modules the job's definitions come from, where a worker may find it by name."""
        return [self.graph_def.source_module] if self.graph_def.source_module else []

    # -- structure ---------------------------------------------------------------------------
    @cached_property
    def topology(self) -> Topology:
        return flatten(self.graph_def)

    @property
    def graph(self) -> GraphDefinition:
        return self.graph_def

    @cached_property
    def direct_input_targets(self) -> dict[tuple[str, str], str]:
        """(op path, input name) -> the top-level graph input that feeds it, for ``input_values``."""
        targets: dict[tuple[str, str], str] = {}

        def walk(g: GraphDefinition, prefix: str, env: Mapping[str, str]) -> None:
            for node_name, bindings in g.bindings.items():
                node = g.nodes[node_name]
                inner: dict[str, str] = {}
                for input_name, binding in bindings.items():
                    src = binding.sources[0] if binding.kind == "direct" else None
                    if src is not None and src.node is None and src.name in env:
                        inner[input_name] = env[src.name]
                if isinstance(node.definition, GraphDefinition):
                    walk(node.definition, f"{prefix}{node_name}.", inner)
                else:
                    for input_name, graph_input in inner.items():
                        targets[(f"{prefix}{node_name}", input_name)] = graph_input

        walk(self.graph_def, "", {n: n for n in self.input_values})
        return targets

    @property
    def op_paths(self) -> list[str]:
        """Every op of the job by path, in dependency order."""
        return list(self.topology.ops)

    def _check_resources(self) -> None:
        topo = self.topology
        for path, flat in topo.ops.items():
            needs = {(k, "required_resource_keys") for k in flat.op_def.required_resource_keys}
            needs |= {(o.io_manager_key, f"io_manager_key of output '{n}'") for n, o in flat.op_def.outs.items()}
            for in_name, in_def in flat.op_def.ins.items():
                needs |= {(k, f"Dagster type of input '{in_name}'") for k in type_resource_keys(in_def.dagster_type)}
            for out_name, out_def in flat.op_def.outs.items():
                needs |= {(k, f"Dagster type of output '{out_name}'") for k in type_resource_keys(out_def.dagster_type)}
            for hook in [*flat.hook_defs, *self.hook_defs]:
                needs |= {(k, f"hook '{hook.name}'") for k in hook.required_resource_keys}
            for key, why in sorted(needs):
                if key not in self.resource_defs:
                    raise DefinitionError(
                        f"Op '{path}' in job '{self.name}' needs resource '{key}' ({why}), but the job "
                        f"defines no such resource. {self._add_resource_hint.format(key=key)} "
                        f"(defined: {', '.join(sorted(self.resource_defs))})."
                    )
        for key, definition in self.resource_defs.items():
            for dep in definition.required_resource_keys:
                if dep not in self.resource_defs:
                    raise DefinitionError(
                        f"Resource '{key}' of job '{self.name}' requires resource '{dep}', which the job does not define."
                    )

    def with_hooks(self, hook_defs: Any) -> JobDefinition:
        """A copy of this job with more job-level hooks."""
        return self._copy(hooks=self.hook_defs | frozenset(hook_defs))

    def with_resources(self, resource_defs: Mapping[str, Any]) -> JobDefinition:
        """A copy of this job with resources added or replaced."""
        return self._copy(resource_defs={**self._given_resources, **resource_defs})

    def _copy(self, **changes: Any) -> JobDefinition:
        values: dict[str, Any] = dict(
            graph_def=self.graph_def, name=self.name, description=self.description,
            resource_defs=self._given_resources, config=self.config, tags=self.tags, metadata=self.metadata,
            executor_def=self._executor_def, hooks=self.hook_defs, op_retry_policy=self.op_retry_policy,
            partitions_def=self.partitions_def, run_tags=self.run_tags, logger_defs=self.logger_defs,
            input_values=self.input_values, asset_layer=self.asset_layer,
            _add_resource_hint=self._add_resource_hint,
        )
        values.update(changes)
        copy = type(self).__new__(type(self))
        JobDefinition.__init__(copy, **values)
        return copy

    def run_tags_for(self, tags: Mapping[str, Any] | None, partition_key: str | None) -> dict[str, str]:
        """The tags a run of this job carries: job tags, partition tags, then the run's own."""
        from orchestrator.definitions.partitions import PartitionedConfig

        result = {**self.tags, **self.run_tags}
        if partition_key is not None:
            # Dagster's tag, which schedules, sensors, backfills and the UI read; ours kept for old runs.
            result["dagster/partition"] = partition_key
            result["orch/partition"] = partition_key
            if isinstance(self.config, PartitionedConfig):
                result.update(self.config.tags_for_partition(partition_key))
        result.update({str(k): str(v) for k, v in (tags or {}).items()})
        return result

    # -- running -----------------------------------------------------------------------------
    def execute_in_process(
        self,
        run_config: Mapping[str, Any] | None = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | str | None = None,
        run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
        step_selection: Sequence[str] | None = None,
        on_event: Callable[[RunEvent], None] | None = None,
        input_values: Mapping[str, Any] | None = None,
    ) -> ExecuteInProcessResult:
        """Run the job in this process, steps one by one, and return its result, whatever executor
        the job names (as in Dagster; ``execute_job`` uses the job's executor).

        Config is validated first (``ConfigError`` before anything runs). With ``raise_on_error``
        the first failing op's own exception propagates once the run is recorded as failed.
        ``on_event`` is called with each event as it happens (e.g. for a live display).
        With ``parent_run_id`` and ``step_selection`` (op paths or step keys) only those steps run;
        their other inputs load from the parent run's outputs, which a persistent IO manager
        (``fs_io_manager``) must have stored.
        ``input_values`` gives values to the job's top-level graph inputs (over the job's own).
        ``instance`` (a ``DagsterInstance``) records the run and its events.
        """
        # The documented entry point from definitions to the executor seam (see tests/unit/test_layers.py).
        from orchestrator.executors.in_process import execute_in_process

        job = self._copy(input_values={**self.input_values, **input_values}) if input_values else self
        record = getattr(instance, "handle_new_event", None)
        if callable(record):
            on_event = _both(record, on_event)
        return execute_in_process(
            job, run_config=run_config, partition_key=partition_key, raise_on_error=raise_on_error,
            op_selection=op_selection, run_id=run_id, tags=tags, resources=resources, parent_run_id=parent_run_id,
            step_selection=step_selection, on_event=on_event, instance=instance,
        )

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name}>"


def _both(first: Callable[[RunEvent], None], second: Callable[[RunEvent], None] | None) -> Callable[[RunEvent], None]:
    """One event callback calling ``first`` then ``second`` (when given)."""
    def call(event: RunEvent) -> None:
        first(event)
        if second is not None:
            second(event)

    return call


@overload
def job(compose_fn: Callable[[], Any]) -> JobDefinition: ...


@overload
def job(
    compose_fn: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    executor_def: ExecutorDefinition | None = None,
    hooks: Any = None,
    op_retry_policy: RetryPolicy | None = None,
    partitions_def: Any = None,
    run_tags: Mapping[str, Any] | None = None,
    logger_defs: Mapping[str, Any] | None = None,
    input_values: Mapping[str, Any] | None = None,
) -> Callable[[Callable[[], Any]], JobDefinition]: ...


def job(
    compose_fn: Callable[[], Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    executor_def: ExecutorDefinition | None = None,
    hooks: Any = None,
    op_retry_policy: RetryPolicy | None = None,
    partitions_def: Any = None,
    run_tags: Mapping[str, Any] | None = None,
    logger_defs: Mapping[str, Any] | None = None,
    input_values: Mapping[str, Any] | None = None,
) -> JobDefinition | Callable[[Callable[[], Any]], JobDefinition]:
    """Make a job from a function whose body calls ops: the calls define the data dependencies.

    The body is run once, when decorated, to record the graph (as under ``@graph``). Unlike
    Dagster's, it takes no parameters (job inputs): make a ``@graph`` with parameters and bind
    them with ``to_job(input_values=...)``. The job is the unit a run executes:
    ``execute_in_process()`` runs it here, and ``execute_job``/``submit_job`` run it with its
    executor (Celery workers unless it names one).

    Args:
        compose_fn: The function, when used bare (``@job``). Defaults to None (``@job(...)``).
        name: The job's name. Defaults to the function's name.
        description: What the job does. Defaults to the function's docstring.
        resource_defs: Resources by key: ``ResourceDefinition``, ``ConfigurableResource`` or
            plain objects. Defaults to ``{}``; ``io_manager`` defaults to ``mem_io_manager``.
        config: The job's config: a dict (or ``RunConfig``) of default run config that a run's
            own is merged over, a ``ConfigMapping``, or a ``PartitionedConfig``. Defaults to None.
        tags: String tags of the job; every run of it carries them. Defaults to ``{}``.
        metadata: Free-form metadata about the job, kept as ``job.metadata``. Defaults to ``{}``.
        executor_def: Where its steps run. Defaults to ``in_process_executor``, as in Dagster;
            ``execute_job`` and ``submit_job`` run a job that names none with ``celery_executor``.
        hooks: Success and failure hooks fired for every op of the job. Defaults to none.
        op_retry_policy: The retry policy of every op that has none of its own. Defaults to no retries.
        partitions_def: The job's partitions; a run then needs a ``partition_key``. Defaults to
            those of a ``PartitionedConfig`` given as ``config``, else none.
        run_tags: More tags every run carries (over ``tags``). Defaults to ``{}``.
        logger_defs: Dagster's loggers by name; kept as ``job.logger_defs``, not used. Defaults to ``{}``.
        input_values: Values of top-level graph inputs. A ``@job`` body has none here, so any
            name given is a ``DefinitionError``: use ``@graph`` and ``to_job(input_values=...)``.
            Defaults to ``{}``.

    Returns:
        The ``JobDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when the function takes parameters, its body wires ops that do not fit,
            or an op needs a resource the job does not define.

    Examples:
        >>> from orchestrator import job, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> @job(tags={"team": "data"})
        ... def adding():
        ...     add_one(one())
        >>> adding.execute_in_process().output_for_node("add_one")
        2
    """

    def wrap(fn: Callable[[], Any]) -> JobDefinition:
        graph_def = build_graph_from_body(fn, name or fn.__name__, description)
        if graph_def.input_names:
            raise DefinitionError(
                f"Job '{graph_def.name}' takes parameters {graph_def.input_names}; a job body takes none. "
                "Make it a @graph and bind inputs, or feed the ops from config."
            )
        return JobDefinition(
            graph_def=graph_def, name=name or fn.__name__, description=description, resource_defs=resource_defs,
            config=config, tags=tags, metadata=metadata, executor_def=executor_def, hooks=hooks,
            op_retry_policy=op_retry_policy, partitions_def=partitions_def, run_tags=run_tags,
            logger_defs=logger_defs, input_values=input_values,
        )

    if compose_fn is not None:
        return wrap(compose_fn)
    return wrap
