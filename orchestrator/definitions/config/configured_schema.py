"""The config schema of a ``configured`` definition: new (outer) config turned into the old one's.

``definition.configured(config_or_config_fn, config_schema=...)`` gives a copy whose config
schema is a :class:`ConfiguredType`: run config for the copy is checked against
``config_schema`` (none: the copy takes no config), turned into the original's config (the fixed
``config``, or ``config_fn(outer_value)``), then checked against the original schema, which fills
in its defaults. The definition's own function sees the original's config, as before.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from orchestrator.definitions.config.schema import ConfigType, _Ctx, normalize_schema

__all__ = ["ConfiguredType"]


@dataclass(frozen=True, init=False)
class ConfiguredType(ConfigType):
    """Outer config (``outer``; None: no config) -> ``config_or_fn`` -> the original schema (``inner``)."""

    outer: ConfigType | None
    inner: ConfigType | None
    config_or_fn: Any
    owner: str

    def __init__(self, outer_schema: Any, inner_schema: Any, config_or_fn: Any, owner: str) -> None:
        object.__setattr__(self, "outer", normalize_schema(outer_schema))
        object.__setattr__(self, "inner", normalize_schema(inner_schema))
        object.__setattr__(self, "config_or_fn", config_or_fn)
        object.__setattr__(self, "owner", owner)

    @property
    def label(self) -> str:
        return self.outer.label if self.outer is not None else "no config (configured)"

    @property
    def all_optional(self) -> bool:
        return self.outer is None or self.outer.all_optional

    def process(self, value: object, path: str, ctx: _Ctx) -> object:
        if self.outer is None:
            if value not in (None, {}):
                ctx.error(path, f"{self.owner} is configured with fixed config and takes none from run config: "
                                "remove this entry, or configure it with config_schema= to accept some")
                return value
            outer_value: object = None
        else:
            before = len(ctx.errors)
            outer_value = self.outer.process(value, path, ctx)
            if len(ctx.errors) > before:
                return value
        fn = self.config_or_fn
        if callable(fn):
            inner_value = fn({} if outer_value is None else outer_value)
        else:
            inner_value = copy.deepcopy(fn)
        if self.inner is None:
            return inner_value
        inner_ctx = _Ctx(ctx.resolve_env)
        out = self.inner.process(inner_value, path, inner_ctx)
        for p, msg in inner_ctx.errors:
            ctx.error(p, f"{msg} (in the config {self.owner} is configured with)")
        return out

    def resolve_env(self, value: object, path: str, ctx: _Ctx) -> object:
        # The processed value is the original definition's config: read it with that schema.
        return value if self.inner is None else self.inner.resolve_env(value, path, ctx)

    def describe(self, seen: frozenset[type] = frozenset()) -> object:
        return self.outer.describe(seen) if self.outer is not None else {"type": "configured", "config": None}
