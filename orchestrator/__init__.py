"""A Dagster-compatible orchestrator: ops, graphs, jobs and assets, run in process or as Celery tasks.

Port Dagster code by changing one import line: ``from dagster import op, job`` becomes
``from orchestrator import op, job``.
"""

from __future__ import annotations

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
