"""Config mappings: a narrower config interface for a job or graph, translated into full run config."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, overload

__all__ = ["ConfigMapping", "config_mapping"]


class ConfigMapping:
    """A narrower config interface for a job: outer config in, the job's full run config out.

    Pass it as ``@job(config=...)``. The run config given to the job is then the outer config: it
    is checked against ``config_schema`` (defaults filled in), and ``config_fn`` turns it into the
    run config the ops and resources see, which is checked in turn. Usually made with the
    :func:`config_mapping` decorator.

    Args:
        config_fn: Called with the checked outer config; returns run config (``{"ops": ...,
            "resources": ...}``).
        config_schema: The schema of the outer config. Defaults to None: the outer config is
            passed on as given, unchecked.
        description: What the outer config is for. Defaults to None.

    Raises:
        DagsterInvalidConfigError: when a run's outer config does not match ``config_schema``,
            or ``config_fn`` returns something other than a dict.

    Examples:
        >>> from orchestrator import ConfigMapping, job, op
        >>> @op(config_schema={"n": int})
        ... def double(context) -> int:
        ...     return context.op_config["n"] * 2
        >>> simple = ConfigMapping(lambda outer: {"ops": {"double": {"config": {"n": outer["n"]}}}},
        ...                        config_schema={"n": int})
        >>> @job(config=simple)
        ... def double_job():
        ...     double()
        >>> double_job.execute_in_process(run_config={"n": 4}).output_for_node("double")
        8
    """

    def __init__(self, config_fn: Callable[[Any], Mapping[str, Any]], config_schema: Any = None,
                 description: str | None = None) -> None:
        self.config_fn = config_fn
        self.config_schema = config_schema
        self.description = description

    def __call__(self, value: Any) -> Mapping[str, Any]:
        return self.config_fn(value)


@overload
def config_mapping(fn: Callable[[Any], Mapping[str, Any]]) -> ConfigMapping: ...


@overload
def config_mapping(fn: None = None, *, config_schema: Any = None, description: str | None = None,
                   ) -> Callable[[Callable[[Any], Mapping[str, Any]]], ConfigMapping]: ...


def config_mapping(fn: Callable[[Any], Mapping[str, Any]] | None = None, *, config_schema: Any = None,
                   description: str | None = None) -> ConfigMapping | Callable[[Callable[[Any], Mapping[str, Any]]], ConfigMapping]:
    """Turn a function from outer config to run config into a :class:`ConfigMapping` for ``@job(config=...)``.

    Use it bare (``@config_mapping``) or with arguments (``@config_mapping(config_schema=...)``).
    When ``fn``'s parameter is annotated with a ``Config`` class and no ``config_schema`` is given,
    that class is the outer schema and ``fn`` receives an instance of it.

    Args:
        fn: The function ``fn(outer_config) -> run config``; given when used bare.
        config_schema: The schema of the outer config. Defaults to None: the ``Config`` class of
            ``fn``'s parameter, if it has one, else no check.
        description: What the outer config is for. Defaults to ``fn``'s docstring.

    Returns:
        A ``ConfigMapping`` (used bare), or a decorator that makes one.

    Examples:
        >>> from orchestrator import Config, config_mapping, job, op
        >>> class Simple(Config):
        ...     n: int = 1
        >>> @config_mapping
        ... def from_simple(config: Simple) -> dict:
        ...     return {"ops": {"double": {"config": {"n": config.n}}}}
        >>> @op(config_schema={"n": int})
        ... def double(context) -> int:
        ...     return context.op_config["n"] * 2
        >>> @job(config=from_simple)
        ... def double_job():
        ...     double()
        >>> double_job.execute_in_process(run_config={"n": 5}).output_for_node("double")
        10
    """

    def wrap(f: Callable[[Any], Mapping[str, Any]]) -> ConfigMapping:
        from orchestrator.definitions.config.schema import is_config_class

        schema = config_schema
        call = f
        params = list(inspect.signature(f).parameters.values())
        hint = params[0].annotation if params else None
        if isinstance(hint, str):
            hint = f.__annotations__.get(params[0].name)
            try:
                import typing

                hint = typing.get_type_hints(f).get(params[0].name, hint)
            except Exception:
                pass
        if schema is None and isinstance(hint, type) and is_config_class(hint):
            schema = hint

            def call(value: Any, _f: Callable[[Any], Mapping[str, Any]] = f, _cls: type = hint) -> Mapping[str, Any]:
                return _f(_cls(**value))

        return ConfigMapping(call, config_schema=schema, description=description or inspect.getdoc(f))

    if fn is not None:
        return wrap(fn)
    return wrap
