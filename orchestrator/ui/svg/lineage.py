"""The asset lineage graph as SVG: one box per asset key, edges from each asset to the assets built
from it, left to right. Keys that something depends on but no definition makes (source assets)
are drawn too, with a dashed border."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from orchestrator.definitions.assets import AssetsDefinition
from orchestrator.ui.svg.layers import longest_path_layers
from orchestrator.ui.svg.markup import curve, esc, fit, num, svg_root

__all__ = ["AssetNode", "lineage_nodes", "lineage_svg"]

BOX_W = 200.0
BOX_H = 34.0
GAP_X = 70.0
GAP_Y = 12.0
MARGIN = 16.0

STYLE = (
    ".asset rect{fill:#fff;stroke:#37474f;stroke-width:1.2}"
    ".asset.source rect{stroke-dasharray:4 3;fill:#f5f5f5}"
    ".asset .group{fill:#78909c;font-size:10px}"
    ".edge{fill:none;stroke:#78909c;stroke-width:1.2}"
)


@dataclass(frozen=True)
class AssetNode:
    """One asset in the lineage: its key as the user writes it (``a/b``), the keys it is built
    from, and its group (shown under the key unless it is ``default``)."""

    key: str
    upstream: tuple[str, ...] = ()
    group: str | None = None


def lineage_nodes(assets: Iterable[object]) -> list[AssetNode]:
    """The lineage of every asset some ``AssetsDefinition`` in ``assets`` makes, sorted by key.

    Parameters: ``assets``, e.g. a ``Definitions``' assets; entries that make no asset (source
    assets, specs) are skipped, and the keys they stand for appear as upstream keys.
    """
    nodes: dict[str, AssetNode] = {}
    for definition in assets:
        if not isinstance(definition, AssetsDefinition):
            continue
        deps, groups = definition.asset_deps, definition.group_names_by_key
        for key in definition.keys:
            name = key.to_user_string()
            nodes[name] = AssetNode(name, tuple(sorted(k.to_user_string() for k in deps.get(key, ()))), groups.get(key))
    return [nodes[k] for k in sorted(nodes)]


def lineage_svg(assets: Sequence[AssetNode]) -> str:
    """The lineage graph of ``assets`` as an SVG document string (deterministic for given nodes).

    Parameters: ``assets``, each asset with its upstream keys; an upstream key with no node of
    its own is drawn as a source asset.
    """
    given = {a.key: a for a in assets}
    for a in assets:
        for up in a.upstream:
            given.setdefault(up, AssetNode(up))
    sources = {k for k in given if k not in {a.key for a in assets}}
    order = sorted(given)
    if not order:
        return svg_root("lineage", 240, 40, ['<text x="16" y="24">No assets.</text>'], STYLE)
    cols = longest_path_layers(order, {k: given[k].upstream for k in order})
    # Within a column, order by the mean row of upstream assets (one sweep, left to right), so
    # edges cross less; ties fall back to the key, which keeps the output deterministic.
    by_col: dict[int, list[str]] = {}
    for k in order:
        by_col.setdefault(cols[k], []).append(k)
    row: dict[str, int] = {}
    for col in sorted(by_col):
        def weight(k: str) -> float:
            ups = [row[u] for u in given[k].upstream if u in row]
            return sum(ups) / len(ups) if ups else -1.0
        for i, k in enumerate(sorted(by_col[col], key=lambda k: (weight(k), k))):
            row[k] = i
    pos = {k: (MARGIN + cols[k] * (BOX_W + GAP_X), MARGIN + row[k] * (BOX_H + GAP_Y)) for k in order}
    width = MARGIN * 2 + (max(by_col) + 1) * BOX_W + max(by_col) * GAP_X
    height = MARGIN * 2 + max(len(v) for v in by_col.values()) * (BOX_H + GAP_Y) - GAP_Y
    body: list[str] = []
    for k in order:
        x2, y2 = pos[k]
        for up in dict.fromkeys(given[k].upstream):
            x1, y1 = pos[up]
            body.append(f'<path class="edge" data-from="{esc(up)}" data-to="{esc(k)}" '
                        f'd="{curve(x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2)}"/>')
    for k in order:
        x, y = pos[k]
        node = given[k]
        cls = "asset source" if k in sources else "asset"
        body.append(f'<g class="{cls}" data-key="{esc(k)}"><title>{esc(k)}</title>'
                    f'<rect x="{num(x)}" y="{num(y)}" width="{num(BOX_W)}" height="{num(BOX_H)}" rx="4"/>'
                    f'<text x="{num(x + 8)}" y="{num(y + 15)}">{esc(fit(k, BOX_W - 16))}</text>')
        if node.group and node.group != "default":
            body.append(f'<text class="group" x="{num(x + 8)}" y="{num(y + 28)}">{esc(fit(node.group, BOX_W - 16))}</text>')
        body.append("</g>")
    return svg_root("lineage", width, height, body, STYLE)
