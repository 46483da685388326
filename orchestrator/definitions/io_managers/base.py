"""The IO manager seam: how op outputs are stored and how downstream inputs load them."""

from __future__ import annotations

import abc
import inspect
from collections.abc import Callable, Mapping
from typing import Any, overload

from orchestrator.definitions.resources import ResourceDefinition

__all__ = ["IOManager", "IOManagerDefinition", "io_manager", "InputContext", "OutputContext",
           "build_input_context", "build_output_context"]


class OutputContext:
    """Identifies one output being stored: run, step, output name, mapping key, partition, metadata."""

    def __init__(self, *, step_key: str | None = None, name: str = "result", run_id: str | None = None,
                 mapping_key: str | None = None, metadata: Mapping[str, Any] | None = None,
                 op_def: Any = None, dagster_type: Any = None, resources: Any = None, log: Any = None,
                 partition_key: str | None = None, asset_key: Any = None, config: Any = None,
                 job_name: str | None = None, attempt: int = 0) -> None:
        self.step_key = step_key
        self.name = name
        self.run_id = run_id
        self.mapping_key = mapping_key
        self.metadata = dict(metadata or {})
        self.op_def = op_def
        self.dagster_type = dagster_type
        self.resources = resources
        self.log = log
        self.partition_key = partition_key
        self.asset_key = asset_key
        self.config = config
        self.job_name = job_name
        self.attempt = attempt
        self._user_metadata: dict[str, Any] = {}

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key is not None

    @property
    def has_asset_key(self) -> bool:
        return self.asset_key is not None

    def get_identifier(self) -> list[str]:
        """``[run_id, step_key, name]`` plus the mapping key for dynamic outputs: unique per stored value."""
        parts = [str(self.run_id), str(self.step_key), self.name]
        if self.mapping_key is not None:
            parts.append(self.mapping_key)
        return parts

    def get_asset_identifier(self) -> list[str]:
        if self.asset_key is None:
            raise ValueError("This output is not an asset.")
        path = list(self.asset_key.path)
        return path + [self.partition_key] if self.partition_key is not None else path

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata (e.g. a path or row count) to the STEP_OUTPUT event of this output."""
        self._user_metadata.update(metadata)

    def get_logged_metadata(self) -> dict[str, Any]:
        return dict(self._user_metadata)


class InputContext:
    """Identifies one input being loaded, and the upstream output it comes from."""

    def __init__(self, *, name: str | None = None, step_key: str | None = None,
                 upstream_output: OutputContext | None = None, dagster_type: Any = None,
                 metadata: Mapping[str, Any] | None = None, op_def: Any = None, resources: Any = None,
                 log: Any = None, partition_key: str | None = None, asset_key: Any = None,
                 config: Any = None) -> None:
        self.name = name
        self.step_key = step_key
        self.upstream_output = upstream_output
        self.dagster_type = dagster_type
        self.metadata = dict(metadata or {})
        self.op_def = op_def
        self.resources = resources
        self.log = log
        self.partition_key = partition_key
        self.asset_key = asset_key
        self.config = config

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key is not None

    @property
    def has_asset_key(self) -> bool:
        return self.asset_key is not None

    def get_identifier(self) -> list[str]:
        if self.upstream_output is None:
            raise ValueError(f"Input '{self.name}' has no upstream output to identify.")
        return self.upstream_output.get_identifier()

    def get_asset_identifier(self) -> list[str]:
        if self.asset_key is None:
            raise ValueError("This input is not an asset.")
        path = list(self.asset_key.path)
        return path + [self.partition_key] if self.partition_key is not None else path


def build_output_context(**kwargs: Any) -> OutputContext:
    """An ``OutputContext`` for testing an IO manager directly."""
    return OutputContext(**kwargs)


def build_input_context(**kwargs: Any) -> InputContext:
    """An ``InputContext`` for testing an IO manager directly."""
    return InputContext(**kwargs)


class IOManager(abc.ABC):
    """Stores op outputs (``handle_output``) and loads them for downstream inputs (``load_input``)."""

    @abc.abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj`` for the output ``context`` identifies."""

    @abc.abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Load the value ``context.upstream_output`` stored."""

    def has_output(self, context: OutputContext) -> bool:
        """Whether a value is stored for this output (used to reuse outputs across runs)."""
        try:
            self.load_input(InputContext(upstream_output=context))
        except Exception:
            return False
        return True


class IOManagerDefinition(ResourceDefinition):
    """A resource definition whose value is an ``IOManager``."""

    @staticmethod
    def hardcoded_io_manager(value: IOManager, description: str | None = None) -> IOManagerDefinition:
        return IOManagerDefinition(lambda _ctx: value, description=description)


@overload
def io_manager(fn: Callable[..., Any]) -> IOManagerDefinition: ...


@overload
def io_manager(
    fn: None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: set[str] | None = None,
) -> Callable[[Callable[..., Any]], IOManagerDefinition]: ...


def io_manager(
    fn: Callable[..., Any] | None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: set[str] | None = None,
) -> IOManagerDefinition | Callable[[Callable[..., Any]], IOManagerDefinition]:
    """Turn a function returning an ``IOManager`` into an ``IOManagerDefinition``."""

    def wrap(f: Callable[..., Any]) -> IOManagerDefinition:
        return IOManagerDefinition(f, config_schema=config_schema, description=description or inspect.getdoc(f),
                                   required_resource_keys=required_resource_keys)

    if fn is not None:
        return wrap(fn)
    return wrap
