"""Config mappings: a narrower config interface for a job or graph, translated into full run config."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, overload

__all__ = ["ConfigMapping", "config_mapping"]


class ConfigMapping:
    """``config_fn(validated_outer_config) -> run config``, with ``config_schema`` for the outer config."""

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
    """Decorate ``fn(outer_config) -> run config`` into a :class:`ConfigMapping` for ``@job(config=...)``.

    When ``fn`` takes a parameter annotated with a pydantic ``Config`` class, that class is the schema
    and ``fn`` receives an instance of it.
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
