"""Layer assignment for the left-to-right drawings: each node's column is the length of the
longest chain of dependencies leading to it, so every edge points rightwards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def longest_path_layers(order: Sequence[str], upstream: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each node's layer: 0 for nodes with no upstream, else one more than its deepest upstream.

    Parameters: ``order``, every node once (the result follows it, so it decides ties and keeps
    the drawing deterministic); ``upstream``, each node's upstream nodes (names outside ``order``
    are ignored). Runs in time linear in nodes plus edges (Kahn's algorithm). Nodes on a cycle,
    which a valid job or asset graph never has, are placed after everything they can reach
    from instead of failing the page.
    """
    known = set(order)
    preds = {node: [u for u in dict.fromkeys(upstream.get(node, ())) if u in known and u != node] for node in order}
    downstream: dict[str, list[str]] = {node: [] for node in order}
    waiting = {node: len(ups) for node, ups in preds.items()}
    for node, ups in preds.items():
        for up in ups:
            downstream[up].append(node)
    layer = dict.fromkeys(order, 0)
    ready = [node for node in order if waiting[node] == 0]
    done: set[str] = set()
    while True:
        while ready:
            node = ready.pop()
            done.add(node)
            for down in downstream[node]:
                layer[down] = max(layer[down], layer[node] + 1)
                waiting[down] -= 1
                if waiting[down] == 0:
                    ready.append(down)
        stuck = [node for node in order if node not in done]
        if not stuck:
            return layer
        # A cycle: release its first node (in ``order``) as if its remaining upstream were done.
        waiting[stuck[0]] = 0
        ready.append(stuck[0])
