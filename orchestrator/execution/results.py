"""Run results: success, events, and the outputs of each node, read from the run's event list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orchestrator.errors import OrchestratorError
from orchestrator.events import ErrorInfo, EventType, RunEvent
from orchestrator.plan.planner import OutputRef

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

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
        """The value of a node's output. Mapped or dynamic outputs come back as ``{mapping_key: value}``."""
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
                key = ref.mapping_key if ref.mapping_key is not None else ref.step_key.split("[", 1)[1][:-1]
                result[key] = self._load_output(ref)
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
    """The result of ``execute_in_process``: outputs are read back through the run's IO managers."""

    def __init__(self, job_def: JobDefinition, run_id: str, events: list[RunEvent],
                 load_output: Callable[[OutputRef], Any]) -> None:
        super().__init__(job_def, run_id, events)
        self._loader = load_output

    def _load_output(self, ref: OutputRef) -> Any:
        return self._loader(ref)

    def __repr__(self) -> str:
        return f"<ExecuteInProcessResult job={self.job_def.name} run_id={self.run_id} success={self.success}>"


def output_loader(job: JobDefinition, run_id: str, resource_configs: dict[str, Any], partition_key: str | None,
                  built: dict[str, Any] | None = None) -> Callable[[OutputRef], Any]:
    """Read a run's outputs back through the job's IO managers (``built`` ones first, else new ones)."""
    from orchestrator.definitions.io_managers.base import InputContext, OutputContext
    from orchestrator.definitions.resources import ResourceProvider
    from orchestrator.execution.step_runner import node_path_of

    managers = dict(built or {})

    def load(ref: OutputRef) -> Any:
        flat = job.topology.op(node_path_of(ref.step_key))
        out = flat.op_def.outs[ref.output_name]
        manager = managers.get(out.io_manager_key)
        if manager is None:
            provider = ResourceProvider(job.resource_defs, resource_configs, run_id=run_id)
            manager = managers[out.io_manager_key] = provider.get(out.io_manager_key)
        upstream = OutputContext(step_key=ref.step_key, name=ref.output_name, run_id=run_id,
                                 mapping_key=ref.mapping_key, metadata=out.metadata, op_def=flat.op_def,
                                 dagster_type=out.dagster_type, partition_key=partition_key, job_name=job.name,
                                 asset_key=flat.op_def.asset_key)
        return manager.load_input(InputContext(name=ref.output_name, upstream_output=upstream,
                                               dagster_type=out.dagster_type, partition_key=partition_key,
                                               asset_key=flat.op_def.asset_key))

    return load
