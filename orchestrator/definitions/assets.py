"""Software-defined assets: a function that computes a named, persistent piece of data from the
assets it depends on. Each asset compiles to an op, so it runs through the same planner and
step runner as any op."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from orchestrator.definitions.ops import In, Nothing, OpDefinition, Out
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError
from orchestrator.events import EventType, jsonable

__all__ = ["AssetKey", "AssetIn", "AssetsDefinition", "AssetMaterialization", "asset", "SourceAsset"]


class AssetKey:
    """The name of an asset: a path of strings (``AssetKey(["warehouse", "orders"])``)."""

    __slots__ = ("path",)

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = [path] if isinstance(path, str) else list(path)
        if not parts or not all(isinstance(p, str) and p for p in parts):
            raise DefinitionError(f"AssetKey needs a non-empty string or list of strings, got {path!r}.")
        self.path: tuple[str, ...] = tuple(parts)

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        return cls(text.split("/"))

    @classmethod
    def from_coercible(cls, value: AssetKey | str | Sequence[str] | AssetsDefinition) -> AssetKey:
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, AssetsDefinition):
            return value.key
        if isinstance(value, str):
            return cls.from_user_string(value)
        return cls(value)

    def to_user_string(self) -> str:
        return "/".join(self.path)

    def to_python_identifier(self) -> str:
        return "__".join(self.path).replace("-", "_")

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        pre = [prefix] if isinstance(prefix, str) else list(prefix)
        return AssetKey([*pre, *self.path])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetKey) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __str__(self) -> str:
        return self.to_user_string()


class AssetIn:
    """Maps an asset function parameter to an upstream asset with another key."""

    def __init__(self, key: AssetKey | str | Sequence[str] | None = None, key_prefix: str | Sequence[str] | None = None,
                 metadata: Mapping[str, Any] | None = None, dagster_type: Any = None) -> None:
        self.key = AssetKey.from_coercible(key) if key is not None else None
        self.key_prefix = key_prefix
        self.metadata = dict(metadata or {})
        self.dagster_type = dagster_type


class AssetMaterialization:
    """Yield from an op to record that it materialized an asset (with metadata)."""

    def __init__(self, asset_key: AssetKey | str | Sequence[str], description: str | None = None,
                 metadata: Mapping[str, Any] | None = None, partition: str | None = None) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key)
        self.description = description
        self.metadata = dict(metadata or {})
        self.partition = partition

    def to_event_data(self) -> tuple[EventType, str, dict[str, Any]]:
        return (EventType.ASSET_MATERIALIZATION, f"Materialized asset '{self.asset_key}'.",
                {"asset_key": list(self.asset_key.path), "metadata": jsonable(self.metadata),
                 "partition": self.partition, "description": self.description})


class AssetsDefinition:
    """An asset: its key, the op that computes it, the assets it depends on, and how it is stored."""

    def __init__(self, key: AssetKey, op_def: OpDefinition, input_keys: Mapping[str, AssetKey],
                 dep_keys: Sequence[AssetKey], io_manager_key: str = "io_manager", partitions_def: Any = None,
                 group_name: str | None = None, description: str | None = None,
                 metadata: Mapping[str, Any] | None = None) -> None:
        self.key = key
        self.op = op_def
        self.input_keys = dict(input_keys)
        self.dep_keys = list(dep_keys)
        self.io_manager_key = io_manager_key
        self.partitions_def = partitions_def
        self.group_name = group_name or "default"
        self.description = description
        self.metadata = dict(metadata or {})
        op_def.asset_key = key

    @property
    def keys(self) -> set[AssetKey]:
        return {self.key}

    @property
    def node_def(self) -> OpDefinition:
        return self.op

    @property
    def upstream_keys(self) -> list[AssetKey]:
        """Every asset this one depends on: data inputs first, then ``deps``."""
        seen: dict[AssetKey, None] = dict.fromkeys(self.input_keys.values())
        seen.update(dict.fromkeys(self.dep_keys))
        return list(seen)

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.op.required_resource_keys | {self.io_manager_key}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the asset's function directly (for tests)."""
        return self.op(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<AssetsDefinition {self.key.to_user_string()}>"


class SourceAsset:
    """An asset produced outside this code base, loaded through an IO manager by downstream assets."""

    def __init__(self, key: AssetKey | str | Sequence[str], io_manager_key: str = "io_manager",
                 description: str | None = None, metadata: Mapping[str, Any] | None = None) -> None:
        self.key = AssetKey.from_coercible(key)
        self.io_manager_key = io_manager_key
        self.description = description
        self.metadata = dict(metadata or {})


@overload
def asset(compute_fn: Callable[..., Any]) -> AssetsDefinition: ...


@overload
def asset(
    compute_fn: None = None,
    *,
    name: str | None = None,
    key: AssetKey | str | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[Any] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    io_manager_key: str | None = None,
    description: str | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    op_tags: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    compute_kind: str | None = None,
    code_version: str | None = None,
    dagster_type: Any = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


def asset(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    key: AssetKey | str | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[Any] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    io_manager_key: str | None = None,
    description: str | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    op_tags: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    compute_kind: str | None = None,
    code_version: str | None = None,
    dagster_type: Any = None,
) -> AssetsDefinition | Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare an asset. Parameters (after ``context``) name the upstream assets it reads."""

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        if key is not None:
            asset_key = AssetKey.from_coercible(key)
        else:
            asset_key = AssetKey(name or fn.__name__)
            if key_prefix:
                asset_key = asset_key.with_prefix(key_prefix)
        op_name = asset_key.to_python_identifier()
        params = list(inspect.signature(fn).parameters.values())
        if params and params[0].name in ("context", "_context", "_", "ctx"):
            params = params[1:]
        given_ins = dict(ins or {})
        input_keys: dict[str, AssetKey] = {}
        op_ins: dict[str, In] = {}
        for p in params:
            if p.name == "config" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            asset_in = given_ins.get(p.name)
            if asset_in is not None and asset_in.key is not None:
                upstream = asset_in.key
            else:
                upstream = AssetKey(p.name)
                prefix = asset_in.key_prefix if asset_in and asset_in.key_prefix else key_prefix
                if prefix:
                    upstream = upstream.with_prefix(prefix)
            input_keys[p.name] = upstream
            op_ins[p.name] = In(dagster_type=asset_in.dagster_type if asset_in else None,
                                metadata=asset_in.metadata if asset_in else None, asset_key=upstream)
        unknown = set(given_ins) - set(input_keys)
        if unknown:
            raise DefinitionError(
                f"Asset '{asset_key}' has ins= for {sorted(unknown)}, which are not parameters of its function."
            )
        dep_keys = [AssetKey.from_coercible(d) for d in (deps or [])]
        for i, dep in enumerate(dep_keys):
            op_ins[f"__dep_{i}"] = In(Nothing, asset_key=dep)
        out = Out(dagster_type=dagster_type, io_manager_key=io_manager_key or "io_manager",
                  metadata=metadata, code_version=code_version)
        if dagster_type is None:
            try:
                import typing

                ret = typing.get_type_hints(fn).get("return")
            except Exception:
                ret = None
            from orchestrator.definitions.ops import _checkable_return

            if _checkable_return(ret):
                out.dagster_type = ret
        op_def = OpDefinition(
            fn, name=op_name, ins=op_ins, outs={"result": out}, config_schema=config_schema,
            required_resource_keys=required_resource_keys, tags={**(op_tags or {}), **({"kind": compute_kind} if compute_kind else {})},
            retry_policy=retry_policy, description=description, code_version=code_version,
        )
        return AssetsDefinition(asset_key, op_def, input_keys, dep_keys, io_manager_key or "io_manager",
                                partitions_def, group_name, description or op_def.description, metadata)

    if compute_fn is not None:
        return wrap(compute_fn)
    return wrap
