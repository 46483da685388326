"""Type-checked by ``make lint`` (``mypy orchestrator tests/typing``), never run: what users' type
checkers see for the public decorators, bare (``@op``) and called (``@op(...)``).

A decorator that regresses to returning ``Any`` fails the ``assert_type`` lines here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from typing_extensions import assert_type

from orchestrator import (
    AssetsDefinition,
    ConfigMapping,
    GraphDefinition,
    HookContext,
    HookDefinition,
    InitResourceContext,
    IOManager,
    IOManagerDefinition,
    JobDefinition,
    OpDefinition,
    PartitionedConfig,
    RepositoryDefinition,
    ResourceDefinition,
    ScheduleDefinition,
    SensorDefinition,
    asset,
    config_mapping,
    daily_partitioned_config,
    failure_hook,
    graph,
    io_manager,
    job,
    op,
    repository,
    resource,
    schedule,
    sensor,
    static_partitioned_config,
    success_hook,
)


@op
def bare_op() -> int:
    return 1


@op(name="renamed", tags={"team": "data"})
def called_op(x: int) -> int:
    return x + 1


assert_type(bare_op, OpDefinition)
assert_type(called_op, OpDefinition)


@graph
def bare_graph() -> Any:
    return called_op(bare_op())


@graph(name="renamed_graph")
def called_graph(x: int) -> Any:
    return called_op(x)


assert_type(bare_graph, GraphDefinition)
assert_type(called_graph, GraphDefinition)


@job
def bare_job() -> None:
    called_op(bare_op())


@job(tags={"team": "data"})
def called_job() -> None:
    bare_graph()


assert_type(bare_job, JobDefinition)
assert_type(called_job, JobDefinition)


@asset
def upstream() -> int:
    return 1


@asset(key_prefix="warehouse", group_name="core")
def downstream(upstream: int) -> int:
    return upstream + 1


assert_type(upstream, AssetsDefinition)
assert_type(downstream, AssetsDefinition)


@resource
def bare_resource(context: InitResourceContext) -> str:
    return "value"


@resource(config_schema={"url": str})
def called_resource(context: InitResourceContext) -> str:
    return str(context.resource_config["url"])


assert_type(bare_resource, ResourceDefinition)
assert_type(called_resource, ResourceDefinition)


class _Store(IOManager):
    def handle_output(self, context: Any, obj: Any) -> None:
        pass

    def load_input(self, context: Any) -> Any:
        return None


@io_manager
def bare_io_manager() -> IOManager:
    return _Store()


@io_manager(description="a store")
def called_io_manager(context: InitResourceContext) -> IOManager:
    return _Store()


assert_type(bare_io_manager, IOManagerDefinition)
assert_type(called_io_manager, IOManagerDefinition)


@success_hook
def bare_success(context: HookContext) -> None:
    pass


@failure_hook(name="alert", required_resource_keys={"slack"})
def called_failure(context: HookContext) -> None:
    pass


assert_type(bare_success, HookDefinition)
assert_type(called_failure, HookDefinition)


@schedule(cron_schedule="0 * * * *", job=bare_job)
def hourly(context: Any) -> dict[str, Any]:
    return {}


@sensor(job=bare_job)
def watcher(context: Any) -> list[Any]:
    return []


assert_type(hourly, ScheduleDefinition)
assert_type(watcher, SensorDefinition)


@repository
def bare_repository() -> list[Any]:
    return [bare_job, hourly]


@repository(name="named")
def called_repository() -> list[Any]:
    return [upstream, downstream]


assert_type(bare_repository, RepositoryDefinition)
assert_type(called_repository, RepositoryDefinition)


@config_mapping
def bare_mapping(value: Any) -> dict[str, Any]:
    return {"ops": {}}


@config_mapping(config_schema={"n": int})
def called_mapping(value: Any) -> dict[str, Any]:
    return {"ops": {"bare_op": {"config": value}}}


assert_type(bare_mapping, ConfigMapping)
assert_type(called_mapping, ConfigMapping)


@static_partitioned_config(partition_keys=["eu", "us"])
def by_region(partition_key: str) -> dict[str, Any]:
    return {"ops": {}}


@daily_partitioned_config(start_date="2024-01-01")
def by_day(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    return {"ops": {}}


assert_type(by_region, PartitionedConfig)
assert_type(by_day, PartitionedConfig)
