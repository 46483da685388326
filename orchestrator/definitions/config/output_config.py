"""Output config: run config for an op's outputs, read by the IO manager that stores each one.

An IO manager declared with ``@io_manager(output_config_schema=...)`` takes config per output at
``ops.<op>.outputs.<output name>`` (nested graphs: ``ops.<graph>.ops.<op>.outputs...``), seen
by ``handle_output`` as ``context.config``. Run config is checked against those schemas when the
run is launched (:func:`check_output_config`); the step reads its value (environment variables
included) where it runs (:func:`output_config_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.config.schema import resolve_env_vars, validate_config
from orchestrator.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.ops import OpDefinition

__all__ = ["check_output_config", "output_config_for", "output_config_schema"]


def output_config_schema(job: JobDefinition, op_def: OpDefinition, output_name: str) -> Any:
    """The output config schema of the IO manager that stores ``output_name`` of ``op_def`` (or None)."""
    out = op_def.outs.get(output_name)
    if out is None:
        return None
    definition = job.resource_defs.get(out.io_manager_key)
    return getattr(definition, "output_config_schema", None)


def check_output_config(job: JobDefinition, op_def: OpDefinition, given: Any, path: str) -> list[tuple[str, str]]:
    """Every error in the ``outputs`` config ``given`` for one op (at run config ``path``)."""
    errors: list[tuple[str, str]] = []
    if given is not None and not isinstance(given, Mapping):
        return [(path, f"expected a dict keyed by output name, received {type(given).__name__}")]
    given = given or {}
    for name in given:
        if name not in op_def.outs:
            errors.append((f"{path}.{name}", f"unknown output {name!r} (outputs of op '{op_def.name}': "
                                             f"{', '.join(op_def.outs) or 'none'})"))
        elif output_config_schema(job, op_def, name) is None:
            key = op_def.outs[name].io_manager_key
            errors.append((f"{path}.{name}", f"the IO manager '{key}' of output {name!r} takes no output config "
                                             "(declare it with @io_manager(output_config_schema=...))"))
    for name in op_def.outs:
        schema = output_config_schema(job, op_def, name)
        if schema is not None:
            _value, errs = validate_config(schema, given.get(name), f"{path}.{name}", resolve_env=False)
            errors.extend(errs)
    return errors


def output_config_for(job: JobDefinition, run_config: Mapping[str, Any], node_path: str, op_def: OpDefinition,
                      output_name: str) -> Any:
    """The config of one output for its IO manager, from the run's full run config (None without a schema).

    Defaults are filled in and environment variables read in this process; ``ConfigError`` names
    the path when that fails (the run config itself was checked when the run was launched).
    """
    schema = output_config_schema(job, op_def, output_name)
    if schema is None:
        return None
    parts = node_path.split(".")
    node: Any = run_config.get("ops")
    for i, part in enumerate(parts):
        node = node.get(part) if isinstance(node, Mapping) else None
        if i < len(parts) - 1:
            node = node.get("ops") if isinstance(node, Mapping) else None
    outputs = node.get("outputs") if isinstance(node, Mapping) else None
    given = outputs.get(output_name) if isinstance(outputs, Mapping) else None
    path = "ops." + ".ops.".join(parts) + f".outputs.{output_name}"
    value, errors = validate_config(schema, given, path, resolve_env=False)
    if not errors:
        value, errors = resolve_env_vars(schema, value, path)
    if errors:
        raise ConfigError(f"Invalid output config for output '{output_name}' of op '{node_path}'.", errors)
    return value
