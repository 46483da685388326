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
    'UnresolvedAssetJobDefinition': '.definitions.asset_jobs',
    'define_asset_job': '.definitions.asset_jobs',
    'materialize': '.definitions.asset_jobs',
    'materialize_to_memory': '.definitions.asset_jobs',
    'AssetSelection': '.definitions.asset_selection',
    'AssetIn': '.definitions.assets',
    'AssetKey': '.definitions.assets',
    'AssetMaterialization': '.definitions.assets',
    'AssetsDefinition': '.definitions.assets',
    'SourceAsset': '.definitions.assets',
    'asset': '.definitions.assets',
    'ConfigMapping': '.definitions.config.mapping',
    'config_mapping': '.definitions.config.mapping',
    'Array': '.definitions.config.schema',
    'BoolSource': '.definitions.config.schema',
    'Config': '.definitions.config.schema',
    'Enum': '.definitions.config.schema',
    'EnumValue': '.definitions.config.schema',
    'Field': '.definitions.config.schema',
    'IntSource': '.definitions.config.schema',
    'Noneable': '.definitions.config.schema',
    'Permissive': '.definitions.config.schema',
    'Selector': '.definitions.config.schema',
    'Shape': '.definitions.config.schema',
    'StringSource': '.definitions.config.schema',
    'AssetExecutionContext': '.execution.context',
    'OpExecutionContext': '.execution.context',
    'build_op_context': '.execution.context',
    'RunStatus': '.status',
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
    'ExecutorDefinition': '.definitions.executor_definition',
    'executor': '.definitions.executor_definition',
    'LocalRun': '.executors.local_run',
    'Executor': '.executors.base',
    'InitExecutorContext': '.executors.base',
    'RunLaunch': '.executors.base',
    'celery_executor': '.distributed.executor',
    'in_process_executor': '.executors.in_process',
    'multiprocess_executor': '.executors.multiprocess',
    'DependencyDefinition': '.definitions.graphs',
    'DynamicCollectDependencyDefinition': '.definitions.graphs',
    'GraphDefinition': '.definitions.graphs',
    'GraphIn': '.definitions.graphs',
    'GraphOut': '.definitions.graphs',
    'MultiDependencyDefinition': '.definitions.graphs',
    'NodeInvocation': '.definitions.graphs',
    'graph': '.definitions.graphs',
    'HookContext': '.definitions.hook_context',
    'HookDefinition': '.definitions.hooks',
    'build_hook_context': '.definitions.hook_context',
    'failure_hook': '.definitions.hooks',
    'success_hook': '.definitions.hooks',
    'Instance': '.distributed.instance',
    'InputContext': '.definitions.io_managers.base',
    'IOManager': '.definitions.io_managers.base',
    'IOManagerDefinition': '.definitions.io_managers.base',
    'OutputContext': '.definitions.io_managers.base',
    'build_input_context': '.definitions.io_managers.base',
    'build_output_context': '.definitions.io_managers.base',
    'io_manager': '.definitions.io_managers.base',
    'FilesystemIOManager': '.definitions.io_managers.fs',
    'PickledObjectFilesystemIOManager': '.definitions.io_managers.fs',
    'fs_io_manager': '.definitions.io_managers.fs',
    'InMemoryIOManager': '.definitions.io_managers.mem',
    'mem_io_manager': '.definitions.io_managers.mem',
    'RedisIOManager': '.definitions.io_managers.redis',
    'ValueTooLargeError': '.definitions.io_managers.redis',
    'redis_io_manager': '.definitions.io_managers.redis',
    'UPathIOManager': '.definitions.io_managers.upath',
    'upath_io_manager': '.definitions.io_managers.upath',
    'JobDefinition': '.definitions.jobs',
    'job': '.definitions.jobs',
    'DynamicOut': '.definitions.ops',
    'DynamicOutput': '.definitions.ops',
    'In': '.definitions.ops',
    'Nothing': '.definitions.ops',
    'OpDefinition': '.definitions.ops',
    'Out': '.definitions.ops',
    'Output': '.definitions.ops',
    'op': '.definitions.ops',
    'DailyPartitionsDefinition': '.definitions.partitions',
    'PartitionedConfig': '.definitions.partitions',
    'PartitionsDefinition': '.definitions.partitions',
    'StaticPartitionsDefinition': '.definitions.partitions',
    'daily_partitioned_config': '.definitions.partitions',
    'static_partitioned_config': '.definitions.partitions',
    'ExecutionPlan': '.plan.planner',
    'ExecutionStep': '.plan.planner',
    'Definitions': '.definitions.repositories',
    'RepositoryDefinition': '.definitions.repositories',
    'repository': '.definitions.repositories',
    'ConfigurableResource': '.definitions.resources',
    'InitResourceContext': '.definitions.resources',
    'ResourceDefinition': '.definitions.resources',
    'build_init_resource_context': '.definitions.resources',
    'resource': '.definitions.resources',
    'ExecuteInProcessResult': '.execution.results',
    'Backoff': '.definitions.retries',
    'Jitter': '.definitions.retries',
    'RetryPolicy': '.definitions.retries',
    'RunRequest': '.definitions.schedules',
    'ScheduleDefinition': '.definitions.schedules',
    'ScheduleEvaluationContext': '.definitions.schedules',
    'SensorDefinition': '.definitions.schedules',
    'SensorEvaluationContext': '.definitions.schedules',
    'SkipReason': '.definitions.schedules',
    'schedule': '.definitions.schedules',
    'sensor': '.definitions.schedules',
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
    "ExecutorDefinition", "LocalRun", "executor", "Executor", "InitExecutorContext", "RunLaunch",
    "in_process_executor", "multiprocess_executor", "celery_executor",
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
    from orchestrator.definitions.asset_jobs import (
        UnresolvedAssetJobDefinition,
        define_asset_job,
        materialize,
        materialize_to_memory,
    )
    from orchestrator.definitions.asset_selection import AssetSelection
    from orchestrator.definitions.assets import (
        AssetIn,
        AssetKey,
        AssetMaterialization,
        AssetsDefinition,
        SourceAsset,
        asset,
    )
    from orchestrator.definitions.config.mapping import ConfigMapping, config_mapping
    from orchestrator.definitions.config.schema import (
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
    from orchestrator.definitions.executor_definition import ExecutorDefinition, executor
    from orchestrator.definitions.graphs import (
        DependencyDefinition,
        DynamicCollectDependencyDefinition,
        GraphDefinition,
        GraphIn,
        GraphOut,
        MultiDependencyDefinition,
        NodeInvocation,
        graph,
    )
    from orchestrator.definitions.hook_context import HookContext, build_hook_context
    from orchestrator.definitions.hooks import HookDefinition, failure_hook, success_hook
    from orchestrator.definitions.io_managers.base import (
        InputContext,
        IOManager,
        IOManagerDefinition,
        OutputContext,
        build_input_context,
        build_output_context,
        io_manager,
    )
    from orchestrator.definitions.io_managers.fs import (
        FilesystemIOManager,
        PickledObjectFilesystemIOManager,
        fs_io_manager,
    )
    from orchestrator.definitions.io_managers.mem import InMemoryIOManager, mem_io_manager
    from orchestrator.definitions.io_managers.redis import RedisIOManager, ValueTooLargeError, redis_io_manager
    from orchestrator.definitions.io_managers.upath import UPathIOManager, upath_io_manager
    from orchestrator.definitions.jobs import JobDefinition, job
    from orchestrator.definitions.ops import DynamicOut, DynamicOutput, In, Nothing, OpDefinition, Out, Output, op
    from orchestrator.definitions.partitions import (
        DailyPartitionsDefinition,
        PartitionedConfig,
        PartitionsDefinition,
        StaticPartitionsDefinition,
        daily_partitioned_config,
        static_partitioned_config,
    )
    from orchestrator.definitions.repositories import Definitions, RepositoryDefinition, repository
    from orchestrator.definitions.resources import (
        ConfigurableResource,
        InitResourceContext,
        ResourceDefinition,
        build_init_resource_context,
        resource,
    )
    from orchestrator.definitions.retries import Backoff, Jitter, RetryPolicy
    from orchestrator.definitions.schedules import (
        RunRequest,
        ScheduleDefinition,
        ScheduleEvaluationContext,
        SensorDefinition,
        SensorEvaluationContext,
        SkipReason,
        schedule,
        sensor,
    )
    from orchestrator.distributed.executor import celery_executor
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.reexecute import reexecute
    from orchestrator.distributed.submit import RunHandle, RunResult, execute_job, get_run, submit_job
    from orchestrator.errors import (
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
    from orchestrator.events import ErrorInfo, EventType, RunEvent
    from orchestrator.execution.context import AssetExecutionContext, OpExecutionContext, build_op_context
    from orchestrator.execution.results import ExecuteInProcessResult
    from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
    from orchestrator.executors.in_process import in_process_executor
    from orchestrator.executors.local_run import LocalRun
    from orchestrator.executors.multiprocess import multiprocess_executor
    from orchestrator.plan.planner import ExecutionPlan, ExecutionStep
    from orchestrator.status import RunStatus
