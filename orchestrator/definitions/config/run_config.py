"""Run config: apply the job's own config (defaults, mapping, partitions), then validate every
part (ops, resources, execution) against its schema before anything runs.

A run whose steps run in other processes resolves its config once, where it is launched: the
config after the job's own config (:func:`stored_run_config`, plain JSON) goes with the run, and
each process rebuilds the :class:`ResolvedRunConfig` from it (:func:`rebuild_run_config`) by
validating it against the op, resource and executor schemas again, never through the job's
``ConfigMapping`` or ``PartitionedConfig`` a second time. Environment sources
(``{"env": "VAR"}``) stay unresolved in that stored form and are read in each process that
rebuilds it, so their values are never written anywhere.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from orchestrator.definitions.config.output_config import check_output_config
from orchestrator.definitions.config.schema import validate_config
from orchestrator.definitions.type_checks import describe, matches, type_name
from orchestrator.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator.definitions.executor_definition import ExecutorDefinition
    from orchestrator.definitions.graphs import GraphDefinition
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["ResolvedRunConfig", "resolve_run_config", "deep_merge", "stored_run_config", "rebuild_run_config",
           "json_run_config", "check_run_config_mapping"]

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
    #: The run config as the caller gave it, before the job's own config (shown, and re-executed).
    given: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Environment variable -> value, for each ``{"env": VAR}`` source of a config mapping's own
    #: config that was read to call the mapping: :func:`stored_run_config` keeps these values out
    #: of the stored form. Launching process only, like ``executor_def``.
    mapping_env: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def op_config(self, path: str) -> Any:
        return self.op_configs.get(path)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("executor_def", None)
        state.pop("mapping_env", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("executor_def", None)
        self.__dict__.setdefault("mapping_env", {})


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


def check_run_config_mapping(job_name: str, run_config: object) -> Mapping[str, Any]:
    """``run_config`` itself when it is a mapping (``None`` is no config); ``ConfigError`` otherwise.

    Run config is a dict keyed by ``ops``, ``resources``, ``execution``: a string, a list or any
    other value is a mistake the user should see named, not a ``ValueError`` from ``dict()``.
    """
    from orchestrator.definitions.config.pythonic import as_run_config_dict

    run_config = as_run_config_dict(run_config)  # a RunConfig of Config objects -> its plain dict
    if run_config is None:
        return {}
    if not isinstance(run_config, Mapping):
        raise ConfigError(
            f"Run config for job '{job_name}' must be a dict (e.g. {{'ops': {{'my_op': {{'config': {{...}}}}}}}}), "
            f"got {describe(run_config)}."
        )
    return run_config


def apply_job_config(job: JobDefinition, run_config: Mapping[str, Any] | None, partition_key: str | None,
                     mapping_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Turn what the user passed into the job's full run config, using the job's ``config=``.

    ``mapping_env`` (when given) receives the environment variables a config mapping's own
    config read through ``{"env": VAR}`` sources, with their values.
    """
    from orchestrator.definitions.config.mapping import ConfigMapping
    from orchestrator.definitions.config.pythonic import as_run_config_dict
    from orchestrator.definitions.partitions import PartitionedConfig

    given = dict(check_run_config_mapping(job.name, run_config))
    job_config = as_run_config_dict(job.config)
    if job_config is None:
        if partition_key is not None and job.partitions_def is not None:
            job.partitions_def.check_key(partition_key, job.name)
        return given
    if isinstance(job_config, ConfigMapping):
        value, errors = validate_config(job_config.config_schema, given, "")
        if errors:
            raise ConfigError(f"Invalid run config for job '{job.name}' (its config mapping's schema).",
                              [(p.lstrip(".") or "<root>", m) for p, m in errors])
        if mapping_env is not None:
            mapping_env.update(_env_reads(job_config.config_schema, given, value))
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
    mapping_env: dict[str, str] = {}
    resolved = _validate(job, apply_job_config(job, run_config, partition_key, mapping_env), default_executor)
    resolved.mapping_env = mapping_env
    resolved.given = copy.deepcopy(dict(check_run_config_mapping(job.name, run_config)))
    return resolved


def _env_reads(schema: Any, given: Any, resolved: Any) -> dict[str, str]:
    """``{VAR: value}`` for each string ``{"env": VAR}`` source of ``given`` that validation read."""
    from orchestrator.definitions.config.schema import _Ctx, normalize_schema

    config_type = normalize_schema(schema)
    if config_type is None:
        return {}
    # The same validation without reading the environment leaves each source as {"env": VAR}.
    unread = config_type.process(copy.deepcopy(given), "", _Ctx(resolve_env=False))
    found: dict[str, str] = {}

    def walk(before: Any, after: Any) -> None:
        if isinstance(before, Mapping) and set(before) == {"env"} and isinstance(after, str):
            found[str(before["env"])] = after
        elif isinstance(before, Mapping) and isinstance(after, Mapping):
            for key in before:
                if key in after:
                    walk(before[key], after[key])
        elif isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
            for b, a in zip(before, after):
                walk(b, a)

    walk(unread, resolved)
    return found


def stored_run_config(job: JobDefinition, resolved: ResolvedRunConfig,
                      default_executor: ExecutorDefinition | None = None) -> dict[str, Any]:
    """The JSON form of ``resolved`` that travels with a run: the config after the job's own
    config (mapping, partitioned config, defaults), as plain JSON data.

    Values read from the environment are not in it: ``{"env": "VAR"}`` sources are kept as
    given and read again by :func:`rebuild_run_config` in the process that runs the step. (A
    config mapping that reads the environment itself puts what it read here: have it return
    ``{"env": "VAR"}`` for a ``StringSource`` field instead.) Raises ``ConfigError`` naming the
    path of a value that is not JSON data (a set, an object...), which could not reach workers.
    ``default_executor`` is the launcher's, as given to :func:`resolve_run_config`.
    """
    stored = json_run_config(job.name, resolved.raw)
    if resolved.mapping_env:
        stored = _unread_env(job.name, stored, resolved.mapping_env)
        try:
            rebuild_run_config(job, stored, default_executor)
        except ConfigError as exc:
            raise ConfigError(
                f"The config mapping of job '{job.name}' passes values of environment variables "
                f"({', '.join(sorted(resolved.mapping_env))}) to fields that do not read the environment: sent to "
                "workers, they would be stored in Redis in clear. Declare those fields StringSource, so that each "
                "worker reads the variable itself.", [(path, message) for path, message in exc.errors]) from None
    return stored


def _unread_env(job_name: str, stored: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """``stored`` with every value a config mapping took from the environment back as ``{"env": VAR}``;
    ``ConfigError`` where a mapping built a longer string out of one (it would be stored in clear)."""
    leaks: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str):
            for var, secret in env.items():
                if value == secret:
                    return {"env": var}
                if len(secret) >= 6 and secret in value:
                    leaks.append((path, f"contains the value of environment variable {var!r}"))
        return value

    result: dict[str, Any] = walk(stored, "")
    if leaks:
        raise ConfigError(
            f"The config mapping of job '{job_name}' builds run config out of environment values; sent to "
            "workers, they would be stored in Redis in clear. Pass the value itself to a StringSource field "
            "(the mapping may return {'env': 'VAR'} for it), so that each worker reads it from its environment.",
            leaks)
    return result


def json_run_config(job_name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` as plain JSON data (tuples become lists), or ``ConfigError`` naming each path
    holding something else (a set, an object...), which could not be stored with a run."""
    errors: list[tuple[str, str]] = []
    _check_json(config, "", errors)
    if errors:
        raise ConfigError(f"Run config for job '{job_name}' cannot be sent to workers: it must be JSON data.", errors)
    result: dict[str, Any] = json.loads(json.dumps(config))
    return result


def _check_json(value: Any, path: str, errors: list[tuple[str, str]]) -> None:
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, Mapping):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                errors.append((where, f"keys must be strings, got {describe(key)}"))
            _check_json(sub, where, errors)
        return
    if isinstance(value, (list, tuple)):
        for i, sub in enumerate(value):
            _check_json(sub, f"{path}[{i}]", errors)
        return
    errors.append((path or "<root>", f"expected JSON data (dict, list, str, number, bool, None), received {describe(value)}"))


def rebuild_run_config(job: JobDefinition, stored: Mapping[str, Any],
                       default_executor: ExecutorDefinition | None = None) -> ResolvedRunConfig:
    """The :class:`ResolvedRunConfig` of a run from its :func:`stored_run_config` form.

    The job's ``ConfigMapping``/``PartitionedConfig`` was applied when the run was launched and
    is not applied again; the op, resource and executor schemas are (defaults filled in,
    ``{"env": ...}`` sources read from this process's environment). ``ConfigError`` when that
    fails here, e.g. an environment variable a source names is not set in this process.
    """
    return _validate(job, check_run_config_mapping(job.name, stored), default_executor,
                     "Run config stored for job '{job}' does not validate in this process")


def _validate(job: JobDefinition, raw: Mapping[str, Any], default_executor: ExecutorDefinition | None,
              failure: str = "Invalid run config for job '{job}'. Nothing was run") -> ResolvedRunConfig:
    """Validate the job's full run config ``raw`` against every schema; ``ConfigError`` (its message
    ``failure``) lists all errors."""
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
        raise ConfigError(failure.format(job=job.name) + ".", errors)
    return resolved


def _graph_levels(job: JobDefinition) -> dict[str, GraphDefinition]:
    """Config path prefix of each graph level (``""``, ``"outer."``...) -> the graph at that level."""
    # Which nodes are graphs, from the job's topology: importing ``graphs`` here would close an
    # import cycle (graphs -> jobs -> the executor that resolves run config -> here).
    graph_paths = job.topology.graph_paths
    levels: dict[str, GraphDefinition] = {}

    def walk(g: GraphDefinition, prefix: str) -> None:
        levels[prefix] = g
        for name, node in g.nodes.items():
            if f"{prefix}{name}" in graph_paths:
                walk(cast("GraphDefinition", node.definition), f"{prefix}{name}.")

    walk(job.graph_def, "")
    return levels


def _apply_graph_configs(ops_config: Mapping[str, Any], graphs: Mapping[str, GraphDefinition],
                         errors: list[tuple[str, str]], unmapped: set[str]) -> dict[str, Any]:
    """``ops_config`` with the ``config=`` of each graph applied (the job's own graph's, and each
    nested graph's), as Dagster applies them: a ``ConfigMapping`` turns the graph node's
    ``config`` into its ops' config; a dict is the default config of its ops, under what the run
    config gives at ``ops.<graph>.ops``.

    Args:
        ops_config: The ``ops`` section of the run config.
        graphs: The graph at each level, by config path prefix (:func:`_graph_levels`).
        errors: Where a config mapping's bad config, or a failing mapping, is reported.
        unmapped: Receives the prefix of each graph whose mapping could not run, so that its ops'
            config is not reported missing as well.
    """

    def ops_of(prefix: str, node_cfg: Mapping[str, Any], cfg_path: str, ops_path: str) -> dict[str, Any]:
        # The ops config of the graph at ``prefix``, from its node's config; then the same for
        # each graph nested in it.
        inner = _graph_ops_config(graphs[prefix], node_cfg, cfg_path, ops_path, errors)
        if inner is None:
            unmapped.add(prefix)
            return {}
        for name in graphs[prefix].nodes:
            sub_prefix = f"{prefix}{name}."
            sub = inner.get(name)
            if sub_prefix not in graphs or (sub is not None and not isinstance(sub, Mapping)) or (
                    isinstance(sub, Mapping) and sub.get("ops") is not None and not isinstance(sub["ops"], Mapping)):
                continue  # an op, or a malformed entry that the structure check reports
            sub = dict(sub or {})  # a graph the run config leaves out may hold graphs with config
            sub["ops"] = ops_of(sub_prefix, sub, f"{ops_path}.{name}", f"{ops_path}.{name}.ops")
            if _has_config_mapping(graphs[sub_prefix]):
                sub.pop("config", None)  # consumed by the mapping
            inner[name] = sub
        return inner

    if not _has_config_mapping(graphs[""]):
        return ops_of("", {"ops": ops_config}, "ops", "ops")
    # The job's own graph has a config mapping: Dagster's run config is then {"ops": {"config": ...}}.
    for key in ops_config:
        if key != "config":
            errors.append((f"ops.{key}", f"graph '{graphs[''].name}' has a config mapping, so its ops are "
                                         "configured by it: give the graph's config at ops.config instead"))
    return ops_of("", {"config": ops_config.get("config")}, "ops", "ops")


def _has_config_mapping(graph: GraphDefinition) -> bool:
    from orchestrator.definitions.config.mapping import ConfigMapping

    return isinstance(graph.config, ConfigMapping)


def _graph_ops_config(graph: GraphDefinition, node_cfg: Mapping[str, Any], cfg_path: str, ops_path: str,
                      errors: list[tuple[str, str]]) -> dict[str, Any] | None:
    """The config of ``graph``'s ops, by node name, given the config of the graph's node; None
    when its config mapping could not run (the reason is in ``errors``).

    Args:
        graph: The graph.
        node_cfg: The run config of its node: ``{"ops": ...}``, or ``{"config": ...}`` when the
            graph has a config mapping.
        cfg_path: The config path of the node (``ops.outer``), for messages.
        ops_path: The config path of its ops (``ops.outer.ops``), for messages.
        errors: Where problems are reported.
    """
    from orchestrator.definitions.config.mapping import ConfigMapping

    given = node_cfg.get("ops")
    given_ops = dict(given) if isinstance(given, Mapping) else {}
    config = graph.config
    if isinstance(config, ConfigMapping):
        if given is not None:
            errors.append((ops_path, f"graph '{graph.name}' has a config mapping, so its ops are configured by it: "
                                     f"give the graph's config at {cfg_path}.config instead"))
        value, errs = validate_config(config.config_schema, node_cfg.get("config"), f"{cfg_path}.config")
        if errs:
            errors.extend(errs)
            return None
        try:
            mapped = config.config_fn(value)
        except Exception as exc:  # noqa: BLE001 - the user's mapping: reported with the config errors
            errors.append((f"{cfg_path}.config", f"the config mapping of graph '{graph.name}' raised "
                                                 f"{type(exc).__name__}: {exc}"))
            return None
        if not isinstance(mapped, Mapping):
            errors.append((f"{cfg_path}.config", f"the config mapping of graph '{graph.name}' returned "
                                                 f"{describe(mapped)}, not a dict of its ops' config by node name"))
            return None
        return dict(mapped)
    if isinstance(config, Mapping):
        return deep_merge(config, given_ops)
    return given_ops


def _resolve_ops(job: JobDefinition, ops_config: Any, resolved: ResolvedRunConfig, errors: list[tuple[str, str]]) -> None:
    topo = job.topology
    if ops_config is None:
        ops_config = {}
    if not isinstance(ops_config, Mapping):
        errors.append(("ops", f"expected a dict keyed by op name, received {describe(ops_config)}"))
        return
    graphs = _graph_levels(job)
    levels = {prefix: list(g.nodes) for prefix, g in graphs.items()}
    unmapped: set[str] = set()
    ops_config = _apply_graph_configs(ops_config, graphs, errors, unmapped)

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
                    if k == "config":  # a mapping graph's config was consumed by its mapping
                        errors.append((f"{cfg_path}.{key}.config", f"graph '{key}' has no config mapping, so it takes "
                                                                   f"no config: configure its ops under {cfg_path}.{key}.ops"))
                    elif k != "ops":
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
        if any(path.startswith(prefix) for prefix in unmapped):
            continue  # its graph's config mapping failed (reported): its config is unknown
        schema = op_def.config_class or op_def.config_schema
        given = node_cfg.get("config")
        if schema is None:
            resolved.op_configs[path] = given
        else:
            # Environment variables stay references here; the step reads them where it runs.
            value, errs = validate_config(schema, given, f"{cfg_path}.config", resolve_env=False)
            errors.extend(errs)
            resolved.op_configs[path] = value
        errors.extend(check_output_config(job, op_def, node_cfg.get("outputs"), f"{cfg_path}.outputs"))
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
            loader = getattr(tp, "loader", None)
            if loader is not None and _config_feeds_loader(tp):
                # A Dagster type's loader builds the input from this config: check it against the
                # loader's schema here; the step runs the loader (and the type check) on the value.
                value, errs = validate_config(loader.schema, given_value, f"{cfg_path}.inputs.{name}")
                errors.extend(errs)
                values[name] = value
                continue
            if tp is not None and not matches(value, tp):
                errors.append((f"{cfg_path}.inputs.{name}", f"expected {type_name(tp)}, received {describe(value)}"))
                continue
            values[name] = value
        resolved.op_inputs[path] = values


def _config_feeds_loader(tp: Any) -> bool:
    """Whether the run config of an input of Dagster type ``tp`` is its loader's config (a user
    type with a loader, or ``Optional`` of one), rather than the input's value (built-in scalars).

    Args:
        tp: The input's Dagster type, one that has a loader.
    """
    if not getattr(tp, "is_builtin", False):
        return True
    inner = getattr(tp, "inner_type", None)  # Optional[T]: as T
    return inner is not None and inner.loader is not None and _config_feeds_loader(inner)


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
        if definition.config_schema is None:
            resolved.resource_configs[key] = given
            continue
        # Environment variables stay references here; the resource reads them when it is built.
        value, errs = validate_config(definition.config_schema, given, f"resources.{key}.config", resolve_env=False)
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
