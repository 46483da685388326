"""Run config: apply the job's own config (defaults, mapping, partitions), then validate every
part (ops, resources, execution) against its schema before anything runs."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from orchestrator.definitions.config.schema import validate_config
from orchestrator.definitions.type_checks import describe, matches, type_name
from orchestrator.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator.definitions.executor_definition import ExecutorDefinition
    from orchestrator.definitions.graphs import GraphDefinition
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["ResolvedRunConfig", "resolve_run_config", "deep_merge"]

_TOP_LEVEL = ("ops", "resources", "execution", "loggers")


@dataclass
class ResolvedRunConfig:
    """Validated run config, split by consumer. ``raw`` is the config after the job's own mapping."""

    raw: dict[str, Any] = field(default_factory=dict)
    op_configs: dict[str, Any] = field(default_factory=dict)
    op_inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    resource_configs: dict[str, Any] = field(default_factory=dict)
    execution: dict[str, Any] = field(default_factory=dict)
    #: The executor chosen for the run (the job's, the launcher's default, or one run config names).
    #: Only the launching process needs it: it is not pickled (its creation function may be a
    #: closure), so a resolved config shipped to another process has None here.
    executor_def: ExecutorDefinition | None = field(default=None, repr=False, compare=False)

    def op_config(self, path: str) -> Any:
        return self.op_configs.get(path)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("executor_def", None)
        return state


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``, merging nested dicts key by key."""
    result = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _unknown(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key '{key}' (did you mean '{close[0]}'?)"
    return f"unknown key '{key}' (expected one of: {', '.join(allowed) or 'none'})"


def apply_job_config(job: JobDefinition, run_config: Mapping[str, Any] | None, partition_key: str | None) -> dict[str, Any]:
    """Turn what the user passed into the job's full run config, using the job's ``config=``."""
    from orchestrator.definitions.config.mapping import ConfigMapping
    from orchestrator.definitions.partitions import PartitionedConfig

    given = dict(run_config or {})
    job_config = job.config
    if job_config is None:
        if partition_key is not None and job.partitions_def is not None:
            job.partitions_def.check_key(partition_key, job.name)
        return given
    if isinstance(job_config, ConfigMapping):
        value, errors = validate_config(job_config.config_schema, given, "")
        if errors:
            raise ConfigError(f"Invalid run config for job '{job.name}' (its config mapping's schema).",
                              [(p.lstrip(".") or "<root>", m) for p, m in errors])
        mapped = job_config.config_fn(value)
        if not isinstance(mapped, Mapping):
            raise ConfigError(f"The config mapping of job '{job.name}' returned {describe(mapped)}, not a dict of run config.")
        return dict(mapped)
    if isinstance(job_config, PartitionedConfig):
        if partition_key is None:
            raise ConfigError(
                f"Job '{job.name}' is partitioned: pass partition_key= (one of "
                f"{job_config.describe_keys()})."
            )
        return deep_merge(job_config.run_config_for_partition(partition_key, job.name), given)
    if isinstance(job_config, Mapping):
        return deep_merge(job_config, given)
    raise ConfigError(f"Job '{job.name}' has config of unsupported type {type(job_config).__name__}.")


def resolve_run_config(job: JobDefinition, run_config: Mapping[str, Any] | None = None,
                       partition_key: str | None = None,
                       default_executor: ExecutorDefinition | None = None) -> ResolvedRunConfig:
    """Validate ``run_config`` for ``job``; raise ``ConfigError`` listing every bad path.

    ``default_executor`` replaces the job's executor when the job did not choose one itself
    (submitting a job to workers means the celery executor). Run config ``execution`` may name
    another executor: a built-in one, the job's own, or ``default_executor``."""
    raw = apply_job_config(job, run_config, partition_key)
    errors: list[tuple[str, str]] = []
    if not isinstance(raw, Mapping):
        raise ConfigError(f"Run config for job '{job.name}' must be a dict, got {describe(raw)}.")
    for key in raw:
        if key not in _TOP_LEVEL:
            errors.append((str(key), _unknown(str(key), list(_TOP_LEVEL))))
    resolved = ResolvedRunConfig(raw=dict(raw))
    _resolve_ops(job, raw.get("ops"), resolved, errors)
    _resolve_resources(job, raw.get("resources"), resolved, errors)
    executor = job.executor_def if job._executor_given or default_executor is None else default_executor
    _resolve_execution(executor, (job.executor_def, default_executor), raw.get("execution"), resolved, errors)
    if errors:
        raise ConfigError(f"Invalid run config for job '{job.name}'. Nothing was run.", errors)
    return resolved


def _node_levels(job: JobDefinition) -> dict[str, list[str]]:
    """Config path prefix of each graph level -> node names at that level."""
    # Which nodes are graphs, from the job's topology: importing ``graphs`` here would close an
    # import cycle (graphs -> jobs -> the executor that resolves run config -> here).
    graph_paths = job.topology.graph_paths
    levels: dict[str, list[str]] = {}

    def walk(g: GraphDefinition, prefix: str) -> None:
        levels[prefix] = list(g.nodes)
        for name, node in g.nodes.items():
            if f"{prefix}{name}" in graph_paths:
                walk(cast("GraphDefinition", node.definition), f"{prefix}{name}.")

    walk(job.graph_def, "")
    return levels


def _resolve_ops(job: JobDefinition, ops_config: Any, resolved: ResolvedRunConfig, errors: list[tuple[str, str]]) -> None:
    topo = job.topology
    if ops_config is None:
        ops_config = {}
    if not isinstance(ops_config, Mapping):
        errors.append(("ops", f"expected a dict keyed by op name, received {describe(ops_config)}"))
        return
    levels = _node_levels(job)

    def check_level(value: Mapping[str, Any], prefix: str, cfg_path: str) -> None:
        names = levels.get(prefix, [])
        for key, sub in value.items():
            if key not in names:
                errors.append((f"{cfg_path}.{key}", _unknown(str(key), names)))
                continue
            node_path = f"{prefix}{key}"
            if node_path in topo.graph_paths:
                if not isinstance(sub, Mapping):
                    errors.append((f"{cfg_path}.{key}", f"expected a dict with 'ops', received {describe(sub)}"))
                    continue
                for k in sub:
                    if k not in ("ops", "config"):
                        errors.append((f"{cfg_path}.{key}.{k}", _unknown(str(k), ["ops"])))
                inner = sub.get("ops") or {}
                if isinstance(inner, Mapping):
                    check_level(inner, f"{node_path}.", f"{cfg_path}.{key}.ops")
                else:
                    errors.append((f"{cfg_path}.{key}.ops", f"expected a dict, received {describe(inner)}"))
            elif sub is not None and not isinstance(sub, Mapping):
                errors.append((f"{cfg_path}.{key}", f"expected a dict with 'config' or 'inputs', received {describe(sub)}"))
            elif sub is not None:
                for k in sub:
                    if k not in ("config", "inputs", "outputs"):
                        errors.append((f"{cfg_path}.{key}.{k}", _unknown(str(k), ["config", "inputs"])))

    check_level(ops_config, "", "ops")

    for path, flat in topo.ops.items():
        parts = path.split(".")
        cfg_path = "ops." + ".ops.".join(parts)
        node_cfg: Any = ops_config
        for i, part in enumerate(parts):
            node_cfg = node_cfg.get(part) if isinstance(node_cfg, Mapping) else None
            if i < len(parts) - 1:
                node_cfg = node_cfg.get("ops") if isinstance(node_cfg, Mapping) else None
        node_cfg = node_cfg if isinstance(node_cfg, Mapping) else {}
        op_def = flat.op_def
        schema = op_def.config_class or op_def.config_schema
        given = node_cfg.get("config")
        if schema is None:
            resolved.op_configs[path] = given
        else:
            value, errs = validate_config(schema, given, f"{cfg_path}.config")
            errors.extend(errs)
            resolved.op_configs[path] = value
        inputs_cfg = node_cfg.get("inputs")
        if inputs_cfg is None:
            continue
        if not isinstance(inputs_cfg, Mapping):
            errors.append((f"{cfg_path}.inputs", f"expected a dict keyed by input name, received {describe(inputs_cfg)}"))
            continue
        values: dict[str, Any] = {}
        for name, given_value in inputs_cfg.items():
            if name not in op_def.value_inputs:
                errors.append((f"{cfg_path}.inputs.{name}", _unknown(str(name), op_def.value_inputs)))
                continue
            value = given_value["value"] if isinstance(given_value, Mapping) and set(given_value) == {"value"} else given_value
            tp = op_def.ins[name].dagster_type
            if tp is not None and not matches(value, tp):
                errors.append((f"{cfg_path}.inputs.{name}", f"expected {type_name(tp)}, received {describe(value)}"))
                continue
            values[name] = value
        resolved.op_inputs[path] = values


def _resolve_resources(job: JobDefinition, res_config: Any, resolved: ResolvedRunConfig, errors: list[tuple[str, str]]) -> None:
    res_config = res_config if res_config is not None else {}
    if not isinstance(res_config, Mapping):
        errors.append(("resources", f"expected a dict keyed by resource key, received {describe(res_config)}"))
        return
    keys = list(job.resource_defs)
    for key in res_config:
        if key not in job.resource_defs:
            errors.append((f"resources.{key}", _unknown(str(key), keys)))
    for key, definition in job.resource_defs.items():
        entry = res_config.get(key)
        if entry is not None and not isinstance(entry, Mapping):
            errors.append((f"resources.{key}", f"expected a dict with 'config', received {describe(entry)}"))
            continue
        given = (entry or {}).get("config")
        cls = getattr(definition, "configurable_class", None)
        if cls is not None:
            merged = {**getattr(definition, "configurable_defaults", {}), **(given or {})}
            _value, errs = validate_config(cls, merged, f"resources.{key}.config")
            errors.extend(errs)
            resolved.resource_configs[key] = given
            continue
        if definition.config_schema is None:
            resolved.resource_configs[key] = given
            continue
        value, errs = validate_config(definition.config_schema, given, f"resources.{key}.config")
        errors.extend(errs)
        resolved.resource_configs[key] = value


def _resolve_execution(executor: ExecutorDefinition, also_known: tuple[ExecutorDefinition | None, ...],
                       exec_config: Any, resolved: ResolvedRunConfig, errors: list[tuple[str, str]]) -> None:
    """Validate ``execution`` against ``executor``'s schema, or the schema of the executor it names."""
    from orchestrator.definitions.built_in_executors import executor_by_name, known_executor_names

    if exec_config is None:
        exec_config = {}
    if not isinstance(exec_config, Mapping):
        errors.append(("execution", f"expected a dict, received {describe(exec_config)}"))
        return
    given: Any = None
    if "config" in exec_config:
        given = exec_config.get("config")
        extra = [k for k in exec_config if k != "config"]
        for k in extra:
            errors.append((f"execution.{k}", _unknown(str(k), ["config"])))
    elif exec_config:
        if len(exec_config) != 1:
            errors.append(("execution", "expected one executor name, e.g. {'multiprocess': {'config': {...}}}"))
            return
        (name, body), = exec_config.items()
        chosen = executor_by_name(str(name), also_known)
        if chosen is None:
            errors.append((f"execution.{name}", _unknown(str(name), known_executor_names(also_known))))
            return
        executor = chosen
        if body is not None and not isinstance(body, Mapping):
            errors.append((f"execution.{name}", f"expected a dict with 'config', received {describe(body)}"))
            return
        given = (body or {}).get("config")
    defaults = executor.configured_config
    if defaults and (given is None or isinstance(given, Mapping)):
        given = deep_merge(defaults, given or {})
    value, errs = validate_config(executor.config_schema, given, "execution.config")
    errors.extend(errs)
    resolved.execution = {"executor": executor.name, "config": value or {}}
    resolved.executor_def = executor
