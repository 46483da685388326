"""Dagster's documentation examples for op events and Dagster types (tests/dagster_examples/events/
and types/), each identical to Dagster's but for the import lines, run and checked here."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from orchestrator import (
    DagsterEventType,
    DagsterTypeCheckDidNotPass,
    Failure,
    In,
    MetadataValue,
    Output,
    build_op_context,
    job,
    materialize,
    op,
)

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # Dagster's own `num % 2 is 0`

EXAMPLES = Path(__file__).resolve().parents[1] / "dagster_examples"


def load(relative: str) -> ModuleType:
    path = EXAMPLES / relative
    name = "dagster_example_" + re.sub(r"\W", "_", relative[:-3])
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_names_its_source_and_imports_only_orchestrator() -> None:
    files = sorted((EXAMPLES / "events").glob("*.py")) + sorted((EXAMPLES / "types").glob("*.py"))
    assert len(files) >= 3
    for file in files:
        text = file.read_text()
        assert text.startswith("# From Dagster's documentation examples"), file
        assert "dagster-io/dagster" in text.splitlines()[1] or "dagster-io/dagster" in text.splitlines()[2], file
        assert "from dagster" not in text and "import dagster" not in text, file


def test_op_events_outputs_and_metadata() -> None:
    ex = load("events/op_events.py")
    out = ex.my_metadata_output(build_op_context())
    assert out.metadata["dashboard_url"] == MetadataValue.url("http://mycoolsite.com/url_for_my_data")
    assert out.metadata["raw_count"] == MetadataValue.int(0)
    assert out.metadata["size (bytes)"].value == 0.0
    assert out.metadata["text_metadata"].value == "Text-based metadata for this event"
    assert ex.my_output_op().value == "some_value"
    assert ex.my_output_generic_op.outs["result"].dagster_type is int

    @job
    def outputs():
        ex.my_output_generic_op()
        ex.my_multiple_generic_output_op()
        ex.my_op_yields()

    result = outputs.execute_in_process()
    assert result.output_for_node("my_output_generic_op") == 5
    assert result.output_for_node("my_multiple_generic_output_op", "int_out") == 5
    assert result.output_for_node("my_multiple_generic_output_op", "str_out") == "foo"
    assert result.output_for_node("my_op_yields", "out1") == "foo"
    assert result.output_for_node("my_op_yields", "out2") == 5


def test_op_events_expectations_and_materializations_reach_the_result() -> None:
    ex = load("events/op_events.py")

    @op
    def rows():
        return [1, 2]

    @job
    def events_job():
        ex.my_metadata_expectation_op(rows())
        ex.my_expectation_op(rows())
        ex.my_asset_op()
        ex.my_asset_op_yields()

    result = events_job.execute_in_process()
    assert result.success
    [with_metadata] = result.expectation_results_for_node("my_metadata_expectation_op")
    # do_some_transform returns [] in the example, so the expectation fails: recorded, not raised.
    assert with_metadata.success is False and with_metadata.description == "ensure dataframe has rows"
    assert with_metadata.metadata["dashboard_url"].value == "http://mycoolsite.com/url_for_my_data"
    assert [e.success for e in result.expectation_results_for_node("my_expectation_op")] == [True]
    for node in ("my_asset_op", "my_asset_op_yields"):
        [m] = result.asset_materializations_for_node(node)
        assert m.asset_key.to_user_string() == "s3.my_asset" and m.description == "A df I stored in s3"
    kinds = [e.event_type for e in result.events_for_node("my_asset_op")]
    assert kinds.index(DagsterEventType.ASSET_MATERIALIZATION) < kinds.index(DagsterEventType.STEP_OUTPUT)


def test_op_events_failure_carries_its_metadata() -> None:
    ex = load("events/op_events.py")

    @job
    def failing():
        ex.my_failure_op()

    with pytest.raises(Failure, match="No files to process"):
        failing.execute_in_process()
    result = failing.execute_in_process(raise_on_error=False)
    data = result.failure_data_for_node("my_failure_op")
    assert data.error.cls_name == "Failure"
    assert data.user_failure_data.description == "No files to process"
    assert data.user_failure_data.metadata["filepath"] == MetadataValue.path("/path/to/files")
    assert ex.my_retry_op() == 0


def test_types_even_dagster_type_checks_inputs_and_outputs() -> None:
    ex = load("types/types.py")
    ex.test_dagster_type()
    assert ex.double_even(4) == 4
    assert ex.double_even_with_annotations(2) == 2
    assert isinstance(ex.my_op(), ex.MyClass)

    @op
    def three() -> int:
        return 3

    @job
    def odd_in():
        ex.double_even(three())

    with pytest.raises(DagsterTypeCheckDidNotPass, match="double_even.*input 'num'.*EvenDagsterType"):
        odd_in.execute_in_process()


def test_types_even_asset_type_checks_its_value() -> None:
    ex = load("types/types.py")

    @op(ins={"num": In(int)})
    def unused(num):
        return num

    from orchestrator import asset

    @asset
    def num():
        return 3

    result = materialize([num, ex.even_asset], raise_on_error=False)
    assert not result.success
    assert result.get_step_failure_events()[0].error.cls_name == "DagsterTypeCheckDidNotPass"


def test_make_usable_annotation_runs_the_dagster_type() -> None:
    ex = load("types/make_usable.py")
    assert ex.double_even(ex.EvenType(2)).num == 4

    @op
    def not_even() -> int:
        return 2

    @job
    def wrong_type():
        ex.double_even(not_even())

    with pytest.raises(DagsterTypeCheckDidNotPass, match="EvenDagsterType"):
        wrong_type.execute_in_process()
    assert isinstance(Output(1), Output)
