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
    """One or more asset checks computed by one op. Made by ``@asset_check`` / ``@multi_asset_check``.

    Example::

        @asset_check(asset="orders")
        def orders_not_empty(orders):
            return AssetCheckResult(passed=len(orders) > 0)

        assert orders_not_empty.check_key.name == "orders_not_empty"
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
    **_scheduling: Any,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Define a check of ``asset``. A parameter not in ``additional_ins`` receives the asset's value.

    ``blocking=True``: when the check fails with ERROR severity, its step fails, so assets
    downstream of the checked asset in the same run do not run.

    Example::

        @asset
        def orders():
            return [{"id": 1}, {"id": 2}]

        @asset_check(asset=orders)
        def ids_are_unique(orders) -> AssetCheckResult:
            ids = [o["id"] for o in orders]
            return AssetCheckResult(passed=len(ids) == len(set(ids)))

        result = materialize([orders, ids_are_unique])
        assert result.get_asset_check_evaluations()[0].passed
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
    """Several checks evaluated by one op; it yields one ``AssetCheckResult`` per spec.

    Example::

        @multi_asset_check(specs=[AssetCheckSpec("enough_rows", asset="a"), AssetCheckSpec("no_dupes", asset="a")])
        def checks():
            yield AssetCheckResult(passed=True, asset_key="a", check_name="enough_rows")
            yield AssetCheckResult(passed=False, asset_key="a", check_name="no_dupes")
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
