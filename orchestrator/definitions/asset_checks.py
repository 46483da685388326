"""Asset checks as definitions: ``@asset_check`` (one check of one asset) and ``@multi_asset_check``.

A check compiles to an op whose outputs carry no value, only the check's result: it returns (or
yields) ``AssetCheckResult``, which the step runner records as an ASSET_CHECK_EVALUATION event.
An asset job runs the checks of the assets it selects, after those assets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from orchestrator.definitions.asset_check_spec import AssetCheckSpec
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.asset_spec import coerce_deps
from orchestrator.definitions.assets import AssetIn, AssetsDefinition, asset_op_tags, build_asset_ins, function_inputs
from orchestrator.definitions.ops import Nothing, OpDefinition, Out
from orchestrator.definitions.retries import RetryPolicy
from orchestrator.errors import DefinitionError

__all__ = ["AssetChecksDefinition", "asset_check", "multi_asset_check"]


class AssetChecksDefinition(AssetsDefinition):
    """One or more asset checks computed by one op, made by ``@asset_check`` or ``@multi_asset_check``.

    It is an ``AssetsDefinition`` that materializes no asset (``keys`` is empty) and reports checks
    (``check_keys``, ``check_key`` for one check). Pass it with the checked assets to
    ``materialize``, to ``Definitions(asset_checks=...)`` or ``Definitions(assets=...)``; an asset job
    runs the checks of the assets it selects, after those assets. Its constructor is
    ``AssetsDefinition``'s; the decorators are the usual way to make one.

    Args:
        keys_by_input_name: The asset each input of ``node_def`` reads, by input name.
        keys_by_output_name: The asset each output of ``node_def`` materializes, by output name.
        node_def: The op or graph that computes the assets.
        partitions_def: The partitions of the assets. Defaults to None (unpartitioned).
        partition_mappings: A partition mapping per upstream asset key, for assets without a spec in
            ``specs``. Defaults to inferred mappings.
        asset_deps: The upstream keys of each asset, for assets without a spec in ``specs``. Defaults
            to every upstream asset read by the node.
        selected_asset_keys: The assets this definition materializes when it is a subset. Defaults to all.
        can_subset: Whether a job may select some of the assets only (the node then reads
            ``context.selected_output_names``). Defaults to False.
        resource_defs: Resources the assets need; a job running them gets them. Defaults to none.
        group_names_by_key: The group of each asset without a spec. Defaults to ``"default"``.
        metadata_by_key: The metadata of each asset without a spec. Defaults to none.
        tags_by_key: The tags of each asset without a spec. Defaults to none.
        descriptions_by_key: The description of each asset without a spec. Defaults to none.
        check_specs_by_output_name: The asset check each output reports, by output name. Defaults to none.
        selected_asset_check_keys: The checks this definition evaluates when it is a subset. Defaults to all.
        owners_by_key: The owners of each asset without a spec. Defaults to none.
        code_versions_by_key: The code version of each asset without a spec. Defaults to none.
        specs: An ``AssetSpec`` per asset; a spec replaces the ``*_by_key`` values, ``asset_deps`` and
            ``partition_mappings`` for its asset. Defaults to none.
        backfill_policy: Kept on the definition; it changes no run. Defaults to None.
        is_subset: Whether this is a subset of a larger definition. Defaults to False.
        hook_defs: Hooks that run on the node's step in every job that runs it. Defaults to none.

    Raises:
        DefinitionError: when ``node_def`` is not an op or graph, or the maps name inputs or outputs
            it does not have.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetChecksDefinition, asset, asset_check
        >>> @asset_check(asset="orders")
        ... def orders_not_empty(orders):
        ...     return AssetCheckResult(passed=len(orders) > 0)
        >>> isinstance(orders_not_empty, AssetChecksDefinition), orders_not_empty.keys
        (True, set())
        >>> orders_not_empty.check_key.to_user_string()
        'orders:orders_not_empty'
    """

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in sorted(self.check_keys))
        return f"<AssetChecksDefinition {keys}>"


def asset_check(
    *,
    asset: Any,
    name: str | None = None,
    description: str | None = None,
    blocking: bool = False,
    additional_ins: Mapping[str, AssetIn] | None = None,
    additional_deps: Iterable[Any] | None = None,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config_schema: Any = None,
    compute_kind: str | None = None,
    op_tags: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    metadata: Mapping[str, Any] | None = None,
    automation_condition: Any = None,
    pool: str | None = None,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Define a check of one asset: the decorated function returns an ``AssetCheckResult``.

    The function's parameter (at most one, besides ``context`` and those in ``additional_ins``)
    receives the checked asset's value, loaded through its IO manager; with no parameter the check
    only runs after the asset. The check's op is named ``<asset>_<check>`` (``orders_ids_are_unique``).
    ``blocking=True``: when the check fails with ERROR severity its step fails, so assets downstream
    of the checked asset in the same run are skipped. Dagster's scheduling-only arguments
    (``automation_condition``, ``pool``) are accepted and ignored; any other keyword argument is a
    ``TypeError``, as in Dagster.

    Args:
        asset: The checked asset: its definition, an ``AssetKey``, a ``"a/b"`` string or a list of parts.
        name: The check's name. Defaults to the function's name.
        description: What the check verifies. Defaults to None.
        blocking: Whether an ERROR failure skips the checked asset's downstream assets in the run.
            Defaults to False.
        additional_ins: ``AssetIn`` for other parameters, which read other assets. Defaults to none.
        additional_deps: Other assets the check runs after without reading them. Defaults to none.
        required_resource_keys: Resource keys the function reads from ``context.resources``.
            Defaults to none.
        resource_defs: Resources the check needs; a job running it gets them. Defaults to none.
        config_schema: The schema of the op's config (``context.op_config``). Defaults to none.
        compute_kind: A kind shown for the op (its ``kind`` tag). Defaults to None.
        op_tags: Tags of the check's op. Defaults to none.
        retry_policy: How the check's step is retried when it raises. Defaults to no retries.
        metadata: Metadata of the check's spec. Defaults to none.
        automation_condition: Accepted for Dagster compatibility and ignored.
        pool: Dagster's concurrency pool of the check's op; accepted and ignored. Defaults to None.

    Returns:
        A decorator that turns the function into an ``AssetChecksDefinition``.

    Raises:
        DefinitionError: when the checked asset is also in ``additional_ins`` or ``additional_deps``,
            an ``additional_ins`` name is not a parameter, or more than one parameter is left for the asset.

    Examples:
        >>> from orchestrator import AssetCheckResult, asset, asset_check, materialize
        >>> @asset
        ... def orders():
        ...     return [{"id": 1}, {"id": 1}]
        >>> @asset_check(asset=orders)
        ... def ids_are_unique(orders):
        ...     ids = [o["id"] for o in orders]
        ...     return AssetCheckResult(passed=len(ids) == len(set(ids)))
        >>> [evaluation] = materialize([orders, ids_are_unique]).get_asset_check_evaluations()
        >>> evaluation.check_name, evaluation.passed
        ('ids_are_unique', False)
    """

    def wrap(fn: Callable[..., Any]) -> AssetChecksDefinition:
        check_name = name or fn.__name__
        asset_key = AssetKey.from_coercible(asset)
        extra_ins = dict(additional_ins or {})
        deps = coerce_deps(additional_deps)
        if any(d.asset_key == asset_key for d in deps):
            raise DefinitionError(f"Check '{check_name}': asset '{asset_key}' is given both as asset= and in additional_deps.")
        if any(i.key == asset_key for i in extra_ins.values()):
            raise DefinitionError(f"Check '{check_name}': asset '{asset_key}' is given both as asset= and in additional_ins.")
        params = [p.name for p in function_inputs(fn, check_name)]
        for in_name in extra_ins:
            if in_name not in params:
                raise DefinitionError(f"Check '{check_name}': '{in_name}' is in additional_ins but is not a parameter.")
        rest = [p for p in params if p not in extra_ins]
        if len(rest) > 1:
            raise DefinitionError(
                f"Check '{check_name}' takes parameters {rest}; at most one may be the checked asset, the others "
                "must be declared in additional_ins."
            )
        ins = dict(extra_ins)
        if rest:
            ins[rest[0]] = AssetIn(key=asset_key)
        else:
            deps = [*deps, *coerce_deps([asset_key])]
        spec = AssetCheckSpec(check_name, asset=asset_key, description=description,
                              additional_deps=[*(i.key for i in extra_ins.values() if i.key is not None),
                                               *(d.asset_key for d in deps if d.asset_key != asset_key)],
                              blocking=blocking, metadata=metadata)
        op_ins, keys_by_input, _mappings = build_asset_ins(fn, check_name, ins, deps, [])
        op_def = OpDefinition(
            fn, name=spec.get_python_identifier(), ins=op_ins, outs={"result": Out(Nothing, is_required=False)},
            config_schema=config_schema, required_resource_keys=required_resource_keys,
            tags=asset_op_tags(op_tags, compute_kind), retry_policy=retry_policy, description=description,
        )
        return AssetChecksDefinition(keys_by_input_name=keys_by_input, keys_by_output_name={}, node_def=op_def,
                                     resource_defs=resource_defs, check_specs_by_output_name={"result": spec})

    return wrap


def multi_asset_check(
    *,
    specs: Sequence[AssetCheckSpec],
    name: str | None = None,
    description: str | None = None,
    can_subset: bool = False,
    compute_kind: str | None = None,
    op_tags: Mapping[str, Any] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    required_resource_keys: set[str] | None = None,
    retry_policy: RetryPolicy | None = None,
    config_schema: Any = None,
    ins: Mapping[str, AssetIn] | None = None,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Define several asset checks evaluated by one op: the function yields an ``AssetCheckResult`` per spec.

    Reach for it when one computation answers several checks (one query, many rules). Each result
    names its check with ``check_name=`` (and ``asset_key=`` when the specs check several assets).
    A parameter named like a checked asset (or given in ``ins``) receives its value; the op runs
    after every checked asset and every spec's ``additional_deps``.

    Args:
        specs: The checks the function reports, one ``AssetCheckSpec`` each.
        name: The op's name. Defaults to the function's name.
        description: What the checks verify. Defaults to None.
        can_subset: Whether a job may select some of the checks only. Defaults to False.
        compute_kind: A kind shown for the op (its ``kind`` tag). Defaults to None.
        op_tags: Tags of the op. Defaults to none.
        resource_defs: Resources the checks need; a job running them gets them. Defaults to none.
        required_resource_keys: Resource keys the function reads from ``context.resources``.
            Defaults to none.
        retry_policy: How the op's step is retried when it raises. Defaults to no retries.
        config_schema: The schema of the op's config (``context.op_config``). Defaults to none.
        ins: ``AssetIn`` per parameter, for parameters that read assets under another key. Defaults to none.

    Returns:
        A decorator that turns the function into an ``AssetChecksDefinition``.

    Raises:
        DefinitionError: when two specs have the same name for the same asset.

    Examples:
        >>> from orchestrator import AssetCheckResult, AssetCheckSpec, asset, materialize, multi_asset_check
        >>> @asset
        ... def orders():
        ...     return [{"id": 1}, {"id": 1}]
        >>> @multi_asset_check(specs=[AssetCheckSpec("not_empty", asset="orders"),
        ...                           AssetCheckSpec("unique_ids", asset="orders")])
        ... def order_checks(orders):
        ...     ids = [o["id"] for o in orders]
        ...     yield AssetCheckResult(passed=bool(ids), check_name="not_empty")
        ...     yield AssetCheckResult(passed=len(set(ids)) == len(ids), check_name="unique_ids")
        >>> result = materialize([orders, order_checks])
        >>> sorted((e.check_name, e.passed) for e in result.get_asset_check_evaluations())
        [('not_empty', True), ('unique_ids', False)]
    """

    def wrap(fn: Callable[..., Any]) -> AssetChecksDefinition:
        op_name = name or fn.__name__
        deps = [spec.asset_key for spec in specs] + [d.asset_key for spec in specs for d in spec.additional_deps]
        op_ins, keys_by_input, _mappings = build_asset_ins(fn, op_name, ins, deps, [])
        outs: dict[str, Out] = {}
        by_output: dict[str, AssetCheckSpec] = {}
        for spec in specs:
            out_name = spec.get_python_identifier()
            if out_name in outs:
                raise DefinitionError(f"Multi-asset check '{op_name}' has two specs named '{spec.name}' for '{spec.asset_key}'.")
            outs[out_name] = Out(Nothing, is_required=False)
            by_output[out_name] = spec
        op_def = OpDefinition(
            fn, name=op_name, ins=op_ins, outs=outs, config_schema=config_schema,
            required_resource_keys=required_resource_keys, tags=asset_op_tags(op_tags, compute_kind),
            retry_policy=retry_policy, description=description,
        )
        return AssetChecksDefinition(keys_by_input_name=keys_by_input, keys_by_output_name={}, node_def=op_def,
                                     resource_defs=resource_defs, check_specs_by_output_name=by_output,
                                     can_subset=can_subset)

    return wrap
