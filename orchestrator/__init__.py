"""A Dagster-compatible orchestrator: ops, graphs, jobs and assets, run in process or as Celery tasks.

Port Dagster code by changing one import line: ``from dagster import op, job`` becomes
``from orchestrator import op, job``.

Names are imported on first use, so ``import orchestrator`` stays fast and a program pays only for
what it uses (the Celery side, object storage and the CLI load only when needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any as _Any  # ``Any`` itself is Dagster's type, exported below

_EXPORTS: dict[str, str] = {
    'UnresolvedAssetJobDefinition': '.definitions.asset_jobs',
    'define_asset_job': '.definitions.asset_jobs',
    'materialize': '.definitions.asset_jobs',
    'materialize_to_memory': '.definitions.asset_jobs',
    'AssetSelection': '.definitions.asset_selection',
    'AssetCheckKey': '.definitions.asset_key',
    'AssetDep': '.definitions.asset_spec',
    'AssetSpec': '.definitions.asset_spec',
    'AssetOut': '.definitions.multi_assets',
    'multi_asset': '.definitions.multi_assets',
    'graph_asset': '.definitions.multi_assets',
    'graph_multi_asset': '.definitions.multi_assets',
    'AssetChecksDefinition': '.definitions.asset_checks',
    'asset_check': '.definitions.asset_checks',
    'multi_asset_check': '.definitions.asset_checks',
    'AssetCheckEvaluation': '.definitions.asset_check_spec',
    'AssetCheckResult': '.definitions.asset_check_spec',
    'AssetCheckSeverity': '.definitions.asset_check_spec',
    'AssetCheckSpec': '.definitions.asset_check_spec',
    'MaterializeResult': '.definitions.asset_results',
    'load_asset_checks_from_current_module': '.definitions.asset_loading',
    'load_asset_checks_from_modules': '.definitions.asset_loading',
    'load_asset_checks_from_package_module': '.definitions.asset_loading',
    'load_asset_checks_from_package_name': '.definitions.asset_loading',
    'load_assets_from_current_module': '.definitions.asset_loading',
    'load_assets_from_modules': '.definitions.asset_loading',
    'load_assets_from_package_module': '.definitions.asset_loading',
    'load_assets_from_package_name': '.definitions.asset_loading',
    'PartitionKeyRange': '.definitions.partitions',
    'partitioned_config': '.definitions.partitions',
    'HourlyPartitionsDefinition': '.definitions.time_partitions',
    'MonthlyPartitionsDefinition': '.definitions.time_partitions',
    'TimeWindow': '.definitions.time_partitions',
    'TimeWindowPartitionsDefinition': '.definitions.time_partitions',
    'WeeklyPartitionsDefinition': '.definitions.time_partitions',
    'hourly_partitioned_config': '.definitions.time_partitions',
    'monthly_partitioned_config': '.definitions.time_partitions',
    'weekly_partitioned_config': '.definitions.time_partitions',
    'MultiPartitionKey': '.definitions.multi_partitions',
    'MultiPartitionsDefinition': '.definitions.multi_partitions',
    'AllPartitionMapping': '.definitions.partition_mappings',
    'IdentityPartitionMapping': '.definitions.partition_mappings',
    'LastPartitionMapping': '.definitions.partition_mappings',
    'MultiToSingleDimensionPartitionMapping': '.definitions.partition_mappings',
    'PartitionMapping': '.definitions.partition_mappings',
    'SpecificPartitionsPartitionMapping': '.definitions.partition_mappings',
    'StaticPartitionMapping': '.definitions.partition_mappings',
    'TimeWindowPartitionMapping': '.definitions.partition_mappings',
    'DefaultScheduleStatus': '.definitions.schedules',
    'build_schedule_context': '.definitions.schedules',
    'build_schedule_from_partitioned_job': '.definitions.schedules',
    'AssetSensorDefinition': '.definitions.sensors',
    'DefaultSensorStatus': '.definitions.sensors',
    'RunFailureSensorContext': '.definitions.sensors',
    'RunStatusSensorContext': '.definitions.sensors',
    'RunStatusSensorDefinition': '.definitions.sensors',
    'SensorResult': '.definitions.sensors',
    'asset_sensor': '.definitions.sensors',
    'build_run_status_sensor_context': '.definitions.sensors',
    'build_sensor_context': '.definitions.sensors',
    'run_failure_sensor': '.definitions.sensors',
    'run_status_sensor': '.definitions.sensors',
    'build_asset_context': '.execution.asset_context',
    'AssetCheckExecutionContext': '.execution.context',
    'EventLogEntry': '.definitions.sensors',
    'DagsterRun': '.definitions.dagster_run',
    'DagsterRunStatus': '.definitions.dagster_run',
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
    'Map': '.definitions.config.schema',
    'PermissiveConfig': '.definitions.config.schema',
    'ScalarUnion': '.definitions.config.schema',
    'EnvVar': '.definitions.config.env_vars',
    'RunConfig': '.definitions.config.pythonic',
    'validate_run_config': '.definitions.config.validate_run_config',
    'DagsterInvalidConfigError': '.errors',
    'DagsterInvariantViolationError': '.errors',
    'configured': '.definitions.configured',
    'make_values_resource': '.definitions.resources',
    'ConfigurableResourceFactory': '.definitions.configurable_resources',
    'ResourceDependency': '.definitions.resources',
    'ResourceParam': '.definitions.resources',
    'build_resources': '.definitions.build_resources',
    'with_resources': '.definitions.with_resources',
    'ConfigurableIOManager': '.definitions.io_managers.configurable',
    'ConfigurableIOManagerFactory': '.definitions.io_managers.configurable',
    'ConfigurableLegacyIOManagerAdapter': '.definitions.io_managers.configurable',
    'DagsterUnknownResourceError': '.errors',
    'DagsterResourceFunctionError': '.errors',
    'DagsterInvalidConfigDefinitionError': '.errors',
    'config_from_files': '.definitions.config.config_files',
    'config_from_pkg_resources': '.definitions.config.config_files',
    'config_from_yaml_strings': '.definitions.config.config_files',
    'custom_path_fs_io_manager': '.definitions.io_managers.fs',
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
    'DagsterEventType': '.events',
    'AssetObservation': '.definitions.op_events',
    'ExpectationResult': '.definitions.op_events',
    'Any': '.definitions.dagster_types',
    'Bool': '.definitions.dagster_types',
    'DagsterType': '.definitions.dagster_types',
    'DagsterTypeLoader': '.definitions.dagster_types',
    'DagsterTypeLoaderContext': '.definitions.dagster_types',
    'Dict': '.definitions.dagster_types',
    'Float': '.definitions.dagster_types',
    'Int': '.definitions.dagster_types',
    'List': '.definitions.dagster_types',
    'Optional': '.definitions.dagster_types',
    'PythonObjectDagsterType': '.definitions.dagster_types',
    'Set': '.definitions.dagster_types',
    'String': '.definitions.dagster_types',
    'Tuple': '.definitions.dagster_types',
    'TypeCheck': '.definitions.dagster_types',
    'check_dagster_type': '.definitions.dagster_types',
    'dagster_type_loader': '.definitions.dagster_types',
    'make_python_type_usable_as_dagster_type': '.definitions.dagster_types',
    'usable_as_dagster_type': '.definitions.dagster_types',
    'BoolMetadataValue': '.definitions.metadata',
    'DagsterAssetMetadataValue': '.definitions.metadata',
    'DagsterJobMetadataValue': '.definitions.metadata',
    'DagsterRunMetadataValue': '.definitions.metadata',
    'FloatMetadataValue': '.definitions.metadata',
    'IntMetadataValue': '.definitions.metadata',
    'JsonMetadataValue': '.definitions.metadata',
    'MarkdownMetadataValue': '.definitions.metadata',
    'MetadataValue': '.definitions.metadata',
    'NotebookMetadataValue': '.definitions.metadata',
    'NullMetadataValue': '.definitions.metadata',
    'PathMetadataValue': '.definitions.metadata',
    'PoolMetadataValue': '.definitions.metadata',
    'PythonArtifactMetadataValue': '.definitions.metadata',
    'TableMetadataValue': '.definitions.metadata',
    'TableSchemaMetadataValue': '.definitions.metadata',
    'TextMetadataValue': '.definitions.metadata',
    'TimestampMetadataValue': '.definitions.metadata',
    'UrlMetadataValue': '.definitions.metadata',
    'TableColumn': '.definitions.table_metadata',
    'TableColumnConstraints': '.definitions.table_metadata',
    'TableConstraints': '.definitions.table_metadata',
    'TableRecord': '.definitions.table_metadata',
    'TableSchema': '.definitions.table_metadata',
    'DagsterTypeCheckDidNotPass': '.errors',
    'DagsterTypeCheckError': '.errors',
    'DagsterInstance': '.execution.instance',
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
    'DailyPartitionsDefinition': '.definitions.time_partitions',
    'PartitionedConfig': '.definitions.partitions',
    'PartitionsDefinition': '.definitions.partitions',
    'StaticPartitionsDefinition': '.definitions.partitions',
    'daily_partitioned_config': '.definitions.time_partitions',
    'static_partitioned_config': '.definitions.partitions',
    'ExecutionPlan': '.plan.planner',
    'ExecutionStep': '.plan.planner',
    'Definitions': '.definitions.repositories',
    'RepositoryDefinition': '.definitions.repositories',
    'repository': '.definitions.repositories',
    'ConfigurableResource': '.definitions.configurable_resources',
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
    'SensorDefinition': '.definitions.sensors',
    'SensorEvaluationContext': '.definitions.sensors',
    'SkipReason': '.definitions.schedules',
    'schedule': '.definitions.schedules',
    'sensor': '.definitions.sensors',
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
    # assets, partitions, schedules and sensors (issue 13, part C)
    "AssetCheckKey", "AssetDep", "AssetSpec", "AssetOut", "multi_asset", "graph_asset", "graph_multi_asset",
    "AssetChecksDefinition", "asset_check", "multi_asset_check", "AssetCheckEvaluation", "AssetCheckResult",
    "AssetCheckSeverity", "AssetCheckSpec", "MaterializeResult", "load_asset_checks_from_current_module",
    "load_asset_checks_from_modules", "load_asset_checks_from_package_module",
    "load_asset_checks_from_package_name", "load_assets_from_current_module", "load_assets_from_modules",
    "load_assets_from_package_module", "load_assets_from_package_name", "PartitionKeyRange",
    "partitioned_config", "HourlyPartitionsDefinition", "MonthlyPartitionsDefinition", "TimeWindow",
    "TimeWindowPartitionsDefinition", "WeeklyPartitionsDefinition", "hourly_partitioned_config",
    "monthly_partitioned_config", "weekly_partitioned_config", "MultiPartitionKey",
    "MultiPartitionsDefinition", "AllPartitionMapping",
    "IdentityPartitionMapping", "LastPartitionMapping", "MultiToSingleDimensionPartitionMapping",
    "PartitionMapping", "SpecificPartitionsPartitionMapping", "StaticPartitionMapping",
    "TimeWindowPartitionMapping", "DefaultScheduleStatus", "build_schedule_context",
    "build_schedule_from_partitioned_job", "AssetSensorDefinition", "DefaultSensorStatus",
    "RunFailureSensorContext", "RunStatusSensorContext", "RunStatusSensorDefinition", "SensorResult",
    "asset_sensor", "build_run_status_sensor_context", "build_sensor_context", "run_failure_sensor",
    "run_status_sensor", "build_asset_context", "AssetCheckExecutionContext", "EventLogEntry", "DagsterRun", "DagsterRunStatus",
    # context
    "OpExecutionContext", "AssetExecutionContext", "build_op_context",
    # config
    "Config", "Field", "Permissive", "Shape", "Array", "Noneable", "Enum", "EnumValue", "Selector",
    "StringSource", "IntSource", "BoolSource", "ConfigMapping", "config_mapping",
    "Map", "ScalarUnion", "PermissiveConfig", "EnvVar", "RunConfig", "validate_run_config",
    "DagsterInvalidConfigError", "DagsterInvariantViolationError", "configured", "make_values_resource", "ConfigurableResourceFactory",
    "ResourceDependency", "ResourceParam", "build_resources", "with_resources", "ConfigurableIOManager",
    "ConfigurableIOManagerFactory", "ConfigurableLegacyIOManagerAdapter", "DagsterUnknownResourceError",
    "DagsterResourceFunctionError", "DagsterInvalidConfigDefinitionError", "config_from_files",
    "config_from_pkg_resources", "config_from_yaml_strings", "custom_path_fs_io_manager",
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
    # events, metadata, types, instance (Dagster's names)
    "DagsterEventType", "AssetObservation", "ExpectationResult", "Any", "Bool", "DagsterType",
    "DagsterTypeLoader", "DagsterTypeLoaderContext", "Dict", "Float", "Int", "List",
    "Optional", "PythonObjectDagsterType", "Set", "String", "Tuple", "TypeCheck",
    "check_dagster_type", "dagster_type_loader", "make_python_type_usable_as_dagster_type", "usable_as_dagster_type", "BoolMetadataValue", "DagsterAssetMetadataValue",
    "DagsterJobMetadataValue", "DagsterRunMetadataValue", "FloatMetadataValue", "IntMetadataValue", "JsonMetadataValue", "MarkdownMetadataValue",
    "MetadataValue", "NotebookMetadataValue", "NullMetadataValue", "PathMetadataValue", "PoolMetadataValue", "PythonArtifactMetadataValue",
    "TableMetadataValue", "TableSchemaMetadataValue", "TextMetadataValue", "TimestampMetadataValue", "UrlMetadataValue", "TableColumn",
    "TableColumnConstraints", "TableConstraints", "TableRecord", "TableSchema", "DagsterTypeCheckDidNotPass", "DagsterTypeCheckError",
    "DagsterInstance",
    # errors
    "OrchestratorError", "DefinitionError", "InvocationError", "ConfigError", "TypeCheckError",
    "RunTimeoutError", "RunNotFoundError",
]


def __getattr__(name: str) -> _Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'orchestrator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from orchestrator.definitions.asset_check_spec import (
        AssetCheckEvaluation,
        AssetCheckResult,
        AssetCheckSeverity,
        AssetCheckSpec,
    )
    from orchestrator.definitions.asset_checks import AssetChecksDefinition, asset_check, multi_asset_check
    from orchestrator.definitions.asset_jobs import (
        UnresolvedAssetJobDefinition,
        define_asset_job,
        materialize,
        materialize_to_memory,
    )
    from orchestrator.definitions.asset_key import AssetCheckKey
    from orchestrator.definitions.asset_loading import (
        load_asset_checks_from_current_module,
        load_asset_checks_from_modules,
        load_asset_checks_from_package_module,
        load_asset_checks_from_package_name,
        load_assets_from_current_module,
        load_assets_from_modules,
        load_assets_from_package_module,
        load_assets_from_package_name,
    )
    from orchestrator.definitions.asset_results import MaterializeResult
    from orchestrator.definitions.asset_selection import AssetSelection
    from orchestrator.definitions.asset_spec import AssetDep, AssetSpec
    from orchestrator.definitions.assets import (
        AssetIn,
        AssetKey,
        AssetMaterialization,
        AssetsDefinition,
        SourceAsset,
        asset,
    )
    from orchestrator.definitions.build_resources import build_resources
    from orchestrator.definitions.config.config_files import (
        config_from_files,
        config_from_pkg_resources,
        config_from_yaml_strings,
    )
    from orchestrator.definitions.config.env_vars import EnvVar
    from orchestrator.definitions.config.mapping import ConfigMapping, config_mapping
    from orchestrator.definitions.config.pythonic import RunConfig
    from orchestrator.definitions.config.schema import (
        Array,
        BoolSource,
        Config,
        Enum,
        EnumValue,
        Field,
        IntSource,
        Map,
        Noneable,
        Permissive,
        PermissiveConfig,
        ScalarUnion,
        Selector,
        Shape,
        StringSource,
    )
    from orchestrator.definitions.config.validate_run_config import validate_run_config
    from orchestrator.definitions.configurable_resources import ConfigurableResource, ConfigurableResourceFactory
    from orchestrator.definitions.configured import configured
    from orchestrator.definitions.dagster_run import DagsterRun, DagsterRunStatus
    from orchestrator.definitions.dagster_types import (
        Any,
        Bool,
        DagsterType,
        DagsterTypeLoader,
        DagsterTypeLoaderContext,
        Dict,
        Float,
        Int,
        List,
        Optional,
        PythonObjectDagsterType,
        Set,
        String,
        Tuple,
        TypeCheck,
        check_dagster_type,
        dagster_type_loader,
        make_python_type_usable_as_dagster_type,
        usable_as_dagster_type,
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
    from orchestrator.definitions.io_managers.configurable import (
        ConfigurableIOManager,
        ConfigurableIOManagerFactory,
        ConfigurableLegacyIOManagerAdapter,
    )
    from orchestrator.definitions.io_managers.fs import (
        FilesystemIOManager,
        PickledObjectFilesystemIOManager,
        custom_path_fs_io_manager,
        fs_io_manager,
    )
    from orchestrator.definitions.io_managers.mem import InMemoryIOManager, mem_io_manager
    from orchestrator.definitions.io_managers.redis import RedisIOManager, ValueTooLargeError, redis_io_manager
    from orchestrator.definitions.io_managers.upath import UPathIOManager, upath_io_manager
    from orchestrator.definitions.jobs import JobDefinition, job
    from orchestrator.definitions.metadata import (
        BoolMetadataValue,
        DagsterAssetMetadataValue,
        DagsterJobMetadataValue,
        DagsterRunMetadataValue,
        FloatMetadataValue,
        IntMetadataValue,
        JsonMetadataValue,
        MarkdownMetadataValue,
        MetadataValue,
        NotebookMetadataValue,
        NullMetadataValue,
        PathMetadataValue,
        PoolMetadataValue,
        PythonArtifactMetadataValue,
        TableMetadataValue,
        TableSchemaMetadataValue,
        TextMetadataValue,
        TimestampMetadataValue,
        UrlMetadataValue,
    )
    from orchestrator.definitions.multi_assets import AssetOut, graph_asset, graph_multi_asset, multi_asset
    from orchestrator.definitions.multi_partitions import MultiPartitionKey, MultiPartitionsDefinition
    from orchestrator.definitions.op_events import AssetObservation, ExpectationResult
    from orchestrator.definitions.ops import DynamicOut, DynamicOutput, In, Nothing, OpDefinition, Out, Output, op
    from orchestrator.definitions.partition_mappings import (
        AllPartitionMapping,
        IdentityPartitionMapping,
        LastPartitionMapping,
        MultiToSingleDimensionPartitionMapping,
        PartitionMapping,
        SpecificPartitionsPartitionMapping,
        StaticPartitionMapping,
        TimeWindowPartitionMapping,
    )
    from orchestrator.definitions.partitions import (
        PartitionedConfig,
        PartitionKeyRange,
        PartitionsDefinition,
        StaticPartitionsDefinition,
        partitioned_config,
        static_partitioned_config,
    )
    from orchestrator.definitions.repositories import Definitions, RepositoryDefinition, repository
    from orchestrator.definitions.resources import (
        InitResourceContext,
        ResourceDefinition,
        ResourceDependency,
        ResourceParam,
        build_init_resource_context,
        make_values_resource,
        resource,
    )
    from orchestrator.definitions.retries import Backoff, Jitter, RetryPolicy
    from orchestrator.definitions.schedules import (
        DefaultScheduleStatus,
        RunRequest,
        ScheduleDefinition,
        ScheduleEvaluationContext,
        SkipReason,
        build_schedule_context,
        build_schedule_from_partitioned_job,
        schedule,
    )
    from orchestrator.definitions.sensors import (
        AssetSensorDefinition,
        DefaultSensorStatus,
        EventLogEntry,
        RunFailureSensorContext,
        RunStatusSensorContext,
        RunStatusSensorDefinition,
        SensorDefinition,
        SensorEvaluationContext,
        SensorResult,
        asset_sensor,
        build_run_status_sensor_context,
        build_sensor_context,
        run_failure_sensor,
        run_status_sensor,
        sensor,
    )
    from orchestrator.definitions.table_metadata import (
        TableColumn,
        TableColumnConstraints,
        TableConstraints,
        TableRecord,
        TableSchema,
    )
    from orchestrator.definitions.time_partitions import (
        DailyPartitionsDefinition,
        HourlyPartitionsDefinition,
        MonthlyPartitionsDefinition,
        TimeWindow,
        TimeWindowPartitionsDefinition,
        WeeklyPartitionsDefinition,
        daily_partitioned_config,
        hourly_partitioned_config,
        monthly_partitioned_config,
        weekly_partitioned_config,
    )
    from orchestrator.definitions.with_resources import with_resources
    from orchestrator.distributed.executor import celery_executor
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.reexecute import reexecute
    from orchestrator.distributed.submit import RunHandle, RunResult, execute_job, get_run, submit_job
    from orchestrator.errors import (
        ConfigError,
        DagsterInvalidConfigDefinitionError,
        DagsterInvalidConfigError,
        DagsterInvariantViolationError,
        DagsterResourceFunctionError,
        DagsterTypeCheckDidNotPass,
        DagsterTypeCheckError,
        DagsterUnknownResourceError,
        DefinitionError,
        Failure,
        InvocationError,
        OrchestratorError,
        RetryRequested,
        RunNotFoundError,
        RunTimeoutError,
        TypeCheckError,
    )
    from orchestrator.events import DagsterEventType, ErrorInfo, EventType, RunEvent
    from orchestrator.execution.asset_context import build_asset_context
    from orchestrator.execution.context import (
        AssetCheckExecutionContext,
        AssetExecutionContext,
        OpExecutionContext,
        build_op_context,
    )
    from orchestrator.execution.instance import DagsterInstance
    from orchestrator.execution.results import ExecuteInProcessResult
    from orchestrator.executors.base import Executor, InitExecutorContext, RunLaunch
    from orchestrator.executors.in_process import in_process_executor
    from orchestrator.executors.local_run import LocalRun
    from orchestrator.executors.multiprocess import multiprocess_executor
    from orchestrator.plan.planner import ExecutionPlan, ExecutionStep
    from orchestrator.status import RunStatus
