"""Repositories and ``Definitions``: the assets, asset checks, jobs, schedules and sensors a code
location offers, with asset jobs resolved against its assets and shared resources and executor
bound to every job."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition, build_assets_job, split_assets
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.asset_selection import AssetGraph, coerce_selection
from orchestrator.definitions.asset_spec import AssetSpec
from orchestrator.definitions.assets import AssetsDefinition, SourceAsset
from orchestrator.definitions.graphs import GraphDefinition
from orchestrator.definitions.jobs import JobDefinition
from orchestrator.definitions.schedules import ScheduleDefinition, _PartitionedSchedule
from orchestrator.definitions.sensors import SensorDefinition
from orchestrator.errors import DefinitionError

__all__ = ["RepositoryDefinition", "repository", "Definitions"]

_AnyJob = JobDefinition | UnresolvedAssetJobDefinition
GLOBAL_ASSET_JOB = "__ASSET_JOB"


class RepositoryDefinition:
    """A named collection of assets, asset checks, jobs, schedules and sensors: what a code location offers.

    ``get_job(name)`` gives the job to run: an asset job (``define_asset_job``) resolved against
    the repository's assets, every job bound to the repository's ``resources`` (a job's own
    resources win) and ``executor`` (for jobs that chose none). The jobs that schedules and
    sensors target are part of it, and assets given as a target are added to its assets.
    Lookups: ``job_names``, ``get_job``, ``get_all_jobs``, ``get_schedule_def``,
    ``get_sensor_def``, ``get_assets_def``, ``asset_keys``, ``load_asset_value``. Usually made
    by ``Definitions`` or ``@repository`` rather than directly.

    Args:
        name: The repository's name.
        assets: Assets, source assets and ``AssetSpec``s. Defaults to none.
        jobs: Jobs, asset jobs and graphs (turned into jobs). Defaults to none.
        schedules: The schedules. Defaults to none.
        sensors: The sensors. Defaults to none.
        resources: Resources bound to every job, by key. Defaults to ``{}``.
        executor: The executor of every job that chose none. Defaults to None (each job's own).
        description: What the repository holds. Defaults to None.
        asset_checks: Asset checks. Defaults to none.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.

    Raises:
        DefinitionError: when two different jobs, schedules or sensors share a name, an item of
            ``jobs`` is not a job, or a schedule or sensor targets a job the repository lacks.

    Examples:
        >>> from orchestrator import RepositoryDefinition, asset, job, op
        >>> @asset
        ... def orders() -> list:
        ...     return [1, 2, 3]
        >>> @op
        ... def hello() -> str:
        ...     return "hello"
        >>> @job
        ... def hello_job():
        ...     hello()
        >>> repo = RepositoryDefinition("analytics", assets=[orders], jobs=[hello_job])
        >>> repo.job_names, repo.asset_keys
        (['hello_job'], [AssetKey(['orders'])])
        >>> repo.get_job("hello_job").execute_in_process().output_for_node("hello")
        'hello'
    """

    def __init__(self, name: str, assets: Iterable[Any] = (), jobs: Iterable[Any] = (),
                 schedules: Iterable[ScheduleDefinition] = (), sensors: Iterable[SensorDefinition] = (),
                 resources: Mapping[str, Any] | None = None, executor: Any = None,
                 description: str | None = None, asset_checks: Iterable[Any] = (),
                 metadata: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.description = description
        self.metadata = dict(metadata or {})
        self.resources = dict(resources or {})
        self.executor = executor
        self.schedule_defs = list(schedules)
        self.sensor_defs = list(sensors)
        items = list(assets) + list(asset_checks)
        for target in self._targets():
            for job in self._target_jobs(target):
                if isinstance(job, UnresolvedAssetJobDefinition):
                    # A target given as asset definitions brings them along, as in Dagster.
                    items.extend(i for i in job.selected_definitions if all(i is not x for x in items))
        defs, sources = split_assets(items, f"Repository '{name}'")
        self.assets_defs: list[AssetsDefinition] = list({id(d): d for d in defs}.values())
        self.source_assets: list[SourceAsset] = sources
        self._graph = AssetGraph.from_definitions([*self.assets_defs, *self.source_assets])
        self._assets_by_key: dict[AssetKey, AssetsDefinition] = dict(self._graph.assets)

        raw_jobs: dict[str, _AnyJob] = {}

        def add_job(j: Any, where: str) -> None:
            if isinstance(j, GraphDefinition):
                j = j.to_job()
            if not isinstance(j, (JobDefinition, UnresolvedAssetJobDefinition)):
                raise DefinitionError(f"Repository '{name}': {where} {j!r} is not a job.")
            existing = raw_jobs.get(j.name)
            if existing is not None and existing is not j:
                raise DefinitionError(f"Repository '{name}' has two different jobs named '{j.name}'. Rename one.")
            raw_jobs[j.name] = j

        for j in jobs:
            add_job(j, "job")
        for target in self._targets():
            target_jobs = self._target_jobs(target)
            for j in target_jobs:
                add_job(j, f"the target of '{target.name}',")
            names = target.job_names if isinstance(target, SensorDefinition) else [target.job_name]
            for job_name in names:
                if job_name is not None and job_name not in raw_jobs and not any(j.name == job_name for j in target_jobs):
                    raise DefinitionError(
                        f"'{target.name}' targets job '{job_name}', which is not in repository '{name}'."
                    )
        for kind, defs_list in (("schedule", self.schedule_defs), ("sensor", self.sensor_defs)):
            seen: dict[str, Any] = {}
            for d in defs_list:
                if d.name in seen and seen[d.name] is not d:
                    raise DefinitionError(f"Repository '{name}' has two {kind}s named '{d.name}'. Rename one.")
                seen[d.name] = d
        self._raw_jobs = raw_jobs
        self._materialized_by = self._asset_job_index()
        self._jobs: dict[str, JobDefinition] = {}

    def _targets(self) -> list[Any]:
        return [*self.schedule_defs, *self.sensor_defs]

    @staticmethod
    def _target_jobs(target: Any) -> list[Any]:
        if isinstance(target, SensorDefinition):
            return list(target.jobs)
        return [target.job] if target.job is not None else []

    def _asset_job_index(self) -> dict[AssetKey, list[str]]:
        index: dict[AssetKey, list[str]] = {}
        for j in self._raw_jobs.values():
            if isinstance(j, UnresolvedAssetJobDefinition):
                try:
                    selected = j.selection._assets(self._graph)
                except DefinitionError:
                    continue  # resolving the job will say what is wrong, when it is asked for
                for key in sorted(selected):
                    index.setdefault(key, []).append(j.name)
        return index

    # -- jobs ------------------------------------------------------------------------------
    @property
    def job_names(self) -> list[str]:
        return sorted(self._raw_jobs)

    def has_job(self, name: str) -> bool:
        return name in self._raw_jobs

    def get_job(self, name: str) -> JobDefinition:
        """The job called ``name``, with asset jobs resolved and repository resources bound."""
        if name in self._jobs:
            return self._jobs[name]
        raw = self._raw_jobs.get(name)
        if raw is None:
            if name == GLOBAL_ASSET_JOB and self.assets_defs:
                return self.get_implicit_global_asset_job_def()
            raise DefinitionError(
                f"No job named '{name}' in repository '{self.name}'. Jobs: {', '.join(self.job_names) or 'none'}."
            )
        if isinstance(raw, UnresolvedAssetJobDefinition):
            resolved = raw.resolve([*self.assets_defs, *self.source_assets], (), self.resources, self._materialized_by)
            if self.executor is not None and raw.executor_def is None:
                resolved = resolved._copy(executor_def=self.executor)
        else:
            resolved = raw
            if self.resources:
                resolved = raw._copy(resource_defs={**self.resources, **raw._given_resources})
            if self.executor is not None and not raw._executor_given:
                resolved = resolved._copy(executor_def=self.executor)
        self._jobs[name] = resolved
        return resolved

    def get_all_jobs(self) -> list[JobDefinition]:
        return [self.get_job(n) for n in self.job_names]

    def asset_job(self, selection: Any = None, name: str = "__asset_job") -> JobDefinition:
        """An ad-hoc job materializing ``selection`` of this repository's assets (and their checks)."""
        chosen = coerce_selection(selection)
        selected = chosen._assets(self._graph)
        if not selected and not chosen._checks(self._graph):
            raise DefinitionError(f"The selection matches no asset of repository '{self.name}'.")
        return build_assets_job(name, [*self.assets_defs, *self.source_assets], selected,
                                resource_defs=self.resources, materialized_by=self._materialized_by,
                                executor_def=self.executor, selected_checks=chosen._checks(self._graph))

    def get_implicit_global_asset_job_def(self) -> JobDefinition:
        """A job materializing every asset of this repository (and running every check)."""
        if GLOBAL_ASSET_JOB not in self._jobs:
            self._jobs[GLOBAL_ASSET_JOB] = self.asset_job("*", name=GLOBAL_ASSET_JOB)
        return self._jobs[GLOBAL_ASSET_JOB]

    # -- assets, schedules, sensors ----------------------------------------------------------
    @property
    def asset_keys(self) -> list[AssetKey]:
        return sorted(self._assets_by_key)

    @property
    def asset_check_keys(self) -> list[Any]:
        return sorted(self._graph.checks)

    def get_assets_def(self, key: Any) -> AssetsDefinition:
        k = AssetKey.from_coercible(key)
        if k not in self._assets_by_key:
            raise DefinitionError(
                f"No asset '{k}' in repository '{self.name}' (assets: "
                f"{', '.join(x.to_user_string() for x in self.asset_keys) or 'none'})."
            )
        return self._assets_by_key[k]

    def jobs_materializing(self, key: AssetKey) -> list[str]:
        return list(self._materialized_by.get(key, []))

    def get_schedule_def(self, name: str) -> ScheduleDefinition:
        for s in self.schedule_defs:
            if s.name == name:
                return self._resolved_schedule(s)
        raise DefinitionError(
            f"No schedule named '{name}' in repository '{self.name}' "
            f"(schedules: {', '.join(s.name for s in self.schedule_defs) or 'none'})."
        )

    def _resolved_schedule(self, s: ScheduleDefinition) -> ScheduleDefinition:
        if isinstance(s, _PartitionedSchedule) and s.partitions_def is None:
            return s._resolved(self.get_job(str(s.job_name)))
        return s

    def get_sensor_def(self, name: str) -> SensorDefinition:
        for s in self.sensor_defs:
            if s.name == name:
                return s
        raise DefinitionError(
            f"No sensor named '{name}' in repository '{self.name}' "
            f"(sensors: {', '.join(s.name for s in self.sensor_defs) or 'none'})."
        )

    def has_schedule_def(self, name: str) -> bool:
        return any(s.name == name for s in self.schedule_defs)

    def has_sensor_def(self, name: str) -> bool:
        return any(s.name == name for s in self.sensor_defs)

    def load_asset_value(self, asset_key: Any, *, python_type: type | None = None, instance: Any = None,
                         partition_key: str | None = None, metadata: Mapping[str, Any] | None = None,
                         resource_config: Any = None) -> Any:
        """The stored value of an asset, loaded through its IO manager (as a downstream asset would).

        Example::

            defs = Definitions(assets=[numbers])
            materialize([numbers])
            assert defs.load_asset_value("numbers") == [1, 2, 3]
        """
        from orchestrator.definitions.asset_value_loading import load_asset_value

        key = AssetKey.from_coercible(asset_key)
        return load_asset_value(self, key, partition_key, python_type, metadata)

    def __repr__(self) -> str:
        return f"<RepositoryDefinition {self.name}>"


def _from_items(name: str, items: Any, description: str | None) -> RepositoryDefinition:
    if isinstance(items, Mapping):
        flat: list[Any] = []
        for group in items.values():
            flat.extend(group.values() if isinstance(group, Mapping) else group)
        items = flat
    assets, jobs, schedules, sensors = [], [], [], []
    for item in items or []:
        if isinstance(item, (AssetsDefinition, SourceAsset, AssetSpec)):
            assets.append(item)
        elif isinstance(item, (JobDefinition, UnresolvedAssetJobDefinition, GraphDefinition)):
            jobs.append(item)
        elif isinstance(item, ScheduleDefinition):
            schedules.append(item)
        elif isinstance(item, SensorDefinition):
            sensors.append(item)
        else:
            raise DefinitionError(
                f"Repository '{name}' returned {item!r}; a repository holds assets, jobs, graphs, schedules and sensors."
            )
    return RepositoryDefinition(name, assets, jobs, schedules, sensors, description=description)


@overload
def repository(fn: Callable[[], Any]) -> RepositoryDefinition: ...


@overload
def repository(fn: None = None, *, name: str | None = None,
               description: str | None = None) -> Callable[[Callable[[], Any]], RepositoryDefinition]: ...


def repository(fn: Callable[[], Any] | None = None, *, name: str | None = None,
               description: str | None = None) -> RepositoryDefinition | Callable[[Callable[[], Any]], RepositoryDefinition]:
    """Make a ``RepositoryDefinition`` from a function returning what it holds, as Dagster's ``@repository``.

    The function is called once, when decorated, and returns a list of assets, jobs, graphs,
    schedules and sensors, or a dict of them by kind (``{"jobs": {"name": job}, ...}`` or
    ``{"jobs": [job], ...}``). Works bare (``@repository``) or with arguments. ``Definitions``
    is the newer way to say the same.

    Args:
        fn: The function, when used bare. Defaults to None (``@repository(...)``).
        name: The repository's name. Defaults to the function's name.
        description: What the repository holds. Defaults to the function's docstring.

    Returns:
        The ``RepositoryDefinition`` (used bare), or a decorator that makes one.

    Raises:
        DefinitionError: when the function returns something that is not an asset, job, graph,
            schedule or sensor (and as ``RepositoryDefinition`` does).

    Examples:
        >>> from orchestrator import ScheduleDefinition, job, op, repository
        >>> @op
        ... def hello() -> str:
        ...     return "hello"
        >>> @job
        ... def hello_job():
        ...     hello()
        >>> @repository
        ... def my_repo():
        ...     return [hello_job, ScheduleDefinition(job=hello_job, cron_schedule="@daily")]
        >>> my_repo.name, my_repo.job_names, [s.name for s in my_repo.schedule_defs]
        ('my_repo', ['hello_job'], ['hello_job_schedule'])
    """

    def wrap(f: Callable[[], Any]) -> RepositoryDefinition:
        return _from_items(name or f.__name__, f(), description or f.__doc__)

    if fn is not None:
        return wrap(fn)
    return wrap


class Definitions(RepositoryDefinition):
    """Everything a code location defines: assets, asset checks, jobs, schedules, sensors, shared
    resources and a default executor.

    A module's one ``Definitions`` (Dagster's convention: ``defs``) is the code location that
    the CLI (``orch job submit -m MODULE``, ``orch scheduler start``, ``orch dev``) and the web
    UI load. It is a ``RepositoryDefinition`` (asset jobs resolved, resources and executor
    bound to every job, see there) with Dagster's lookups: ``resolve_job_def``/``get_job_def``,
    ``resolve_schedule_def``, ``resolve_sensor_def``, ``resolve_assets_def``,
    ``resolve_all_asset_keys``, ``load_asset_value``; ``Definitions.merge`` combines several.

    Args:
        assets: Assets, source assets and ``AssetSpec``s. Defaults to none.
        schedules: The schedules. Defaults to none.
        sensors: The sensors. Defaults to none.
        jobs: Jobs, asset jobs (``define_asset_job``) and graphs. Defaults to none.
        resources: Resources bound to every job and asset, by key. Defaults to ``{}``.
        executor: The executor of every job that chose none. Defaults to None (each job's own).
        loggers: Dagster's loggers by name; kept as ``loggers``, not used: logs are run events
            and Python log records. Defaults to ``{}``.
        asset_checks: Asset checks. Defaults to none.
        metadata: Free-form metadata, kept as ``metadata``. Defaults to ``{}``.
        component_tree: Accepted for Dagster's signature; not used. Defaults to None.

    Raises:
        DefinitionError: when two different jobs, schedules or sensors share a name, or a
            schedule or sensor targets a job that is not there.

    Examples:
        >>> from orchestrator import Definitions, ScheduleDefinition, asset, define_asset_job
        >>> @asset
        ... def orders() -> list:
        ...     return [1, 2, 3]
        >>> @asset
        ... def order_count(orders: list) -> int:
        ...     return len(orders)
        >>> defs = Definitions(assets=[orders, order_count], jobs=[define_asset_job("all_assets", selection="*")],
        ...                    schedules=[ScheduleDefinition(job_name="all_assets", cron_schedule="@daily")])
        >>> defs.resolve_job_def("all_assets").execute_in_process().output_for_node("order_count")
        3
    """

    def __init__(self, assets: Iterable[Any] | None = None, schedules: Iterable[ScheduleDefinition] | None = None,
                 sensors: Iterable[SensorDefinition] | None = None, jobs: Iterable[Any] | None = None,
                 resources: Mapping[str, Any] | None = None, executor: Any = None,
                 loggers: Mapping[str, Any] | None = None, asset_checks: Iterable[Any] | None = None,
                 metadata: Mapping[str, Any] | None = None, component_tree: Any = None) -> None:
        self._given = dict(assets=list(assets or ()), schedules=list(schedules or ()), sensors=list(sensors or ()),
                           jobs=list(jobs or ()), resources=dict(resources or {}), executor=executor,
                           loggers=dict(loggers or {}), asset_checks=list(asset_checks or ()),
                           metadata=dict(metadata or {}))
        super().__init__("__repository__", self._given["assets"], self._given["jobs"], self._given["schedules"],
                         self._given["sensors"], resources=resources, executor=executor,
                         asset_checks=self._given["asset_checks"], metadata=metadata)
        self.loggers = dict(loggers or {})

    # Dagster's names for the lookups (``resolve_*`` since 1.10, ``get_*`` before).
    def resolve_job_def(self, name: str) -> JobDefinition:
        return self.get_job(name)

    get_job_def = resolve_job_def

    def resolve_all_job_defs(self) -> list[JobDefinition]:
        return self.get_all_jobs()

    get_all_job_defs = resolve_all_job_defs

    def resolve_schedule_def(self, name: str) -> ScheduleDefinition:
        return self.get_schedule_def(name)

    def resolve_sensor_def(self, name: str) -> SensorDefinition:
        return self.get_sensor_def(name)

    def resolve_assets_def(self, key: Any) -> AssetsDefinition:
        return self.get_assets_def(key)

    def resolve_implicit_global_asset_job_def(self) -> JobDefinition:
        return self.get_implicit_global_asset_job_def()

    def resolve_all_asset_keys(self) -> list[AssetKey]:
        return sorted({*self.asset_keys, *(s.key for s in self.source_assets)})

    def resolve_all_asset_specs(self) -> list[AssetSpec]:
        specs = [a.get_asset_spec(k) for a in self.assets_defs for k in sorted(a.keys)]
        specs += [AssetSpec(s.key, description=s.description, metadata=s.metadata, group_name=s.group_name,
                            partitions_def=s.partitions_def) for s in self.source_assets]
        return specs

    def get_repository_def(self) -> RepositoryDefinition:
        return self

    def resolve_repository_def(self) -> RepositoryDefinition:
        return self

    @property
    def assets(self) -> list[Any]:
        return list(self._given["assets"])

    @property
    def schedules(self) -> list[ScheduleDefinition]:
        return list(self.schedule_defs)

    @property
    def sensors(self) -> list[SensorDefinition]:
        return list(self.sensor_defs)

    @property
    def jobs(self) -> list[Any]:
        return list(self._given["jobs"])

    @property
    def asset_checks(self) -> list[Any]:
        return list(self._given["asset_checks"])

    def validate_loadable(self) -> None:
        """Resolve every job now, so a definition error surfaces here rather than at run time."""
        self.get_all_jobs()

    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        """One ``Definitions`` with everything of each; resources, loggers and executor must not clash.

        Example::

            merged = Definitions.merge(Definitions(assets=[a]), Definitions(jobs=[my_job]))
            assert merged.has_job("my_job") and AssetKey("a") in merged.asset_keys
        """
        assets: list[Any] = []
        schedules: list[Any] = []
        sensors: list[Any] = []
        jobs: list[Any] = []
        checks: list[Any] = []
        resources: dict[str, Any] = {}
        loggers: dict[str, Any] = {}
        metadata: dict[str, Any] = {}
        executor: Any = None
        executor_from: int | None = None
        for i, d in enumerate(def_sets):
            if not isinstance(d, Definitions):
                raise DefinitionError(f"Definitions.merge takes Definitions objects, got {d!r}.")
            given = d._given
            assets.extend(given["assets"])
            schedules.extend(given["schedules"])
            sensors.extend(given["sensors"])
            jobs.extend(given["jobs"])
            checks.extend(given["asset_checks"])
            metadata.update(given["metadata"])
            for what, target, source in (("resource", resources, given["resources"]),
                                         ("logger", loggers, given["loggers"])):
                for key, value in source.items():
                    if key in target and target[key] is not value:
                        raise DefinitionError(
                            f"Definitions.merge: {what} '{key}' is defined differently in two of the merged "
                            "Definitions; give one of them another key."
                        )
                    target[key] = value
            if given["executor"] is not None:
                if executor is not None and executor is not given["executor"]:
                    raise DefinitionError(
                        f"Definitions.merge: Definitions {executor_from} and {i} name different executors; keep one."
                    )
                executor, executor_from = given["executor"], i
        return Definitions(assets=_unique(assets), schedules=_unique(schedules), sensors=_unique(sensors),
                           jobs=_unique(jobs), resources=resources, executor=executor, loggers=loggers,
                           asset_checks=_unique(checks), metadata=metadata)


def _unique(items: Sequence[Any]) -> list[Any]:
    return list({id(i): i for i in items}.values())
