"""Several assets from one computation: ``@multi_asset`` (one op, one output per asset) and the
graph-backed ``@graph_asset`` / ``@graph_multi_asset`` (a graph of ops whose outputs are assets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from orchestrator.definitions.asset_check_spec import AssetCheckSpec
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.asset_spec import AssetDep, AssetSpec
from orchestrator.definitions.assets import (
    AssetIn,
    AssetsDefinition,
    asset_op_tags,
    build_asset_ins,
    function_inputs,
)
from orchestrator.definitions.keyword_args import reject_unknown_kwargs
from orchestrator.definitions.ops import In, Nothing, OpDefinition, Out
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError

__all__ = ["AssetOut", "multi_asset", "graph_asset", "graph_multi_asset"]


class AssetOut:
    """One asset of a ``@multi_asset`` or ``@graph_multi_asset``: one output of its op or graph.

    The dict key in ``outs`` is the output's name and, unless ``key`` is given, the last part of the
    asset's key. ``AssetOut.from_spec(spec)`` makes one from an ``AssetSpec``.

    Args:
        key_prefix: A prefix for the asset's key (the output's name). Defaults to none.
        dagster_type: The type the value is checked against. Defaults to none (any value).
        description: What the asset holds. Defaults to None.
        is_required: Whether the function must produce it; a subsettable multi-asset needs False.
            Defaults to True.
        io_manager_key: The IO manager resource that stores it. Defaults to ``io_manager``.
        metadata: Metadata of the asset (and of its output). Defaults to none.
        group_name: The asset's group. Defaults to the multi-asset's ``group_name``.
        code_version: The version of the code that computes it. Defaults to the multi-asset's.
        automation_condition: Accepted for Dagster compatibility and ignored.
        backfill_policy: Accepted for Dagster compatibility and ignored.
        key: The whole key (an ``AssetKey``, ``"a/b"`` string or list of parts), instead of
            ``key_prefix`` and the output's name.
        owners: Owners (``"team:sales"``, emails). Defaults to none.
        tags: String tags of the asset. Defaults to none.
        kinds: Kinds of the asset (``"python"``, ``"snowflake"``). Defaults to none.
        freshness_policy: Accepted for Dagster compatibility and ignored.

    Raises:
        DefinitionError: when both ``key`` and ``key_prefix`` are given.

    Examples:
        >>> from orchestrator import AssetOut, materialize, multi_asset
        >>> @multi_asset(outs={"users": AssetOut(group_name="crm"), "orders": AssetOut(key_prefix="shop")})
        ... def sync():
        ...     return ["ada"], [{"id": 1}]
        >>> sorted(key.to_user_string() for key in sync.keys)
        ['shop/orders', 'users']
        >>> materialize([sync]).output_for_node("sync", "orders")
        [{'id': 1}]
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
    pool: str | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare several assets computed by one op: one output per asset, declared by ``outs`` or ``specs``.

    Reach for it when one computation yields several assets (one API call, two tables). The
    function returns a tuple (one value per output, in order), yields ``Output(value, name)``, or
    yields a ``MaterializeResult(asset_key=...)`` per asset. With ``can_subset=True`` a job may
    select some of the assets: the function produces only ``context.selected_output_names``
    (declare the outputs with ``is_required=False``). ``pool`` is accepted, as in Dagster, and
    changes no run; ``non_argument_deps`` (Dagster's older name for ``deps``) is used as ``deps``.
    Any other keyword argument is a ``TypeError``.

    Args:
        outs: ``AssetOut`` per output name. Give ``outs`` or ``specs``.
        name: The op's name. Defaults to the function's name.
        ins: ``AssetIn`` per parameter, to read another key, prefix or input manager. Defaults to none.
        deps: Upstream assets it runs after without reading them. Defaults to none.
        description: What the assets hold. Defaults to the function's docstring.
        config_schema: The schema of the op's config (``context.op_config``). Defaults to none.
        required_resource_keys: Resource keys the function reads from ``context.resources``.
            Defaults to none.
        internal_asset_deps: The upstream keys of each output's asset, by output name, when they
            do not all depend on every input. Defaults to every input.
        partitions_def: The partitions of the assets. Defaults to None.
        backfill_policy: Kept on the definition; it changes no run. Defaults to None.
        op_tags: Tags of the op. Defaults to none.
        can_subset: Whether a job may select some of the assets only. Defaults to False.
        resource_defs: Resources the assets need; a job running them gets them. Defaults to none.
        group_name: The group of every asset that names none. Defaults to ``"default"``.
        retry_policy: How the op's step is retried when it raises. Defaults to no retries.
        code_version: The version of the code that computes the assets. Defaults to None.
        specs: ``AssetSpec`` per asset, instead of ``outs``; each output is named after its key
            (``a/b``: ``a__b``) and the function yields ``MaterializeResult`` or ``Output``.
        check_specs: ``AssetCheckSpec`` of checks of these assets that the function reports.
            Defaults to none.
        compute_kind: A kind shown for the op (its ``kind`` tag). Defaults to None.
        hooks: Hooks run on the op's step in every job that runs it. Defaults to none.
        pool: Dagster's concurrency pool of the op; accepted and unused. Defaults to None.
        **kwargs: ``non_argument_deps``, Dagster's older name for ``deps``.

    Returns:
        A decorator that turns the function into an ``AssetsDefinition``.

    Raises:
        TypeError: when a keyword argument is unknown (it is named).
        DefinitionError: when both or neither of ``outs`` and ``specs`` are given, an ``outs`` value
            is not an ``AssetOut``, or a check spec targets an asset it does not materialize.

    Examples:
        >>> from orchestrator import AssetOut, materialize, multi_asset
        >>> @multi_asset(outs={"my_string_asset": AssetOut(), "my_int_asset": AssetOut()})
        ... def my_function():
        ...     return "abc", 123
        >>> result = materialize([my_function])
        >>> result.output_for_node("my_function", "my_int_asset")
        123
    """
    reject_unknown_kwargs("@multi_asset", kwargs, {"non_argument_deps"})
    all_deps = [*(deps or []), *(kwargs.get("non_argument_deps") or [])]
    if outs and specs:
        raise DefinitionError("@multi_asset takes outs= or specs=, not both.")
    if not outs and not specs:
        raise DefinitionError("@multi_asset needs outs={name: AssetOut()} or specs=[AssetSpec(...)].")

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        op_name = name or fn.__name__
        what = f"Multi-asset '{op_name}'"
        op_ins, keys_by_input, mappings = build_asset_ins(fn, op_name, ins, all_deps, [])
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


# Dagster's graph_asset takes these through **kwargs (deprecated scheduling policies); none changes a run.
_GRAPH_ASSET_HIDDEN_ARGS = frozenset({"legacy_freshness_policy", "auto_materialize_policy", "freshness_policy"})

_GRAPH_DEPS_HINT = (
    "A graph asset takes no deps= (nor does Dagster's): to run after an asset it does not read, add it as a "
    "parameter with ins={'<name>': AssetIn(dagster_type=Nothing)} and pass it to an op input declared In(Nothing)."
)


def _reject_check_specs(check_specs: Sequence[AssetCheckSpec] | None, what: str, decorator: str) -> None:
    """Graph-backed assets cannot report checks here: say so rather than drop the specs."""
    if check_specs:
        names = ", ".join(f"'{spec.name}'" for spec in check_specs)
        raise DefinitionError(
            f"{what} has check_specs ({names}), which {decorator} does not support here. Define each check "
            "with @asset_check(asset=...) instead."
        )


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
    hooks: Any = None,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    **kwargs: Any,
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
    hooks: Any = None,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    **kwargs: Any,
) -> AssetsDefinition | Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare one asset computed by a graph of ops: the function composes ops like a ``@graph`` body.

    Reach for it when an asset's computation is several steps (each retried and run on a worker on
    its own). The function's parameters are upstream assets, passed to the ops it calls; the output
    it returns is the asset's value, stored by the IO manager of the op that produces it. The
    graph's steps are named ``<asset>.<op>``. Unlike Dagster's, it does not support
    ``check_specs`` (giving some raises; define the checks with ``@asset_check``). As in Dagster it
    takes no ``deps``: to run after an asset it does not read, take that asset as a parameter
    with ``ins={"name": AssetIn(dagster_type=Nothing)}`` and pass it to an op's ``In(Nothing)``
    input. Dagster's scheduling-only arguments (``automation_condition``, ``backfill_policy``,
    ``legacy_freshness_policy``, ``auto_materialize_policy``) are accepted and change no run; any
    other keyword argument is a ``TypeError``.

    Args:
        compose_fn: The function, when used as ``@graph_asset`` without arguments.
        name: The last part of the asset's key, and the graph's name. Defaults to the function's name.
        description: What the asset holds. Defaults to the function's docstring.
        ins: ``AssetIn`` per parameter, to read another key or prefix. Defaults to none.
        config: The graph's config, applied in every job that runs the asset, as in Dagster: a dict
            of its ops' config by node name (defaults, under run config at
            ``ops.<asset>.ops.<op>.config``) or a ``ConfigMapping`` from the config at
            ``ops.<asset>.config`` to that dict. Defaults to None.
        key_prefix: A prefix for the asset's key (not for its parameters' keys). Defaults to none.
        group_name: The asset's group. Defaults to ``"default"``.
        partitions_def: The asset's partitions. Defaults to None.
        metadata: Metadata of the asset. Defaults to none.
        tags: String tags of the asset. Defaults to none.
        owners: Owners (``"team:sales"``, emails). Defaults to none.
        kinds: Kinds of the asset. Defaults to none.
        resource_defs: Resources the graph's ops need; a job running it gets them. Defaults to none.
        code_version: The version of the code that computes it. Defaults to None.
        key: The whole key, instead of ``name``/``key_prefix``; the graph is then named after it.
        hooks: Hooks run on every step of the graph in every job that runs it. Defaults to none.
        automation_condition: Accepted for Dagster compatibility and ignored.
        backfill_policy: Kept on the definition; it changes no run. Defaults to None.
        check_specs: Not supported: only None or empty is accepted.
        **kwargs: Dagster's hidden scheduling arguments (``legacy_freshness_policy``,
            ``auto_materialize_policy``, ``freshness_policy``), accepted and ignored.

    Returns:
        An ``AssetsDefinition`` (or, with arguments, a decorator that makes one).

    Raises:
        TypeError: when a keyword argument is unknown (it is named), ``deps`` among them.
        DefinitionError: when ``key`` is given with ``name``/``key_prefix``, ``ins`` names something
            that is not a parameter, the function does not return the output of one op, or
            ``check_specs`` are given.

    Examples:
        >>> from orchestrator import asset, graph_asset, materialize, op
        >>> @asset
        ... def raw():
        ...     return [3, 1]
        >>> @op
        ... def add_four(rows):
        ...     return rows + [4]
        >>> @op
        ... def tidy(rows):
        ...     return sorted(rows)
        >>> @graph_asset
        ... def cleaned(raw):
        ...     return tidy(add_four(raw))
        >>> materialize([raw, cleaned]).output_for_node("cleaned")
        [1, 3, 4]
    """
    from orchestrator.definitions.graphs import build_graph_from_body

    reject_unknown_kwargs("@graph_asset", kwargs, _GRAPH_ASSET_HIDDEN_ARGS, hints={"deps": _GRAPH_DEPS_HINT})

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        if key is not None and (name is not None or key_prefix is not None):
            raise DefinitionError("@graph_asset takes key= or name=/key_prefix=, not both.")
        _reject_check_specs(check_specs, f"Graph asset '{name or fn.__name__}'", "@graph_asset")
        graph_name = name or fn.__name__
        prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or [])
        asset_key = AssetKey.from_coercible(key) if key is not None else AssetKey([*prefix, graph_name])
        keys_by_input, mappings = _graph_ins(fn, ins, f"Graph asset '{graph_name}'")
        graph_def = build_graph_from_body(fn, asset_key.to_python_identifier() if key is not None else graph_name,
                                          description, config)
        if graph_def.output_names != ["result"]:
            raise DefinitionError(f"Graph asset '{graph_name}' must return the output of one op (it returned "
                                  f"{graph_def.output_names or 'nothing'}).")
        dep_keys = list(keys_by_input.values())
        spec = AssetSpec(asset_key, deps=[AssetDep(k, partition_mapping=mappings.get(k)) for k in dict.fromkeys(dep_keys)],
                         description=description or graph_def.description, metadata=metadata, group_name=group_name,
                         code_version=code_version, owners=owners, tags=tags, kinds=kinds, partitions_def=partitions_def)
        return AssetsDefinition(keys_by_input_name=keys_by_input, keys_by_output_name={"result": asset_key},
                                node_def=graph_def, partitions_def=partitions_def, resource_defs=resource_defs,
                                specs=[spec], backfill_policy=backfill_policy, hook_defs=hooks)

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
    hooks: Any = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare several assets computed by one graph of ops: one graph output per ``outs`` entry.

    The function composes ops like a ``@graph`` body and returns a dict of op outputs by output
    name (or a tuple in ``outs`` order); each output is the value of one asset, stored by the IO
    manager of the op that produces it. Unlike Dagster's, it does not support ``check_specs``
    (giving some raises; define the checks with ``@asset_check``).

    Args:
        outs: ``AssetOut`` per graph output name.
        name: The graph's name. Defaults to the function's name.
        ins: ``AssetIn`` per parameter, to read another key or prefix. Defaults to none.
        partitions_def: The partitions of the assets. Defaults to None.
        backfill_policy: Kept on the definition; it changes no run. Defaults to None.
        group_name: The group of every asset whose ``AssetOut`` names none. Defaults to ``"default"``.
        can_subset: Whether a job may select some of the assets only. Defaults to False.
        resource_defs: Resources the graph's ops need; a job running it gets them. Defaults to none.
        config: The graph's config, applied in every job that runs the assets, as in Dagster: a
            dict of its ops' config by node name (defaults, under run config at
            ``ops.<graph>.ops.<op>.config``) or a ``ConfigMapping`` from the config at
            ``ops.<graph>.config`` to that dict. Defaults to None.
        description: What the assets hold. Defaults to the function's docstring.
        hooks: Hooks run on every step of the graph in every job that runs it. Defaults to none.
        check_specs: Not supported: only None or empty is accepted.

    Returns:
        A decorator that turns the function into an ``AssetsDefinition``.

    Raises:
        DefinitionError: when ``ins`` names something that is not a parameter, the function does
            not return one op output per ``outs`` entry, or ``check_specs`` are given.

    Examples:
        >>> from orchestrator import AssetOut, Out, asset, graph_multi_asset, materialize, op
        >>> @asset
        ... def rows():
        ...     return [3, 1, 2]
        >>> @op(out={"head": Out(), "tail": Out()})
        ... def split(values):
        ...     return values[:1], values[1:]
        >>> @graph_multi_asset(outs={"first": AssetOut(), "rest": AssetOut()})
        ... def parts(rows):
        ...     head, tail = split(rows)
        ...     return {"first": head, "rest": tail}
        >>> materialize([rows, parts]).output_for_node("parts", "rest")
        [1, 2]
    """
    from orchestrator.definitions.graphs import GraphOut, build_graph_from_body

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        graph_name = name or fn.__name__
        _reject_check_specs(check_specs, f"Graph multi-asset '{graph_name}'", "@graph_multi_asset")
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
                                resource_defs=resource_defs, specs=specs, backfill_policy=backfill_policy,
                                hook_defs=hooks)

    return wrap
