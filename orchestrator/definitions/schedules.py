"""Schedules as definitions: what to run and when. A schedule names a target job (or assets) and a
cron string; evaluating it at a time gives ``RunRequest``s or a ``SkipReason``.

This module evaluates schedules the way Dagster's tests do (``my_schedule(context)``,
``schedule.evaluate_tick(context)``); the scheduler process runs them on a clock.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, overload
from zoneinfo import ZoneInfo

from orchestrator.errors import DefinitionError, InvocationError

__all__ = ["RunRequest", "SkipReason", "ScheduleDefinition", "schedule", "ScheduleEvaluationContext",
           "ScheduleExecutionData", "DefaultScheduleStatus", "build_schedule_context",
           "build_schedule_from_partitioned_job", "validate_cron"]


class DefaultScheduleStatus(enum.Enum):
    """Whether a schedule starts running as soon as it is deployed (``RUNNING``) or waits to be turned on.

    Example::

        ScheduleDefinition(job=my_job, cron_schedule="0 9 * * *", default_status=DefaultScheduleStatus.RUNNING)
    """

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class RunRequest:
    """Ask for a run of the target job, with config, tags, a partition, and a de-duplication key.

    Example::

        @sensor(job=log_file_job)
        def new_files():
            yield RunRequest(run_key="a.csv", run_config={"ops": {"process_file": {"config": {"filename": "a.csv"}}}})
    """

    def __init__(self, run_key: str | None = None, run_config: Mapping[str, Any] | None = None,
                 tags: Mapping[str, str] | None = None, job_name: str | None = None,
                 asset_selection: Sequence[Any] | None = None, stale_assets_only: bool = False,
                 partition_key: str | None = None, asset_check_keys: Sequence[Any] | None = None) -> None:
        if run_config is not None and not isinstance(run_config, Mapping):
            # Config classes (RunConfig) carry their dict themselves.
            to_dict = getattr(run_config, "to_config_dict", None)
            if not callable(to_dict):
                raise DefinitionError(f"RunRequest run_config must be a dict or RunConfig, got {run_config!r}.")
            run_config = to_dict()
        self.run_key = run_key
        self.run_config: dict[str, Any] = dict(run_config or {})
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.job_name = job_name
        self.asset_selection = list(asset_selection) if asset_selection is not None else None
        self.stale_assets_only = stale_assets_only
        self.partition_key = partition_key
        self.asset_check_keys = list(asset_check_keys) if asset_check_keys is not None else None

    def with_replaced_attrs(self, **changes: Any) -> RunRequest:
        values: dict[str, Any] = dict(run_key=self.run_key, run_config=self.run_config, tags=self.tags, job_name=self.job_name,
                      asset_selection=self.asset_selection, stale_assets_only=self.stale_assets_only,
                      partition_key=self.partition_key, asset_check_keys=self.asset_check_keys)
        values.update(changes)
        return RunRequest(**values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunRequest) and vars(other) == vars(self)

    def __repr__(self) -> str:
        return (f"RunRequest(run_key={self.run_key!r}, job_name={self.job_name!r}, "
                f"partition_key={self.partition_key!r}, run_config={self.run_config!r})")


class SkipReason:
    """Returned by a schedule or sensor that decides not to run this time, and why.

    Example::

        @sensor(job=my_job)
        def nothing_yet():
            return SkipReason("No new files.")
    """

    def __init__(self, skip_message: str | None = None) -> None:
        self.skip_message = skip_message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SkipReason) and other.skip_message == self.skip_message

    def __repr__(self) -> str:
        return f"SkipReason({self.skip_message!r})"


class ScheduleExecutionData:
    """What one evaluation of a schedule produced: run requests, or why it skipped."""

    def __init__(self, run_requests: Sequence[RunRequest] | None = None, skip_message: str | None = None) -> None:
        self.run_requests = list(run_requests) if run_requests is not None else None
        self.skip_message = skip_message

    def __repr__(self) -> str:
        return f"ScheduleExecutionData(run_requests={self.run_requests!r}, skip_message={self.skip_message!r})"


class _EvaluationLog:
    """``context.log`` of a schedule or sensor evaluation: Python logging under the definition's name."""

    def __init__(self, name: str) -> None:
        import logging

        self._logger = logging.getLogger(f"orchestrator.{name}")

    def debug(self, msg: str, *args: Any) -> None:
        self._logger.debug(msg, *args)

    def info(self, msg: str, *args: Any) -> None:
        self._logger.info(msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        self._logger.warning(msg, *args)

    warn = warning

    def error(self, msg: str, *args: Any) -> None:
        self._logger.error(msg, *args)

    def exception(self, msg: str, *args: Any) -> None:
        self._logger.exception(msg, *args)


_ContextT = TypeVar("_ContextT", bound="_EvaluationContext")


class _EvaluationContext:
    """What every schedule and sensor context has: the instance, ``resources`` built on first use
    from ``resources=`` (torn down when the ``with`` block ends), and ``log``.

    :param instance: the instance the definition is evaluated against, or ``None``.
    :param resources: the resources given to the context (a mapping, ``Resources`` or ``None``).
    """

    #: The ``InvocationError`` message when the context has no instance (says how to pass one).
    _no_instance_message = "This context has no instance."

    def __init__(self, instance: Any, resources: Any) -> None:
        self._instance = instance
        self._resources_given = resources
        self._resources: Any = None
        self._provider: Any = None

    def _log_name(self) -> str:
        """The logger name under ``orchestrator.`` for ``context.log``."""
        raise NotImplementedError

    @property
    def instance(self) -> Any:
        if self._instance is None:
            raise InvocationError(self._no_instance_message)
        return self._instance

    @property
    def resources(self) -> Any:
        if self._resources is None:
            self._resources, self._provider = _build_resources(self._resources_given)
        return self._resources

    @property
    def log(self) -> _EvaluationLog:
        return _EvaluationLog(self._log_name())

    def __enter__(self: _ContextT) -> _ContextT:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._provider is not None:
            self._provider.teardown()


class ScheduleEvaluationContext(_EvaluationContext):
    """What a schedule function receives: the time it is evaluated for, the instance, resources.

    Example::

        context = build_schedule_context(scheduled_execution_time=datetime.datetime(2020, 1, 1))
        assert context.scheduled_execution_time.year == 2020
    """

    _no_instance_message = ("This schedule context has no instance: pass one, e.g. "
                            "build_schedule_context(instance=DagsterInstance.ephemeral()).")

    def __init__(self, instance_ref: Any = None, scheduled_execution_time: dt.datetime | None = None,
                 repository_name: str | None = None, schedule_name: str | None = None, resources: Any = None,
                 repository_def: Any = None, instance: Any = None, log_key: Any = None) -> None:
        super().__init__(instance, resources)
        self._scheduled_execution_time = scheduled_execution_time
        self._repository_name = repository_name
        self._schedule_name = schedule_name
        self.repository_def = repository_def

    @property
    def scheduled_execution_time(self) -> dt.datetime:
        """When the tick is for (timezone-aware; the schedule's timezone when it names one)."""
        if self._scheduled_execution_time is None:
            return dt.datetime.now(dt.timezone.utc)
        return self._scheduled_execution_time

    @property
    def repository_name(self) -> str | None:
        return self._repository_name

    @property
    def schedule_name(self) -> str | None:
        return self._schedule_name

    def _log_name(self) -> str:
        return self._schedule_name or "schedule"

    def _for(self, schedule_def: ScheduleDefinition) -> ScheduleEvaluationContext:
        if self._schedule_name is None:
            self._schedule_name = schedule_def.name
        if self._scheduled_execution_time is not None and self._scheduled_execution_time.tzinfo is None:
            tz = ZoneInfo(schedule_def.execution_timezone or "UTC")
            self._scheduled_execution_time = self._scheduled_execution_time.replace(tzinfo=tz)
        return self


def _build_resources(given: Any) -> tuple[Any, Any]:
    """``context.resources`` of a schedule or sensor context built with ``resources=``."""
    from orchestrator.definitions.resources import ResourceProvider, Resources, as_resource_definition

    if given is None:
        return Resources({}), None
    if isinstance(given, Resources):
        return given, None
    defs = {k: as_resource_definition(k, v) for k, v in dict(given).items()}
    provider = ResourceProvider(defs, None, run_id="EPHEMERAL")
    return Resources({k: provider.get(k) for k in defs}), provider


def build_schedule_context(instance: Any = None, scheduled_execution_time: dt.datetime | None = None,
                           resources: Mapping[str, Any] | None = None, repository_def: Any = None,
                           instance_ref: Any = None) -> ScheduleEvaluationContext:
    """A context for evaluating a schedule in a test.

    Example::

        context = build_schedule_context(scheduled_execution_time=datetime.datetime(2020, 1, 1))
        run_request = configurable_job_schedule(context)
        assert run_request.run_config["ops"]["configurable_op"]["config"]["scheduled_date"] == "2020-01-01"
    """
    return ScheduleEvaluationContext(scheduled_execution_time=scheduled_execution_time, resources=resources,
                                     repository_def=repository_def, instance=instance)


_CRON_ALIASES = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                 "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = {**{m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])},
    **{d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}}


def _valid_cron_field(text: str, low: int, high: int) -> bool:
    for part in text.split(","):
        body, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if body == "*":
            continue
        bounds = body.split("-")
        if len(bounds) > 2:
            return False
        for bound in bounds:
            value = _CRON_NAMES.get(bound.lower()) if not bound.isdigit() else int(bound)
            if value is None or not low <= value <= high:
                return False
    return True


def validate_cron(cron_schedule: str, what: str) -> str:
    """``cron_schedule`` (aliases like ``@daily`` expanded) or a ``DefinitionError`` saying what is wrong."""
    text = _CRON_ALIASES.get(cron_schedule.strip(), cron_schedule.strip()) if isinstance(cron_schedule, str) else ""
    fields = text.split()
    if len(fields) != 5 or not all(_valid_cron_field(f, lo, hi) for f, (lo, hi) in zip(fields, _CRON_RANGES)):
        raise DefinitionError(
            f"{what} has cron_schedule {cron_schedule!r}, which is not a cron string: expected 5 fields "
            "(minute hour day-of-month month day-of-week) like '0 0 * * *', or @daily/@hourly/@weekly/@monthly."
        )
    return text


def _target_job(job: Any, target: Any, job_name: str | None, owner: str, what: str) -> tuple[Any, str | None]:
    """The job a schedule or sensor targets: ``job=``, ``target=`` (a job, or assets), or ``job_name=``."""
    if target is not None:
        if job is not None or job_name is not None:
            raise DefinitionError(f"{what} takes target= or job=/job_name=, not both.")
        from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition, define_asset_job
        from orchestrator.definitions.graphs import GraphDefinition
        from orchestrator.definitions.jobs import JobDefinition

        if isinstance(target, GraphDefinition):
            target = target.to_job()
        if isinstance(target, (JobDefinition, UnresolvedAssetJobDefinition)):
            return target, target.name
        selection = list(target) if isinstance(target, (list, tuple, set)) else target
        return define_asset_job(f"__anonymous_asset_job_{owner}", selection=selection), f"__anonymous_asset_job_{owner}"
    if job is not None:
        from orchestrator.definitions.graphs import GraphDefinition

        if isinstance(job, GraphDefinition):
            job = job.to_job()
        return job, str(job.name)
    return None, job_name


def _takes_context(fn: Callable[..., Any]) -> bool:
    params = [p for p in inspect.signature(fn).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return bool(params)


def _listed(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, (RunRequest, SkipReason)):
        return [result]
    if inspect.isgenerator(result) or isinstance(result, (list, tuple)):
        return list(result)
    return [result]


def _call_directly(definition: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any],
                   what: str, context_type: type[Any],
                   build_context: Callable[[], _EvaluationContext]) -> Any:
    """Call a schedule's or sensor's function as Dagster's tests do (``my_sensor(context)`` or ``my_sensor()``).

    :param definition: the schedule or sensor (its name fills in a context built without one).
    :param fn: the user's function.
    :param args: the call's positional arguments (the context, if any, first).
    :param kwargs: the call's keyword arguments (``context=`` if given that way).
    :param what: ``"Schedule 'name'"`` / ``"Sensor 'name'"``, for the error when a context is given to ``fn()``.
    :param context_type: the context class whose ``_for(definition)`` completes a context.
    :param build_context: builds an empty context when a function that takes one is called without.
    """
    context = args[0] if args else kwargs.get("context")
    if _takes_context(fn):
        if context is None:
            context = build_context()
        return fn(context._for(definition) if isinstance(context, context_type) else context)
    if context is not None:
        raise InvocationError(f"{what} takes no context, but was called with one.")
    return fn()


def _split_items(items: Sequence[Any], what: str, accepted: str,
                 map_request: Callable[[RunRequest], RunRequest] = lambda request: request,
                 ) -> tuple[list[RunRequest], list[SkipReason]]:
    """The run requests and skip reasons an evaluation returned; a ``DefinitionError`` for anything
    else, or for both kinds at once.

    :param items: what the function returned or yielded, as a list.
    :param what: ``"Schedule 'name'"`` / ``"Sensor 'name'"``, for the errors.
    :param accepted: what the function may return, for the error on anything else.
    :param map_request: applied to each run request (a sensor fills in and checks its job).
    """
    other = [i for i in items if not isinstance(i, (RunRequest, SkipReason))]
    if other:
        raise DefinitionError(f"{what} returned {other[0]!r}; return {accepted}.")
    skips = [i for i in items if isinstance(i, SkipReason)]
    requests = [map_request(i) for i in items if isinstance(i, RunRequest)]
    if skips and requests:
        raise DefinitionError(f"{what} returned both RunRequests and a SkipReason.")
    return requests, skips


class ScheduleDefinition:
    """Run a job (or assets) on a cron schedule.

    ``run_config``/``tags`` (or ``run_config_fn``/``tags_fn`` of the context) make each tick's run;
    ``should_execute(context)`` may skip a tick; ``execution_fn`` (what ``@schedule`` decorates)
    returns run requests itself. ``target`` may be a job, an asset job, an ``AssetSelection`` or a
    list of assets.

    Example::

        basic_schedule = ScheduleDefinition(job=my_job, cron_schedule="0 0 * * *")
        data = basic_schedule.evaluate_tick(build_schedule_context())
        assert data.run_requests[0].job_name == "my_job"
    """

    def __init__(self, name: str | None = None, *, cron_schedule: str | Sequence[str] | None = None,
                 job_name: str | None = None, run_config: Any = None,
                 run_config_fn: Callable[..., Any] | None = None, tags: Mapping[str, str] | None = None,
                 tags_fn: Callable[..., Mapping[str, str]] | None = None,
                 should_execute: Callable[..., bool] | None = None,
                 environment_vars: Mapping[str, str] | None = None, execution_timezone: str | None = None,
                 execution_fn: Callable[..., Any] | None = None, description: str | None = None,
                 job: Any = None, default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
                 required_resource_keys: set[str] | None = None, target: Any = None,
                 metadata: Mapping[str, Any] | None = None) -> None:
        if execution_fn is not None and (run_config is not None or run_config_fn is not None or tags_fn is not None
                                         or should_execute is not None):
            raise DefinitionError(
                "A schedule with execution_fn= (or @schedule) returns its run requests itself; it takes no "
                "run_config, run_config_fn, tags_fn or should_execute."
            )
        if run_config is not None and run_config_fn is not None:
            raise DefinitionError("Pass run_config= or run_config_fn=, not both.")
        if tags is not None and tags_fn is not None:
            raise DefinitionError("Pass tags= or tags_fn=, not both.")
        base_name = name or (f"{job_name}_schedule" if job_name else None)
        self.job, self.job_name = _target_job(job, target, job_name, base_name or "schedule",
                                              f"Schedule '{base_name or '?'}'")
        if self.job_name is None:
            raise DefinitionError(f"Schedule '{name or '?'}' needs a target: pass job=, target= or job_name=.")
        self.name = name or f"{self.job_name}_schedule"
        if self.job is not None and self.job_name.startswith("__anonymous_asset_job_") and not name:
            raise DefinitionError("A schedule targeting assets needs a name=.")
        self._set_cron(cron_schedule)
        if execution_timezone is not None:
            try:
                ZoneInfo(execution_timezone)
            except Exception:
                raise DefinitionError(f"Schedule '{self.name}' has unknown execution_timezone "
                                      f"{execution_timezone!r}; use an IANA name like 'US/Pacific'.") from None
        self.execution_timezone = execution_timezone
        self.run_config = run_config
        self.run_config_fn = run_config_fn
        self.tags = dict(tags or {})
        self.tags_fn = tags_fn
        self.should_execute = should_execute
        self.environment_vars = dict(environment_vars or {})
        self.execution_fn = execution_fn
        self.description = description
        if not isinstance(default_status, DefaultScheduleStatus):
            raise DefinitionError(f"default_status must be a DefaultScheduleStatus, got {default_status!r}.")
        self.default_status = default_status
        self.required_resource_keys = set(required_resource_keys or ())
        self.metadata = dict(metadata or {})

    def _set_cron(self, cron_schedule: str | Sequence[str] | None) -> None:
        if cron_schedule is None:
            raise DefinitionError(f"Schedule '{self.name}' needs cron_schedule=.")
        what = f"Schedule '{self.name}'"
        if isinstance(cron_schedule, str):
            self._cron: str | list[str] = validate_cron(cron_schedule, what)
        else:
            self._cron = [validate_cron(c, what) for c in cron_schedule]

    @property
    def cron_schedule(self) -> str | list[str]:
        return self._cron

    @property
    def target(self) -> Any:
        return self.job

    @property
    def has_job(self) -> bool:
        return self.job is not None

    # -- evaluating ----------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call a decorated schedule's function directly (as Dagster's tests do)."""
        if self.execution_fn is None or not getattr(self, "_decorated", False):
            raise InvocationError(
                f"Schedule '{self.name}' was not made with @schedule, so it cannot be called; use "
                "evaluate_tick(build_schedule_context(...))."
            )
        fn = getattr(self, "_raw_fn", self.execution_fn)
        return _call_directly(self, fn, args, kwargs, f"Schedule '{self.name}'", ScheduleEvaluationContext,
                              build_schedule_context)

    def _run_requests(self, context: ScheduleEvaluationContext) -> list[Any]:
        if self.execution_fn is not None:
            fn = self.execution_fn
            result = fn(context) if _takes_context(fn) else fn()
            if isinstance(result, Mapping):
                return [RunRequest(run_config=result, tags=self.tags)]
            return _listed(result)
        if self.should_execute is not None and not self.should_execute(context):
            return [SkipReason(f"should_execute of schedule '{self.name}' returned False.")]
        run_config = self.run_config_fn(context) if self.run_config_fn else self.run_config
        tags = self.tags_fn(context) if self.tags_fn else self.tags
        return [RunRequest(run_config=run_config, tags=tags)]

    def evaluate_tick(self, context: ScheduleEvaluationContext | None = None) -> ScheduleExecutionData:
        """Evaluate the schedule once: its run requests (for its job), or the reason it skipped."""
        ctx = (context or build_schedule_context())._for(self)
        requests, skips = _split_items(self._run_requests(ctx), f"Schedule '{self.name}'",
                                       "RunRequest(s), a run config dict, or a SkipReason")
        if skips:
            return ScheduleExecutionData(run_requests=[], skip_message=skips[0].skip_message)
        for request in requests:
            if request.job_name is not None and request.job_name != self.job_name:
                raise DefinitionError(
                    f"Schedule '{self.name}' targets job '{self.job_name}' but asked for a run of '{request.job_name}'."
                )
        return ScheduleExecutionData(run_requests=[r.with_replaced_attrs(job_name=self.job_name) for r in requests])

    def evaluate(self, context: ScheduleEvaluationContext | None = None) -> list[RunRequest] | SkipReason:
        """The run requests of one tick, or its ``SkipReason`` (for the scheduler)."""
        data = self.evaluate_tick(context)
        if data.skip_message is not None or not data.run_requests and self.execution_fn is not None:
            return SkipReason(data.skip_message)
        return list(data.run_requests or [])

    def with_updated_job(self, new_job: Any) -> ScheduleDefinition:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.job, clone.job_name = new_job, new_job.name
        return clone

    def __repr__(self) -> str:
        return f"<ScheduleDefinition {self.name} '{self.cron_schedule}' -> {self.job_name}>"


@overload
def schedule(cron_schedule: str | Sequence[str], *, job_name: str | None = None, name: str | None = None,
             tags: Mapping[str, str] | None = None, tags_fn: Callable[..., Mapping[str, str]] | None = None,
             should_execute: Callable[..., bool] | None = None, environment_vars: Mapping[str, str] | None = None,
             execution_timezone: str | None = None, description: str | None = None, job: Any = None,
             default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
             required_resource_keys: set[str] | None = None, target: Any = None,
             metadata: Mapping[str, Any] | None = None) -> Callable[[Callable[..., Any]], ScheduleDefinition]: ...


@overload
def schedule(cron_schedule: None = None, *, job_name: str | None = None, name: str | None = None,
             tags: Mapping[str, str] | None = None, tags_fn: Callable[..., Mapping[str, str]] | None = None,
             should_execute: Callable[..., bool] | None = None, environment_vars: Mapping[str, str] | None = None,
             execution_timezone: str | None = None, description: str | None = None, job: Any = None,
             default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
             required_resource_keys: set[str] | None = None, target: Any = None,
             metadata: Mapping[str, Any] | None = None) -> Callable[[Callable[..., Any]], ScheduleDefinition]: ...


def schedule(cron_schedule: str | Sequence[str] | None = None, *, job_name: str | None = None,
             name: str | None = None, tags: Mapping[str, str] | None = None,
             tags_fn: Callable[..., Mapping[str, str]] | None = None,
             should_execute: Callable[..., bool] | None = None, environment_vars: Mapping[str, str] | None = None,
             execution_timezone: str | None = None, description: str | None = None, job: Any = None,
             default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
             required_resource_keys: set[str] | None = None, target: Any = None,
             metadata: Mapping[str, Any] | None = None) -> Callable[[Callable[..., Any]], ScheduleDefinition]:
    """Decorate ``fn(context)`` returning run config, a ``RunRequest``, ``RunRequest``s or a ``SkipReason``.

    Example::

        @schedule(job=configurable_job, cron_schedule="0 0 * * *")
        def configurable_job_schedule(context: ScheduleEvaluationContext):
            scheduled_date = context.scheduled_execution_time.strftime("%Y-%m-%d")
            return RunRequest(run_config={"ops": {"configurable_op": {"config": {"scheduled_date": scheduled_date}}}},
                              tags={"date": scheduled_date})
    """

    def wrap(fn: Callable[..., Any]) -> ScheduleDefinition:
        user_tags = dict(tags or {})
        tag_fn = tags_fn
        skip_fn = should_execute

        def execution_fn(context: ScheduleEvaluationContext) -> Any:
            if skip_fn is not None and not skip_fn(context):
                return SkipReason(f"should_execute of schedule '{name or fn.__name__}' returned False.")
            result = fn(context) if _takes_context(fn) else fn()
            if isinstance(result, Mapping):
                return RunRequest(run_config=result, tags=tag_fn(context) if tag_fn else user_tags)
            return result

        definition = ScheduleDefinition(
            name=name or fn.__name__, cron_schedule=cron_schedule, job_name=job_name, tags=user_tags,
            environment_vars=environment_vars, execution_timezone=execution_timezone,
            description=description or inspect.getdoc(fn), job=job, default_status=default_status,
            required_resource_keys=required_resource_keys, target=target, metadata=metadata,
            execution_fn=execution_fn,
        )
        definition._decorated = True  # type: ignore[attr-defined]
        definition._raw_fn = fn  # type: ignore[attr-defined]
        return definition

    return wrap


def _partitions_cron(partitions_def: Any, minute_of_hour: int | None, hour_of_day: int | None,
                     day_of_week: int | None, day_of_month: int | None) -> str:
    kind = getattr(partitions_def, "kind", None)
    minute = partitions_def.minute_offset if minute_of_hour is None else minute_of_hour
    hour = partitions_def.hour_offset if hour_of_day is None else hour_of_day
    if kind == "HOURLY":
        return f"{minute} * * * *"
    if kind == "DAILY":
        return f"{minute} {hour} * * *"
    if kind == "WEEKLY":
        return f"{minute} {hour} * * {partitions_def.day_offset if day_of_week is None else day_of_week}"
    return f"{minute} {hour} {partitions_def.day_offset if day_of_month is None else day_of_month} * *"


class _PartitionedSchedule(ScheduleDefinition):
    """A schedule requesting a run of a partitioned job's latest partition at every tick.

    For an asset job, the partitions are known once the job is resolved against its assets
    (in ``Definitions``); until then the schedule knows only its job.
    """

    def _setup(self, job: Any, cron_overrides: tuple[int | None, ...], tags: Mapping[str, str],
               cron_schedule: str | None) -> None:
        self._cron_overrides = cron_overrides
        self._partition_tags = dict(tags)
        self._explicit_cron = cron_schedule
        self.partitions_def = getattr(job, "partitions_def", None)

    @property
    def cron_schedule(self) -> str | list[str]:
        from orchestrator.definitions.time_partitions import TimeWindowPartitionsDefinition

        if self._explicit_cron is not None:
            return validate_cron(self._explicit_cron, f"Schedule '{self.name}'")
        if self.partitions_def is None:
            raise DefinitionError(
                f"Schedule '{self.name}' follows the partitions of asset job '{self.job_name}', which are known once "
                "the job is resolved: put it in Definitions(assets=..., schedules=[...]) first."
            )
        if not isinstance(self.partitions_def, TimeWindowPartitionsDefinition):
            raise DefinitionError(f"Schedule '{self.name}': job '{self.job_name}' is not partitioned by time; "
                                  "pass cron_schedule= to build_schedule_from_partitioned_job.")
        return _partitions_cron(self.partitions_def, *self._cron_overrides)

    def _run_requests(self, context: ScheduleEvaluationContext) -> list[Any]:
        from orchestrator.definitions.time_partitions import TimeWindowPartitionsDefinition

        partitions_def = self.partitions_def
        if partitions_def is None:
            self.cron_schedule  # noqa: B018 - raises the error that says how to resolve the job
        assert partitions_def is not None
        if isinstance(partitions_def, TimeWindowPartitionsDefinition):
            key = partitions_def.get_last_partition_key(current_time=context.scheduled_execution_time)
            if key is None:
                return [SkipReason(f"No partition of job '{self.job_name}' has ended by "
                                   f"{context.scheduled_execution_time.isoformat()}.")]
            return [RunRequest(run_key=key, partition_key=key, tags=self._partition_tags)]
        return [RunRequest(run_key=key, partition_key=key, tags=self._partition_tags)
                for key in partitions_def.get_partition_keys(context.scheduled_execution_time)]

    def _resolved(self, job: Any) -> ScheduleDefinition:
        clone = self.with_updated_job(job)
        assert isinstance(clone, _PartitionedSchedule)
        clone.partitions_def = job.partitions_def
        if clone.execution_timezone is None:
            # As for a job given with its partitions: the schedule ticks in the partitions' timezone.
            clone.execution_timezone = getattr(job.partitions_def, "timezone", None)
        return clone


def build_schedule_from_partitioned_job(
    job: Any, description: str | None = None, name: str | None = None, minute_of_hour: int | None = None,
    hour_of_day: int | None = None, day_of_week: int | None = None, day_of_month: int | None = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED, tags: Mapping[str, str] | None = None,
    cron_schedule: str | None = None, execution_timezone: str | None = None,
) -> ScheduleDefinition:
    """A schedule that runs a time-partitioned job's latest partition at the end of each window.

    ``minute_of_hour``, ``hour_of_day``, ``day_of_week``, ``day_of_month`` move the tick within the
    window; a job with other partitions needs ``cron_schedule`` and runs every partition per tick.

    Example::

        @daily_partitioned_config(start_date="2024-01-01")
        def my_partitioned_config(start, end):
            return {"ops": {"process_data_for_date": {"config": {"date": start.strftime("%Y-%m-%d")}}}}

        @job(config=my_partitioned_config)
        def do_stuff_partitioned():
            process_data_for_date()

        schedule = build_schedule_from_partitioned_job(do_stuff_partitioned)
        tick = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=datetime.datetime(2024, 1, 5)))
        assert tick.run_requests[0].partition_key == "2024-01-04"
    """
    from orchestrator.definitions.time_partitions import TimeWindowPartitionsDefinition

    partitions_def = getattr(job, "partitions_def", None)
    if partitions_def is None and not hasattr(job, "selection"):
        raise DefinitionError(f"build_schedule_from_partitioned_job: job '{job.name}' is not partitioned.")
    if partitions_def is not None and not isinstance(partitions_def, TimeWindowPartitionsDefinition) and not cron_schedule:
        raise DefinitionError(f"Job '{job.name}' is not partitioned by time; pass cron_schedule= to say when to run it.")
    schedule_def = object.__new__(_PartitionedSchedule)
    schedule_def._setup(job, (minute_of_hour, hour_of_day, day_of_week, day_of_month), tags or {}, cron_schedule)
    ScheduleDefinition.__init__(
        schedule_def, name=name or f"{job.name}_schedule", cron_schedule=cron_schedule or "0 0 * * *", job=job,
        description=description, default_status=default_status,
        execution_timezone=execution_timezone or (getattr(partitions_def, "timezone", None) if partitions_def else None),
    )
    if partitions_def is not None:
        schedule_def.cron_schedule  # noqa: B018 - check the cron string now, as Dagster does
    return schedule_def

