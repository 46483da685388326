"""Repositories and ``Definitions``: the set of assets, jobs, schedules and sensors a code location
offers, with asset jobs resolved against its assets and shared resources bound to every job."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, overload

from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition, build_assets_job
from orchestrator.definitions.asset_selection import coerce_selection
from orchestrator.definitions.assets import AssetKey, AssetsDefinition, SourceAsset
from orchestrator.definitions.graphs import GraphDefinition
from orchestrator.definitions.jobs import JobDefinition
from orchestrator.definitions.schedules import ScheduleDefinition, SensorDefinition
from orchestrator.errors import DefinitionError

__all__ = ["RepositoryDefinition", "repository", "Definitions"]

_AnyJob = JobDefinition | UnresolvedAssetJobDefinition


class RepositoryDefinition:
    """Named collection of assets, jobs, schedules and sensors. ``get_job(name)`` builds what you run."""

    def __init__(self, name: str, assets: Iterable[Any] = (), jobs: Iterable[Any] = (),
                 schedules: Iterable[ScheduleDefinition] = (), sensors: Iterable[SensorDefinition] = (),
                 resources: Mapping[str, Any] | None = None, executor: Any = None,
                 description: str | None = None) -> None:
        self.name = name
        self.description = description
        self.resources = dict(resources or {})
        self.executor = executor
        items = list(assets)
        self.assets_defs: list[AssetsDefinition] = [a for a in items if isinstance(a, AssetsDefinition)]
        self.source_assets: list[SourceAsset] = [a for a in items if isinstance(a, SourceAsset)]
        bad = [a for a in items if not isinstance(a, (AssetsDefinition, SourceAsset))]
        if bad:
            raise DefinitionError(f"Repository '{name}': {bad[0]!r} is not an asset.")
        self.schedule_defs = list(schedules)
        self.sensor_defs = list(sensors)
        self._assets_by_key: dict[AssetKey, AssetsDefinition] = {}
        for a in self.assets_defs:
            if a.key in self._assets_by_key and self._assets_by_key[a.key] is not a:
                raise DefinitionError(f"Repository '{name}' has two assets with key '{a.key}'.")
            self._assets_by_key[a.key] = a

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
        targets: list[ScheduleDefinition | SensorDefinition] = [*self.schedule_defs, *self.sensor_defs]
        for target in targets:
            if target.job is not None:
                add_job(target.job, f"the target of '{target.name}',")
            elif target.job_name not in raw_jobs:
                raise DefinitionError(
                    f"'{target.name}' targets job '{target.job_name}', which is not in repository '{name}'."
                )
        self._raw_jobs = raw_jobs
        self._materialized_by = self._asset_job_index()
        self._jobs: dict[str, JobDefinition] = {}

    def _asset_job_index(self) -> dict[AssetKey, list[str]]:
        index: dict[AssetKey, list[str]] = {}
        for j in self._raw_jobs.values():
            if isinstance(j, UnresolvedAssetJobDefinition):
                for key in sorted(j.selected_keys(self._assets_by_key)):
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
            raise DefinitionError(
                f"No job named '{name}' in repository '{self.name}'. Jobs: {', '.join(self.job_names) or 'none'}."
            )
        if isinstance(raw, UnresolvedAssetJobDefinition):
            resolved = raw.resolve(self.assets_defs, self.source_assets, self.resources, self._materialized_by)
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
        """An ad-hoc job materializing ``selection`` of this repository's assets."""
        selected = coerce_selection(selection).resolve(self._assets_by_key)
        if not selected:
            raise DefinitionError(f"The selection matches no asset of repository '{self.name}'.")
        return build_assets_job(name, self.assets_defs, selected, source_assets=self.source_assets,
                                resource_defs=self.resources, materialized_by=self._materialized_by,
                                executor_def=self.executor)

    # -- assets, schedules, sensors ----------------------------------------------------------
    @property
    def asset_keys(self) -> list[AssetKey]:
        return sorted(self._assets_by_key)

    def get_assets_def(self, key: Any) -> AssetsDefinition:
        k = AssetKey.from_coercible(key)
        if k not in self._assets_by_key:
            raise DefinitionError(f"No asset '{k}' in repository '{self.name}'.")
        return self._assets_by_key[k]

    def jobs_materializing(self, key: AssetKey) -> list[str]:
        return list(self._materialized_by.get(key, []))

    def get_schedule_def(self, name: str) -> ScheduleDefinition:
        for s in self.schedule_defs:
            if s.name == name:
                return s
        raise DefinitionError(f"No schedule named '{name}' in repository '{self.name}'.")

    def get_sensor_def(self, name: str) -> SensorDefinition:
        for s in self.sensor_defs:
            if s.name == name:
                return s
        raise DefinitionError(f"No sensor named '{name}' in repository '{self.name}'.")

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
        if isinstance(item, (AssetsDefinition, SourceAsset)):
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
    """Decorate a function returning a list (or dict) of assets, jobs, schedules and sensors."""

    def wrap(f: Callable[[], Any]) -> RepositoryDefinition:
        return _from_items(name or f.__name__, f(), description or f.__doc__)

    if fn is not None:
        return wrap(fn)
    return wrap


class Definitions(RepositoryDefinition):
    """Everything a code location defines: assets, jobs, schedules, sensors, shared resources, executor."""

    def __init__(self, assets: Iterable[Any] | None = None, jobs: Iterable[Any] | None = None,
                 schedules: Iterable[ScheduleDefinition] | None = None,
                 sensors: Iterable[SensorDefinition] | None = None, resources: Mapping[str, Any] | None = None,
                 executor: Any = None, loggers: Mapping[str, Any] | None = None) -> None:
        super().__init__("__repository__", assets or (), jobs or (), schedules or (), sensors or (),
                         resources=resources, executor=executor)
        self.loggers = dict(loggers or {})

    def get_job_def(self, name: str) -> JobDefinition:
        return self.get_job(name)

    def get_all_job_defs(self) -> list[JobDefinition]:
        return self.get_all_jobs()

    def get_repository_def(self) -> RepositoryDefinition:
        return self

    def get_implicit_global_asset_job_def(self) -> JobDefinition:
        return self.asset_job("*", name="__ASSET_JOB")
