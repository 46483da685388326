"""Sensors as definitions: functions that look at the world (files, asset materializations, run
outcomes) and return ``RunRequest``s or a ``SkipReason``.

``@sensor`` is the general kind; ``@asset_sensor`` runs when an asset has a new materialization in
the instance; ``@run_status_sensor`` / ``@run_failure_sensor`` react to a run reaching a status.
Tests call them directly with a built context (``build_sensor_context``,
``build_run_status_sensor_context``) or through ``evaluate_tick``; the scheduler process runs them
on a clock.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.schedules import (
    RunRequest,
    SkipReason,
    _call_directly,
    _EvaluationContext,
    _listed,
    _split_items,
    _takes_context,
    _target_job,
)
from orchestrator.errors import DefinitionError, InvocationError
from orchestrator.events import RunEvent

#: What an asset sensor's function receives for a materialization (Dagster's name): the run event,
#: with ``dagster_event.asset_key``, ``run_id``, ``timestamp`` and ``asset_materialization``.
EventLogEntry = RunEvent

__all__ = ["DefaultSensorStatus", "SensorDefinition", "sensor", "SensorEvaluationContext", "SensorResult",
           "SensorExecutionData", "build_sensor_context", "AssetSensorDefinition", "asset_sensor",
           "RunStatusSensorDefinition", "RunStatusSensorContext", "RunFailureSensorContext", "run_status_sensor",
           "run_failure_sensor", "build_run_status_sensor_context", "EventLogEntry"]


class DefaultSensorStatus(enum.Enum):
    """Whether a sensor runs as soon as it is deployed (``RUNNING``) or waits to be turned on (``STOPPED``).

    Given as ``default_status=`` to ``SensorDefinition``, ``@sensor``, ``@asset_sensor`` and the
    run status sensors; the default is ``STOPPED``, as in Dagster. ``orch scheduler start``
    evaluates a sensor only while it is on: ``orch sensor start NAME`` / ``orch sensor stop NAME``
    turn it on or off, and that choice, kept in Redis, wins over the default from then on.

    Examples:
        >>> from orchestrator import DefaultSensorStatus, SkipReason, job, op, sensor
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> @sensor(job=load_job, default_status=DefaultSensorStatus.RUNNING)
        ... def always_on():
        ...     return SkipReason("Nothing to do.")
        >>> always_on.default_status
        <DefaultSensorStatus.RUNNING: 'RUNNING'>
    """

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class SensorResult:
    """A sensor's whole answer for one tick: run requests (or a skip reason) and the cursor to keep.

    Return it, alone, from a sensor function instead of yielding run requests and calling
    ``context.update_cursor``. Under ``orch scheduler start`` the new cursor is stored with the
    tick that returned it; a tick that fails keeps the old one. Setting ``cursor`` here and
    calling ``context.update_cursor`` in the same evaluation is a ``DefinitionError``.

    Args:
        run_requests: The runs to request. Defaults to None (none).
        skip_reason: Why nothing runs, a ``SkipReason`` or its message; not together with
            ``run_requests``. Defaults to None.
        cursor: The cursor the next evaluation sees as ``context.cursor``. Defaults to None
            (the cursor stays as it was).
        dynamic_partitions_requests: Requests to add or delete dynamic partitions; in the result of
            ``evaluate_tick``, as in Dagster. ``orch scheduler start`` fails a tick that returns
            some: distributed runs have no dynamic partitions store. Defaults to ``[]``.
        asset_events: Asset materializations and observations to record; in the result of
            ``evaluate_tick``, as in Dagster, but the scheduler does not record them. Defaults to ``[]``.
        automation_condition_evaluations: Accepted for Dagster's signature; not used. Defaults to None.

    Raises:
        DefinitionError: when both ``run_requests`` and ``skip_reason`` are given.

    Examples:
        >>> from orchestrator import RunRequest, SensorResult, build_sensor_context, job, op, sensor
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> @sensor(job=load_job)
        ... def numbered_files(context):
        ...     last = int(context.cursor or 0)
        ...     return SensorResult(run_requests=[RunRequest(run_key=f"file_{last + 1}")], cursor=str(last + 1))
        >>> tick = numbered_files.evaluate_tick(build_sensor_context(cursor="4"))
        >>> [r.run_key for r in tick.run_requests], tick.cursor
        (['file_5'], '5')
        >>> from orchestrator import AssetMaterialization
        >>> @sensor(job=load_job)
        ... def seen_files(context):
        ...     return SensorResult(asset_events=[AssetMaterialization("files")])
        >>> [event.asset_key.to_user_string() for event in seen_files.evaluate_tick(build_sensor_context()).asset_events]
        ['files']
    """

    def __init__(self, run_requests: Sequence[RunRequest] | None = None, skip_reason: SkipReason | str | None = None,
                 cursor: str | None = None, dynamic_partitions_requests: Sequence[Any] | None = None,
                 asset_events: Sequence[Any] | None = None, automation_condition_evaluations: Any = None) -> None:
        if run_requests and skip_reason is not None:
            raise DefinitionError("A SensorResult has run_requests or a skip_reason, not both.")
        self.run_requests = list(run_requests) if run_requests is not None else None
        self.skip_reason = SkipReason(skip_reason) if isinstance(skip_reason, str) else skip_reason
        self.cursor = cursor
        self.dynamic_partitions_requests = list(dynamic_partitions_requests or [])
        self.asset_events = list(asset_events or [])


class SensorExecutionData:
    """What one evaluation of a sensor produced: run requests or why it skipped, and its new cursor."""

    def __init__(self, run_requests: Sequence[RunRequest] | None = None, skip_message: str | None = None,
                 cursor: str | None = None, dynamic_partitions_requests: Sequence[Any] | None = None,
                 asset_events: Sequence[Any] | None = None) -> None:
        self.run_requests = list(run_requests) if run_requests is not None else None
        self.skip_message = skip_message
        self.cursor = cursor
        self.dynamic_partitions_requests = list(dynamic_partitions_requests or [])
        self.asset_events = list(asset_events or [])

    def __repr__(self) -> str:
        return (f"SensorExecutionData(run_requests={self.run_requests!r}, skip_message={self.skip_message!r}, "
                f"cursor={self.cursor!r})")


class SensorEvaluationContext(_EvaluationContext):
    """What a sensor function receives: its cursor, last run key, the instance, resources.

    ``cursor`` is what the sensor kept at its last tick (``update_cursor`` or
    ``SensorResult(cursor=)``); under ``orch scheduler start`` it is kept in Redis and survives
    restarts (``orch sensor cursor NAME`` shows or sets it). ``resources`` are built on first use
    and torn down when a ``with context:`` block ends; ``log`` is Python logging under
    ``orchestrator.<sensor name>``. Under the scheduler, ``instance`` answers Dagster's instance
    questions (runs, events, an asset's latest materialization) from Redis. Tests build one with
    ``build_sensor_context``.

    Args:
        instance_ref: Accepted for Dagster's signature; not used. Defaults to None.
        last_tick_completion_time: When the previous tick ended (epoch seconds), as
            ``last_tick_completion_time``. Defaults to None.
        last_run_key: The last run key the sensor requested, as ``last_run_key``. Defaults to None.
        cursor: The sensor's cursor. Defaults to None.
        repository_name: Name of the code location, as ``repository_name``. Defaults to None.
        repository_def: The ``Definitions`` the sensor belongs to. Defaults to ``definitions``.
        instance: The instance, as ``context.instance`` (``InvocationError`` when there is none).
            Defaults to None.
        sensor_name: Name of the sensor; filled in when the sensor is evaluated. Defaults to None.
        resources: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        definitions: The ``Definitions``, when ``repository_def`` is not given. Defaults to None.
        last_sensor_start_time: When the sensor was turned on (epoch seconds). Defaults to None.
        log_key: Accepted for Dagster's signature; not used. Defaults to None.

    Examples:
        >>> from orchestrator import SensorEvaluationContext
        >>> context = SensorEvaluationContext(cursor="0", last_run_key="file_0", resources={"bucket": "raw"})
        >>> context.update_cursor("5")
        >>> context.cursor, context.last_run_key, context.resources.bucket
        ('5', 'file_0', 'raw')
    """

    _no_instance_message = ("This sensor context has no instance: pass one, e.g. "
                            "build_sensor_context(instance=DagsterInstance.ephemeral()).")

    def __init__(self, instance_ref: Any = None, last_tick_completion_time: float | None = None,
                 last_run_key: str | None = None, cursor: str | None = None, repository_name: str | None = None,
                 repository_def: Any = None, instance: Any = None, sensor_name: str | None = None,
                 resources: Any = None, definitions: Any = None, last_sensor_start_time: float | None = None,
                 log_key: Any = None, **_ignored: Any) -> None:
        super().__init__(instance, resources)
        self._cursor = cursor
        self._cursor_updated = False
        self._last_run_key = last_run_key
        self._last_tick_completion_time = last_tick_completion_time
        self._last_sensor_start_time = last_sensor_start_time
        self._repository_name = repository_name
        self.repository_def = repository_def or definitions
        self._sensor_name = sensor_name

    @property
    def cursor(self) -> str | None:
        return self._cursor

    def update_cursor(self, cursor: str | None) -> None:
        """Keep ``cursor`` for the next evaluation (the sensor's memory of what it has seen)."""
        self._cursor = cursor
        self._cursor_updated = True

    @property
    def cursor_updated(self) -> bool:
        return self._cursor_updated

    @property
    def last_run_key(self) -> str | None:
        return self._last_run_key

    @property
    def last_tick_completion_time(self) -> float | None:
        return self._last_tick_completion_time

    last_completion_time = last_tick_completion_time

    @property
    def last_sensor_start_time(self) -> float | None:
        return self._last_sensor_start_time

    @property
    def repository_name(self) -> str | None:
        return self._repository_name

    @property
    def sensor_name(self) -> str | None:
        return self._sensor_name

    def _log_name(self) -> str:
        return self._sensor_name or "sensor"

    def _for(self, sensor_def: SensorDefinition) -> SensorEvaluationContext:
        if self._sensor_name is None:
            self._sensor_name = sensor_def.name
        return self


def build_sensor_context(instance: Any = None, cursor: str | None = None, repository_name: str | None = None,
                         repository_def: Any = None, sensor_name: str | None = None, resources: Any = None,
                         definitions: Any = None, instance_ref: Any = None,
                         last_sensor_start_time: float | None = None) -> SensorEvaluationContext:
    """A context for evaluating a sensor in a test, as Dagster's ``build_sensor_context``.

    Pass it to a sensor called directly (``my_sensor(context)``) or to
    ``sensor.evaluate_tick(context)``; an asset sensor needs one with an ``instance`` that
    records materializations (``DagsterInstance.ephemeral()``). Use it in a ``with`` block when
    the resources need tearing down.

    Args:
        instance: The instance, as ``context.instance``. Defaults to None.
        cursor: The cursor the sensor sees. Defaults to None.
        repository_name: Name of the code location. Defaults to None.
        repository_def: The ``Definitions`` the sensor belongs to. Defaults to None.
        sensor_name: Name of the sensor. Defaults to the name of the sensor it is evaluated for.
        resources: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        definitions: The ``Definitions``, when ``repository_def`` is not given. Defaults to None.
        instance_ref: Accepted for Dagster's signature; not used. Defaults to None.
        last_sensor_start_time: When the sensor was turned on (epoch seconds). Defaults to None.

    Returns:
        A ``SensorEvaluationContext``.

    Examples:
        >>> from orchestrator import RunRequest, build_sensor_context, job, op, sensor
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> @sensor(job=load_job)
        ... def next_file(context):
        ...     return RunRequest(run_key=f"after_{context.cursor}")
        >>> next_file(build_sensor_context(cursor="a.csv")).run_key
        'after_a.csv'
    """
    return SensorEvaluationContext(cursor=cursor, repository_name=repository_name, repository_def=repository_def,
                                   instance=instance, sensor_name=sensor_name, resources=resources,
                                   definitions=definitions, last_sensor_start_time=last_sensor_start_time)


class SensorDefinition:
    """Run jobs when something in the world changes: the evaluation function returns (or yields)
    ``RunRequest``s, a ``SkipReason`` or a ``SensorResult``.

    Tests call the sensor directly (``my_sensor(context)`` returns what the function returns) or
    evaluate a tick with ``evaluate_tick(build_sensor_context(...))``, which fills in each
    request's target job. ``orch scheduler start`` evaluates it every
    ``minimum_interval_seconds`` with its cursor (kept in Redis) and submits the requested runs
    to the workers, tagged ``dagster/sensor_name``; a run key it requested once is never
    requested again. A tick whose function raises is recorded as failed and keeps the cursor.

    Args:
        name: The sensor's name. Defaults to the evaluation function's name.
        evaluation_fn: ``fn(context)`` (or ``fn()``) returning or yielding run requests, a
            ``SkipReason`` or a ``SensorResult``. Required.
        job_name: The name of the job to run, when the job itself is not given. Defaults to None.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30, as in Dagster.
        description: What the sensor is for. Defaults to None.
        job: The job to run (a graph is turned into a job). Defaults to None.
        jobs: Several jobs it may run; each request then names one with ``job_name``.
            Defaults to None.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        asset_selection: Assets to materialize instead of a job (an ``AssetSelection`` or a list
            of assets). Defaults to None.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        target: What to run instead of ``job``: a job, an asset job, an ``AssetSelection`` or a
            list of assets. Defaults to None.
        tags: Tags of the sensor itself, kept as ``tags`` (runs get their request's tags).
            Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Raises:
        DefinitionError: when ``evaluation_fn`` is missing, or ``jobs`` is given with ``job`` or ``target``.

    Examples:
        >>> from orchestrator import RunRequest, SensorDefinition, SkipReason, build_sensor_context, job, op
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> def check(context):
        ...     return RunRequest(run_key=context.cursor) if context.cursor else SkipReason("No file yet.")
        >>> files = SensorDefinition(name="files", evaluation_fn=check, job=load_job, minimum_interval_seconds=60)
        >>> files.evaluate_tick(build_sensor_context()).skip_message
        'No file yet.'
        >>> files.evaluate_tick(build_sensor_context(cursor="a.csv")).run_requests
        [RunRequest(run_key='a.csv', job_name='load_job', partition_key=None, run_config={})]
    """

    def __init__(self, name: str | None = None, *, evaluation_fn: Callable[..., Any] | None = None,
                 job_name: str | None = None, minimum_interval_seconds: int | None = None,
                 description: str | None = None, job: Any = None, jobs: Sequence[Any] | None = None,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED, asset_selection: Any = None,
                 required_resource_keys: set[str] | None = None, target: Any = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None) -> None:
        if evaluation_fn is None:
            raise DefinitionError(f"Sensor '{name or '?'}' needs evaluation_fn=.")
        self.name = name or evaluation_fn.__name__
        self.evaluation_fn = evaluation_fn
        if asset_selection is not None and target is None and job is None and not jobs:
            target = asset_selection
        targets: list[tuple[Any, str | None]] = []
        if jobs:
            if job is not None or target is not None:
                raise DefinitionError(f"Sensor '{self.name}' takes jobs= or job=/target=, not both.")
            targets = [_target_job(j, None, None, self.name, f"Sensor '{self.name}'") for j in jobs]
        elif job is not None or target is not None or job_name is not None:
            targets = [_target_job(job, target, job_name, self.name, f"Sensor '{self.name}'")]
        self.jobs = [j for j, _ in targets if j is not None]
        self.job_names = [n for _, n in targets if n is not None]
        self.minimum_interval_seconds = minimum_interval_seconds if minimum_interval_seconds is not None else 30
        self.description = description
        if not isinstance(default_status, DefaultSensorStatus):
            raise DefinitionError(f"default_status must be a DefaultSensorStatus, got {default_status!r}.")
        self.default_status = default_status
        self.required_resource_keys = set(required_resource_keys or ())
        self.tags = dict(tags or {})
        self.metadata = dict(metadata or {})

    @property
    def job(self) -> Any:
        """The one job this sensor targets (``DefinitionError`` when it targets several or none)."""
        if len(self.jobs) != 1:
            raise DefinitionError(f"Sensor '{self.name}' targets {len(self.jobs)} jobs; use .jobs.")
        return self.jobs[0]

    @property
    def job_name(self) -> str | None:
        return self.job_names[0] if len(self.job_names) == 1 else None

    @property
    def has_jobs(self) -> bool:
        return bool(self.job_names)

    # -- evaluating ----------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the sensor's function directly (as Dagster's tests do): its return value as is."""
        return _call_directly(self, self.evaluation_fn, args, kwargs, f"Sensor '{self.name}'", SensorEvaluationContext,
                              build_sensor_context)

    def _raw_items(self, context: SensorEvaluationContext) -> list[Any]:
        fn = self.evaluation_fn
        return _listed(fn(context) if _takes_context(fn) else fn())

    def evaluate_tick(self, context: SensorEvaluationContext | None = None) -> SensorExecutionData:
        """Evaluate the sensor once: its run requests (each naming a target job), or why it skipped."""
        ctx = (context or build_sensor_context())._for(self)
        items = self._raw_items(ctx)
        cursor = ctx.cursor
        partition_requests: list[Any] = []
        asset_events: list[Any] = []
        results = [i for i in items if isinstance(i, SensorResult)]
        if results:
            if len(items) != 1:
                raise DefinitionError(f"Sensor '{self.name}' returned a SensorResult with other items; return it alone.")
            result = results[0]
            if result.cursor is not None:
                if ctx.cursor_updated:
                    raise DefinitionError(f"Sensor '{self.name}' both updated the cursor and returned SensorResult(cursor=).")
                cursor = result.cursor
            partition_requests, asset_events = result.dynamic_partitions_requests, result.asset_events
            items = [result.skip_reason] if result.skip_reason is not None else list(result.run_requests or [])
        requests, skips = _split_items(items, f"Sensor '{self.name}'",
                                       "RunRequest(s), a SkipReason or a SensorResult", self._with_job)
        skip_message = skips[0].skip_message if skips else None
        return SensorExecutionData(run_requests=requests, skip_message=skip_message, cursor=cursor,
                                   dynamic_partitions_requests=partition_requests, asset_events=asset_events)

    def _with_job(self, request: RunRequest) -> RunRequest:
        if request.job_name is None:
            if len(self.job_names) != 1:
                raise DefinitionError(
                    f"Sensor '{self.name}' targets {len(self.job_names)} jobs ({', '.join(self.job_names) or 'none'}); "
                    "its RunRequests must name one with job_name=."
                )
            return request.with_replaced_attrs(job_name=self.job_names[0])
        if self.job_names and request.job_name not in self.job_names:
            raise DefinitionError(
                f"Sensor '{self.name}' asked for a run of job '{request.job_name}', which it does not target "
                f"({', '.join(self.job_names)})."
            )
        return request

    def evaluate(self, context: SensorEvaluationContext | None = None) -> list[RunRequest] | SkipReason:
        """The run requests of one evaluation, or its ``SkipReason`` (for the scheduler)."""
        data = self.evaluate_tick(context)
        if data.skip_message is not None:
            return SkipReason(data.skip_message)
        return list(data.run_requests or [])

    def with_updated_jobs(self, jobs: Sequence[Any]) -> SensorDefinition:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.jobs = list(jobs)
        clone.job_names = [j.name for j in jobs]
        return clone

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def sensor(job_name: str | None = None, *, name: str | None = None, minimum_interval_seconds: int | None = None,
           description: str | None = None, job: Any = None, jobs: Sequence[Any] | None = None,
           default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED, asset_selection: Any = None,
           required_resource_keys: set[str] | None = None, target: Any = None, tags: Mapping[str, str] | None = None,
           metadata: Mapping[str, Any] | None = None) -> Callable[[Callable[..., Any]], SensorDefinition]:
    """Make a sensor from ``fn(context)`` (or ``fn()``) returning or yielding ``RunRequest``s, a
    ``SkipReason`` or a ``SensorResult``.

    The function is the sensor's ``evaluation_fn``; see ``SensorDefinition`` for how ticks run.
    Called directly (``my_sensor()`` or ``my_sensor(context)``), the sensor returns what the
    function returns, as in Dagster's tests.

    Args:
        job_name: The name of the job to run, when the job itself is not given. Defaults to None.
        name: The sensor's name. Defaults to the function's name.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30.
        description: What the sensor is for. Defaults to the function's docstring.
        job: The job to run. Defaults to None.
        jobs: Several jobs it may run; each request then names one with ``job_name``. Defaults to None.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        asset_selection: Assets to materialize instead of a job. Defaults to None.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        target: What to run instead of ``job``: a job, an ``AssetSelection`` or a list of assets.
            Defaults to None.
        tags: Tags of the sensor itself, kept as ``tags``. Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Returns:
        A decorator that turns the function into a ``SensorDefinition``.

    Examples:
        >>> from orchestrator import RunRequest, job, op, sensor
        >>> @op(config_schema={"path": str})
        ... def load(context) -> str:
        ...     return context.op_config["path"]
        >>> @job
        ... def load_job():
        ...     load()
        >>> @sensor(job=load_job, minimum_interval_seconds=60)
        ... def new_files():
        ...     for path in ["a.csv", "b.csv"]:
        ...         yield RunRequest(run_key=path, run_config={"ops": {"load": {"config": {"path": path}}}})
        >>> [request.run_key for request in new_files()]
        ['a.csv', 'b.csv']
    """

    def wrap(fn: Callable[..., Any]) -> SensorDefinition:
        return SensorDefinition(name=name or fn.__name__, evaluation_fn=fn, job_name=job_name,
                                minimum_interval_seconds=minimum_interval_seconds,
                                description=description or inspect.getdoc(fn), job=job, jobs=jobs,
                                default_status=default_status, asset_selection=asset_selection,
                                required_resource_keys=required_resource_keys, target=target, tags=tags,
                                metadata=metadata)

    return wrap


# -- asset sensors ----------------------------------------------------------------------------


def _latest_materialization(instance: Any, asset_key: AssetKey) -> Any:
    fetch = getattr(instance, "get_latest_materialization_event", None)
    if fetch is None:
        raise InvocationError(
            f"Asset sensor on '{asset_key}' needs an instance that records materializations, e.g. "
            "build_sensor_context(instance=DagsterInstance.ephemeral())."
        )
    return fetch(asset_key)


def _event_cursor(event: Any) -> str:
    """A cursor that orders materialization events: Dagster's storage id when the event has one."""
    storage_id = getattr(event, "storage_id", None)
    return str(storage_id) if storage_id is not None else repr(float(event.timestamp))


def _is_newer(event: Any, cursor: str | None) -> bool:
    if cursor is None:
        return True
    storage_id = getattr(event, "storage_id", None)
    try:
        return (int(storage_id) > int(cursor)) if storage_id is not None else float(event.timestamp) > float(cursor)
    except ValueError:
        return True


class AssetSensorDefinition(SensorDefinition):
    """A sensor that calls its function with the newest materialization of ``asset_key`` it has not
    seen yet; with none new, the tick skips.

    The cursor remembers the last materialization handled (its storage id, else its
    timestamp), and is moved on after the function returns, so ``context.cursor`` inside the
    function is the previous one, as in Dagster. Materializations are read from
    ``context.instance``: ``DagsterInstance.ephemeral()`` in tests, the runs in Redis under
    ``orch scheduler start``. ``@asset_sensor`` is the usual way to make one.

    Args:
        name: The sensor's name.
        asset_key: The asset to watch (an ``AssetKey``, a string or a list of strings).
        job_name: The name of the job to run, when the job itself is not given. Defaults to None.
        asset_materialization_fn: ``fn(context, asset_event)`` returning or yielding run
            requests or a ``SkipReason``; ``asset_event`` is the ``EventLogEntry`` of the
            materialization. Required.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30.
        description: What the sensor is for. Defaults to None.
        job: The job to run. Defaults to None.
        jobs: Several jobs it may run; each request then names one with ``job_name``. Defaults to None.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        target: What to run instead of ``job``: a job, an ``AssetSelection`` or a list of assets.
            Defaults to None.
        tags: Tags of the sensor itself, kept as ``tags``. Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Raises:
        DefinitionError: when ``asset_materialization_fn`` is missing.

    Examples:
        >>> from orchestrator import AssetKey, AssetSensorDefinition, DagsterInstance, RunRequest, asset
        >>> from orchestrator import build_sensor_context, define_asset_job, materialize
        >>> @asset
        ... def orders() -> list:
        ...     return [1, 2]
        >>> orders_sensor = AssetSensorDefinition("orders_sensor", AssetKey("orders"), job=define_asset_job("all"),
        ...                                       asset_materialization_fn=lambda context, event: RunRequest())
        >>> instance = DagsterInstance.ephemeral()
        >>> orders_sensor.evaluate_tick(build_sensor_context(instance=instance)).skip_message
        'No new materialization events found for asset key orders.'
        >>> _ = materialize([orders], instance=instance)
        >>> orders_sensor.evaluate_tick(build_sensor_context(instance=instance)).run_requests
        [RunRequest(run_key=None, job_name='all', partition_key=None, run_config={})]
    """

    def __init__(self, name: str, asset_key: Any, job_name: str | None = None,
                 asset_materialization_fn: Callable[..., Any] | None = None,
                 minimum_interval_seconds: int | None = None, description: str | None = None, job: Any = None,
                 jobs: Sequence[Any] | None = None, default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 required_resource_keys: set[str] | None = None, target: Any = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None) -> None:
        if asset_materialization_fn is None:
            raise DefinitionError(f"Asset sensor '{name}' needs asset_materialization_fn=.")
        self.asset_key = AssetKey.from_coercible(asset_key)
        self._materialization_fn = asset_materialization_fn
        super().__init__(name=name, evaluation_fn=self._evaluate, job_name=job_name,
                         minimum_interval_seconds=minimum_interval_seconds, description=description, job=job,
                         jobs=jobs, default_status=default_status, required_resource_keys=required_resource_keys,
                         target=target, tags=tags, metadata=metadata)

    def _evaluate(self, context: SensorEvaluationContext) -> Iterator[Any]:
        event = _latest_materialization(context.instance, self.asset_key)
        if event is None or not _is_newer(event, context.cursor):
            yield SkipReason(f"No new materialization events found for asset key {self.asset_key.to_user_string()}.")
            return
        result = self._materialization_fn(context, event)
        yield from _listed(result)
        context.update_cursor(_event_cursor(event))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate with a context (and its instance), as Dagster's tests call asset sensors."""
        context = args[0] if args else kwargs.get("context")
        if not isinstance(context, SensorEvaluationContext):
            raise InvocationError(f"Asset sensor '{self.name}' is called with a context: build_sensor_context(instance=...).")
        return self._evaluate(context._for(self))


def asset_sensor(asset_key: Any, *, job_name: str | None = None, name: str | None = None,
                 minimum_interval_seconds: int | None = None, description: str | None = None, job: Any = None,
                 jobs: Sequence[Any] | None = None, default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 required_resource_keys: set[str] | None = None, tags: Mapping[str, str] | None = None,
                 metadata: Mapping[str, Any] | None = None,
                 target: Any = None) -> Callable[[Callable[..., Any]], AssetSensorDefinition]:
    """Make an asset sensor from ``fn(context, asset_event)``, called when ``asset_key`` has a new materialization.

    At each tick the function gets the newest materialization not seen yet (an
    ``EventLogEntry``: ``asset_event.dagster_event.asset_key``, ``run_id``, ``timestamp``); with
    none new the tick skips without calling it. See ``AssetSensorDefinition``. Called directly
    with a context (``my_sensor(build_sensor_context(instance=...))``), the sensor returns the
    items of that evaluation.

    Args:
        asset_key: The asset to watch (an ``AssetKey``, a string or a list of strings).
        job_name: The name of the job to run, when the job itself is not given. Defaults to None.
        name: The sensor's name. Defaults to the function's name.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30.
        description: What the sensor is for. Defaults to the function's docstring.
        job: The job to run. Defaults to None.
        jobs: Several jobs it may run; each request then names one with ``job_name``. Defaults to None.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        tags: Tags of the sensor itself, kept as ``tags``. Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.
        target: What to run instead of ``job``: a job, an ``AssetSelection`` or a list of assets.
            Defaults to None.

    Returns:
        A decorator that turns the function into an ``AssetSensorDefinition``.

    Examples:
        >>> from orchestrator import AssetKey, DagsterInstance, RunRequest, asset, asset_sensor
        >>> from orchestrator import build_sensor_context, define_asset_job, materialize
        >>> @asset
        ... def orders() -> list:
        ...     return [1, 2]
        >>> @asset_sensor(asset_key=AssetKey("orders"), job=define_asset_job("report_job"))
        ... def orders_updated(context, asset_event):
        ...     return RunRequest(tags={"asset": asset_event.dagster_event.asset_key.to_user_string()})
        >>> instance = DagsterInstance.ephemeral()
        >>> _ = materialize([orders], instance=instance)
        >>> orders_updated.evaluate_tick(build_sensor_context(instance=instance)).run_requests[0].tags
        {'asset': 'orders'}
    """

    def wrap(fn: Callable[..., Any]) -> AssetSensorDefinition:
        return AssetSensorDefinition(name or fn.__name__, asset_key, job_name=job_name, asset_materialization_fn=fn,
                                     minimum_interval_seconds=minimum_interval_seconds,
                                     description=description or inspect.getdoc(fn), job=job, jobs=jobs,
                                     default_status=default_status, required_resource_keys=required_resource_keys,
                                     target=target, tags=tags, metadata=metadata)

    return wrap


# -- run status sensors ------------------------------------------------------------------------


def _status_name(status: Any) -> str:
    return str(getattr(status, "name", status)).upper()


class RunStatusSensorContext(_EvaluationContext):
    """What a run status sensor function receives: the run, the event that ended it, the instance.

    ``dagster_run`` is the run as a ``DagsterRun`` (``run_id``, ``job_name``, ``status``,
    ``tags``, run config); ``dagster_event`` is its ``RUN_SUCCESS``/``RUN_FAILURE``/
    ``RUN_CANCELED`` event; ``partition_key`` is the run's partition. Under
    ``orch scheduler start`` the scheduler builds one per finished run; tests build one with
    ``build_run_status_sensor_context``.

    Args:
        sensor_name: Name of the sensor, also the logger name of ``context.log``.
        dagster_run: The run that reached the status.
        dagster_event: The event that ended it.
        instance: The instance, as ``context.instance`` (``InvocationError`` when there is
            none). Defaults to None.
        context: Accepted for Dagster's signature; not used. Defaults to None.
        resource_defs: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        logger: Accepted for Dagster's signature; not used (``log`` is Python logging). Defaults to None.
        partition_key: The run's partition key. Defaults to None.
        repository_def: The ``Definitions`` the sensor belongs to. Defaults to None.

    Examples:
        >>> from orchestrator import DagsterInstance, RunStatusSensorContext, job, op
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> result = load_job.execute_in_process(instance=DagsterInstance.ephemeral())
        >>> context = RunStatusSensorContext("after_load", result.dagster_run, result.get_job_success_event())
        >>> context.dagster_run.job_name, context.dagster_run.status.name, context.dagster_event.event_type.name
        ('load_job', 'SUCCESS', 'RUN_SUCCESS')
    """

    _no_instance_message = "This run status sensor context has no instance (dagster_instance=)."

    def __init__(self, sensor_name: str, dagster_run: Any, dagster_event: Any, instance: Any = None,
                 context: SensorEvaluationContext | None = None, resource_defs: Mapping[str, Any] | None = None,
                 logger: Any = None, partition_key: str | None = None, repository_def: Any = None,
                 **_ignored: Any) -> None:
        super().__init__(instance, resource_defs)
        self.sensor_name = sensor_name
        self.dagster_run = dagster_run
        self.dagster_event = dagster_event
        self.partition_key = partition_key
        self.repository_def = repository_def

    def _log_name(self) -> str:
        return self.sensor_name

    def for_run_failure(self) -> RunFailureSensorContext:
        """This context as a run failure sensor's (``failure_event``, step failure events)."""
        return RunFailureSensorContext(self.sensor_name, self.dagster_run, self.dagster_event, self._instance,
                                       resource_defs=self._resources_given, partition_key=self.partition_key,
                                       repository_def=self.repository_def)


class RunFailureSensorContext(RunStatusSensorContext):
    """What a run failure sensor function receives: a ``RunStatusSensorContext`` with the failure.

    ``failure_event`` is the ``RUN_FAILURE`` event (its ``message`` says which steps failed);
    ``get_step_failure_events()`` reads the run's ``STEP_FAILURE`` events from the instance (none
    without one). A ``@run_failure_sensor`` (or a run status sensor for ``FAILURE``) called with
    a ``RunStatusSensorContext`` gets it turned into this one.

    Args:
        sensor_name: Name of the sensor, also the logger name of ``context.log``.
        dagster_run: The run that failed.
        dagster_event: The event that failed it.
        instance: The instance the step failure events are read from. Defaults to None.
        context: Accepted for Dagster's signature; not used. Defaults to None.
        resource_defs: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        logger: Accepted for Dagster's signature; not used. Defaults to None.
        partition_key: The run's partition key. Defaults to None.
        repository_def: The ``Definitions`` the sensor belongs to. Defaults to None.

    Examples:
        >>> from orchestrator import DagsterInstance, RunFailureSensorContext, job, op
        >>> @op
        ... def boom():
        ...     raise ValueError("bad row")
        >>> @job
        ... def failing_job():
        ...     boom()
        >>> instance = DagsterInstance.ephemeral()
        >>> result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        >>> context = RunFailureSensorContext("alerts", result.dagster_run, result.get_job_failure_event(), instance)
        >>> [event.message for event in context.get_step_failure_events()]
        ["Step 'boom' failed: ValueError: bad row"]
    """

    @property
    def failure_event(self) -> Any:
        """The event that failed the run (its ``message`` says why)."""
        return self.dagster_event

    def get_step_failure_events(self) -> list[Any]:
        """The STEP_FAILURE events of the failed run, from the instance."""
        logs = getattr(self._instance, "all_logs", None)
        if logs is None:
            return []
        return [e for e in logs(self.dagster_run.run_id) if _status_name(e.event_type) == "STEP_FAILURE"]


def build_run_status_sensor_context(sensor_name: str, dagster_event: Any, dagster_instance: Any, dagster_run: Any,
                                    context: SensorEvaluationContext | None = None, resources: Any = None,
                                    partition_key: str | None = None, repository_def: Any = None,
                                    **_ignored: Any) -> RunStatusSensorContext:
    """A context for calling a run status sensor in a test, from a finished run.

    As Dagster's: run the job with ``execute_in_process(instance=DagsterInstance.ephemeral())``,
    then pass its ``dagster_run`` and its success (or failure) event. A run failure sensor
    called with it gets it as a ``RunFailureSensorContext``.

    Args:
        sensor_name: Name of the sensor.
        dagster_event: The event that ended the run (``result.get_job_success_event()``,
            ``result.get_job_failure_event()``).
        dagster_instance: The instance the run was recorded in.
        dagster_run: The run (``result.dagster_run``).
        context: Accepted for Dagster's signature; not used. Defaults to None.
        resources: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        partition_key: The run's partition key. Defaults to None.
        repository_def: The ``Definitions`` the sensor belongs to. Defaults to None.

    Returns:
        A ``RunStatusSensorContext``.

    Examples:
        >>> from orchestrator import DagsterInstance, DagsterRunStatus, build_run_status_sensor_context
        >>> from orchestrator import job, op, run_status_sensor
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> @run_status_sensor(run_status=DagsterRunStatus.SUCCESS)
        ... def announce(context):
        ...     return f"{context.dagster_run.job_name} succeeded"
        >>> instance = DagsterInstance.ephemeral()
        >>> result = load_job.execute_in_process(instance=instance)
        >>> context = build_run_status_sensor_context(sensor_name="announce", dagster_instance=instance,
        ...                                           dagster_run=result.dagster_run,
        ...                                           dagster_event=result.get_job_success_event())
        >>> announce(context)
        'load_job succeeded'
    """
    return RunStatusSensorContext(sensor_name, dagster_run, dagster_event, dagster_instance, context=context,
                                  resource_defs=resources, partition_key=partition_key, repository_def=repository_def)


class RunStatusSensorDefinition(SensorDefinition):
    """A sensor whose function runs when a monitored job's run reaches ``run_status``.

    The function gets a ``RunStatusSensorContext`` (a ``RunFailureSensorContext`` for
    ``FAILURE``) and may return run requests of ``request_job``/``request_jobs``, or nothing.
    Under ``orch scheduler start`` it reads the runs that ended (in Redis) since its cursor: a
    new sensor starts with the runs that end from then on, as in Dagster, and watches the jobs of
    its own code location unless ``monitored_jobs`` or ``monitor_all_code_locations`` say
    otherwise. ``evaluate_tick`` alone finds no run (it skips); tests call the sensor with
    ``build_run_status_sensor_context`` or use ``evaluate_for_run``. ``@run_status_sensor`` and
    ``@run_failure_sensor`` are the usual ways to make one.

    Args:
        name: The sensor's name.
        run_status: The status that fires it: a ``DagsterRunStatus`` (``SUCCESS``, ``FAILURE``,
            ``CANCELED``) or its name.
        run_status_sensor_fn: ``fn(context)`` (or ``fn()``) called for each such run.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30.
        description: What the sensor is for. Defaults to None.
        monitored_jobs: The jobs (or job names) whose runs it watches. Defaults to the jobs of
            its code location.
        monitor_all_code_locations: Watch every run, of any job. Defaults to False.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        request_job: The job its run requests run. Defaults to None.
        request_jobs: Several jobs its run requests may run (each request names one). Defaults to None.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        tags: Tags of the sensor itself, kept as ``tags``. Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.
        monitor_all_repositories: Dagster's older name for ``monitor_all_code_locations``.
            Defaults to False.

    Examples:
        >>> from orchestrator import DagsterInstance, RunRequest, RunStatusSensorContext, RunStatusSensorDefinition
        >>> from orchestrator import job, op
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> def report(context):
        ...     return RunRequest(run_key=context.dagster_run.run_id, tags={"after": context.dagster_run.job_name})
        >>> after_load = RunStatusSensorDefinition("after_load", "SUCCESS", report, request_job=load_job)
        >>> result = load_job.execute_in_process(instance=DagsterInstance.ephemeral())
        >>> context = RunStatusSensorContext("after_load", result.dagster_run, result.get_job_success_event())
        >>> after_load.matches(result.dagster_run), after_load.evaluate_for_run(context).run_requests[0].tags
        (True, {'after': 'load_job'})
    """

    def __init__(self, name: str, run_status: Any, run_status_sensor_fn: Callable[..., Any],
                 minimum_interval_seconds: int | None = None, description: str | None = None,
                 monitored_jobs: Sequence[Any] | None = None, monitor_all_code_locations: bool | None = None,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED, request_job: Any = None,
                 request_jobs: Sequence[Any] | None = None, required_resource_keys: set[str] | None = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None,
                 monitor_all_repositories: bool | None = None, **_ignored: Any) -> None:
        self.run_status = run_status
        self.run_status_sensor_fn = run_status_sensor_fn
        self.monitored_jobs = list(monitored_jobs or [])
        self.monitor_all_code_locations = bool(monitor_all_code_locations or monitor_all_repositories)
        jobs = list(request_jobs or ([request_job] if request_job is not None else []))
        super().__init__(name=name, evaluation_fn=self._no_tick, minimum_interval_seconds=minimum_interval_seconds,
                         description=description, jobs=jobs or None, default_status=default_status,
                         required_resource_keys=required_resource_keys, tags=tags, metadata=metadata)

    def _no_tick(self, context: SensorEvaluationContext) -> SkipReason:
        return SkipReason(f"Run status sensor '{self.name}' reacts to finished runs; the scheduler feeds it those.")

    def monitors(self, job_name: str) -> bool:
        """Whether a run of ``job_name`` is one this sensor watches."""
        if not self.monitored_jobs:
            return True
        return any(getattr(j, "name", getattr(j, "job_name", j)) == job_name for j in self.monitored_jobs)

    def matches(self, dagster_run: Any) -> bool:
        status = getattr(dagster_run, "status", None)
        return self.monitors(dagster_run.job_name) and status is not None and (
            _status_name(status) == _status_name(self.run_status))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the sensor's function with a ``RunStatusSensorContext`` (as Dagster's tests do)."""
        context = args[0] if args else kwargs.get("context")
        fn = self.run_status_sensor_fn
        if not _takes_context(fn):
            if context is not None:
                raise InvocationError(f"Run status sensor '{self.name}' takes no context, but was called with one.")
            return fn()
        if not isinstance(context, RunStatusSensorContext):
            raise InvocationError(
                f"Run status sensor '{self.name}' is called with build_run_status_sensor_context(...), got {context!r}."
            )
        if _status_name(self.run_status) == "FAILURE" and not isinstance(context, RunFailureSensorContext):
            context = context.for_run_failure()
        return fn(context)

    def evaluate_for_run(self, context: RunStatusSensorContext) -> SensorExecutionData:
        """The run requests the sensor makes for one run that reached its status."""
        items = _listed(self(context))
        requests = [self._with_job(i) for i in items if isinstance(i, RunRequest)]
        skips = [i.skip_message for i in items if isinstance(i, SkipReason)]
        return SensorExecutionData(run_requests=requests, skip_message=skips[0] if skips else None)


def run_status_sensor(run_status: Any, name: str | None = None, minimum_interval_seconds: int | None = None,
                      description: str | None = None, monitored_jobs: Sequence[Any] | None = None,
                      job_selection: Sequence[Any] | None = None, monitor_all_code_locations: bool | None = None,
                      default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED, request_job: Any = None,
                      request_jobs: Sequence[Any] | None = None, monitor_all_repositories: bool | None = None,
                      required_resource_keys: set[str] | None = None, tags: Mapping[str, str] | None = None,
                      metadata: Mapping[str, Any] | None = None,
                      **_ignored: Any) -> Callable[[Callable[..., Any]], RunStatusSensorDefinition]:
    """Make a run status sensor from ``fn(context)``, called when a monitored run reaches ``run_status``.

    The function gets a ``RunStatusSensorContext`` and may return run requests of
    ``request_job``/``request_jobs`` (for example, run a report after the load succeeded), or
    nothing (send a message). See ``RunStatusSensorDefinition`` for which runs it sees under
    ``orch scheduler start``. Called directly with ``build_run_status_sensor_context(...)``, the
    sensor returns what the function returns.

    Args:
        run_status: The status that fires it: a ``DagsterRunStatus`` or its name.
        name: The sensor's name. Defaults to the function's name.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30.
        description: What the sensor is for. Defaults to the function's docstring.
        monitored_jobs: The jobs (or job names) whose runs it watches. Defaults to the jobs of
            its code location.
        job_selection: Dagster's older name for ``monitored_jobs``. Defaults to None.
        monitor_all_code_locations: Watch every run, of any job. Defaults to False.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        request_job: The job its run requests run. Defaults to None.
        request_jobs: Several jobs its run requests may run (each request names one). Defaults to None.
        monitor_all_repositories: Dagster's older name for ``monitor_all_code_locations``.
            Defaults to False.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        tags: Tags of the sensor itself, kept as ``tags``. Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Returns:
        A decorator that turns the function into a ``RunStatusSensorDefinition``.

    Examples:
        >>> from orchestrator import DagsterInstance, DagsterRunStatus, RunRequest, build_run_status_sensor_context
        >>> from orchestrator import job, op, run_status_sensor
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> @run_status_sensor(run_status=DagsterRunStatus.SUCCESS, monitored_jobs=[load_job], request_job=load_job)
        ... def again(context):
        ...     return RunRequest(run_key=f"after-{context.dagster_run.run_id}")
        >>> instance = DagsterInstance.ephemeral()
        >>> result = load_job.execute_in_process(instance=instance)
        >>> again(build_run_status_sensor_context(sensor_name="again", dagster_event=result.get_job_success_event(),
        ...                                       dagster_instance=instance, dagster_run=result.dagster_run)).run_key
        'after-...'
    """

    def wrap(fn: Callable[..., Any]) -> RunStatusSensorDefinition:
        return RunStatusSensorDefinition(
            name or fn.__name__, run_status, fn, minimum_interval_seconds=minimum_interval_seconds,
            description=description or inspect.getdoc(fn), monitored_jobs=monitored_jobs or job_selection,
            monitor_all_code_locations=monitor_all_code_locations or monitor_all_repositories,
            default_status=default_status, request_job=request_job, request_jobs=request_jobs,
            required_resource_keys=required_resource_keys, tags=tags, metadata=metadata,
        )

    return wrap


def run_failure_sensor(name: Callable[..., Any] | str | None = None, minimum_interval_seconds: int | None = None,
                       description: str | None = None, monitored_jobs: Sequence[Any] | None = None,
                       job_selection: Sequence[Any] | None = None, monitor_all_code_locations: bool | None = None,
                       default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED, request_job: Any = None,
                       request_jobs: Sequence[Any] | None = None, monitor_all_repositories: bool | None = None,
                       required_resource_keys: set[str] | None = None, tags: Mapping[str, str] | None = None,
                       metadata: Mapping[str, Any] | None = None, **_ignored: Any) -> Any:
    """Make a run failure sensor from ``fn(context)``, called when a monitored run fails.

    A run status sensor for ``FAILURE`` whose function gets a ``RunFailureSensorContext``
    (``failure_event``, ``get_step_failure_events()``), for alerts. Works bare
    (``@run_failure_sensor``) or with arguments. See ``RunStatusSensorDefinition`` for which
    runs it sees under ``orch scheduler start``.

    Args:
        name: The sensor's name, or the function itself when used bare. Defaults to the function's name.
        minimum_interval_seconds: Seconds between evaluations. Defaults to 30.
        description: What the sensor is for. Defaults to the function's docstring.
        monitored_jobs: The jobs (or job names) whose runs it watches. Defaults to the jobs of
            its code location.
        job_selection: Dagster's older name for ``monitored_jobs``. Defaults to None.
        monitor_all_code_locations: Watch every run, of any job. Defaults to False.
        default_status: Whether it runs once deployed. Defaults to ``DefaultSensorStatus.STOPPED``.
        request_job: The job its run requests run. Defaults to None.
        request_jobs: Several jobs its run requests may run (each request names one). Defaults to None.
        monitor_all_repositories: Dagster's older name for ``monitor_all_code_locations``.
            Defaults to False.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        tags: Tags of the sensor itself, kept as ``tags``. Defaults to ``{}``.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Returns:
        The ``RunStatusSensorDefinition`` (used bare), or a decorator that makes one.

    Examples:
        >>> from orchestrator import DagsterInstance, build_run_status_sensor_context, job, op, run_failure_sensor
        >>> @op
        ... def boom():
        ...     raise ValueError("bad row")
        >>> @job
        ... def failing_job():
        ...     boom()
        >>> @run_failure_sensor
        ... def alert(context):
        ...     return f"{context.dagster_run.job_name}: {context.failure_event.message}"
        >>> instance = DagsterInstance.ephemeral()
        >>> result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        >>> alert(build_run_status_sensor_context(sensor_name="alert", dagster_event=result.get_job_failure_event(),
        ...                                       dagster_instance=instance, dagster_run=result.dagster_run))
        "failing_job: Run of job 'failing_job' failed: step(s) boom failed."
    """

    def wrap(fn: Callable[..., Any]) -> RunStatusSensorDefinition:
        return RunStatusSensorDefinition(
            (name if isinstance(name, str) else None) or fn.__name__, "FAILURE", fn,
            minimum_interval_seconds=minimum_interval_seconds, description=description or inspect.getdoc(fn),
            monitored_jobs=monitored_jobs or job_selection,
            monitor_all_code_locations=monitor_all_code_locations or monitor_all_repositories,
            default_status=default_status, request_job=request_job, request_jobs=request_jobs,
            required_resource_keys=required_resource_keys, tags=tags, metadata=metadata,
        )

    if callable(name):
        fn, name = name, None
        return wrap(fn)
    return wrap
