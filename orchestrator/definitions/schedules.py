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
    """Whether a schedule runs as soon as it is deployed (``RUNNING``) or waits to be turned on (``STOPPED``).

    Given as ``default_status=`` to ``ScheduleDefinition`` or ``@schedule``; the default is
    ``STOPPED``, as in Dagster. ``orch scheduler start`` evaluates a schedule only while it is on:
    ``orch schedule start NAME`` / ``orch schedule stop NAME`` turn it on or off, and that choice,
    kept in Redis, wins over the default from then on.

    Examples:
        >>> from orchestrator import DefaultScheduleStatus, ScheduleDefinition, job, op
        >>> @op
        ... def hello() -> str:
        ...     return "hello"
        >>> @job
        ... def morning_job():
        ...     hello()
        >>> every_morning = ScheduleDefinition(job=morning_job, cron_schedule="0 9 * * *",
        ...                                    default_status=DefaultScheduleStatus.RUNNING)
        >>> every_morning.default_status
        <DefaultScheduleStatus.RUNNING: 'RUNNING'>
    """

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class RunRequest:
    """Ask for one run of a schedule's or sensor's job: its config, tags, partition and run key.

    A schedule or sensor function returns or yields these (a schedule may also return plain run
    config). ``evaluate_tick`` fills in ``job_name`` with the target job; ``orch scheduler start``
    submits each request as a run on the workers, tagged ``dagster/run_key`` and
    ``dagster/partition`` where given. A sensor never requests the same ``run_key`` twice: the
    keys it has requested are kept in Redis, so a request whose key already has a run is dropped.

    Args:
        run_key: Identifies the run among this sensor's requests; a key already requested
            starts no second run. Defaults to None (every request is a new run).
        run_config: The run's config, a dict or a ``RunConfig``. Defaults to ``{}``.
        tags: Tags of the run (values are turned into strings). Defaults to ``{}``.
        job_name: The job to run, needed when the schedule or sensor targets several. Defaults
            to its one target job.
        asset_selection: Asset keys to materialize instead of a job (the scheduler runs an
            ad-hoc asset job of the code location). Defaults to None.
        stale_assets_only: Kept as ``stale_assets_only``; not used to narrow the selection.
            Defaults to False.
        partition_key: The partition to run, required for a partitioned job. Defaults to None.
        asset_check_keys: Kept as ``asset_check_keys``; not used to choose checks. Defaults to None.

    Raises:
        DefinitionError: when ``run_config`` is neither a dict nor a ``RunConfig``.

    Examples:
        >>> from orchestrator import RunRequest
        >>> request = RunRequest(run_key="a.csv", run_config={"ops": {"load": {"config": {"path": "a.csv"}}}},
        ...                      tags={"source": "files"})
        >>> request.run_key, request.tags
        ('a.csv', {'source': 'files'})
        >>> request.with_replaced_attrs(job_name="load_files")
        RunRequest(run_key='a.csv', job_name='load_files', partition_key=None,
                   run_config={'ops': {'load': {'config': {'path': 'a.csv'}}}})
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
    """Returned by a schedule or sensor that decides not to request a run this time, and why.

    The message is what ``evaluate_tick`` reports as ``skip_message`` and what the scheduler
    records for the skipped tick (``orch schedule ticks NAME``). A function may return a
    ``SkipReason`` or run requests, not both.

    Args:
        skip_message: Why nothing runs this time. Defaults to None.

    Examples:
        >>> from orchestrator import SkipReason, job, op, sensor
        >>> @op
        ... def load() -> int:
        ...     return 1
        >>> @job
        ... def load_job():
        ...     load()
        >>> @sensor(job=load_job)
        ... def new_files():
        ...     return SkipReason("No new files.")
        >>> new_files.evaluate_tick().skip_message
        'No new files.'
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

    ``scheduled_execution_time`` is the tick's time: when the schedule evaluates the context, a
    naive time is read in its ``execution_timezone`` (else UTC). ``resources`` are built on first
    use and torn down when a ``with context:`` block ends; ``log`` is Python logging under
    ``orchestrator.<schedule name>``. Under ``orch scheduler start``, ``instance`` answers
    Dagster's instance questions (runs, events, materializations) from Redis and ``resources``
    are the code location's that the schedule names in ``required_resource_keys``. Tests build
    one with ``build_schedule_context``.

    Args:
        instance_ref: Accepted for Dagster's signature; not used. Defaults to None.
        scheduled_execution_time: The tick's time. Defaults to now, in UTC.
        repository_name: Name of the code location, as ``repository_name``. Defaults to None.
        schedule_name: Name of the schedule; filled in when the schedule is evaluated. Defaults to None.
        resources: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        repository_def: The ``Definitions`` the schedule belongs to, as ``repository_def``.
            Defaults to None.
        instance: The instance, as ``context.instance`` (``InvocationError`` when there is none).
            Defaults to None.
        log_key: Accepted for Dagster's signature; not used. Defaults to None.

    Examples:
        >>> import datetime
        >>> from orchestrator import ScheduleEvaluationContext
        >>> context = ScheduleEvaluationContext(scheduled_execution_time=datetime.datetime(2024, 5, 1, 9),
        ...                                     resources={"region": "eu"})
        >>> context.scheduled_execution_time.strftime("%Y-%m-%d %H:%M"), context.resources.region
        ('2024-05-01 09:00', 'eu')
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
    """A context for evaluating a schedule in a test, as Dagster's ``build_schedule_context``.

    Pass it to a ``@schedule`` called directly (``my_schedule(context)``) or to
    ``schedule.evaluate_tick(context)``; use it in a ``with`` block when the resources need
    tearing down.

    Args:
        instance: The instance, as ``context.instance`` (e.g. ``DagsterInstance.ephemeral()``).
            Defaults to None.
        scheduled_execution_time: The tick's time; a naive one is read in the schedule's
            ``execution_timezone`` (else UTC). Defaults to now, in UTC.
        resources: Resources by key (definitions or plain objects), as ``context.resources``.
            Defaults to none.
        repository_def: The ``Definitions`` the schedule belongs to. Defaults to None.
        instance_ref: Accepted for Dagster's signature; not used. Defaults to None.

    Returns:
        A ``ScheduleEvaluationContext``.

    Examples:
        >>> import datetime
        >>> from orchestrator import RunRequest, build_schedule_context, job, op, schedule
        >>> @op
        ... def report() -> str:
        ...     return "done"
        >>> @job
        ... def report_job():
        ...     report()
        >>> @schedule(cron_schedule="0 0 * * *", job=report_job)
        ... def nightly(context):
        ...     return RunRequest(run_key=context.scheduled_execution_time.strftime("%Y-%m-%d"))
        >>> nightly(build_schedule_context(scheduled_execution_time=datetime.datetime(2024, 5, 1))).run_key
        '2024-05-01'
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

    Each tick makes one run from ``run_config``/``tags`` (or ``run_config_fn``/``tags_fn`` of the
    context); ``should_execute(context)`` may skip a tick; ``execution_fn`` (what ``@schedule``
    decorates) returns its run requests itself. Tests evaluate a tick with
    ``evaluate_tick(build_schedule_context(...))``; ``orch scheduler start`` runs the schedule on
    its cron string in its ``execution_timezone`` (daylight saving time as in Dagster) and
    submits the runs to the workers, tagged ``dagster/schedule_name``. Ticks missed while no
    scheduler ran are caught up, the latest 5 of them.

    Args:
        name: The schedule's name. Defaults to ``<job name>_schedule``; required when the target is assets.
        cron_schedule: When it ticks: a 5-field cron string (``"0 9 * * 1-5"``), an alias
            (``@hourly``, ``@daily``, ``@weekly``, ``@monthly``, ``@yearly``), or a list of them.
        job_name: The name of the job to run, when the job itself is not given (the
            ``Definitions`` must hold it). Defaults to None.
        run_config: The run config of every tick's run. Defaults to ``{}``.
        run_config_fn: ``fn(context)`` returning each tick's run config, instead of
            ``run_config``. Defaults to None.
        tags: Tags of every tick's run. Defaults to ``{}``.
        tags_fn: ``fn(context)`` returning each tick's tags, instead of ``tags``. Defaults to None.
        should_execute: ``fn(context)`` returning False to skip a tick. Defaults to None (every tick runs).
        environment_vars: Kept as ``environment_vars``; not set for the runs. Defaults to ``{}``.
        execution_timezone: IANA time zone the cron string is read in (``"US/Pacific"``).
            Defaults to UTC.
        execution_fn: ``fn(context)`` returning run config, a ``RunRequest``, several, or a
            ``SkipReason``; excludes ``run_config``, ``run_config_fn``, ``tags_fn`` and
            ``should_execute``. Defaults to None.
        description: What the schedule is for. Defaults to None.
        job: The job to run (a graph is turned into a job). Defaults to None.
        default_status: Whether it runs once deployed. Defaults to ``DefaultScheduleStatus.STOPPED``.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        target: What to run instead of ``job``: a job, an asset job, an ``AssetSelection`` or a
            list of assets. Defaults to None.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Raises:
        DefinitionError: when the cron string or time zone is not valid, no target is given, or
            arguments that exclude each other are given together.

    Examples:
        >>> from orchestrator import ScheduleDefinition, build_schedule_context, job, op
        >>> @op
        ... def refresh() -> str:
        ...     return "fresh"
        >>> @job
        ... def refresh_job():
        ...     refresh()
        >>> weekdays = ScheduleDefinition(job=refresh_job, cron_schedule="0 9 * * 1-5",
        ...                               execution_timezone="Europe/Paris", tags={"team": "data"})
        >>> weekdays.name, weekdays.cron_schedule
        ('refresh_job_schedule', '0 9 * * 1-5')
        >>> weekdays.evaluate_tick(build_schedule_context()).run_requests[0].tags
        {'team': 'data'}
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
    """Make a schedule from ``fn(context)`` returning run config, a ``RunRequest``, several, or a ``SkipReason``.

    The function is the schedule's ``execution_fn``: it is called once per tick with a
    ``ScheduleEvaluationContext`` (or with nothing, when it takes no parameter) and may yield its
    requests. The decorated schedule can be called directly, as in Dagster's tests
    (``my_schedule(context)`` returns what the function returns); ``evaluate_tick`` fills in the
    target job. See ``ScheduleDefinition`` for how ticks run.

    Args:
        cron_schedule: When it ticks: a 5-field cron string, an alias such as ``@daily``, or a
            list of them. Required (``DefinitionError`` without it).
        job_name: The name of the job to run, when the job itself is not given. Defaults to None.
        name: The schedule's name. Defaults to the function's name.
        tags: Tags of the run when the function returns plain run config. Defaults to ``{}``.
        tags_fn: ``fn(context)`` returning those tags instead. Defaults to None.
        should_execute: ``fn(context)`` returning False to skip a tick without calling the
            function. Defaults to None.
        environment_vars: Kept as ``environment_vars``; not set for the runs. Defaults to ``{}``.
        execution_timezone: IANA time zone the cron string is read in. Defaults to UTC.
        description: What the schedule is for. Defaults to the function's docstring.
        job: The job to run. Defaults to None.
        default_status: Whether it runs once deployed. Defaults to ``DefaultScheduleStatus.STOPPED``.
        required_resource_keys: Resources of the code location the context gets. Defaults to none.
        target: What to run instead of ``job``: a job, an ``AssetSelection`` or a list of assets.
            Defaults to None.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Returns:
        A decorator that turns the function into a ``ScheduleDefinition``.

    Raises:
        DefinitionError: when the cron string or time zone is not valid, or no target is given.

    Examples:
        >>> import datetime
        >>> from orchestrator import build_schedule_context, job, op, schedule
        >>> @op(config_schema={"date": str})
        ... def report(context) -> str:
        ...     return context.op_config["date"]
        >>> @job
        ... def report_job():
        ...     report()
        >>> @schedule(cron_schedule="@daily", job=report_job)
        ... def daily_report(context):
        ...     return {"ops": {"report": {"config": {"date": context.scheduled_execution_time.strftime("%Y-%m-%d")}}}}
        >>> context = build_schedule_context(scheduled_execution_time=datetime.datetime(2024, 5, 1))
        >>> daily_report.evaluate_tick(context).run_requests
        [RunRequest(run_key=None, job_name='report_job', partition_key=None,
                    run_config={'ops': {'report': {'config': {'date': '2024-05-01'}}}})]
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

    The cron string follows the partitions (hourly, daily, weekly or monthly, with their minute,
    hour and day offsets); each tick requests the partition that has just ended, with the
    partition key as run key, and skips when none has ended yet. A job with other partitions
    (static, say) needs ``cron_schedule`` and requests every partition at each tick. The
    partitions of an asset job are known once ``Definitions`` resolves it; until then the
    schedule knows only its job. The job may also come from ``@job(config=...)`` with a
    ``PartitionedConfig`` (``daily_partitioned_config`` and the like).

    Args:
        job: The partitioned job (or asset job) to run.
        description: What the schedule is for. Defaults to None.
        name: The schedule's name. Defaults to ``<job name>_schedule``.
        minute_of_hour: Minute of the hour the tick falls on. Defaults to the partitions' minute offset.
        hour_of_day: Hour of the day the tick falls on (daily, weekly, monthly partitions).
            Defaults to the partitions' hour offset.
        day_of_week: Day of the week, 0 = Sunday (weekly partitions). Defaults to the partitions' day offset.
        day_of_month: Day of the month (monthly partitions). Defaults to the partitions' day offset.
        default_status: Whether it runs once deployed. Defaults to ``DefaultScheduleStatus.STOPPED``.
        tags: Tags of every requested run. Defaults to ``{}``.
        cron_schedule: When it ticks, instead of the partitions' cron; required for partitions
            not defined by time. Defaults to None.
        execution_timezone: IANA time zone the cron string is read in. Defaults to the
            partitions' timezone.

    Returns:
        The ``ScheduleDefinition``.

    Raises:
        DefinitionError: when the job is not partitioned, or its partitions are not by time
            and no ``cron_schedule`` is given.

    Examples:
        >>> import datetime
        >>> from orchestrator import DailyPartitionsDefinition, build_schedule_context
        >>> from orchestrator import build_schedule_from_partitioned_job, job, op
        >>> @op
        ... def load(context) -> str:
        ...     return context.partition_key
        >>> @job(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
        ... def daily_load():
        ...     load()
        >>> nightly = build_schedule_from_partitioned_job(daily_load, hour_of_day=2)
        >>> nightly.name, nightly.cron_schedule
        ('daily_load_schedule', '0 2 * * *')
        >>> context = build_schedule_context(scheduled_execution_time=datetime.datetime(2024, 1, 5, 2))
        >>> [r.partition_key for r in nightly.evaluate_tick(context).run_requests]
        ['2024-01-04']
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

