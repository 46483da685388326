"""A Dagster-compatible orchestrator: ops, graphs, jobs and assets, run in process or as Celery tasks.

Port Dagster code by changing one import line: ``from dagster import op, job`` becomes
``from orchestrator import op, job``.

Names are imported on first use, so ``import orchestrator`` stays fast and a program pays only for
what it uses (the Celery side, object storage and the CLI load only when needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    'UnresolvedAssetJobDefinition': '.asset_jobs',
    'define_asset_job': '.asset_jobs',
    'materialize': '.asset_jobs',
    'materialize_to_memory': '.asset_jobs',
    'AssetSelection': '.asset_selection',
    'AssetIn': '.assets',
    'AssetKey': '.assets',
    'AssetMaterialization': '.assets',
    'AssetsDefinition': '.assets',
    'SourceAsset': '.assets',
    'asset': '.assets',
    'ConfigMapping': '.config.mapping',
    'config_mapping': '.config.mapping',
    'Array': '.config.schema',
    'BoolSource': '.config.schema',
    'Config': '.config.schema',
    'Enum': '.config.schema',
    'EnumValue': '.config.schema',
    'Field': '.config.schema',
    'IntSource': '.config.schema',
    'Noneable': '.config.schema',
    'Permissive': '.config.schema',
    'Selector': '.config.schema',
    'Shape': '.config.schema',
    'StringSource': '.config.schema',
    'AssetExecutionContext': '.context',
    'OpExecutionContext': '.context',
    'build_op_context': '.context',
    'RunStatus': '.distributed.records',
    'reexecute': '.distributed.reexecute',
    'RunHandle': '.distributed.submit',
    'RunResult': '.distributed.submit',
    'execute_job': '.distributed.submit',
    'get_run': '.distributed.submit',
    'submit_job': '.distributed.submit',
    'ConfigError': '.errors',
    'DefinitionError': '.errors',
    'Failure': '.errors',
    'InvocationError': '.errors',
    'OrchestratorError': '.errors',
    'RetryRequested': '.errors',
    'RunNotFoundError': '.errors',
    'RunTimeoutError': '.errors',
    'TypeCheckError': '.errors',
    'ErrorInfo': '.events',
    'EventType': '.events',
    'RunEvent': '.events',
    'ExecutorDefinition': '.executors.base',
    'celery_executor': '.executors.celery',
    'in_process_executor': '.executors.in_process',
    'multiprocess_executor': '.executors.multiprocess',
    'DependencyDefinition': '.graphs',
    'DynamicCollectDependencyDefinition': '.graphs',
    'GraphDefinition': '.graphs',
    'GraphIn': '.graphs',
    'GraphOut': '.graphs',
    'MultiDependencyDefinition': '.graphs',
    'NodeInvocation': '.graphs',
    'graph': '.graphs',
    'HookContext': '.hooks',
    'HookDefinition': '.hooks',
    'build_hook_context': '.hooks',
    'failure_hook': '.hooks',
    'success_hook': '.hooks',
    'Instance': '.instance',
    'InputContext': '.io_managers.base',
    'IOManager': '.io_managers.base',
    'IOManagerDefinition': '.io_managers.base',
    'OutputContext': '.io_managers.base',
    'build_input_context': '.io_managers.base',
    'build_output_context': '.io_managers.base',
    'io_manager': '.io_managers.base',
    'FilesystemIOManager': '.io_managers.fs',
    'PickledObjectFilesystemIOManager': '.io_managers.fs',
    'fs_io_manager': '.io_managers.fs',
    'InMemoryIOManager': '.io_managers.mem',
    'mem_io_manager': '.io_managers.mem',
    'RedisIOManager': '.io_managers.redis',
    'ValueTooLargeError': '.io_managers.redis',
    'redis_io_manager': '.io_managers.redis',
    'UPathIOManager': '.io_managers.upath',
    'upath_io_manager': '.io_managers.upath',
    'JobDefinition': '.jobs',
    'job': '.jobs',
    'DynamicOut': '.ops',
    'DynamicOutput': '.ops',
    'In': '.ops',
    'Nothing': '.ops',
    'OpDefinition': '.ops',
    'Out': '.ops',
    'Output': '.ops',
    'op': '.ops',
    'DailyPartitionsDefinition': '.partitions',
    'PartitionedConfig': '.partitions',
    'PartitionsDefinition': '.partitions',
    'StaticPartitionsDefinition': '.partitions',
    'daily_partitioned_config': '.partitions',
    'static_partitioned_config': '.partitions',
    'ExecutionPlan': '.planner',
    'ExecutionStep': '.planner',
    'Definitions': '.repositories',
    'RepositoryDefinition': '.repositories',
    'repository': '.repositories',
    'ConfigurableResource': '.resources',
    'InitResourceContext': '.resources',
    'ResourceDefinition': '.resources',
    'build_init_resource_context': '.resources',
    'resource': '.resources',
    'ExecuteInProcessResult': '.results',
    'Backoff': '.retries',
    'Jitter': '.retries',
    'RetryPolicy': '.retries',
    'RunRequest': '.schedules',
    'ScheduleDefinition': '.schedules',
    'ScheduleEvaluationContext': '.schedules',
    'SensorDefinition': '.schedules',
    'SensorEvaluationContext': '.schedules',
    'SkipReason': '.schedules',
    'schedule': '.schedules',
    'sensor': '.schedules',
}

__all__ = [
    # ops, graphs, jobs
    "op", "OpDefinition", "In", "Out", "Output", "DynamicOut", "DynamicOutput", "Nothing",
    "graph", "GraphDefinition", "GraphIn", "GraphOut", "DependencyDefinition",
    "MultiDependencyDefinition", "DynamicCollectDependencyDefinition", "NodeInvocation",
    "job", "JobDefinition",
    # assets and repositories
    "asset", "AssetKey", "AssetIn", "AssetsDefinition", "AssetMaterialization", "SourceAsset", "AssetSelection",
    "define_asset_job", "UnresolvedAssetJobDefinition", "materialize", "materialize_to_memory",
    "repository", "RepositoryDefinition", "Definitions",
    "ScheduleDefinition", "schedule", "SensorDefinition", "sensor", "RunRequest", "SkipReason",
    "ScheduleEvaluationContext", "SensorEvaluationContext",
    # context
    "OpExecutionContext", "AssetExecutionContext", "build_op_context",
    # config
    "Config", "Field", "Permissive", "Shape", "Array", "Noneable", "Enum", "EnumValue", "Selector",
    "StringSource", "IntSource", "BoolSource", "ConfigMapping", "config_mapping",
    "PartitionsDefinition", "StaticPartitionsDefinition", "DailyPartitionsDefinition", "PartitionedConfig",
    "static_partitioned_config", "daily_partitioned_config",
    # resources and IO
    "resource", "ResourceDefinition", "ConfigurableResource", "InitResourceContext",
    "build_init_resource_context", "IOManager", "IOManagerDefinition", "io_manager", "InputContext",
    "OutputContext", "build_input_context", "build_output_context", "mem_io_manager", "InMemoryIOManager",
    "fs_io_manager", "FilesystemIOManager", "PickledObjectFilesystemIOManager", "redis_io_manager", "RedisIOManager",
    "ValueTooLargeError", "upath_io_manager", "UPathIOManager",
    # hooks and retries
    "success_hook", "failure_hook", "HookContext", "HookDefinition", "build_hook_context",
    "RetryPolicy", "Backoff", "Jitter", "RetryRequested", "Failure",
    # execution
    "ExecutorDefinition", "in_process_executor", "multiprocess_executor", "celery_executor",
    "submit_job", "execute_job", "get_run", "reexecute", "RunHandle", "RunResult", "RunStatus", "Instance", "ExecuteInProcessResult", "ExecutionPlan", "ExecutionStep",
    "EventType", "RunEvent", "ErrorInfo",
    # errors
    "OrchestratorError", "DefinitionError", "InvocationError", "ConfigError", "TypeCheckError",
    "RunTimeoutError", "RunNotFoundError",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'orchestrator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from .asset_jobs import UnresolvedAssetJobDefinition, define_asset_job, materialize, materialize_to_memory
    from .asset_selection import AssetSelection
    from .assets import AssetIn, AssetKey, AssetMaterialization, AssetsDefinition, SourceAsset, asset
    from .config.mapping import ConfigMapping, config_mapping
    from .config.schema import (
        Array,
        BoolSource,
        Config,
        Enum,
        EnumValue,
        Field,
        IntSource,
        Noneable,
        Permissive,
        Selector,
        Shape,
        StringSource,
    )
    from .context import AssetExecutionContext, OpExecutionContext, build_op_context
    from .distributed.records import RunStatus
    from .distributed.reexecute import reexecute
    from .distributed.submit import RunHandle, RunResult, execute_job, get_run, submit_job
    from .errors import (
        ConfigError,
        DefinitionError,
        Failure,
        InvocationError,
        OrchestratorError,
        RetryRequested,
        RunNotFoundError,
        RunTimeoutError,
        TypeCheckError,
    )
    from .events import ErrorInfo, EventType, RunEvent
    from .executors.base import ExecutorDefinition
    from .executors.celery import celery_executor
    from .executors.in_process import in_process_executor
    from .executors.multiprocess import multiprocess_executor
    from .graphs import (
        DependencyDefinition,
        DynamicCollectDependencyDefinition,
        GraphDefinition,
        GraphIn,
        GraphOut,
        MultiDependencyDefinition,
        NodeInvocation,
        graph,
    )
    from .hooks import HookContext, HookDefinition, build_hook_context, failure_hook, success_hook
    from .instance import Instance
    from .io_managers.base import (
        InputContext,
        IOManager,
        IOManagerDefinition,
        OutputContext,
        build_input_context,
        build_output_context,
        io_manager,
    )
    from .io_managers.fs import FilesystemIOManager, PickledObjectFilesystemIOManager, fs_io_manager
    from .io_managers.mem import InMemoryIOManager, mem_io_manager
    from .io_managers.redis import RedisIOManager, ValueTooLargeError, redis_io_manager
    from .io_managers.upath import UPathIOManager, upath_io_manager
    from .jobs import JobDefinition, job
    from .ops import DynamicOut, DynamicOutput, In, Nothing, OpDefinition, Out, Output, op
    from .partitions import (
        DailyPartitionsDefinition,
        PartitionedConfig,
        PartitionsDefinition,
        StaticPartitionsDefinition,
        daily_partitioned_config,
        static_partitioned_config,
    )
    from .planner import ExecutionPlan, ExecutionStep
    from .repositories import Definitions, RepositoryDefinition, repository
    from .resources import (
        ConfigurableResource,
        InitResourceContext,
        ResourceDefinition,
        build_init_resource_context,
        resource,
    )
    from .results import ExecuteInProcessResult
    from .retries import Backoff, Jitter, RetryPolicy
    from .schedules import (
        RunRequest,
        ScheduleDefinition,
        ScheduleEvaluationContext,
        SensorDefinition,
        SensorEvaluationContext,
        SkipReason,
        schedule,
        sensor,
    )
