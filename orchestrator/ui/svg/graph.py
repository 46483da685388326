"""A job's graph as SVG: its ops in dependency columns, left to right, read from ``job.topology``.

Each op is a box naming the op, its inputs (left) and outputs (right); edges run from an output to
the inputs it feeds. Mapped ops (run once per dynamic element) have a dashed border and a ``[*]``
after their name; dynamic outputs say ``[*]`` and their edges are dashed. Each nested graph is a
``<g class="graph" data-path=...>`` framing its ops; :data:`GRAPH_TOGGLE_JS` collapses it on a
click on its title.

Layout: an op's column is its longest dependency chain (``layers.longest_path_layers``). Rows are
bands: a graph's own ops stack per column at the top of its band and each nested graph gets its own
band below them, so no frame ever overlaps an op of another graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orchestrator.ui.svg.layers import longest_path_layers
from orchestrator.ui.svg.markup import curve, esc, fit, num, svg_root

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.topology import FlatOp, Topology

__all__ = ["GRAPH_TOGGLE_JS", "job_graph_svg"]

BOX_W = 170.0
TITLE_H = 24.0
PORT_H = 16.0
GAP_Y = 14.0
MARGIN = 16.0
FRAME_TITLE_H = 22.0
FRAME_PAD = 8.0

STYLE = (
    ".op rect{fill:#fff;stroke:#37474f;stroke-width:1.2}"
    ".op.mapped rect{stroke-dasharray:5 3;fill:#f3f7ff}"
    ".op .name{font-weight:bold}"
    ".port{fill:#37474f}.port.unbound{fill:#fff;stroke:#37474f}"
    ".edge{fill:none;stroke:#78909c;stroke-width:1.2}"
    ".edge.dynamic{stroke-dasharray:5 3;stroke:#3949ab}.edge.collect{stroke:#6a1b9a}"
    ".dynamic-out{fill:#3949ab}"
    ".graph>.frame{fill:#fafafa;stroke:#90a4ae;stroke-dasharray:2 2}"
    ".graph-title{cursor:pointer;font-weight:bold;fill:#455a64}"
    ".graph-title .shut{display:none}"
    ".graph.collapsed>*:not(.frame):not(.graph-title){display:none}"
    ".graph.collapsed>.frame{fill:#e8eaf6;stroke-dasharray:none}"
    ".graph.collapsed>.graph-title .shut{display:inline}.graph.collapsed>.graph-title .open{display:none}"
)

#: The page's hook for collapsing nested graphs: a click on a graph's title toggles the class
#: ``collapsed`` on its ``<g class="graph">`` (the drawing's CSS hides the graph's contents then).
GRAPH_TOGGLE_JS = (
    'document.addEventListener("click",function(e){'
    'var t=e.target&&e.target.closest?e.target.closest("[data-toggle]"):null;if(!t)return;'
    'var g=t.closest("g.graph");if(g)g.classList.toggle("collapsed");});'
)


@dataclass
class _Block:
    """A graph (or the job itself, path ``""``) in the layout: its own ops and nested graphs."""

    path: str
    depth: int
    ops: list[str] = field(default_factory=list)
    children: list[_Block] = field(default_factory=list)
    #: Columns spanned by every op inside, at any depth.
    first_col: int = 0
    last_col: int = 0
    #: How many levels of nested graphs lie inside (0 for a graph with none), to size the padding
    #: so an inner frame always sits inside its outer one.
    nesting: int = 0
    y: float = 0.0
    height: float = 0.0


@dataclass
class _Box:
    x: float
    y: float
    height: float


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def _box_height(flat: FlatOp) -> float:
    rows = max(len(flat.op_def.ins), len(flat.op_def.outs))
    return TITLE_H + PORT_H * rows + (6.0 if rows else 4.0)


def _common_graph(a: str, b: str) -> str:
    """The innermost graph holding both op paths (``""`` for the job)."""
    pa, pb = a.split(".")[:-1], b.split(".")[:-1]
    common: list[str] = []
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common.append(x)
    return ".".join(common)


def _blocks(topo: Topology, cols: dict[str, int]) -> _Block:
    """The tree of graphs, children in the order their first op appears in the topology."""
    root = _Block("", 0)
    blocks = {"": root}

    def block(path: str) -> _Block:
        found = blocks.get(path)
        if found is None:
            parent = block(_parent(path))
            found = blocks[path] = _Block(path, parent.depth + 1)
            parent.children.append(found)
        return found

    for path in topo.ops:
        block(_parent(path)).ops.append(path)

    def spans(b: _Block) -> None:
        own = [cols[p] for p in b.ops]
        for child in b.children:
            spans(child)
            own += [child.first_col, child.last_col]
        b.first_col, b.last_col = (min(own), max(own)) if own else (0, 0)
        b.nesting = 1 + max((c.nesting for c in b.children), default=-1) if b.children else 0

    spans(root)
    return root


def job_graph_svg(job: JobDefinition) -> str:
    """The graph of ``job`` as an SVG document string (deterministic for a given job).

    Parameters: ``job``, the job whose ``topology`` (ops by path, each input's sources) is drawn.
    """
    topo = job.topology
    if not topo.ops:
        return svg_root("job-graph", 240, 40, ['<text x="16" y="24">This job has no ops.</text>'], STYLE)
    order = list(topo.ops)
    cols = longest_path_layers(order, {p: f.upstream_paths for p, f in topo.ops.items()})
    root = _blocks(topo, cols)
    pad_unit = FRAME_PAD
    gap_x = 50.0 + 2 * pad_unit * (root.nesting + 1)

    def col_x(col: int) -> float:
        return MARGIN + pad_unit * (root.nesting + 1) + col * (BOX_W + gap_x)

    boxes: dict[str, _Box] = {}

    def place(b: _Block, y0: float) -> float:
        """Give ``b``'s ops their boxes from ``y0`` down; returns the bottom of its band."""
        b.y = y0
        y = y0 + (FRAME_TITLE_H if b.path else 0.0)
        bottoms: dict[int, float] = {}
        for path in b.ops:
            col = cols[path]
            top = bottoms.get(col, y)
            h = _box_height(topo.ops[path])
            boxes[path] = _Box(col_x(col), top, h)
            bottoms[col] = top + h + GAP_Y
        y = max([y, *bottoms.values()])
        for child in b.children:
            y = place(child, y) + GAP_Y
        bottom = y - (GAP_Y if b.children or b.ops else 0.0) + (FRAME_PAD if b.path else 0.0)
        b.height = bottom - y0
        return bottom

    total_h = place(root, MARGIN) + MARGIN
    total_w = col_x(root.last_col) + BOX_W + pad_unit * (root.nesting + 1) + MARGIN

    edges: dict[str, list[str]] = {}
    for path, flat in topo.ops.items():
        target = boxes[path]
        for i, (name, flat_input) in enumerate(flat.inputs.items()):
            y2 = target.y + TITLE_H + PORT_H * i + PORT_H / 2
            for src in flat_input.sources:
                source_box = boxes[src.path]
                j = list(topo.ops[src.path].op_def.outs).index(src.output)
                y1 = source_box.y + TITLE_H + PORT_H * j + PORT_H / 2
                kind = ["edge", flat_input.kind.replace("_", "-")]
                if topo.is_dynamic_output(src):
                    kind.append("dynamic")
                edges.setdefault(_common_graph(src.path, path), []).append(
                    f'<path class="{" ".join(kind)}" data-from="{esc(src.path)}.{esc(src.output)}" '
                    f'data-to="{esc(path)}.{esc(name)}" d="{curve(source_box.x + BOX_W, y1, target.x, y2)}"/>'
                )

    def draw(b: _Block, out: list[str]) -> None:
        if b.path:
            pad = pad_unit * (b.nesting + 1)
            x = col_x(b.first_col) - pad
            w = col_x(b.last_col) + BOX_W + pad - x
            name = b.path.rsplit(".", 1)[-1]
            out.append(f'<g class="graph" data-path="{esc(b.path)}">')
            out.append(f'<rect class="frame" x="{num(x)}" y="{num(b.y)}" width="{num(w)}" '
                       f'height="{num(b.height)}" rx="6"><title>{esc(b.path)}</title></rect>')
            out.append(f'<text class="graph-title" data-toggle="{esc(b.path)}" x="{num(x + 8)}" '
                       f'y="{num(b.y + 15)}"><tspan class="open">\u25be </tspan><tspan class="shut">\u25b8 </tspan>'
                       f"{esc(fit(name, w - 30))}</text>")
        else:
            out.append('<g class="root">')
        # Nested graphs first, then this graph's edges over their frames (an edge into a nested
        # graph stays visible up to its op), then the ops over the edges' ends.
        for child in b.children:
            draw(child, out)
        out.extend(edges.get(b.path, ()))
        for path in b.ops:
            out.append(_op_markup(topo, path, boxes[path]))
        out.append("</g>")

    body: list[str] = []
    draw(root, body)
    return svg_root("job-graph", total_w, total_h, body, STYLE)


def _op_markup(topo: Topology, path: str, box: _Box) -> str:
    """One op's box: name (``[*]`` when mapped), input ports on the left, output ports on the right."""
    flat = topo.ops[path]
    mapped = flat.mapped_on is not None
    name = path.rsplit(".", 1)[-1] + (" [*]" if mapped else "")
    x, y = box.x, box.y
    parts = [
        f'<g class="op{" mapped" if mapped else ""}" data-path="{esc(path)}">',
        f"<title>{esc(path)}</title>",
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(BOX_W)}" height="{num(box.height)}" rx="4"/>',
        f'<text class="name" x="{num(x + 8)}" y="{num(y + 16)}">{esc(fit(name, BOX_W - 16))}</text>',
    ]
    half = BOX_W / 2 - 10
    for i, (input_name, flat_input) in enumerate(flat.inputs.items()):
        py = y + TITLE_H + PORT_H * i + PORT_H / 2
        unbound = " unbound" if flat_input.kind == "unbound" else ""
        parts.append(f'<circle class="port in{unbound}" cx="{num(x)}" cy="{num(py)}" r="3"/>')
        parts.append(f'<text class="input" x="{num(x + 8)}" y="{num(py + 4)}">{esc(fit(input_name, half))}</text>')
    for j, (output_name, out) in enumerate(flat.op_def.outs.items()):
        py = y + TITLE_H + PORT_H * j + PORT_H / 2
        label = output_name + (" [*]" if out.is_dynamic else "")
        cls = "output dynamic-out" if out.is_dynamic else "output"
        parts.append(f'<circle class="port out" cx="{num(x + BOX_W)}" cy="{num(py)}" r="3"/>')
        parts.append(f'<text class="{cls}" x="{num(x + BOX_W - 8)}" y="{num(py + 4)}" '
                     f'text-anchor="end">{esc(fit(label, half))}</text>')
    parts.append("</g>")
    return "".join(parts)
