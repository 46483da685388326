"""Rejecting an invalid ``config_schema`` when the op is defined, as Dagster does, cheaply.

The config system (``schema``) loads pydantic, which defining an op with ``config_schema={"n":
int}`` must not pay for (``import orchestrator`` stays light). So a schema made only of plain
Python values is first looked over here; only one that holds something the config system may
reject (an object that is neither a type nor a schema of this package) is checked by it, and a
schema given with the config system's own types (``Field``, ``Shape``...), whose module is
loaded already, is always checked.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Mapping
from typing import Any

from orchestrator.errors import DagsterInvalidConfigDefinitionError

__all__ = ["check_schema_at_definition"]

_SCHEMA_MODULE = "orchestrator.definitions.config.schema"
_PLAIN_TYPES = (str, int, float, bool, list, dict)


def check_schema_at_definition(schema: Any, what: str) -> None:
    """Raise now if ``schema`` is not a config schema, instead of at the first run.

    Args:
        schema: The ``config_schema`` given to the definition.
        what: The definition, for the message (``"op 'load'"``).

    Raises:
        DagsterInvalidConfigDefinitionError: naming ``what`` and what is wrong with the schema.
    """
    if schema is None or (_SCHEMA_MODULE not in sys.modules and not _may_be_invalid(schema)):
        return
    from orchestrator.definitions.config.schema import normalize_schema

    try:
        normalize_schema(schema)
    except DagsterInvalidConfigDefinitionError as exc:
        raise DagsterInvalidConfigDefinitionError(f"The config_schema of {what} is invalid: {exc}") from None


def _may_be_invalid(schema: Any) -> bool:
    """Whether ``schema`` holds something only the config system can judge (it may reject it)."""
    if schema is None or schema in _PLAIN_TYPES or schema is typing.Any:
        return False
    if isinstance(schema, Mapping):
        return any(not isinstance(key, str) or _may_be_invalid(value) for key, value in schema.items())
    if isinstance(schema, list):
        return len(schema) != 1 or _may_be_invalid(schema[0])
    if typing.get_origin(schema) is not None:
        return False  # list[int], Optional[str]...: checked when the run config is
    # The schema types of this package, and Dagster types used as schemas (Int, String...).
    return type(schema).__module__.split(".")[0] != "orchestrator"
