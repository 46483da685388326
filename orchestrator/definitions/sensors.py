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
    """Whether a sensor starts running as soon as it is deployed (``RUNNING``) or waits to be turned on.

    Example::

        @sensor(job=asset_job, default_status=DefaultSensorStatus.RUNNING)
        def my_running_sensor(): ...
    """

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class SensorResult:
    """A sensor's full answer: run requests, or a skip reason, and the cursor to keep.

    Example::

        @sensor(job=my_job)
        def files(context):
            return SensorResult(run_requests=[RunRequest(run_key="a")], cursor="a")
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

    Example::

        context = build_sensor_context(cursor="0")
        context.update_cursor("5")
        assert context.cursor == "5"
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
    """A context for evaluating a sensor in a test.

    Example::

        context = build_sensor_context(cursor="0")
        for run_request in my_directory_sensor_cursor(context):
            assert run_request.run_config["ops"]["process_file"]["config"]["filename"]
    """
    return SensorEvaluationContext(cursor=cursor, repository_name=repository_name, repository_def=repository_def,
                                   instance=instance, sensor_name=sensor_name, resources=resources,
                                   definitions=definitions, last_sensor_start_time=last_sensor_start_time)


class SensorDefinition:
    """Run jobs when a condition holds: the evaluation function returns ``RunRequest``s, a
    ``SkipReason`` or a ``SensorResult``.

    Example::

        def check(context):
            return SkipReason("nothing new") if not new_files() else RunRequest(run_key="batch")

        files_sensor = SensorDefinition(name="files_sensor", evaluation_fn=check, job=my_job)
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
        results = [i for i in items if isinstance(i, SensorResult)]
        if results:
            if len(items) != 1:
                raise DefinitionError(f"Sensor '{self.name}' returned a SensorResult with other items; return it alone.")
            result = results[0]
            if result.cursor is not None:
                if ctx.cursor_updated:
                    raise DefinitionError(f"Sensor '{self.name}' both updated the cursor and returned SensorResult(cursor=).")
                cursor = result.cursor
            items = [result.skip_reason] if result.skip_reason is not None else list(result.run_requests or [])
        requests, skips = _split_items(items, f"Sensor '{self.name}'",
                                       "RunRequest(s), a SkipReason or a SensorResult", self._with_job)
        skip_message = skips[0].skip_message if skips else None
        return SensorExecutionData(run_requests=requests, skip_message=skip_message, cursor=cursor)

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
    """Decorate ``fn(context)`` (or ``fn()``) returning or yielding ``RunRequest``s or a ``SkipReason``.

    Example::

        @sensor(job=log_file_job)
        def sensor_to_test():
            yield RunRequest(run_key="foo", run_config={"ops": {"process_file": {"config": {"filename": "foo"}}}})

        for run_request in sensor_to_test():
            assert validate_run_config(log_file_job, run_request.run_config)
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
    seen yet (the cursor remembers which it has); with none new it skips.

    Example::

        @asset_sensor(asset_key=AssetKey("my_table"), job=my_job)
        def my_asset_sensor(context, asset_event):
            yield RunRequest(run_key=context.cursor)
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
    """Decorate ``fn(context, asset_event)``, called for each new materialization of ``asset_key``.

    Example::

        @asset_sensor(asset_key=AssetKey("my_table"), job=my_job)
        def my_asset_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry):
            yield RunRequest(run_key=context.cursor, run_config={
                "ops": {"read_materialization": {"config": {"asset_key": asset_event.dagster_event.asset_key.path}}}})

        instance = DagsterInstance.ephemeral()
        ctx = build_sensor_context(instance)
        assert isinstance(list(my_asset_sensor(ctx))[0], SkipReason)
        materialize([my_table], instance=instance)
        assert isinstance(list(my_asset_sensor(ctx))[0], RunRequest)
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

    Example::

        context = build_run_status_sensor_context(sensor_name="my_email_sensor", dagster_instance=instance,
                                                  dagster_run=result.dagster_run,
                                                  dagster_event=result.get_job_success_event())
        assert context.dagster_run.job_name == "my_job_succeeds"
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
    """What a run failure sensor function receives: also the failure event and the failed steps."""

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

    Example::

        instance = DagsterInstance.ephemeral()
        result = my_job_succeeds.execute_in_process(instance=instance)
        context = build_run_status_sensor_context(sensor_name="my_email_sensor", dagster_instance=instance,
                                                  dagster_run=result.dagster_run,
                                                  dagster_event=result.get_job_success_event())
        my_email_sensor(context)
    """
    return RunStatusSensorContext(sensor_name, dagster_run, dagster_event, dagster_instance, context=context,
                                  resource_defs=resources, partition_key=partition_key, repository_def=repository_def)


class RunStatusSensorDefinition(SensorDefinition):
    """A sensor whose function runs when a monitored job's run reaches ``run_status``.

    It may request runs of ``request_job``/``request_jobs``. Evaluating it on a clock reads runs
    from the instance: that is the scheduler's part; tests call it with a built context.

    Example::

        @run_status_sensor(run_status=DagsterRunStatus.SUCCESS, request_job=report_job)
        def report_when_done(context):
            return RunRequest(run_key=context.dagster_run.run_id)
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
    """Decorate ``fn(context: RunStatusSensorContext)``, called when a monitored run reaches ``run_status``.

    Example::

        @run_status_sensor(run_status=DagsterRunStatus.SUCCESS)
        def my_email_sensor(context: RunStatusSensorContext):
            email_alert(f'Job "{context.dagster_run.job_name}" succeeded.')
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
    """Decorate ``fn(context: RunFailureSensorContext)``, called when a monitored run fails.
    Works bare (``@run_failure_sensor``) or with arguments.

    Example::

        @run_failure_sensor
        def my_email_failure_sensor(context: RunFailureSensorContext):
            email_alert(f'Job "{context.dagster_run.job_name}" failed. Error: {context.failure_event.message}')
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
