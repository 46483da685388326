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

    Dagster's decorator form of ``definition.configured(...)``, for ops, resources, IO managers
    and executors. Given a dict, the copy's config is fixed: run config gives it none. Given a
    function, the copy takes the config ``config_schema`` describes, and the function turns it
    into the original's config, each run. Ops and executors need a name for the copy (``name=``,
    or the decorated function's name), so that one job can hold several copies. A config
    function receives environment references (``{"env": "VAR"}``) unread.

    Args:
        configurable: The op, resource, IO manager or executor definition to copy.
        config_schema: The schema of the copy's own config, for a config function. Defaults to
            None: the copy takes no config from run config (a function is called with ``{}``).
        **kwargs: Passed to ``configurable.configured``: ``name`` and ``description`` of the copy.

    Returns:
        A decorator taking the config dict or config function and returning the configured copy.

    Raises:
        DefinitionError: when ``configurable`` cannot be configured, or an op copy has no name.

    Examples:
        >>> from orchestrator import configured, job, op
        >>> @op(config_schema={"iterations": int, "word": str})
        ... def repeat(context) -> str:
        ...     return context.op_config["word"] * context.op_config["iterations"]
        >>> twice = configured(repeat, name="twice")({"iterations": 2, "word": "ab"})
        >>> @configured(repeat, int)
        ... def hi_times(iterations):
        ...     return {"iterations": iterations, "word": "hi"}
        >>> @job
        ... def repeating():
        ...     twice()
        ...     hi_times()
        >>> result = repeating.execute_in_process(run_config={"ops": {"hi_times": {"config": 3}}})
        >>> result.output_for_node("twice"), result.output_for_node("hi_times")
        ('abab', 'hihihi')
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
