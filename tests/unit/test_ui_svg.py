"""The web UI's drawings (``orchestrator.ui.svg``): what they name, mark and escape, that they are
deterministic, and that 1,000 nodes or steps draw well under a second."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from orchestrator import AssetIn, DynamicOut, DynamicOutput, Out, asset, graph, job, op
from orchestrator.status import StepStatus
from orchestrator.ui.svg import AssetNode, StepSpan, job_graph_svg, lineage_nodes, lineage_svg, timeline_svg

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The drawing parsed as XML: fails the test if escaping left it malformed."""
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{NS}{tag}") if cls in (el.get("class") or "").split()]


@op(out=DynamicOut())
def fan():
    for i in range(3):
        yield DynamicOutput(i, mapping_key=str(i))


@op
def double(x):
    return 2 * x


@op
def total(xs):
    return sum(xs)


@op(out={"left": Out(), "right": Out()})
def split():
    return 1, 2


@op
def add(left, right):
    return left + right


@graph
def inner(v):
    return double(v)


@graph
def outer(v):
    return inner(v)


@job
def mixed():
    left, right = split()
    total(fan().map(double).collect())
    outer(add(left, right))


def test_job_graph_names_every_op_with_its_inputs_and_outputs() -> None:
    root = parse(job_graph_svg(mixed))
    ops = {g.get("data-path"): g for g in by_class(root, "g", "op")}
    assert set(ops) == set(mixed.topology.ops) == {"split", "fan", "double", "total", "add", "outer.inner.double"}
    add_texts = texts(ops["add"])
    assert add_texts == ["add", "left", "right", "result"]
    assert texts(ops["split"]) == ["split", "left", "right"]


def test_job_graph_marks_dynamic_outputs_and_mapped_ops() -> None:
    root = parse(job_graph_svg(mixed))
    ops = {g.get("data-path"): g for g in by_class(root, "g", "op")}
    assert "mapped" in (ops["double"].get("class") or "")
    assert texts(ops["double"])[0] == "double [*]"
    assert "mapped" not in (ops["total"].get("class") or "")
    assert [t for t in texts(ops["fan"]) if "[*]" in t] == ["result [*]"]
    dynamic_edges = by_class(root, "path", "dynamic")
    assert [(e.get("data-from"), e.get("data-to")) for e in dynamic_edges] == [("fan.result", "double.x")]
    collect_edges = by_class(root, "path", "collect")
    assert [(e.get("data-from"), e.get("data-to")) for e in collect_edges] == [("double.result", "total.xs")]


def test_job_graph_edges_follow_the_topology_through_graph_boundaries() -> None:
    root = parse(job_graph_svg(mixed))
    edges = {(e.get("data-from"), e.get("data-to")) for e in by_class(root, "path", "edge")}
    assert edges == {
        ("split.left", "add.left"), ("split.right", "add.right"), ("fan.result", "double.x"),
        ("double.result", "total.xs"), ("add.result", "outer.inner.double.x"),
    }
    # Every edge points rightwards: the layers follow dependencies.
    for e in by_class(root, "path", "edge"):
        start, end = e.get("d", "").split(" ")[0], e.get("d", "").split(" ")[-1]
        assert float(start[1:].split(",")[0]) < float(end.split(",")[0])


def test_nested_graphs_are_collapsible_groups_holding_their_ops() -> None:
    root = parse(job_graph_svg(mixed))
    groups = {g.get("data-path"): g for g in by_class(root, "g", "graph")}
    assert set(groups) == {"outer", "outer.inner"}
    # The inner graph's group sits inside the outer one, and holds the op.
    assert groups["outer.inner"] in list(groups["outer"])
    assert [g.get("data-path") for g in by_class(groups["outer.inner"], "g", "op")] == ["outer.inner.double"]
    titles = {t.get("data-toggle"): "".join(t.itertext()) for t in by_class(root, "text", "graph-title")}
    assert titles["outer"].endswith("outer") and titles["outer.inner"].endswith("inner")
    # The collapsing rule is in the drawing's own CSS, keyed on the class the JS hook toggles.
    style = root.find(f"{NS}style")
    assert style is not None and ".graph.collapsed>" in (style.text or "")


def test_frames_of_nested_graphs_hold_their_ops_and_no_other() -> None:
    root = parse(job_graph_svg(mixed))

    def rect(el: ET.Element) -> tuple[float, float, float, float]:
        r = el.find(f"{NS}rect")
        assert r is not None
        x, y = float(r.get("x", 0)), float(r.get("y", 0))
        return x, y, x + float(r.get("width", 0)), y + float(r.get("height", 0))

    frame = rect(by_class(root, "g", "graph")[0])
    for g in by_class(root, "g", "op"):
        x1, y1, x2, y2 = rect(g)
        inside = frame[0] <= x1 and x2 <= frame[2] and frame[1] <= y1 and y2 <= frame[3]
        overlaps = x1 < frame[2] and frame[0] < x2 and y1 < frame[3] and frame[1] < y2
        assert inside == g.get("data-path", "").startswith("outer."), g.get("data-path")
        assert overlaps == inside


def test_job_graph_is_deterministic_and_well_formed() -> None:
    # Op and input names are identifiers, so escaping in the job graph is a safeguard; the
    # timeline and lineage tests below check it on names that need it.
    first = job_graph_svg(mixed)
    assert first == job_graph_svg(mixed)
    assert first.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="job-graph"')
    parse(first)


def test_long_names_are_shortened_with_the_full_path_in_the_tooltip() -> None:
    long_name = "an_op_with_a_name_far_too_long_for_its_box_to_hold"

    @op(name=long_name)
    def long_op():
        return 1

    @job
    def long_job():
        long_op()

    root = parse(job_graph_svg(long_job))
    (g,) = by_class(root, "g", "op")
    assert texts(g)[0].endswith("\u2026") and long_name.startswith(texts(g)[0][:-1])
    title = g.find(f"{NS}title")
    assert title is not None and title.text == long_name


def test_timeline_draws_queued_and_running_bars_colored_by_status() -> None:
    steps = [
        StepSpan("a", StepStatus.SUCCESS, queued_at=100.0, started_at=101.0, ended_at=103.0),
        StepSpan("b <x>", StepStatus.FAILURE, queued_at=103.0, started_at=103.5, ended_at=104.0),
        StepSpan("c", None, queued_at=104.0, started_at=105.0),
        StepSpan("d", None, queued_at=104.0),
        StepSpan("e", None),
    ]
    svg = timeline_svg(steps, now=110.0, width=730.0)
    assert svg == timeline_svg(steps, now=110.0, width=730.0)
    root = parse(svg)
    rows = {g.get("data-step"): g for g in by_class(root, "g", "row")}
    assert {k: g.get("data-state") for k, g in rows.items()} == {
        "a": "success", "b <x>": "failure", "c": "running", "d": "queued", "e": "queued"}
    bars = {k: [(r.get("class"), float(r.get("x", 0)), float(r.get("width", 0))) for r in g.iter(f"{NS}rect")]
            for k, g in rows.items()}
    # 10 seconds over 730 - 230 - 24 = 476 pixels, from x = 242.
    scale = 476 / 10
    (q_cls, q_x, q_w), (r_cls, r_x, r_w) = bars["a"]
    assert (q_cls, r_cls) == ("bar queued", "bar success")
    assert q_x == pytest.approx(242.0, abs=0.1) and q_w == pytest.approx(scale, abs=0.1)
    assert r_x == pytest.approx(242 + scale, abs=0.1) and r_w == pytest.approx(2 * scale, abs=0.1)
    assert bars["b <x>"][1][0] == "bar failure"
    # A running step's bar reaches ``now``; a queued one has only its queued bar; one not queued, none.
    (_, c_x, c_w) = bars["c"][1]
    assert c_x + c_w == pytest.approx(242 + 476, abs=0.2)
    assert [b[0] for b in bars["d"]] == ["bar queued"] and bars["e"] == []
    title = rows["a"].find(f"{NS}title")
    assert title is not None and title.text == "a: success, queued 1s, ran 2s"


def test_timeline_without_times_says_so() -> None:
    assert "No steps yet." in timeline_svg([])
    root = parse(timeline_svg([StepSpan("only", None)]))
    assert "only" in texts(root) and "No step has been queued yet." in texts(root)


@asset
def raw_orders():
    return [1]


@asset
def clean_orders(raw_orders):
    return raw_orders


@asset(ins={"orders": AssetIn("clean_orders")}, key_prefix=["reports"], group_name="finance")
def summary(orders):
    return orders


def test_lineage_from_asset_definitions() -> None:
    nodes = lineage_nodes([summary, clean_orders, raw_orders])
    assert nodes == [
        AssetNode("clean_orders", ("raw_orders",), "default"),
        AssetNode("raw_orders", (), "default"),
        AssetNode("reports/summary", ("clean_orders",), "finance"),
    ]
    root = parse(lineage_svg(nodes))
    boxes = {g.get("data-key"): g for g in by_class(root, "g", "asset")}
    assert set(boxes) == {"raw_orders", "clean_orders", "reports/summary"}
    assert texts(boxes["reports/summary"]) == ["reports/summary", "finance"]
    edges = [(e.get("data-from"), e.get("data-to")) for e in by_class(root, "path", "edge")]
    assert sorted(edges) == [("clean_orders", "reports/summary"), ("raw_orders", "clean_orders")]
    xs = {k: float(g.find(f"{NS}rect").get("x", 0)) for k, g in boxes.items()}  # type: ignore[union-attr]
    assert xs["raw_orders"] < xs["clean_orders"] < xs["reports/summary"]


def test_lineage_draws_missing_upstream_keys_as_source_assets() -> None:
    root = parse(lineage_svg([AssetNode("b", ("a&b",))]))
    sources = by_class(root, "g", "source")
    assert [g.get("data-key") for g in sources] == ["a&b"]
    assert "a&amp;b" in lineage_svg([AssetNode("b", ("a&b",))])


def _chain_job(n: int):
    """A job of ``n`` ops: ten parallel chains, each op also fed by the op two rows up."""
    @op
    def start():
        return 0

    @op
    def step(a, b):
        return a + b

    @job(name=f"big_{n}")
    def big():
        outs = [start.alias(f"s{i}")() for i in range(10)]
        for i in range(10, n):
            outs.append(step.alias(f"op{i}")(outs[i - 10], outs[i - 3]))

    return big


def test_a_thousand_of_anything_draws_well_under_a_second() -> None:
    big = _chain_job(1000)
    _ = big.topology  # flattening is the job's cost, not the drawing's
    began = time.perf_counter()
    graph_svg = job_graph_svg(big)
    graph_s = time.perf_counter() - began
    assert len(by_class(parse(graph_svg), "g", "op")) == 1000

    spans = [StepSpan(f"step_{i}", StepStatus.SUCCESS, i * 0.1, i * 0.1 + 0.05, i * 0.1 + 0.5) for i in range(1000)]
    began = time.perf_counter()
    timeline = timeline_svg(spans)
    timeline_s = time.perf_counter() - began
    assert len(by_class(parse(timeline), "g", "row")) == 1000

    nodes = [AssetNode(f"a{i}", tuple(f"a{j}" for j in (i - 1, i - 7) if j >= 0)) for i in range(1000)]
    began = time.perf_counter()
    lineage = lineage_svg(nodes)
    lineage_s = time.perf_counter() - began
    assert len(by_class(parse(lineage), "g", "asset")) == 1000
    print(f"1,000 ops: {graph_s:.3f}s, 1,000 steps: {timeline_s:.3f}s, 1,000 assets: {lineage_s:.3f}s")
    assert graph_s < 0.5 and timeline_s < 0.5 and lineage_s < 0.5, (graph_s, timeline_s, lineage_s)


def test_a_step_started_before_its_queued_time_has_no_queued_bar() -> None:
    # The queued time is derived (its upstream's end, or the run's start) and the start time comes
    # from a worker's clock: when they disagree, the step shows its run bar only.
    root = parse(timeline_svg([StepSpan("early", StepStatus.SUCCESS, queued_at=10.0, started_at=9.9, ended_at=11.0)]))
    (row,) = by_class(root, "g", "row")
    assert [r.get("class") for r in row.iter(f"{NS}rect")] == ["bar success"]
