"""An op's config as its step sees it: the run's processed config with environment variables read.

Run config is checked when a run is launched, with every environment variable kept as a
reference (``{"env": "NAME"}``); this is where the step reads them, in the process that runs it
(a worker, for a submitted run), so their values are never stored with the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.definitions.config.schema import resolve_env_vars
from orchestrator.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator.definitions.ops import OpDefinition

__all__ = ["op_config_for_step"]


def op_config_for_step(op_def: OpDefinition, value: Any, node_path: str) -> Any:
    """``value`` (the op's processed config) with its environment variables read now.

    Raises ``ConfigError`` naming the config path and the variable when one is not set here.
    """
    schema = op_def.config_class or op_def.config_schema
    if schema is None:
        return value
    path = "ops." + ".ops.".join(node_path.split(".")) + ".config"
    resolved, errors = resolve_env_vars(schema, value, path)
    if errors:
        raise ConfigError(f"Op '{node_path}' could not read its config from the environment.", errors)
    return resolved
