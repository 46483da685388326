"""Jobs: a graph bound to resources, config, hooks, tags and an executor, ready to run."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from orchestrator.definitions.executor_definition import ExecutorDefinition
from orchestrator.definitions.graphs import GraphDefinition, build_graph_from_body
from orchestrator.definitions.resources import ResourceDefinition, ResourceProvider, as_resource_definition
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.definitions.topology import Topology, flatten
from orchestrator.errors import DefinitionError
from orchestrator.events import EventType, RunEvent
from orchestrator.execution.results import ExecuteInProcessResult, output_loader
from orchestrator.plan.planner import build_plan

__all__ = ["JobDefinition", "job"]


class JobDefinition:
    """An executable graph: run it with ``execute_in_process`` here, or submit it to workers."""

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
    ) -> None:
        from orchestrator.definitions.io_managers.mem import mem_io_manager
        from orchestrator.definitions.partitions import PartitionedConfig
        from orchestrator.executors.in_process import in_process_executor

        self.graph_def = graph_def
        self.name = name or graph_def.name
        self.description = description or graph_def.description
        self.config = config
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.run_tags = {str(k): str(v) for k, v in (run_tags or {}).items()}
        self.metadata = dict(metadata or {})
        self._executor_given = executor_def is not None
        self.executor_def = executor_def or in_process_executor
        self.hook_defs = frozenset(hooks or ())
        self.op_retry_policy = op_retry_policy
        self.logger_defs = dict(logger_defs or {})
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

    @property
    def op_paths(self) -> list[str]:
        """Every op of the job by path, in dependency order."""
        return list(self.topology.ops)

    def _check_resources(self) -> None:
        topo = self.topology
        for path, flat in topo.ops.items():
            needs = {(k, "required_resource_keys") for k in flat.op_def.required_resource_keys}
            needs |= {(o.io_manager_key, f"io_manager_key of output '{n}'") for n, o in flat.op_def.outs.items()}
            for hook in [*flat.hook_defs, *self.hook_defs]:
                needs |= {(k, f"hook '{hook.name}'") for k in hook.required_resource_keys}
            for key, why in sorted(needs):
                if key not in self.resource_defs:
                    raise DefinitionError(
                        f"Op '{path}' in job '{self.name}' needs resource '{key}' ({why}), but the job "
                        f"defines no such resource. Add resource_defs={{'{key}': ...}} to the job "
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
            executor_def=self.executor_def, hooks=self.hook_defs, op_retry_policy=self.op_retry_policy,
            partitions_def=self.partitions_def, run_tags=self.run_tags, logger_defs=self.logger_defs,
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
    ) -> ExecuteInProcessResult:
        """Run the job in this process, steps one by one, and return its result.

        Config is validated first (``ConfigError`` before anything runs). With ``raise_on_error``
        the first failing op's own exception propagates once the run is recorded as failed.
        ``on_event`` is called with each event as it happens (e.g. for a live display).
        With ``parent_run_id`` and ``step_selection`` (op paths or step keys) only those steps run;
        their other inputs load from the parent run's outputs, which a persistent IO manager
        (``fs_io_manager``) must have stored.
        """
        from orchestrator.definitions.config.run_config import resolve_run_config
        from orchestrator.execution.step_runner import RunContext
        from orchestrator.executors.in_process import execute_plan_in_process

        job = self.with_resources(resources) if resources else self
        if step_selection:
            if parent_run_id is None:
                raise DefinitionError("step_selection re-executes steps of a parent run: pass parent_run_id= too.")
            op_selection = sorted({s.split("[", 1)[0] for s in step_selection})
        if parent_run_id is not None:
            tags = {"orch/parent_run_id": parent_run_id, "orch/root_run_id": parent_run_id, **(tags or {})}
        resolved = resolve_run_config(job, run_config, partition_key)
        plan = build_plan(job, resolved.op_inputs, op_selection, parent_run_id)
        run_id = run_id or str(uuid.uuid4())
        events: list[RunEvent] = []

        def emit(event: RunEvent) -> None:
            events.append(event)
            if on_event is not None:
                on_event(event)

        provider = ResourceProvider(job.resource_defs, resolved.resource_configs, run_id=run_id)
        run = RunContext(run_id=run_id, job=job, config=resolved, resources=provider, emit=emit,
                         tags=job.run_tags_for(tags, partition_key), partition_key=partition_key,
                         parent_run_id=parent_run_id)
        run.event(EventType.RUN_START, message=f"Started run {run_id} of job '{job.name}' in process.")
        built: dict[str, Any] = {}
        try:
            failures = execute_plan_in_process(run, plan, stop_on_failure=raise_on_error)
            built = provider.built()
        finally:
            teardown_error: BaseException | None = None
            try:
                provider.teardown()
            except Exception as exc:  # noqa: BLE001 - reported as run failure below
                teardown_error = exc
        if teardown_error is not None:
            run.event(EventType.LOG, message=f"Resource teardown failed: {teardown_error}", level="ERROR")
        if failures:
            keys = ", ".join(str(f.error) for f in failures[:3])
            run.event(EventType.RUN_FAILURE, message=f"Run of job '{job.name}' failed: {keys}")
        else:
            run.event(EventType.RUN_SUCCESS, message=f"Run of job '{job.name}' succeeded.")
        loader = output_loader(job, run_id, resolved.resource_configs, partition_key, built)
        result = ExecuteInProcessResult(job, run_id, events, loader)
        if failures and raise_on_error and failures[0].exception is not None:
            raise failures[0].exception
        return result

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name}>"


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
) -> Any:
    """Make a job from a function whose body calls ops: the calls define the data dependencies."""

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
            logger_defs=logger_defs,
        )

    if compose_fn is not None:
        return wrap(compose_fn)
    return wrap
