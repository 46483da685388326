"""Assets as Dagster documents them: multi-assets, specs, graph-backed assets, external assets,
MaterializeResult, asset checks, loading assets from modules, the selection algebra and Definitions."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from orchestrator import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    AssetSelection,
    AssetSpec,
    DefinitionError,
    Definitions,
    GraphOut,
    MaterializeResult,
    Out,
    Output,
    SourceAsset,
    asset,
    asset_check,
    build_asset_context,
    define_asset_job,
    fs_io_manager,
    graph,
    graph_asset,
    graph_multi_asset,
    load_asset_checks_from_modules,
    load_assets_from_modules,
    load_assets_from_package_module,
    materialize,
    materialize_to_memory,
    mem_io_manager,
    multi_asset,
    multi_asset_check,
    op,
)


def keys_of(result, node: str) -> list[str]:
    return [m.asset_key.to_user_string() for m in result.asset_materializations_for_node(node)]


# -- multi-assets ---------------------------------------------------------------------------------


def test_multi_asset_outs_key_prefix_groups_and_downstream_reads_one_output() -> None:
    @multi_asset(outs={"users": AssetOut(key_prefix="crm", group_name="people"),
                       "orders": AssetOut(key=["shop", "orders"], io_manager_key="io_manager")},
                 group_name="sync")
    def sync():
        return ["ada", "bob"], [{"id": 1}]

    @asset(ins={"users": AssetIn(key=["crm", "users"])})
    def user_count(users) -> int:
        return len(users)

    assert sync.keys == {AssetKey(["crm", "users"]), AssetKey(["shop", "orders"])}
    assert sync.group_names_by_key == {AssetKey(["crm", "users"]): "people", AssetKey(["shop", "orders"]): "sync"}
    with pytest.raises(DefinitionError, match="defines 2 assets"):
        _ = sync.key
    result = materialize_to_memory([sync, user_count])
    assert result.output_for_node("user_count") == 2
    assert keys_of(result, "sync") == ["crm/users", "shop/orders"]


def test_multi_asset_specs_with_materialize_results_store_nothing(tmp_path: Path) -> None:
    @multi_asset(specs=[AssetSpec("raw_users"), AssetSpec("raw_orders", deps=["raw_users"], group_name="raw")])
    def loader(context: AssetExecutionContext):
        assert context.selected_asset_keys == {AssetKey("raw_users"), AssetKey("raw_orders")}
        yield MaterializeResult(asset_key="raw_users", metadata={"rows": 2})
        yield MaterializeResult(asset_key="raw_orders", metadata={"rows": 5})

    result = materialize([loader], resources={"io_manager": fs_io_manager.configured({"base_dir": str(tmp_path)})})
    assert result.success
    rows = {m.asset_key.to_user_string(): m.metadata["rows"].value for m in result.asset_materializations_for_node("loader")}
    assert rows == {"raw_users": 2, "raw_orders": 5}
    assert not any(tmp_path.rglob("raw_*")), "MaterializeResult outputs must not reach the IO manager"
    assert loader.get_asset_spec("raw_orders").group_name == "raw"


def test_multi_asset_that_cannot_subset_refuses_a_partial_selection() -> None:
    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def pair():
        return 1, 2

    with pytest.raises(DefinitionError, match="can_subset=True"):
        materialize_to_memory([pair], selection=["a"])


def test_materialize_result_without_key_in_a_multi_asset_says_which_keys() -> None:
    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def vague():
        yield MaterializeResult()

    result = materialize_to_memory([vague], raise_on_error=False)
    assert not result.success
    assert "without asset_key" in result.failure_error.message and "['a', 'b']" in result.failure_error.message


def test_returning_materialize_result_from_a_plain_op_is_an_error() -> None:
    from orchestrator import job

    @op
    def not_an_asset():
        return MaterializeResult()

    @job
    def plain():
        not_an_asset()

    result = plain.execute_in_process(raise_on_error=False)
    assert "only assets and asset checks return" in result.failure_error.message


# -- graph-backed assets ------------------------------------------------------------------------


@op
def add_one(x: int) -> int:
    return x + 1


@op
def double(x: int) -> int:
    return x * 2


@asset
def upstream_number() -> int:
    return 3


def test_graph_asset_runs_its_ops_and_materializes_once() -> None:
    @graph_asset(group_name="math")
    def bigger(upstream_number):
        return double(add_one(upstream_number))

    @asset
    def report(bigger: int) -> str:
        return f"n={bigger}"

    result = materialize_to_memory([upstream_number, bigger, report])
    assert result.output_for_node("report") == "n=8"
    assert keys_of(result, "bigger") == ["bigger"]
    assert result.is_node_success("bigger.add_one") and result.is_node_success("bigger.double")
    assert bigger.group_name == "math"


def test_graph_asset_reads_an_unselected_upstream_from_storage(tmp_path: Path) -> None:
    @graph_asset
    def bigger(upstream_number):
        return add_one(upstream_number)

    io = {"io_manager": fs_io_manager.configured({"base_dir": str(tmp_path)})}
    assert materialize([upstream_number], resources=io).success
    result = materialize([upstream_number, bigger], selection=[bigger], resources=io)
    assert result.output_for_node("bigger") == 4


def test_graph_multi_asset_and_from_graph_with_explicit_keys() -> None:
    @op(out={"one": Out(), "two": Out()})
    def two_outputs(upstream):
        yield Output(output_name="one", value=upstream)
        yield Output(output_name="two", value=upstream * 10)

    @graph_multi_asset(outs={"first_asset": AssetOut(), "second_asset": AssetOut()})
    def two_assets(upstream_number):
        one, two = two_outputs(upstream_number)
        return {"first_asset": one, "second_asset": two}

    result = materialize_to_memory([upstream_number, two_assets])
    assert result.output_for_node("two_assets", "second_asset") == 30
    assert keys_of(result, "two_assets") == ["first_asset", "second_asset"]

    @graph(out={"one": GraphOut(), "two": GraphOut()})
    def return_one_and_two(zero):
        one, two = two_outputs(zero)
        return {"one": one, "two": two}

    explicit = AssetsDefinition.from_graph(
        return_one_and_two, keys_by_input_name={"zero": AssetKey("upstream_number")},
        keys_by_output_name={"one": AssetKey("asset_one"), "two": AssetKey("asset_two")},
    )
    assert explicit.keys_by_input_name == {"zero": AssetKey("upstream_number")}
    result = materialize_to_memory([upstream_number, explicit])
    assert result.output_for_node("return_one_and_two", "two") == 30


def test_from_op_names_the_asset_after_the_op() -> None:
    @op
    def fetched() -> list:
        return [1, 2]

    definition = AssetsDefinition.from_op(fetched, key_prefix="raw")
    assert definition.key == AssetKey(["raw", "fetched"])
    assert materialize_to_memory([definition]).output_for_node("fetched") == [1, 2]


# -- external assets ---------------------------------------------------------------------------


def test_asset_spec_and_source_asset_are_loaded_through_their_io_manager(tmp_path: Path) -> None:
    from orchestrator import IOManager, io_manager

    class Warehouse(IOManager):
        def handle_output(self, context, obj):
            raise AssertionError("external assets are never stored")

        def load_input(self, context):
            return {"raw_logs": ["l1", "l2"], "raw_events": ["e1"]}[context.asset_key.path[-1]]

    @io_manager
    def warehouse(_):
        return Warehouse()

    logs = AssetSpec("raw_logs", group_name="external").with_io_manager_key("warehouse")
    events = SourceAsset("raw_events", io_manager_key="warehouse")

    @asset
    def combined(raw_logs, raw_events) -> int:
        return len(raw_logs) + len(raw_events)

    defs = Definitions(assets=[logs, events, combined], resources={"warehouse": warehouse, "io_manager": mem_io_manager})
    result = defs.get_implicit_global_asset_job_def().execute_in_process()
    assert result.output_for_node("combined") == 3
    assert defs.resolve_all_asset_keys() == [AssetKey("combined"), AssetKey("raw_events"), AssetKey("raw_logs")]
    with pytest.raises(DefinitionError, match="IO manager 'warehouse'"):
        materialize([logs, events, combined])


def test_an_undefined_upstream_asset_is_named_with_the_fix() -> None:
    @asset
    def lonely(missing_upstream):
        return missing_upstream

    with pytest.raises(DefinitionError, match="reads asset 'missing_upstream'.*SourceAsset or AssetSpec"):
        materialize_to_memory([lonely])


# -- asset checks ---------------------------------------------------------------------------------


@asset
def orders() -> list:
    return [{"id": 1}, {"id": 2}, {"id": 2}]


def test_asset_check_reads_the_asset_and_records_a_failed_evaluation_without_failing_the_run() -> None:
    @asset_check(asset=orders, description="ids are unique")
    def ids_unique(orders) -> AssetCheckResult:
        ids = [o["id"] for o in orders]
        return AssetCheckResult(passed=len(ids) == len(set(ids)), metadata={"dupes": len(ids) - len(set(ids))},
                                severity=AssetCheckSeverity.WARN)

    assert ids_unique.check_key == AssetCheckKey(AssetKey("orders"), "ids_unique")
    result = materialize_to_memory([orders, ids_unique])
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity, evaluation.metadata["dupes"].value) == (
        False, AssetCheckSeverity.WARN, 1)
    assert ids_unique([{"id": 1}]).passed  # called directly, the check returns its result


def test_check_specs_on_an_asset_and_results_inside_materialize_result() -> None:
    @asset(check_specs=[AssetCheckSpec("has_rows", asset="table"), AssetCheckSpec("small", asset="table")])
    def table():
        rows = [1, 2]
        return MaterializeResult(metadata={"rows": len(rows)}, check_results=[
            AssetCheckResult(check_name="has_rows", passed=bool(rows)),
            AssetCheckResult(check_name="small", passed=len(rows) < 2),
        ])

    result = materialize_to_memory([table])
    assert result.success
    assert {(e.check_name, e.passed) for e in result.get_asset_check_evaluations()} == {("has_rows", True), ("small", False)}


def test_a_declared_check_that_reports_nothing_fails_the_step_naming_it() -> None:
    @asset(check_specs=[AssetCheckSpec("has_rows", asset="quiet")])
    def quiet():
        return [1]

    result = materialize_to_memory([quiet], raise_on_error=False)
    assert not result.success
    assert "did not report asset check(s) 'has_rows' of 'quiet'" in result.failure_error.message


def test_a_blocking_in_asset_check_fails_its_step_after_recording_both_events() -> None:
    @asset(check_specs=[AssetCheckSpec("positive", asset="amount", blocking=True)])
    def amount():
        yield Output(-5)
        yield AssetCheckResult(passed=False)

    @asset
    def after(amount):
        return amount

    result = materialize_to_memory([amount, after], raise_on_error=False)
    assert keys_of(result, "amount") == ["amount"]
    assert [e.passed for e in result.get_asset_check_evaluations()] == [False]
    assert result.is_node_failed("amount") and result.is_node_skipped("after")


def test_multi_asset_check_and_selection_of_checks() -> None:
    @multi_asset_check(specs=[AssetCheckSpec("enough", asset="orders"), AssetCheckSpec("unique", asset="orders")])
    def order_checks(orders):
        yield AssetCheckResult(check_name="enough", passed=len(orders) >= 3)
        yield AssetCheckResult(check_name="unique", passed=False)

    defs = Definitions(assets=[orders], asset_checks=[order_checks],
                       jobs=[define_asset_job("only_orders", AssetSelection.keys("orders").without_checks()),
                             define_asset_job("with_checks", AssetSelection.keys("orders"))])
    assert defs.asset_check_keys == [AssetCheckKey(AssetKey("orders"), "enough"), AssetCheckKey(AssetKey("orders"), "unique")]
    assert defs.resolve_job_def("only_orders").execute_in_process().get_asset_check_evaluations() == []
    checked = defs.resolve_job_def("with_checks").execute_in_process()
    assert [(e.check_name, e.passed) for e in checked.get_asset_check_evaluations()] == [("enough", True), ("unique", False)]


def test_asset_check_with_two_asset_parameters_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="at most one may be the checked asset"):
        @asset_check(asset=orders)
        def two(orders, other):
            return AssetCheckResult(passed=True)


# -- context, direct invocation ----------------------------------------------------------------


def test_build_asset_context_gives_partition_config_and_resources() -> None:
    from orchestrator import DailyPartitionsDefinition

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"), config_schema={"scale": int},
           required_resource_keys={"base"})
    def scaled(context: AssetExecutionContext) -> tuple:
        window = context.partition_time_window
        return (context.partition_key, window.start.day, window.end.day,
                context.op_config["scale"] * context.resources.base, context.asset_key)

    ctx = build_asset_context(partition_key="2024-01-05", asset_config={"scale": 3}, resources={"base": 7})
    assert scaled(ctx) == ("2024-01-05", 5, 6, 21, AssetKey("scaled"))


# -- loading from modules ------------------------------------------------------------------------


def _write_package(root: Path) -> None:
    pkg = root / "h13_asset_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "raw.py").write_text(textwrap.dedent("""
        from orchestrator import asset, AssetCheckResult, asset_check

        @asset
        def numbers():
            return [1, 2, 3]

        @asset_check(asset=numbers)
        def numbers_not_empty(numbers):
            return AssetCheckResult(passed=bool(numbers))
    """))
    (pkg / "derived.py").write_text(textwrap.dedent("""
        from orchestrator import asset

        @asset
        def total(numbers):
            return sum(numbers)
    """))


def test_load_assets_from_package_and_modules_with_prefix_and_group(tmp_path: Path, monkeypatch) -> None:
    _write_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    import h13_asset_pkg

    try:
        loaded = load_assets_from_package_module(h13_asset_pkg, group_name="numbers", key_prefix="prod")
        assert sorted(k.to_user_string() for a in loaded for k in a.keys) == ["prod/numbers", "prod/total"]
        assert {a.group_name for a in loaded} == {"numbers"}
        from h13_asset_pkg import raw

        checks = load_asset_checks_from_modules([raw], asset_key_prefix="prod")
        result = materialize_to_memory([*loaded, *checks])
        assert result.output_for_node("total") == 6  # prod/total read prod/numbers
        assert [(e.asset_key, e.passed) for e in result.get_asset_check_evaluations()] == [(AssetKey(["prod", "numbers"]), True)]
        plain = load_assets_from_modules([raw])
        assert [a.key for a in plain] == [AssetKey("numbers")] and plain[0].group_name == "default"
    finally:
        for name in [m for m in sys.modules if m.startswith("h13_asset_pkg")]:
            del sys.modules[name]


def test_load_assets_refuses_a_group_on_assets_that_have_one() -> None:
    import types

    module = types.ModuleType("grouped_module")

    @asset(group_name="mine")
    def grouped():
        return 1

    module.grouped = grouped
    with pytest.raises(DefinitionError, match="already has group 'mine'"):
        load_assets_from_modules([module], group_name="other")


# -- selections -----------------------------------------------------------------------------------


def test_asset_selection_algebra() -> None:
    @asset(group_name="raw", key_prefix="lake")
    def a():
        return 1

    @asset(group_name="raw", ins={"a": AssetIn(key=["lake", "a"])})
    def b(a):
        return a

    @asset(group_name="marts", deps=[b])
    def c():
        return 1

    @asset(group_name="marts", deps=[c], tags={"tier": "gold"})
    def d():
        return 1

    every = [a, b, c, d]
    k = AssetKey

    def resolve(selection):
        return sorted(x.to_user_string() for x in selection.resolve(every))

    assert resolve(AssetSelection.groups("raw")) == ["b", "lake/a"]
    assert resolve(AssetSelection.key_prefixes("lake")) == ["lake/a"]
    assert resolve(AssetSelection.keys("d").upstream(depth=1)) == ["c", "d"]
    assert resolve(AssetSelection.keys("d").upstream()) == ["b", "c", "d", "lake/a"]
    assert resolve(AssetSelection.keys(k(["lake", "a"])).downstream(depth=2, include_self=False)) == ["b", "c"]
    assert resolve(AssetSelection.groups("raw") | AssetSelection.keys("d")) == ["b", "d", "lake/a"]
    assert resolve(AssetSelection.all() & AssetSelection.groups("marts")) == ["c", "d"]
    assert resolve(AssetSelection.all() - AssetSelection.groups("marts")) == ["b", "lake/a"]
    assert resolve(AssetSelection.groups("marts").roots()) == ["c"]
    assert resolve(AssetSelection.all().sinks()) == ["d"]
    assert resolve(AssetSelection.tag("tier", "gold")) == ["d"]
    assert resolve(AssetSelection.key_substring("a")) == ["lake/a"]
    with pytest.raises(DefinitionError, match="'nope', which is not defined"):
        AssetSelection.keys("nope").resolve(every)


def test_definitions_merge_and_load_asset_value(tmp_path: Path) -> None:
    @asset
    def numbers() -> list:
        return [1, 2, 3]

    io = fs_io_manager.configured({"base_dir": str(tmp_path)})
    first = Definitions(assets=[numbers], resources={"io_manager": io})
    second = Definitions(jobs=[define_asset_job("numbers_job", selection=[numbers])])
    merged = Definitions.merge(first, second)
    assert merged.job_names == ["numbers_job"] and merged.asset_keys == [AssetKey("numbers")]
    assert merged.resolve_job_def("numbers_job").execute_in_process().success
    assert merged.load_asset_value("numbers") == [1, 2, 3]
    with pytest.raises(DefinitionError, match="resource 'io_manager' is defined differently"):
        Definitions.merge(first, Definitions(resources={"io_manager": mem_io_manager}))


def test_asset_dep_carries_a_partition_mapping() -> None:
    from orchestrator import LastPartitionMapping

    @asset(deps=[AssetDep("rates", partition_mapping=LastPartitionMapping())])
    def priced():
        return 1

    assert isinstance(priced.get_partition_mapping(AssetKey("rates")), LastPartitionMapping)
    assert priced.dependency_keys == {AssetKey("rates")}
