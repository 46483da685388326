"""One ``In()``/``Out()`` object shared by several ops: each op takes its own copy.

Dagster accepts a module-level ``Out()`` reused by ops with different return annotations; an op
that wrote its annotation onto the shared object made every later op type-check against it.
"""

from __future__ import annotations

from orchestrator import AssetIn, DynamicOut, DynamicOutput, In, Out, asset, job, materialize_to_memory, op
from orchestrator.definitions.ops import NO_VALUE

SHARED_OUT = Out(metadata={"owner": "data"})
SHARED_IN = In(metadata={"unit": "rows"})
SHARED_DYNAMIC = DynamicOut()


@op(out=SHARED_OUT)
def make_int() -> int:
    return 1


@op(out=SHARED_OUT)
def make_str() -> str:
    return "a"


@op(ins={"x": SHARED_IN})
def take_int(x: int) -> int:
    return x + 1


@op(ins={"x": SHARED_IN})
def take_str(x: str, suffix: str = "!") -> str:
    return x + suffix


@op(out={"first": SHARED_OUT, "second": SHARED_OUT})
def make_pair():
    return 1, "b"


@op(ins={"x": SHARED_IN})
def take_anything(x) -> str:
    return repr(x)


@op(out=SHARED_DYNAMIC)
def emit_ints():
    yield DynamicOutput(1, mapping_key="one")


@op(out=SHARED_DYNAMIC)
def emit_strs():
    yield DynamicOutput("a", mapping_key="a")


@job
def shared_declarations():
    take_int(make_int())
    take_str(make_str())
    first, second = make_pair()
    take_anything.alias("take_first")(first)
    take_anything.alias("take_second")(second)
    emit_ints().map(take_int.alias("take_mapped_int"))
    emit_strs().map(take_str.alias("take_mapped_str"))


def test_ops_sharing_one_out_and_one_in_run_with_their_own_annotations() -> None:
    result = shared_declarations.execute_in_process(raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    assert result.output_for_node("take_int") == 2
    assert result.output_for_node("take_str") == "a!"
    assert result.output_for_node("take_second") == "'b'"


def test_each_op_has_its_own_types_and_defaults() -> None:
    assert make_int.outs["result"].dagster_type is int
    assert make_str.outs["result"].dagster_type is str
    assert take_int.ins["x"].dagster_type is int
    assert take_str.ins["x"].dagster_type is str
    assert not take_int.ins["x"].has_default
    assert take_str.ins["suffix"].default_value == "!"
    assert take_int.ins["x"].metadata == {"unit": "rows"}
    assert make_int.outs["result"] is not make_str.outs["result"]
    assert make_pair.outs["first"] is not make_pair.outs["second"]
    assert isinstance(emit_ints.outs["result"], DynamicOut)


def test_the_users_objects_are_unchanged() -> None:
    shared_declarations.execute_in_process()
    assert SHARED_OUT.dagster_type is None
    assert SHARED_OUT.metadata == {"owner": "data"}
    assert SHARED_IN.dagster_type is None
    assert SHARED_IN.default_value is NO_VALUE
    assert SHARED_IN.metadata == {"unit": "rows"}
    assert SHARED_DYNAMIC.dagster_type is None
    # An op's copy does not share its metadata dict with the user's object either.
    take_int.ins["x"].metadata["added"] = True
    assert "added" not in SHARED_IN.metadata


def test_assets_sharing_one_asset_in_keep_their_own_types() -> None:
    upstream = AssetIn(key="numbers")

    @asset
    def numbers() -> list[int]:
        return [1, 2]

    @asset(ins={"values": upstream})
    def total(values: list[int]) -> int:
        return sum(values)

    @asset(ins={"values": upstream})
    def described(values) -> str:
        return f"{len(values)} values"

    result = materialize_to_memory([numbers, total, described])
    assert result.success
    assert result.output_for_node("total") == 3
    assert result.output_for_node("described") == "2 values"
    assert upstream.dagster_type is None and upstream.metadata == {}
