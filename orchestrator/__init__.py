"""A Dagster-compatible orchestrator: ops, graphs, jobs and assets, run in process or as Celery tasks.

Port Dagster code by changing one import line: ``from dagster import op, job`` becomes
``from orchestrator import op, job``.
"""

from __future__ import annotations

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
from .executors.in_process import in_process_executor
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
from .io_managers.base import (
    InputContext,
    IOManager,
    IOManagerDefinition,
    OutputContext,
    build_input_context,
    build_output_context,
    io_manager,
)
from .io_managers.mem import InMemoryIOManager, mem_io_manager
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
from .resources import (
    ConfigurableResource,
    InitResourceContext,
    ResourceDefinition,
    build_init_resource_context,
    resource,
)
from .results import ExecuteInProcessResult
from .retries import Backoff, Jitter, RetryPolicy

__all__ = [
    # ops, graphs, jobs
    "op", "OpDefinition", "In", "Out", "Output", "DynamicOut", "DynamicOutput", "Nothing",
    "graph", "GraphDefinition", "GraphIn", "GraphOut", "DependencyDefinition",
    "MultiDependencyDefinition", "DynamicCollectDependencyDefinition", "NodeInvocation",
    "job", "JobDefinition",
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
    # hooks and retries
    "success_hook", "failure_hook", "HookContext", "HookDefinition", "build_hook_context",
    "RetryPolicy", "Backoff", "Jitter", "RetryRequested", "Failure",
    # execution
    "ExecutorDefinition", "in_process_executor", "ExecuteInProcessResult", "ExecutionPlan", "ExecutionStep",
    "EventType", "RunEvent", "ErrorInfo",
    # errors
    "OrchestratorError", "DefinitionError", "InvocationError", "ConfigError", "TypeCheckError",
    "RunTimeoutError", "RunNotFoundError",
]
