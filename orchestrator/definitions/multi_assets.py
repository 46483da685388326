"""Several assets from one computation: ``@multi_asset`` (one op, one output per asset) and the
graph-backed ``@graph_asset`` / ``@graph_multi_asset`` (a graph of ops whose outputs are assets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from orchestrator.definitions.asset_check_spec import AssetCheckSpec
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.asset_spec import AssetDep, AssetSpec, coerce_deps
from orchestrator.definitions.assets import (
    AssetIn,
    AssetsDefinition,
    asset_op_tags,
    build_asset_ins,
    function_inputs,
)
from orchestrator.definitions.ops import In, Nothing, OpDefinition, Out
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError

__all__ = ["AssetOut", "multi_asset", "graph_asset", "graph_multi_asset"]


class AssetOut:
    """One asset of a ``@multi_asset`` or ``@graph_multi_asset``: its key (or key prefix), type, IO
    manager, group, metadata, and whether the function must produce it.

    Example::

        @multi_asset(outs={"users": AssetOut(group_name="crm"), "orders": AssetOut(io_manager_key="warehouse")})
        def sync():
            return ["ada"], [{"id": 1}]
    """

    def __init__(self, key_prefix: str | Sequence[str] | None = None, dagster_type: Any = None,
                 description: str | None = None, is_required: bool = True, io_manager_key: str | None = None,
                 metadata: Mapping[str, Any] | None = None, group_name: str | None = None,
                 code_version: str | None = None, automation_condition: Any = None, backfill_policy: Any = None,
                 key: Any = None, owners: Sequence[str] | None = None, tags: Mapping[str, str] | None = None,
                 kinds: Iterable[str] | None = None, freshness_policy: Any = None, **_ignored: Any) -> None:
        if key is not None and key_prefix is not None:
            raise DefinitionError("AssetOut takes key= or key_prefix=, not both.")
        self.key_prefix = key_prefix
        self.key = AssetKey.from_coercible(key) if key is not None else None
        self.dagster_type = dagster_type
        self.description = description
        self.is_required = is_required
        self.io_manager_key = io_manager_key
        self.metadata = dict(metadata or {})
        self.group_name = group_name
        self.code_version = code_version
        self.owners = list(owners or [])
        self.tags = dict(tags or {})
        self.kinds = set(kinds or [])

    def key_for(self, output_name: str) -> AssetKey:
        if self.key is not None:
            return self.key
        prefix = [self.key_prefix] if isinstance(self.key_prefix, str) else list(self.key_prefix or [])
        return AssetKey([*prefix, output_name])

    def to_out(self) -> Out:
        return Out(dagster_type=self.dagster_type, description=self.description, is_required=self.is_required,
                   io_manager_key=self.io_manager_key, metadata=self.metadata, code_version=self.code_version)

    @staticmethod
    def from_spec(spec: AssetSpec, dagster_type: Any = None, io_manager_key: str | None = None,
                  is_required: bool = True) -> AssetOut:
        return AssetOut(key=spec.key, dagster_type=dagster_type, description=spec.description,
                        is_required=is_required, io_manager_key=io_manager_key, metadata=spec.metadata,
                        group_name=spec.group_name, code_version=spec.code_version, owners=spec.owners,
                        tags=spec.tags, kinds=spec.kinds)


def _check_outputs(check_specs: Sequence[AssetCheckSpec] | None, keys: Iterable[AssetKey],
                   what: str) -> tuple[dict[str, AssetCheckSpec], dict[str, Out]]:
    own = set(keys)
    specs: dict[str, AssetCheckSpec] = {}
    outs: dict[str, Out] = {}
    for spec in check_specs or []:
        if spec.asset_key not in own:
            raise DefinitionError(
                f"{what} has check spec '{spec.name}' for asset '{spec.asset_key}', which it does not materialize."
            )
        name = spec.get_python_identifier()
        if name in specs:
            raise DefinitionError(f"{what} has two check specs named '{spec.name}' for asset '{spec.asset_key}'.")
        specs[name] = spec
        outs[name] = Out(Nothing, is_required=False)
    return specs, outs


def multi_asset(
    *,
    outs: Mapping[str, AssetOut] | None = None,
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    description: str | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    internal_asset_deps: Mapping[str, set[AssetKey]] | None = None,
    partitions_def: Any = None,
    backfill_policy: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    can_subset: bool = False,
    resource_defs: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    retry_policy: RetryPolicy | None = None,
    code_version: str | None = None,
    specs: Sequence[AssetSpec] | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    compute_kind: str | None = None,
    hooks: Any = None,
    **_scheduling: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Several assets computed by one op: one output per asset, declared by ``outs`` or ``specs``.

    The function returns a tuple (one value per output, in order), yields ``Output(value, name)``,
    or yields a ``MaterializeResult(asset_key=...)`` per asset. With ``can_subset=True`` a job may
    select some of the assets; the function reads ``context.selected_output_names``.

    Example::

        @multi_asset(outs={"my_string_asset": AssetOut(), "my_int_asset": AssetOut()})
        def my_function():
            return "abc", 123

        result = materialize([my_function])
        assert result.output_for_node("my_function", "my_int_asset") == 123
    """
    if outs and specs:
        raise DefinitionError("@multi_asset takes outs= or specs=, not both.")
    if not outs and not specs:
        raise DefinitionError("@multi_asset needs outs={name: AssetOut()} or specs=[AssetSpec(...)].")

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        op_name = name or fn.__name__
        what = f"Multi-asset '{op_name}'"
        op_ins, keys_by_input, mappings = build_asset_ins(fn, op_name, ins, deps, [])
        op_outs: dict[str, Out] = {}
        keys_by_output: dict[str, AssetKey] = {}
        asset_specs: list[AssetSpec] = []
        upstream = list(dict.fromkeys(keys_by_input.values()))
        if outs:
            for out_name, asset_out in outs.items():
                if not isinstance(asset_out, AssetOut):
                    raise DefinitionError(f"{what}: outs['{out_name}'] must be an AssetOut, got {asset_out!r}.")
                key = asset_out.key_for(out_name)
                keys_by_output[out_name] = key
                op_outs[out_name] = asset_out.to_out()
                dep_keys = (internal_asset_deps or {}).get(out_name, upstream)
                asset_specs.append(AssetSpec(
                    key, deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in dep_keys],
                    description=asset_out.description, metadata=asset_out.metadata,
                    group_name=asset_out.group_name or group_name, code_version=asset_out.code_version or code_version,
                    owners=asset_out.owners, tags=asset_out.tags, kinds=asset_out.kinds, partitions_def=partitions_def,
                    skippable=not asset_out.is_required,
                ))
        else:
            for spec in specs or []:
                out_name = spec.key.to_python_identifier()
                keys_by_output[out_name] = spec.key
                op_outs[out_name] = Out(is_required=not spec.skippable)
                for dep in spec.deps:
                    if dep.asset_key not in keys_by_input.values() and dep.asset_key not in {s.key for s in specs or []}:
                        input_name = dep.asset_key.to_python_identifier()
                        op_ins[input_name] = In(Nothing, asset_key=dep.asset_key)
                        keys_by_input[input_name] = dep.asset_key
                if spec.group_name is None and group_name is not None:
                    spec = spec.replace_attributes(group_name=group_name)
                if spec.partitions_def is None and partitions_def is not None:
                    spec = spec.replace_attributes(partitions_def=partitions_def)
                asset_specs.append(spec)
        check_by_output, check_outs = _check_outputs(check_specs, keys_by_output.values(), what)
        op_outs.update(check_outs)
        op_def = OpDefinition(
            fn, name=op_name, ins=op_ins, outs=op_outs, config_schema=config_schema,
            required_resource_keys=required_resource_keys, tags=asset_op_tags(op_tags, compute_kind),
            retry_policy=retry_policy, description=description, code_version=code_version,
        )
        return AssetsDefinition(keys_by_input_name=keys_by_input, keys_by_output_name=keys_by_output, node_def=op_def,
                                partitions_def=partitions_def, can_subset=can_subset, resource_defs=resource_defs,
                                check_specs_by_output_name=check_by_output, specs=asset_specs,
                                backfill_policy=backfill_policy, hook_defs=hooks)

    return wrap


def _graph_ins(fn: Callable[..., Any], ins: Mapping[str, AssetIn] | None, what: str) -> tuple[
        dict[str, AssetKey], dict[AssetKey, Any]]:
    given = dict(ins or {})
    names = [p.name for p in function_inputs(fn, what)]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise DefinitionError(f"{what} has ins= for {unknown}, which are not parameters of its function.")
    keys: dict[str, AssetKey] = {}
    mappings: dict[AssetKey, Any] = {}
    for param in names:
        asset_in = given.get(param)
        if asset_in is not None and asset_in.key is not None:
            key = asset_in.key
        elif asset_in is not None and asset_in.key_prefix is not None:
            key = AssetKey(param).with_prefix(asset_in.key_prefix)
        else:
            key = AssetKey(param)
        keys[param] = key
        if asset_in is not None and asset_in.partition_mapping is not None:
            mappings[key] = asset_in.partition_mapping
    return keys, mappings


@overload
def graph_asset(compose_fn: Callable[..., Any]) -> AssetsDefinition: ...


@overload
def graph_asset(
    compose_fn: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    config: Any = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    partitions_def: Any = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    code_version: str | None = None,
    key: Any = None,
    deps: Iterable[Any] | None = None,
    **scheduling: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


def graph_asset(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    config: Any = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    partitions_def: Any = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    code_version: str | None = None,
    key: Any = None,
    deps: Iterable[Any] | None = None,
    **scheduling: Any,
) -> AssetsDefinition | Callable[[Callable[..., Any]], AssetsDefinition]:
    """One asset computed by a graph of ops: the function composes ops, its parameters are upstream
    assets, and what it returns is the asset's value.

    Example::

        @op
        def fetch(raw):
            return raw + [4]

        @op
        def tidy(rows):
            return sorted(rows)

        @graph_asset
        def cleaned(raw):
            return tidy(fetch(raw))
    """
    from orchestrator.definitions.graphs import build_graph_from_body

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        if key is not None and (name is not None or key_prefix is not None):
            raise DefinitionError("@graph_asset takes key= or name=/key_prefix=, not both.")
        graph_name = name or fn.__name__
        prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or [])
        asset_key = AssetKey.from_coercible(key) if key is not None else AssetKey([*prefix, graph_name])
        keys_by_input, mappings = _graph_ins(fn, ins, f"Graph asset '{graph_name}'")
        graph_def = build_graph_from_body(fn, asset_key.to_python_identifier() if key is not None else graph_name,
                                          description, config)
        if graph_def.output_names != ["result"]:
            raise DefinitionError(f"Graph asset '{graph_name}' must return the output of one op (it returned "
                                  f"{graph_def.output_names or 'nothing'}).")
        dep_keys = [*keys_by_input.values(), *(d.asset_key for d in coerce_deps(deps))]
        spec = AssetSpec(asset_key, deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in dict.fromkeys(dep_keys)],
                         description=description or graph_def.description, metadata=metadata, group_name=group_name,
                         code_version=code_version, owners=owners, tags=tags, kinds=kinds, partitions_def=partitions_def)
        return AssetsDefinition(keys_by_input_name=keys_by_input, keys_by_output_name={"result": asset_key},
                                node_def=graph_def, partitions_def=partitions_def, resource_defs=resource_defs,
                                specs=[spec], backfill_policy=scheduling.get("backfill_policy"))

    if compose_fn is not None:
        return wrap(compose_fn)
    return wrap


def graph_multi_asset(
    *,
    outs: Mapping[str, AssetOut],
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    partitions_def: Any = None,
    backfill_policy: Any = None,
    group_name: str | None = None,
    can_subset: bool = False,
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    description: str | None = None,
    **_scheduling: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Several assets computed by one graph: the function returns a dict (or tuple) of op outputs,
    one per ``outs`` entry.

    Example::

        @op(out={"one": Out(), "two": Out()})
        def split(rows):
            return rows[:1], rows[1:]

        @graph_multi_asset(outs={"first": AssetOut(), "rest": AssetOut()})
        def parts(rows):
            one, two = split(rows)
            return {"first": one, "rest": two}
    """
    from orchestrator.definitions.graphs import GraphOut, build_graph_from_body

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        graph_name = name or fn.__name__
        keys_by_input, mappings = _graph_ins(fn, ins, f"Graph multi-asset '{graph_name}'")
        graph_def = build_graph_from_body(fn, graph_name, description, config,
                                          out={n: GraphOut(description=o.description) for n, o in outs.items()})
        keys_by_output = {n: o.key_for(n) for n, o in outs.items()}
        upstream = list(dict.fromkeys(keys_by_input.values()))
        specs = [AssetSpec(keys_by_output[n], deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in upstream],
                           description=o.description, metadata=o.metadata, group_name=o.group_name or group_name,
                           code_version=o.code_version, owners=o.owners, tags=o.tags, kinds=o.kinds,
                           partitions_def=partitions_def, skippable=not o.is_required)
                 for n, o in outs.items()]
        return AssetsDefinition(keys_by_input_name=keys_by_input, keys_by_output_name=keys_by_output,
                                node_def=graph_def, partitions_def=partitions_def, can_subset=can_subset,
                                resource_defs=resource_defs, specs=specs, backfill_policy=backfill_policy)

    return wrap
