"""Run results: success, events, and the outputs of each node, read from the run's event list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

# Importing op_events registers how asset, observation and expectation events decode back into
# the objects ops yielded, for every reader of results (in process and distributed alike).
from orchestrator.definitions.asset_check_spec import AssetCheckEvaluation
from orchestrator.definitions.dagster_run import DagsterRun, DagsterRunStatus
from orchestrator.definitions.op_events import AssetObservation, ExpectationResult
from orchestrator.errors import OrchestratorError
from orchestrator.events import ErrorInfo, EventType, RunEvent
from orchestrator.plan.planner import KEY_SEPARATOR, OutputRef, parse_step_key

if TYPE_CHECKING:
    from orchestrator.definitions.assets import AssetMaterialization
    from orchestrator.definitions.jobs import JobDefinition

_RUN_END = {EventType.RUN_SUCCESS: DagsterRunStatus.SUCCESS, EventType.RUN_FAILURE: DagsterRunStatus.FAILURE,
            EventType.RUN_CANCELED: DagsterRunStatus.CANCELED}

__all__ = ["RunResultBase", "ExecuteInProcessResult", "output_loader"]


class RunResultBase:
    """What every run result offers, whichever executor ran it."""

    def __init__(self, job_def: JobDefinition, run_id: str, events: list[RunEvent]) -> None:
        self.job_def = job_def
        self.run_id = run_id
        self._events = list(events)

    # -- status ------------------------------------------------------------------------------
    @property
    def success(self) -> bool:
        return any(e.event_type is EventType.RUN_SUCCESS for e in self._events)

    @property
    def all_events(self) -> list[RunEvent]:
        return list(self._events)

    def filter_events(self, predicate: Callable[[RunEvent], bool]) -> list[RunEvent]:
        return [e for e in self._events if predicate(e)]

    def _of_type(self, event_type: EventType) -> list[RunEvent]:
        return [e for e in self._events if e.event_type is event_type]

    def get_step_success_events(self) -> list[RunEvent]:
        return self._of_type(EventType.STEP_SUCCESS)

    def get_step_failure_events(self) -> list[RunEvent]:
        return self._of_type(EventType.STEP_FAILURE)

    def get_step_skipped_events(self) -> list[RunEvent]:
        return self._of_type(EventType.STEP_SKIPPED)

    def get_job_success_event(self) -> RunEvent:
        events = self._of_type(EventType.RUN_SUCCESS)
        if not events:
            raise OrchestratorError(f"Run {self.run_id} of job '{self.job_def.name}' did not succeed.")
        return events[0]

    def get_job_failure_event(self) -> RunEvent:
        events = self._of_type(EventType.RUN_FAILURE)
        if not events:
            raise OrchestratorError(f"Run {self.run_id} of job '{self.job_def.name}' did not fail.")
        return events[0]

    def get_failed_step_keys(self) -> list[str]:
        return [e.step_key for e in self.get_step_failure_events() if e.step_key]

    def get_run_success_event(self) -> RunEvent:
        """The RUN_SUCCESS event (Dagster's name of ``get_job_success_event``)."""
        return self.get_job_success_event()

    def get_run_failure_event(self) -> RunEvent:
        """The RUN_FAILURE event (Dagster's name of ``get_job_failure_event``)."""
        return self.get_job_failure_event()

    @property
    def all_node_events(self) -> list[RunEvent]:
        """Every event of a step (an op), in order; run-level events and log messages left out."""
        return [e for e in self._events if e.step_key is not None and e.is_step_event]

    # -- what ops reported -------------------------------------------------------------------
    def get_asset_materialization_events(self) -> list[RunEvent]:
        return self._of_type(EventType.ASSET_MATERIALIZATION)

    def get_asset_observation_events(self) -> list[RunEvent]:
        return self._of_type(EventType.ASSET_OBSERVATION)

    def asset_materializations_for_node(self, node_name: str) -> list[AssetMaterialization]:
        """The ``AssetMaterialization`` objects of a node's steps (yielded, logged or of its asset).

        Example::

            from orchestrator import AssetMaterialization, Output, job, op

            @op
            def write(context):
                yield AssetMaterialization(asset_key="table", metadata={"rows": 5})
                yield Output(None)

            @job
            def writing():
                write()

            [m] = writing.execute_in_process().asset_materializations_for_node("write")
            assert m.asset_key.path == ("table",) and m.metadata["rows"].value == 5
        """
        return [e.materialization for e in self.events_for_node(node_name)
                if e.event_type is EventType.ASSET_MATERIALIZATION]

    def asset_observations_for_node(self, node_name: str) -> list[AssetObservation]:
        return [e._payload() for e in self.events_for_node(node_name)
                if e.event_type is EventType.ASSET_OBSERVATION]

    def expectation_results_for_node(self, node_name: str) -> list[ExpectationResult]:
        """The ``ExpectationResult`` objects a node's steps yielded or logged, in order."""
        return [e._payload() for e in self.events_for_node(node_name)
                if e.event_type is EventType.STEP_EXPECTATION_RESULT]

    @property
    def dagster_run(self) -> DagsterRun:
        """The run as Dagster's tests and run status sensors see it (id, job, status, tags).

        Example::

            result = my_job.execute_in_process(raise_on_error=False)
            assert result.dagster_run.status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE)
        """
        status = DagsterRunStatus.STARTED
        for e in self._events:
            if e.event_type in _RUN_END:
                status = _RUN_END[e.event_type]
        tags, run_config = self._launched_with()
        return DagsterRun(job_name=self.job_def.name, run_id=self.run_id, status=status, tags=tags,
                          run_config=run_config, parent_run_id=tags.get("orch/parent_run_id"),
                          root_run_id=tags.get("orch/root_run_id"))

    def _launched_with(self) -> tuple[dict[str, str], dict[str, Any]]:
        """The tags (re-executions: with the ``orch/parent_run_id`` and ``orch/root_run_id`` lineage
        tags) and the run config the run was launched with, for ``dagster_run``. This base reads the
        tags a RUN_START event recorded, and no config; results that know their launch override it."""
        tags: dict[str, str] = {}
        for e in self._events:
            if e.event_type is EventType.RUN_START and isinstance(e.data.get("tags"), dict):
                tags = {str(k): str(v) for k, v in e.data["tags"].items()}
        return tags, {}

    def get_asset_check_evaluations(self) -> list[AssetCheckEvaluation]:
        """The outcome of every asset check the run evaluated, in order.

        Example::

            result = materialize([orders, orders_not_empty])
            assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
        """
        return [AssetCheckEvaluation.from_event_data(e.data) for e in self._events
                if e.event_type is EventType.ASSET_CHECK_EVALUATION]

    def retry_attempts_for_node(self, node_name: str) -> int:
        """How many times the node's steps were retried."""
        return sum(1 for e in self.events_for_node(node_name) if e.event_type is EventType.STEP_UP_FOR_RETRY)

    def failure_data_for_node(self, node_name: str) -> Any:
        """The ``step_failure_data`` (``.error``, ``.user_failure_data``) of the node's failure, or None."""
        for e in self.events_for_node(node_name):
            if e.event_type is EventType.STEP_FAILURE:
                return e.step_failure_data
        return None

    @property
    def failure_error(self) -> ErrorInfo | None:
        """The error of the first failed step (type name, message, traceback), if any."""
        for e in self.get_step_failure_events():
            return e.error
        return None

    def events_for_node(self, node_name: str) -> list[RunEvent]:
        return [e for e in self._events if e.step_key and _belongs(e.step_key, node_name)]

    def _node_statuses(self, node_name: str) -> set[EventType]:
        return {e.event_type for e in self.events_for_node(node_name)}

    def is_node_success(self, node_name: str) -> bool:
        seen = self._node_statuses(node_name)
        return EventType.STEP_SUCCESS in seen and EventType.STEP_FAILURE not in seen

    def is_node_failed(self, node_name: str) -> bool:
        return EventType.STEP_FAILURE in self._node_statuses(node_name)

    def is_node_skipped(self, node_name: str) -> bool:
        seen = self._node_statuses(node_name)
        return EventType.STEP_SKIPPED in seen and not seen & {EventType.STEP_SUCCESS, EventType.STEP_FAILURE}

    def is_node_untouched(self, node_name: str) -> bool:
        return not self.events_for_node(node_name)

    # -- outputs -----------------------------------------------------------------------------
    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value of a node's output. Mapped or dynamic outputs come back as ``{mapping_key: value}``
        (nested levels joined: ``{"a,k0": value}``)."""
        src = self.job_def.topology.resolve_node_output(self.job_def.graph_def, node_str, output_name)
        flat = self.job_def.topology.op(src.path)
        refs = [
            OutputRef(step_key=str(e.step_key), output_name=src.output, mapping_key=e.data.get("mapping_key"))
            for e in self._of_type(EventType.STEP_OUTPUT)
            if e.step_key is not None and e.step_key.split("[", 1)[0] == src.path
            and e.data.get("output_name") == src.output
        ]
        dynamic = flat.mapped_on is not None or flat.op_def.outs[src.output].is_dynamic
        if dynamic:
            result: dict[str, Any] = {}
            for ref in refs:
                # The step's mapping key, then the output's: "a,k0" for what mapped step inner[a] yielded.
                _path, step_keys = parse_step_key(ref.step_key)
                keys = [*step_keys, ref.mapping_key] if ref.mapping_key is not None else step_keys
                result[KEY_SEPARATOR.join(keys)] = self._load_output(ref)
            return result
        if not refs:
            raise OrchestratorError(
                f"Node '{node_str}' of job '{self.job_def.name}' has no stored output '{output_name}' in run "
                f"{self.run_id} (it failed, was skipped, or did not yield it)."
            )
        return self._load_output(refs[-1])

    def output_value(self, output_name: str = "result") -> Any:
        """The value of one of the job's own outputs (what its graph returns)."""
        outputs = self.job_def.topology.outputs
        if output_name not in outputs:
            raise OrchestratorError(
                f"Job '{self.job_def.name}' has no output named '{output_name}' "
                f"(outputs: {', '.join(outputs) or 'none'}). Use output_for_node for an op's output."
            )
        src = outputs[output_name]
        return self.output_for_node(src.path, src.output)

    def _load_output(self, ref: OutputRef) -> Any:
        raise NotImplementedError


def _belongs(step_key: str, node_name: str) -> bool:
    path = step_key.split("[", 1)[0]
    return path == node_name or path.startswith(node_name + ".") or step_key == node_name


class ExecuteInProcessResult(RunResultBase):
    """The result of a run in this process: its success, its events, and the outputs of each node.

    ``execute_in_process``, ``materialize`` and ``execute_job`` with a local executor return one.
    ``output_for_node("op")`` and ``output_value()`` read outputs back through the run's IO
    managers (``{mapping_key: value}`` for a mapped op); ``success``, ``all_events``,
    ``get_step_success_events()``, ``is_node_success("op")``, ``failure_data_for_node("op")`` and
    ``asset_materializations_for_node("op")`` tell what happened, as in Dagster; ``dagster_run``
    is the run as a ``DagsterRun``.

    Args:
        job_def: The job that ran.
        run_id: The run's id.
        events: The run's events, in order.
        load_output: Loads the value of one output (an ``OutputRef``) through its IO manager.
        tags: The tags the run was launched with (``dagster_run.tags``). Defaults to ``{}``.
        run_config: The run config the run was launched with (``dagster_run.run_config``).
            Defaults to ``{}``.

    Examples:
        >>> from orchestrator import job, op
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def check(x: int):
        ...     raise ValueError("too small")
        >>> @job
        ... def checking():
        ...     check(one())
        >>> result = checking.execute_in_process(raise_on_error=False, tags={"team": "data"})
        >>> result.success, result.output_for_node("one"), result.get_failed_step_keys(), result.failure_error.message
        (False, 1, ['check'], 'too small')
        >>> result.dagster_run.tags
        {'team': 'data'}
    """

    def __init__(self, job_def: JobDefinition, run_id: str, events: list[RunEvent],
                 load_output: Callable[[OutputRef], Any], *, tags: Mapping[str, str] | None = None,
                 run_config: Mapping[str, Any] | None = None) -> None:
        super().__init__(job_def, run_id, events)
        self._loader = load_output
        self._tags = dict(tags or {})
        self._run_config = dict(run_config or {})

    def _launched_with(self) -> tuple[dict[str, str], dict[str, Any]]:
        return dict(self._tags), dict(self._run_config)

    def _load_output(self, ref: OutputRef) -> Any:
        return self._loader(ref)

    def __repr__(self) -> str:
        return f"<ExecuteInProcessResult job={self.job_def.name} run_id={self.run_id} success={self.success}>"


def output_loader(job: JobDefinition, run_id: str, resource_configs: dict[str, Any], partition_key: str | None,
                  built: dict[str, Any] | None = None,
                  run_config: Mapping[str, Any] | None = None) -> Callable[[OutputRef], Any]:
    """Read a run's outputs back through the job's IO managers (``built`` ones first, else new ones).

    ``run_config`` (the run's full run config) gives each output's config to the IO manager
    (``context.upstream_output.config``), as when a downstream step loads it."""
    from orchestrator.definitions.asset_layer import output_asset_key
    from orchestrator.definitions.config.output_config import output_config_for
    from orchestrator.definitions.io_managers.base import InputContext, OutputContext
    from orchestrator.definitions.resources import ResourceProvider
    from orchestrator.execution.asset_outputs import output_partition_key
    from orchestrator.execution.step_runner import node_path_of

    managers = dict(built or {})

    def load(ref: OutputRef) -> Any:
        flat = job.topology.op(node_path_of(ref.step_key))
        out = flat.op_def.outs[ref.output_name]
        manager = managers.get(out.io_manager_key)
        if manager is None:
            provider = ResourceProvider(job.resource_defs, resource_configs, run_id=run_id)
            manager = managers[out.io_manager_key] = provider.get(out.io_manager_key)
        asset_key = output_asset_key(job, flat.path, ref.output_name, flat.op_def)
        stored_partition = output_partition_key(job, asset_key, partition_key)
        upstream = OutputContext(step_key=ref.step_key, name=ref.output_name, run_id=run_id,
                                 mapping_key=ref.mapping_key, metadata=out.metadata, op_def=flat.op_def,
                                 dagster_type=out.dagster_type, partition_key=stored_partition, job_name=job.name,
                                 asset_key=asset_key,
                                 config=output_config_for(job, run_config, flat.path, flat.op_def, ref.output_name)
                                 if run_config is not None else None)
        return manager.load_input(InputContext(name=ref.output_name, upstream_output=upstream,
                                               dagster_type=out.dagster_type, partition_key=stored_partition,
                                               asset_key=asset_key))

    return load
