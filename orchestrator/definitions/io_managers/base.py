"""The IO manager seam: how op outputs are stored and how downstream inputs load them.

``handle_output(context, obj)`` gets an :class:`OutputContext` (which output of which step and
run, its asset key and partition, its definition metadata, its output config); ``load_input``
gets an :class:`InputContext` whose ``upstream_output`` is the context the value was stored
with. ``build_output_context`` / ``build_input_context`` make them for testing an IO manager.
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, overload

from orchestrator.definitions.resources import ResourceDefinition, ResourceProvider, Resources, as_resource_definition
from orchestrator.errors import DagsterInvariantViolationError

__all__ = ["IOManager", "IOManagerDefinition", "io_manager", "InputContext", "OutputContext",
           "build_input_context", "build_output_context"]


class _ResourceScope:
    """``context.resources`` of a context: given built, or built from a dict of definitions.

    Built from a dict, resources with a teardown (generators, context managers) are only
    available inside ``with build_output_context(...) as context:`` (as in Dagster), and are torn
    down when the block ends (or the context is garbage collected).
    """

    _what: str = "context"

    def _init_resources(self, resources: Any) -> None:
        self._provider: ResourceProvider | None = None
        self._in_scope = False
        if resources is None or isinstance(resources, Resources):
            self._resources = resources if resources is not None else Resources({})
        elif isinstance(resources, Mapping):
            provider = ResourceProvider({k: as_resource_definition(k, v) for k, v in resources.items()},
                                        configs_processed=False)
            self._resources = Resources({k: provider.get(k) for k in resources})
            if provider.needs_teardown:
                self._provider = provider
        else:
            self._resources = resources

    @property
    def resources(self) -> Any:
        if self._provider is not None and not self._in_scope:
            raise DagsterInvariantViolationError(
                "At least one provided resource is a generator, but attempting to access resources outside of "
                f"context manager scope. You can use the following syntax to open a context manager: "
                f"`with {self._what}(...) as context:`"
            )
        return self._resources

    def __enter__(self) -> Any:
        self._in_scope = True
        return self

    def __exit__(self, *exc: Any) -> None:
        self._in_scope = False
        self._teardown()

    def _teardown(self) -> None:
        provider, self._provider = getattr(self, "_provider", None), None
        if provider is not None:
            provider.teardown()

    def __del__(self) -> None:
        self._teardown()


def _asset_identifier(asset_key: Any, partition_keys: Sequence[str]) -> list[str]:
    path = [str(p) for p in asset_key.path]
    if len(partition_keys) == 1:
        return path + [partition_keys[0]]
    if partition_keys:
        raise ValueError(f"Asset {'/'.join(path)} has {len(partition_keys)} partitions here; "
                         "an identifier names one (load each partition, or use get_identifier()).")
    return path


class _PartitionMixin:
    """Partition accessors shared by both contexts (Dagster's names)."""

    _partition_key: str | None
    _partition_keys: list[str] | None
    asset_key: Any
    asset_partitions_def: Any

    @property
    def partition_key(self) -> str | None:
        """The run's partition key (None when the run is not partitioned)."""
        return self._partition_key

    @property
    def has_partition_key(self) -> bool:
        return self._partition_key is not None

    @property
    def has_asset_key(self) -> bool:
        return self.asset_key is not None

    @property
    def has_asset_partitions(self) -> bool:
        return self.asset_key is not None and bool(self.asset_partition_keys)

    @property
    def asset_partition_keys(self) -> list[str]:
        """The asset partitions this value covers (one, unless an input maps to several)."""
        if self._partition_keys is not None:
            return list(self._partition_keys)
        return [self._partition_key] if self._partition_key is not None else []

    @property
    def asset_partition_key(self) -> str:
        """The one asset partition this value is; raises when it covers none or several."""
        keys = self.asset_partition_keys
        if len(keys) != 1:
            raise ValueError(f"This context covers {len(keys)} asset partitions ({keys}); use asset_partition_keys.")
        return keys[0]

    @property
    def asset_partitions_time_window(self) -> Any:
        """The time window of the asset partitions (time-partitioned assets only)."""
        window = getattr(self.asset_partitions_def, "time_window_for_partition_key", None)
        if window is None:
            raise ValueError("The asset is not partitioned by time: it has no partition time window.")
        keys = self.asset_partition_keys
        first, last = window(keys[0]), window(keys[-1])
        return type(first)(first.start, last.end)


class _IOContext(_PartitionMixin, _ResourceScope):
    """What an ``OutputContext`` and an ``InputContext`` both hold and answer (Dagster's names)."""

    #: ``"output"`` or ``"input"``: names the context in errors (and its ``build_*_context``).
    _kind: ClassVar[str]

    def _init_common(self, *, step_key: str | None, dagster_type: Any, metadata: Mapping[str, Any] | None,
                     op_def: Any, resources: Any, log: Any, partition_key: str | None, asset_key: Any, config: Any,
                     job_name: str | None, resource_config: Any, asset_partitions_def: Any,
                     partition_keys: Sequence[str] | None) -> None:
        """Set the attributes both contexts have; each parameter is the constructor's of the same name."""
        self.step_key = step_key
        self.dagster_type = dagster_type
        self.definition_metadata = dict(metadata or {})
        self.op_def = op_def
        self._what = f"build_{self._kind}_context"
        self._init_resources(resources)
        self.log = log
        self._partition_key = partition_key
        self._partition_keys = list(partition_keys) if partition_keys is not None else None
        self.asset_key = asset_key
        self.config = config
        self.job_name = job_name
        self.resource_config = resource_config
        self.asset_partitions_def = asset_partitions_def

    @property
    def metadata(self) -> dict[str, Any]:
        """The definition metadata of this output or input (Dagster's older name for ``definition_metadata``)."""
        return self.definition_metadata

    def get_asset_identifier(self) -> list[str]:
        """The asset key's path (an input's: the upstream asset's), plus the partition key for a partitioned asset."""
        if self.asset_key is None:
            raise ValueError(f"This {self._kind} is not an asset: it has no asset identifier (use get_identifier()).")
        return _asset_identifier(self.asset_key, self.asset_partition_keys)


class OutputContext(_IOContext):
    """What an IO manager's ``handle_output`` is told about the output it stores.

    Which run, step and output (``get_identifier()``: ``[run_id, step_key, name]`` plus the
    mapping key of a dynamic output), the asset and partition it is, the metadata declared on the
    output and its output config. ``add_output_metadata`` attaches metadata (a path, a row count)
    to the output's event; ``log_event`` records an ``AssetMaterialization`` or
    ``AssetObservation``. Runs make these; tests make one with :func:`build_output_context`. Unlike
    Dagster's, it has no ``step_context``.

    Args:
        step_key: The key of the step that produced the output. Defaults to None.
        name: The output's name. Defaults to ``"result"``.
        run_id: The run's id. Defaults to None.
        mapping_key: The mapping key of one value of a dynamic output. Defaults to None.
        metadata: The metadata declared on the output (``Out(metadata=...)``), read as
            ``definition_metadata``. Defaults to none.
        op_def: The definition of the op that produced it. Defaults to None.
        dagster_type: The output's type. Defaults to None.
        resources: The resources the IO manager may use (``context.resources``): built ones, or
            a dict of definitions and objects, built now. Defaults to none.
        log: The step's logger. Defaults to None.
        partition_key: The run's partition key. Defaults to None.
        asset_key: The ``AssetKey`` of the asset the output is. Defaults to None (not an asset).
        config: The output's config (run config ``ops.<op>.outputs.<name>``, checked against the
            IO manager's ``output_config_schema``). Defaults to None.
        job_name: The job's name. Defaults to None.
        attempt: Which try of the step stored it: 0 the first, 1 the first retry... Defaults to 0.
        version: A version for the output, kept as given (runs do not compute one). Defaults to
            None.
        resource_config: The IO manager's own config. Defaults to None.
        asset_partitions_def: The asset's partitions definition. Defaults to None.
        partition_keys: The asset partitions the output covers, when more than one. Defaults to
            None (``partition_key`` alone).

    Examples:
        >>> from orchestrator import OutputContext, build_output_context
        >>> context = build_output_context(step_key="load", name="rows", run_id="r1")
        >>> isinstance(context, OutputContext)
        True
        >>> context.get_identifier()
        ['r1', 'load', 'rows']
        >>> build_output_context(asset_key=["sales", "daily"], partition_key="2024-01-01").get_asset_identifier()
        ['sales', 'daily', '2024-01-01']
    """

    _kind = "output"

    def __init__(self, *, step_key: str | None = None, name: str = "result", run_id: str | None = None,
                 mapping_key: str | None = None, metadata: Mapping[str, Any] | None = None,
                 op_def: Any = None, dagster_type: Any = None, resources: Any = None, log: Any = None,
                 partition_key: str | None = None, asset_key: Any = None, config: Any = None,
                 job_name: str | None = None, attempt: int = 0, version: str | None = None,
                 resource_config: Any = None, asset_partitions_def: Any = None,
                 partition_keys: Sequence[str] | None = None) -> None:
        self._init_common(step_key=step_key, dagster_type=dagster_type, metadata=metadata, op_def=op_def,
                          resources=resources, log=log, partition_key=partition_key, asset_key=asset_key,
                          config=config, job_name=job_name, resource_config=resource_config,
                          asset_partitions_def=asset_partitions_def, partition_keys=partition_keys)
        self.name = name
        self.run_id = run_id
        self.mapping_key = mapping_key
        self.attempt = attempt
        self.version = version
        self._user_metadata: dict[str, Any] = {}
        self._events: list[Any] = []

    @property
    def output_metadata(self) -> dict[str, Any]:
        """Metadata added to this output while it was stored (``add_output_metadata``)."""
        return dict(self._user_metadata)

    def get_identifier(self) -> list[str]:
        """``[run_id, step_key, name]`` plus the mapping key for dynamic outputs: unique per stored value."""
        parts = [str(self.run_id), str(self.step_key), self.name]
        if self.mapping_key is not None:
            parts.append(self.mapping_key)
        return parts

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata (e.g. a path or row count) to the STEP_OUTPUT event of this output."""
        self._user_metadata.update(metadata)

    def get_logged_metadata(self) -> dict[str, Any]:
        return dict(self._user_metadata)

    def log_event(self, event: Any) -> None:
        """Record an ``AssetMaterialization`` or ``AssetObservation`` for this output."""
        self._events.append(event)

    def get_logged_events(self) -> list[Any]:
        return list(self._events)

    def consume_events(self) -> list[Any]:
        """The events logged so far, once (Dagster's name)."""
        events, self._events = self._events, []
        return events


class InputContext(_IOContext):
    """What an IO manager's ``load_input`` is told about the input it loads.

    ``upstream_output`` is the :class:`OutputContext` the value was stored with (its config and
    metadata included), so ``get_identifier()`` is the stored output's; for an asset input,
    ``asset_key`` is the upstream asset's key and ``asset_partition_keys`` the partitions to
    load. Runs make these; tests make one with :func:`build_input_context`. Unlike Dagster's, it
    has no ``step_context`` and no ``asset_partition_key_range``.

    Args:
        name: The input's name. Defaults to None.
        step_key: The key of the step loading it. Defaults to None.
        upstream_output: The context of the output the value was stored with. Defaults to None.
        dagster_type: The input's type. Defaults to None.
        metadata: The metadata declared on the input (``In(metadata=...)``), read as
            ``definition_metadata``. Defaults to none.
        op_def: The definition of the op loading it. Defaults to None.
        resources: The resources the IO manager may use (``context.resources``): built ones, or
            a dict of definitions and objects, built now. Defaults to none.
        log: The step's logger. Defaults to None.
        partition_key: The run's partition key. Defaults to None.
        asset_key: The ``AssetKey`` of the upstream asset. Defaults to None (not an asset input).
        config: The input's config. Defaults to None; runs leave it None (``input_config_schema``
            is not read, as there are no input managers).
        job_name: The job's name. Defaults to None.
        resource_config: The IO manager's own config. Defaults to None.
        asset_partitions_def: The upstream asset's partitions definition. Defaults to None.
        partition_keys: The upstream partitions to load, when more than one. Defaults to None
            (``partition_key`` alone).

    Examples:
        >>> from orchestrator import InputContext, build_input_context, build_output_context
        >>> upstream = build_output_context(run_id="r1", step_key="load", name="rows")
        >>> context = build_input_context(name="rows_in", upstream_output=upstream)
        >>> isinstance(context, InputContext)
        True
        >>> context.get_identifier()
        ['r1', 'load', 'rows']
    """

    _kind = "input"

    def __init__(self, *, name: str | None = None, step_key: str | None = None,
                 upstream_output: OutputContext | None = None, dagster_type: Any = None,
                 metadata: Mapping[str, Any] | None = None, op_def: Any = None, resources: Any = None,
                 log: Any = None, partition_key: str | None = None, asset_key: Any = None,
                 config: Any = None, job_name: str | None = None, resource_config: Any = None,
                 asset_partitions_def: Any = None, partition_keys: Sequence[str] | None = None) -> None:
        self._init_common(step_key=step_key, dagster_type=dagster_type, metadata=metadata, op_def=op_def,
                          resources=resources, log=log, partition_key=partition_key, asset_key=asset_key,
                          config=config, job_name=job_name, resource_config=resource_config,
                          asset_partitions_def=asset_partitions_def, partition_keys=partition_keys)
        self.name = name
        self.upstream_output = upstream_output
        self._input_metadata: dict[str, Any] = {}

    def get_identifier(self) -> list[str]:
        """The identifier of the upstream output this input loads (see ``OutputContext.get_identifier``)."""
        if self.upstream_output is None:
            raise ValueError(f"Input '{self.name}' has no upstream output to identify.")
        return self.upstream_output.get_identifier()

    def add_input_metadata(self, metadata: Mapping[str, Any], description: str | None = None) -> None:
        """Attach metadata about the loaded value (kept on the context)."""
        self._input_metadata.update(metadata)

    def get_logged_metadata(self) -> dict[str, Any]:
        return dict(self._input_metadata)


def build_output_context(step_key: str | None = None, name: str | None = None,
                         definition_metadata: Mapping[str, Any] | None = None, run_id: str | None = None,
                         mapping_key: str | None = None, config: Any = None, dagster_type: Any = None,
                         version: str | None = None, resource_config: Any = None, resources: Any = None,
                         op_def: Any = None, asset_key: Any = None, partition_key: str | None = None,
                         metadata: Mapping[str, Any] | None = None, job_name: str | None = None,
                         **kwargs: Any) -> OutputContext:
    """An :class:`OutputContext` for testing an IO manager's ``handle_output`` directly.

    When ``resources`` holds a resource with a teardown (a generator), use the context as a
    context manager, ``with build_output_context(resources=...) as context:``; its resources are
    torn down when the block ends.

    Args:
        step_key: The key of the step that produced the output. Defaults to None.
        name: The output's name. Defaults to ``"result"``.
        definition_metadata: The metadata declared on the output. Defaults to ``metadata``.
        run_id: The run's id. Defaults to None.
        mapping_key: The mapping key of one value of a dynamic output. Defaults to None.
        config: The output's config, as an ``output_config_schema`` would give it. Defaults to
            None.
        dagster_type: The output's type. Defaults to None.
        version: A version for the output. Defaults to None.
        resource_config: The IO manager's own config. Defaults to None.
        resources: Resources by key: plain objects, or resource definitions and
            ``ConfigurableResource`` s, built now with their defaults. Defaults to none.
        op_def: The definition of the op that produced it. Defaults to None.
        asset_key: The asset the output is: an ``AssetKey``, a string or a list of path parts.
            Defaults to None.
        partition_key: The partition key. Defaults to None.
        metadata: Dagster's older name for ``definition_metadata``. Defaults to None.
        job_name: The job's name. Defaults to None.
        **kwargs: Other :class:`OutputContext` parameters: ``log``, ``attempt``,
            ``asset_partitions_def``, ``partition_keys``.

    Returns:
        The context.

    Raises:
        DagsterInvariantViolationError: from ``context.resources`` outside the ``with`` block,
            when a resource has a teardown.

    Examples:
        >>> from orchestrator import build_output_context
        >>> context = build_output_context(run_id="r1", step_key="fan_out", name="result", mapping_key="a")
        >>> context.get_identifier()
        ['r1', 'fan_out', 'result', 'a']
        >>> context.add_output_metadata({"rows": 3})
        >>> context.output_metadata
        {'rows': 3}
    """
    return OutputContext(step_key=step_key, name=name or "result", run_id=run_id, mapping_key=mapping_key,
                         metadata=definition_metadata if definition_metadata is not None else metadata,
                         op_def=op_def, dagster_type=dagster_type, resources=resources,
                         partition_key=partition_key, asset_key=_asset_key(asset_key), config=config,
                         job_name=job_name, version=version, resource_config=resource_config, **kwargs)


def build_input_context(name: str | None = None, config: Any = None, metadata: Mapping[str, Any] | None = None,
                        upstream_output: OutputContext | None = None, dagster_type: Any = None,
                        resource_config: Any = None, resources: Any = None, op_def: Any = None,
                        asset_key: Any = None, partition_key: str | None = None,
                        definition_metadata: Mapping[str, Any] | None = None, step_key: str | None = None,
                        **kwargs: Any) -> InputContext:
    """An :class:`InputContext` for testing an IO manager's ``load_input`` directly.

    Pass the ``upstream_output`` the value was stored with (a :func:`build_output_context`). As
    with that function, use the context in a ``with`` block when ``resources`` holds a resource
    with a teardown.

    Args:
        name: The input's name. Defaults to None.
        config: The input's config. Defaults to None.
        metadata: The metadata declared on the input (Dagster's older name for
            ``definition_metadata``). Defaults to None.
        upstream_output: The context of the output the value was stored with. Defaults to None.
        dagster_type: The input's type. Defaults to None.
        resource_config: The IO manager's own config. Defaults to None.
        resources: Resources by key: plain objects, or resource definitions and
            ``ConfigurableResource`` s, built now with their defaults. Defaults to none.
        op_def: The definition of the op loading it. Defaults to None.
        asset_key: The upstream asset: an ``AssetKey``, a string or a list of path parts.
            Defaults to None.
        partition_key: The partition key. Defaults to None.
        definition_metadata: The metadata declared on the input. Defaults to ``metadata``.
        step_key: The key of the step loading it. Defaults to None.
        **kwargs: Other :class:`InputContext` parameters: ``log``, ``job_name``,
            ``asset_partitions_def``, ``partition_keys``.

    Returns:
        The context.

    Raises:
        DagsterInvariantViolationError: from ``context.resources`` outside the ``with`` block,
            when a resource has a teardown.

    Examples:
        >>> from orchestrator import IOManager, build_input_context, build_output_context
        >>> class DictIOManager(IOManager):
        ...     def __init__(self):
        ...         self.values = {}
        ...     def handle_output(self, context, obj):
        ...         self.values[tuple(context.get_identifier())] = obj
        ...     def load_input(self, context):
        ...         return self.values[tuple(context.get_identifier())]
        >>> manager = DictIOManager()
        >>> stored = build_output_context(run_id="r1", step_key="one", name="result")
        >>> manager.handle_output(stored, 1)
        >>> manager.load_input(build_input_context(name="x", upstream_output=stored))
        1
    """
    return InputContext(name=name, step_key=step_key, upstream_output=upstream_output, dagster_type=dagster_type,
                        metadata=definition_metadata if definition_metadata is not None else metadata,
                        op_def=op_def, resources=resources, partition_key=partition_key,
                        asset_key=_asset_key(asset_key), config=config, resource_config=resource_config, **kwargs)


def _asset_key(value: Any) -> Any:
    if value is None or hasattr(value, "path"):
        return value
    from orchestrator.definitions.asset_key import AssetKey

    return AssetKey.from_coercible(value)


class IOManager(abc.ABC):
    """Base class of IO managers: they store op outputs and load them as downstream inputs.

    Subclass it and implement ``handle_output(context, obj)``, which stores a value for the output
    an :class:`OutputContext` identifies, and ``load_input(context)``, which loads the value its
    :class:`InputContext`'s ``upstream_output`` stored. ``has_output`` (whether a value is stored)
    defaults to trying ``load_input``. Give one to a job as the ``io_manager`` resource (or under
    another key named by ``Out(io_manager_key=...)``): an instance, an ``@io_manager``
    definition, or a ``ConfigurableIOManager``. When steps run in separate processes (workers),
    it must store values where every process can read them.

    Examples:
        >>> from orchestrator import IOManager, job, op
        >>> class DictIOManager(IOManager):
        ...     values = {}
        ...     def handle_output(self, context, obj):
        ...         self.values[tuple(context.get_identifier())] = obj
        ...     def load_input(self, context):
        ...         return self.values[tuple(context.get_identifier())]
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def plus_one(x: int) -> int:
        ...     return x + 1
        >>> @job(resource_defs={"io_manager": DictIOManager()})
        ... def io_job():
        ...     plus_one(one())
        >>> io_job.execute_in_process().output_for_node("plus_one")
        2
    """

    @abc.abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj`` for the output ``context`` identifies."""

    @abc.abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Load the value ``context.upstream_output`` stored."""

    def has_output(self, context: OutputContext) -> bool:
        """Whether a value is stored for this output (used to reuse outputs across runs)."""
        try:
            self.load_input(InputContext(upstream_output=context, asset_key=context.asset_key,
                                         partition_key=context.partition_key))
        except Exception:
            return False
        return True


class IOManagerDefinition(ResourceDefinition):
    """A resource definition whose value is an :class:`IOManager`, with config per output.

    Usually made with the :func:`io_manager` decorator; ``IOManagerDefinition.hardcoded_io_manager``
    wraps an existing instance. Besides the IO manager's own config, ``output_config_schema``
    makes each output it stores configurable in run config (``ops.<op>.outputs.<name>``, read as
    ``OutputContext.config``).

    Args:
        resource_fn: Builds the IO manager from an ``InitResourceContext``; may be a generator
            (code after its ``yield`` is teardown).
        config_schema: The schema of the IO manager's config (``resources.<key>.config``).
            Defaults to None (no config).
        description: What it stores and where. Defaults to None.
        required_resource_keys: Keys of other resources it needs, built first. Defaults to none.
        version: A version string, kept on the definition (nothing reads it). Defaults to None.
        input_config_schema: The schema of per-input config, kept on the definition; no input
            reads it (there are no input managers). Defaults to None.
        output_config_schema: The schema of per-output config, at ``ops.<op>.outputs.<name>``.
            Defaults to None (no output config).

    Examples:
        >>> from orchestrator import IOManagerDefinition, InMemoryIOManager, job, op
        >>> memory = IOManagerDefinition(lambda init_context: InMemoryIOManager(), description="In memory.")
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(resource_defs={"io_manager": memory})
        ... def one_job():
        ...     one()
        >>> one_job.execute_in_process().output_for_node("one")
        1
    """

    def __init__(self, resource_fn: Callable[..., Any], config_schema: Any = None, description: str | None = None,
                 required_resource_keys: set[str] | frozenset[str] | None = None, version: str | None = None,
                 input_config_schema: Any = None, output_config_schema: Any = None) -> None:
        super().__init__(resource_fn, config_schema=config_schema, description=description,
                         required_resource_keys=required_resource_keys, version=version)
        self.input_config_schema = input_config_schema
        self.output_config_schema = output_config_schema

    @staticmethod
    def hardcoded_io_manager(value: IOManager, description: str | None = None) -> IOManagerDefinition:
        """An IO manager definition that is always ``value``."""
        return IOManagerDefinition(lambda _ctx: value, description=description)


@overload
def io_manager(fn: Callable[..., Any]) -> IOManagerDefinition: ...


@overload
def io_manager(
    fn: None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    output_config_schema: Any = None,
    input_config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    version: str | None = None,
) -> Callable[[Callable[..., Any]], IOManagerDefinition]: ...


def io_manager(
    fn: Callable[..., Any] | None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    output_config_schema: Any = None,
    input_config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    version: str | None = None,
) -> IOManagerDefinition | Callable[[Callable[..., Any]], IOManagerDefinition]:
    """Turn a function that builds an :class:`IOManager` into an :class:`IOManagerDefinition`.

    Use it bare (``@io_manager``) or with arguments. The function receives an
    ``InitResourceContext`` (its config is ``context.resource_config``). ``output_config_schema``
    makes each output it stores configurable in run config at ``ops.<op>.outputs.<output name>``:
    ``context.config`` in ``handle_output``, ``context.upstream_output.config`` in ``load_input``.
    Unlike Dagster's, ``input_config_schema`` is kept on the definition but no input reads it.

    Args:
        fn: The function; given when used bare.
        config_schema: The schema of the IO manager's config (``resources.<key>.config``).
            Defaults to None (no config).
        description: What it stores and where. Defaults to the function's docstring.
        output_config_schema: The schema of per-output config. Defaults to None (no output
            config).
        input_config_schema: The schema of per-input config, kept on the definition. Defaults to
            None.
        required_resource_keys: Keys of other resources it needs, built first. Defaults to none.
        version: A version string, kept on the definition (nothing reads it). Defaults to None.

    Returns:
        An ``IOManagerDefinition`` (used bare), or a decorator that makes one.

    Examples:
        >>> from orchestrator import IOManager, io_manager, job, op
        >>> class TableIOManager(IOManager):
        ...     tables = {}
        ...     def handle_output(self, context, obj):
        ...         self.tables[context.config["table"]] = obj
        ...     def load_input(self, context):
        ...         return self.tables[context.upstream_output.config["table"]]
        >>> @io_manager(output_config_schema={"table": str})
        ... def table_io_manager(init_context):
        ...     return TableIOManager()
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job(resource_defs={"io_manager": table_io_manager})
        ... def table_job():
        ...     one()
        >>> _ = table_job.execute_in_process(run_config={"ops": {"one": {"outputs": {"result": {"table": "t1"}}}}})
        >>> TableIOManager.tables
        {'t1': 1}
    """

    def wrap(f: Callable[..., Any]) -> IOManagerDefinition:
        return IOManagerDefinition(f, config_schema=config_schema, description=description or inspect.getdoc(f),
                                   required_resource_keys=required_resource_keys, version=version,
                                   input_config_schema=input_config_schema,
                                   output_config_schema=output_config_schema)

    if fn is not None:
        return wrap(fn)
    return wrap
