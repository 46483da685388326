"""``configured``: a copy of an op, resource, IO manager or executor with (some of) its config set.

``configured(definition, config_schema=None, **kwargs)(config_or_config_fn)`` is Dagster's
decorator form of ``definition.configured(...)``. Given a function, the copy's config is
``config_fn(outer_config)``, ``outer_config`` checked against ``config_schema``; given a dict,
the config is fixed. Ops and executors need a name for the copy (``name=``, or the decorated
function's name), so that one job can hold several copies.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from orchestrator.errors import DefinitionError

__all__ = ["configured"]


def _needs_name(configurable: Any) -> bool:
    """Whether the copy is named (ops, executors): their ``configured`` takes a ``name``."""
    try:
        return "name" in inspect.signature(configurable.configured).parameters
    except (TypeError, ValueError):
        return False


def configured(configurable: Any, config_schema: Any = None, **kwargs: Any) -> Callable[[Any], Any]:
    """Decorate a config dict or function into a configured copy of ``configurable``.

    Example::

        from orchestrator import configured, op

        @op(config_schema={"iterations": int, "word": str})
        def example(context) -> str:
            return context.op_config["word"] * context.op_config["iterations"]

        # fixed config: the copy takes none from run config
        twice = configured(example, name="twice")({"iterations": 2, "word": "ab"})

        # partly configured: the copy takes an int, the function makes the full config
        @configured(example, int)
        def repeated_hi(iterations):
            return {"iterations": iterations, "word": "hi"}

        assert twice.name == "twice" and repeated_hi.name == "repeated_hi"
    """
    if not callable(getattr(configurable, "configured", None)):
        raise DefinitionError(
            f"configured() takes an op, resource, IO manager or executor definition, got {configurable!r}."
        )

    def wrap(config_or_config_fn: Any) -> Any:
        options = dict(kwargs)
        if _needs_name(configurable) and options.get("name") is None:
            options["name"] = getattr(config_or_config_fn, "__name__", None) if callable(config_or_config_fn) else None
        if config_schema is not None:
            options["config_schema"] = config_schema
        return configurable.configured(config_or_config_fn, **options)

    return wrap
