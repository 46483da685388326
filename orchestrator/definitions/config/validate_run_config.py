"""``validate_run_config``: check a job's run config without running it, as Dagster does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.definitions.config.run_config import resolve_run_config
from orchestrator.definitions.config.schema import resolve_env_vars
from orchestrator.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["validate_run_config"]


def validate_run_config(job_def: JobDefinition, run_config: Any = None) -> dict[str, Any]:
    """Check run config for a job without running it, and return it with every default filled in.

    For tests and tools that want to know a config is good before launching. The job's
    ``config=`` (a config mapping or defaults) is applied first, as for a run. Environment
    variables the config names are read in this process, so one that is set only on the workers
    is reported here.

    Args:
        job_def: The job whose config schema the run config is checked against.
        run_config: The run config, a dict or a ``RunConfig``. Defaults to None (no config).

    Returns:
        The full run config in Dagster's shape: ``{"ops": {op: {"config": ...}}, "resources":
        {key: {"config": ...}}, "execution": {executor: {"config": ...}}, "loggers": {}}``, ops
        inside graphs nested under ``"ops"``.

    Raises:
        DagsterInvalidConfigError: when the run config does not match, listing every bad path
            (e.g. ``ops.needs_n.config.n``) and what is wrong there.

    Examples:
        >>> from orchestrator import job, op, validate_run_config
        >>> @op(config_schema={"n": int})
        ... def needs_n(context) -> int:
        ...     return context.op_config["n"]
        >>> @job
        ... def n_job():
        ...     needs_n()
        >>> checked = validate_run_config(n_job, {"ops": {"needs_n": {"config": {"n": 1}}}})
        >>> checked["ops"]
        {'needs_n': {'config': {'n': 1}}}
    """
    from orchestrator.definitions.partitions import PartitionedConfig

    if isinstance(job_def.config, PartitionedConfig):
        # The given run config is checked as it is (Dagster's tests validate a partition's config).
        job_def = job_def._copy(config=None)
    resolved = resolve_run_config(job_def, run_config)
    errors: list[tuple[str, str]] = []
    ops: dict[str, Any] = {}
    for path, flat in job_def.topology.ops.items():
        parts = path.split(".")
        schema = flat.op_def.config_class or flat.op_def.config_schema
        where = "ops." + ".ops.".join(parts) + ".config"
        value, errs = resolve_env_vars(schema, resolved.op_configs.get(path), where)
        errors.extend(errs)
        level = ops
        for part in parts[:-1]:
            level = level.setdefault(part, {}).setdefault("ops", {})
        entry: dict[str, Any] = {"config": value}
        if path in resolved.op_inputs:
            entry["inputs"] = dict(resolved.op_inputs[path])
        level[parts[-1]] = entry
    resources: dict[str, Any] = {}
    for key, definition in job_def.resource_defs.items():
        value, errs = resolve_env_vars(definition.config_schema, resolved.resource_configs.get(key),
                                       f"resources.{key}.config")
        errors.extend(errs)
        resources[key] = {"config": value}
    if errors:
        raise ConfigError(f"Invalid run config for job '{job_def.name}': environment variables it names are "
                          "not set here.", errors)
    execution = {resolved.execution.get("executor", job_def.executor_def.name):
                 {"config": resolved.execution.get("config") or {}}}
    return {"ops": ops, "resources": resources, "execution": execution, "loggers": {}}
