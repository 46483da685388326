"""The op execution context: what an op sees of its run (config, resources, log, ids, tags)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.context_base import OpContextBase
from orchestrator.definitions.resources import ResourceProvider, Resources, as_resource_definition
from orchestrator.errors import ConfigError, InvocationError
from orchestrator.events import EventType, RunEvent, trusted
from orchestrator.execution.asset_context import AssetContextMixin

if TYPE_CHECKING:
    from orchestrator.definitions.ops import OpDefinition

__all__ = ["OpExecutionContext", "AssetExecutionContext", "build_op_context", "StepLog"]

_logger = logging.getLogger("orchestrator")


class StepLog:
    """``context.log``: each message becomes a LOG event of the run and a Python log record."""

    def __init__(self, emit: Callable[[RunEvent], None] | None, run_id: str, job_name: str,
                 step_key: str | None) -> None:
        self._emit = emit
        self._run_id = run_id
        self._job_name = job_name
        self._step_key = step_key

    def _log(self, level: int, msg: str, *args: Any, exc_info: Any = None) -> None:
        text = str(msg) % args if args else str(msg)
        _logger.log(level, "%s [%s] %s", self._job_name, self._step_key or "-", text, exc_info=exc_info)
        if self._emit is not None:
            self._emit(trusted(RunEvent,
                event_type=EventType.LOG, run_id=self._run_id, job_name=self._job_name, step_key=self._step_key,
                timestamp=time.time(), message=text, error=None, data={"level": logging.getLevelName(level)},
            ))

    def debug(self, msg: str, *args: Any) -> None:
        self._log(logging.DEBUG, msg, *args)

    def info(self, msg: str, *args: Any) -> None:
        self._log(logging.INFO, msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        self._log(logging.WARNING, msg, *args)

    warn = warning

    def error(self, msg: str, *args: Any) -> None:
        self._log(logging.ERROR, msg, *args)

    def critical(self, msg: str, *args: Any) -> None:
        self._log(logging.CRITICAL, msg, *args)

    def exception(self, msg: str, *args: Any) -> None:
        self._log(logging.ERROR, msg, *args, exc_info=True)

    def _event(self, event_type: EventType, message: str, data: dict[str, Any]) -> None:
        """Record an event of this step (what ``context.log_event`` and yielded events become)."""
        if self._emit is not None:
            self._emit(trusted(RunEvent, event_type=event_type, run_id=self._run_id, job_name=self._job_name,
                               step_key=self._step_key, timestamp=time.time(), message=message, error=None,
                               data=data))


class NodeHandle:
    """Where an op sits in its job: ``name`` and the ``parent`` graph's handle (``str()`` is the path).

    Example::

        from orchestrator import build_op_context, op

        @op
        def where(context) -> str:
            return str(context.op_handle)

        assert where(build_op_context()) == "where"
    """

    def __init__(self, name: str, parent: NodeHandle | None = None) -> None:
        self.name = name
        self.parent = parent

    @classmethod
    def from_string(cls, path: str) -> NodeHandle:
        handle: NodeHandle | None = None
        for part in path.split("."):
            handle = cls(part, handle)
        assert handle is not None
        return handle

    @property
    def path(self) -> list[str]:
        return [*(self.parent.path if self.parent else []), self.name]

    def to_string(self) -> str:
        return ".".join(self.path)

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f"NodeHandle({self.to_string()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NodeHandle) and other.path == self.path

    def __hash__(self) -> int:
        return hash(tuple(self.path))


class RunView:
    """``context.run``: the run an op belongs to (Dagster's ``DagsterRun`` fields that a step knows)."""

    def __init__(self, run_id: str, job_name: str, tags: Mapping[str, str], run_config: Mapping[str, Any],
                 parent_run_id: str | None) -> None:
        self.run_id = run_id
        self.job_name = job_name
        self.tags = dict(tags)
        self.run_config = dict(run_config)
        self.parent_run_id = parent_run_id
        self.root_run_id = tags.get("orch/root_run_id") or parent_run_id

    def __repr__(self) -> str:
        return f"<run {self.run_id} of job {self.job_name}>"


class OpExecutionContext(AssetContextMixin, OpContextBase):
    """What an op sees of its run, passed as its first parameter: config, resources, log, ids, tags.

    The step runner builds one for each attempt of a step; ``build_op_context`` (and
    ``build_asset_context``) builds one for calling an op or asset directly in a test.
    ``AssetExecutionContext`` and ``AssetCheckExecutionContext`` are other names of this class, so
    ops, assets and asset checks get the same object: ``context.log``, ``op_config``,
    ``resources``, ``run_id``, ``run`` (``context.run.tags``), ``job_name``, ``op_def``,
    ``op_handle``, ``step_key``, ``retry_number``, ``get_mapping_key()``, ``instance``,
    ``log_event(...)``, ``add_output_metadata(...)``, and for assets ``asset_key``,
    ``selected_asset_keys``, ``partition_key``, ``partition_time_window`` and the
    ``asset_partition_*`` accessors. Unlike Dagster's, it has no ``pdb`` and no step-launcher
    internals. ``context.log`` messages become LOG events of the run (and Python log records of
    the ``orchestrator`` logger).

    Args:
        op_def: The op the step runs. Defaults to None (bound when the op is invoked with it).
        step_key: The step's key (``op``, ``graph.op``, ``op[mapping_key]``). Defaults to None.
        run_id: The run's id. Defaults to ``"EPHEMERAL"``.
        job_name: The job's name. Defaults to ``"__ephemeral__"``.
        op_config: The op's config, validated. Defaults to None.
        resources: The resources the step needs, as attributes. Defaults to none.
        log: Where ``context.log`` writes. Defaults to a log recording run events through ``emit``.
        partition_key: The run's partition. Defaults to None (``context.partition_key`` then raises
            ``InvocationError``).
        retry_number: Which attempt of the step this is (0 for the first). Defaults to 0.
        run_tags: The run's tags. Defaults to ``{}``.
        run_config: The run's full run config. Defaults to ``{}``.
        mapping_key: The step's mapping key, for a step mapped over a dynamic output. Defaults to None.
        emit: Called with each event the context records (log messages, ``log_event``). Defaults to None.
        provider: What builds the resources, torn down when the context is used as a context
            manager. Defaults to None.
        asset_key: The asset the step materializes. Defaults to the op's own, if any.
        instance: The ``DagsterInstance`` of the run. Defaults to a new ephemeral one when read.
        parent_run_id: The run this one re-executes, if any. Defaults to None.

    Examples:
        >>> from orchestrator import OpExecutionContext, job, op
        >>> @op(config_schema={"greeting": str})
        ... def greet(context: OpExecutionContext) -> str:
        ...     context.log.info("greeting from step %s", context.step_key)
        ...     return f"{context.op_config['greeting']} from {context.job_name}"
        >>> @job
        ... def greeting():
        ...     greet()
        >>> result = greeting.execute_in_process(run_config={"ops": {"greet": {"config": {"greeting": "hi"}}}})
        >>> result.output_for_node("greet")
        'hi from greeting'
    """

    def __init__(
        self,
        *,
        op_def: OpDefinition | None = None,
        step_key: str | None = None,
        run_id: str = "EPHEMERAL",
        job_name: str = "__ephemeral__",
        op_config: Any = None,
        resources: Resources | None = None,
        log: StepLog | None = None,
        partition_key: str | None = None,
        retry_number: int = 0,
        run_tags: Mapping[str, str] | None = None,
        run_config: Mapping[str, Any] | None = None,
        mapping_key: str | None = None,
        emit: Callable[[RunEvent], None] | None = None,
        provider: ResourceProvider | None = None,
        asset_key: Any = None,
        instance: Any = None,
        parent_run_id: str | None = None,
    ) -> None:
        self._op_def = op_def
        self._step_key = step_key
        self._run_id = run_id
        self._job_name = job_name
        self._op_config = op_config
        self._resources = resources if resources is not None else Resources({})
        self._log = log or StepLog(emit, run_id, job_name, step_key)
        self._partition_key = partition_key
        self._retry_number = retry_number
        self._run_tags = dict(run_tags or {})
        self._run_config = dict(run_config or {})
        self._mapping_key = mapping_key
        self._provider = provider
        self._asset_key = asset_key
        self._instance = instance
        self._parent_run_id = parent_run_id
        self.output_metadata: dict[str | None, dict[str, Any]] = {}
        self.events: list[RunEvent] = []
        self._logged: list[Any] = []

    # -- what ops read ---------------------------------------------------------------------
    @property
    def log(self) -> StepLog:
        return self._log

    @property
    def op_config(self) -> Any:
        return self._op_config

    @property
    def resources(self) -> Resources:
        return self._resources

    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def job_name(self) -> str:
        return self._job_name

    @property
    def op_def(self) -> OpDefinition:
        if self._op_def is None:
            raise InvocationError("This context is not bound to an op yet; invoke an op with it first.")
        return self._op_def

    op = op_def

    @property
    def step_key(self) -> str | None:
        return self._step_key

    @property
    def partition_key(self) -> str:
        if self._partition_key is None:
            raise InvocationError(
                f"Op '{self._op_def.name if self._op_def else '?'}' asked for context.partition_key, but "
                "this run has no partition. Pass partition_key= when executing a partitioned job."
            )
        return self._partition_key

    @property
    def has_partition_key(self) -> bool:
        return self._partition_key is not None

    @property
    def retry_number(self) -> int:
        return self._retry_number

    @property
    def run_tags(self) -> dict[str, str]:
        return dict(self._run_tags)

    @property
    def run_config(self) -> dict[str, Any]:
        return dict(self._run_config)

    @property
    def asset_key(self) -> Any:
        """The asset this step materializes (``InvocationError`` when it makes several)."""
        return self._asset_key if self._asset_key is not None else self._single_asset_key()

    @property
    def op_handle(self) -> NodeHandle:
        """Where the op sits in its job (``outer.inner.op``), without the mapping key."""
        path = (self._step_key or (self._op_def.name if self._op_def else "op")).split("[", 1)[0]
        return NodeHandle.from_string(path)

    node_handle = op_handle

    @property
    def instance(self) -> Any:
        """The ``DagsterInstance`` of the run (an ephemeral one when the run was given none)."""
        if self._instance is None:
            from orchestrator.execution.instance import DagsterInstance

            self._instance = DagsterInstance.ephemeral()
        return self._instance

    @property
    def run(self) -> RunView:
        """The run: ``run_id``, ``job_name``, ``tags``, ``run_config``, ``parent_run_id``."""
        return RunView(self._run_id, self._job_name, self._run_tags, self._run_config, self._parent_run_id)

    dagster_run = run

    @property
    def has_assets_def(self) -> bool:
        if self._step_assets is not None:
            return self._step_assets.assets_def is not None
        return self._asset_key is not None or (self._op_def is not None and self._op_def.asset_key is not None)

    @property
    def selected_output_names(self) -> set[str]:
        """The outputs this run asks of the step (a subset for ``can_subset`` multi-assets)."""
        return self._selected_output_names()

    def log_event(self, event: Any) -> None:
        """Record an ``AssetMaterialization``, ``AssetObservation`` or ``ExpectationResult`` now,
        as yielding it would (a run event of this step).

        Example::

            from orchestrator import AssetMaterialization, build_op_context, op

            @op
            def report(context):
                context.log_event(AssetMaterialization(asset_key="report", metadata={"rows": 3}))
                return 3

            context = build_op_context()
            assert report(context) == 3
            assert [e.asset_key.path for e in context.get_events()] == [("report",)]
        """
        to_event_data = getattr(event, "to_event_data", None)
        if not callable(to_event_data):
            raise InvocationError(
                f"context.log_event takes an AssetMaterialization, AssetObservation or ExpectationResult, "
                f"got {type(event).__name__}."
            )
        event_type, message, data = to_event_data()
        self._logged.append(event)
        self._log._event(event_type, message, data)

    def get_events(self) -> list[Any]:
        """The objects passed to ``log_event`` through this context, in order."""
        return list(self._logged)

    def has_tag(self, key: str) -> bool:
        return key in self._run_tags

    def get_tag(self, key: str) -> str | None:
        return self._run_tags.get(key)

    def get_mapping_key(self) -> str | None:
        """The mapping key of this step when it runs once per element of a dynamic output; for a
        step mapped inside another map, every level's key, outermost first: ``"a,k"`` (step ``op[a,k]``)."""
        return self._mapping_key

    def add_output_metadata(self, metadata: Mapping[str, Any], output_name: str | None = None,
                            mapping_key: str | None = None) -> None:
        """Attach metadata to an output's STEP_OUTPUT event (``output_name`` may be omitted for one output)."""
        key = output_name if mapping_key is None else f"{output_name}[{mapping_key}]"
        self.output_metadata.setdefault(key, {}).update(metadata)

    # -- direct invocation support -----------------------------------------------------------
    def _for_op(self, op_def: OpDefinition) -> OpExecutionContext:
        """Bind an ad-hoc context (from ``build_op_context``) to the op being invoked directly."""
        if self._op_def is op_def:
            return self
        config = self._op_config
        if op_def.config_schema is not None or op_def.config_class is not None:
            from orchestrator.definitions.config.schema import validate_config

            schema = op_def.config_class or op_def.config_schema
            config, errors = validate_config(schema, config, f"ops.{op_def.name}.config")
            if errors:
                raise ConfigError(f"Invalid config for op '{op_def.name}'.", errors)
        missing = sorted(k for k in op_def.required_resource_keys if k not in self._resources)
        if missing:
            raise InvocationError(
                f"Op '{op_def.name}' requires resource(s) {missing}, which the context does not "
                "have. Pass them with build_op_context(resources={...})."
            )
        bound = OpExecutionContext(
            op_def=op_def, step_key=op_def.name, run_id=self._run_id, job_name=self._job_name,
            op_config=config, resources=self._resources, log=self._log, partition_key=self._partition_key,
            retry_number=self._retry_number, run_tags=self._run_tags, run_config=self._run_config,
            mapping_key=self._mapping_key, provider=self._provider, asset_key=self._asset_key,
            instance=self._instance, parent_run_id=self._parent_run_id,
        )
        bound.output_metadata = self.output_metadata
        bound._logged = self._logged
        return bound

    def _typed_config(self, op_def: OpDefinition) -> Any:
        """The op's pydantic ``Config`` instance built from ``op_config``."""
        cls = op_def.config_class or getattr(op_def, "_configured_config_class", None)  # (a configured copy's)
        if cls is None:
            return None
        value = self._op_config
        return value if isinstance(value, cls) else cls(**(value or {}))

    def __enter__(self) -> OpExecutionContext:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._provider is not None:
            self._provider.teardown()


AssetExecutionContext = OpExecutionContext
"""What an ``@asset`` function receives: another name of :class:`OpExecutionContext` (the same class)."""
AssetCheckExecutionContext = OpExecutionContext
"""What an ``@asset_check`` function receives: another name of :class:`OpExecutionContext` (the same class)."""


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    config: Any = None,
    partition_key: str | None = None,
    mapping_key: str | None = None,
    run_tags: Mapping[str, str] | None = None,
    run_id: str | None = None,
) -> OpExecutionContext:
    """A context for calling an op directly in tests: ``my_op(build_op_context(op_config=...), x)``.

    Resources may be definitions (built here, with ``resources_config``) or plain objects. Use it
    as a context manager to tear down generator resources afterwards. When the op is invoked with
    it, its config is validated against the op's schema and its required resources checked.
    The events it records (``context.log`` messages, ``log_event``) are kept in ``context.events``,
    and ``context.get_events()`` returns the objects given to ``log_event``. Unlike Dagster's, it takes no
    ``partition_key_range`` and no ``event_loop``.

    Args:
        resources: Resources by key: definitions or plain objects. Defaults to none.
        op_config: The op's config, as ``context.op_config``. Defaults to None.
        resources_config: Config of the resource definitions, by key. Defaults to none.
        instance: The ``DagsterInstance`` the op sees as ``context.instance``. Defaults to a new
            ephemeral one when read.
        config: Another name of ``op_config`` (used when ``op_config`` is None). Defaults to None.
        partition_key: The partition the op sees as ``context.partition_key``. Defaults to None.
        mapping_key: The mapping key the op sees as ``context.get_mapping_key()``. Defaults to None.
        run_tags: The run tags the op sees. Defaults to ``{}``.
        run_id: The run id the op sees. Defaults to ``"EPHEMERAL"``.

    Returns:
        The ``OpExecutionContext``.

    Raises:
        ConfigError: when the op is invoked and ``op_config`` does not match its config schema.
        InvocationError: when the op is invoked and a resource it requires is not given.

    Examples:
        >>> from orchestrator import build_op_context, op
        >>> @op(config_schema={"factor": int}, required_resource_keys={"numbers"})
        ... def scaled(context) -> list:
        ...     return [n * context.op_config["factor"] for n in context.resources.numbers]
        >>> scaled(build_op_context(resources={"numbers": [1, 2]}, op_config={"factor": 10}))
        [10, 20]
    """
    events: list[RunEvent] = []
    run_id = run_id or "EPHEMERAL"
    defs = {k: as_resource_definition(k, v) for k, v in (resources or {}).items()}
    provider = ResourceProvider(defs, resources_config, run_id=run_id, configs_processed=False)
    built = Resources({k: provider.get(k) for k in defs})
    context = OpExecutionContext(
        op_config=op_config if op_config is not None else config, resources=built,
        partition_key=partition_key, run_tags=run_tags, mapping_key=mapping_key, run_id=run_id,
        emit=events.append, provider=provider, instance=instance,
    )
    context.events = events
    return context
