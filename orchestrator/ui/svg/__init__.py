"""The web UI's drawings, as SVG strings built by pure functions (no I/O, deterministic output).

- :func:`job_graph_svg`: a job's ops laid out left to right by dependency, nested graphs as
  collapsible groups, dynamic outputs and mapped ops marked.
- :func:`timeline_svg`: a Gantt chart of each step's queued, started and ended times.
- :func:`lineage_svg`: the asset lineage graph.

Every piece of user text (op, input, output, asset and step names) is HTML-escaped. The server
pages embed the returned markup inline, plus :data:`GRAPH_TOGGLE_JS` to make nested graphs
collapse on click.
"""

from __future__ import annotations

from orchestrator.ui.svg.graph import GRAPH_TOGGLE_JS, job_graph_svg
from orchestrator.ui.svg.lineage import AssetNode, lineage_nodes, lineage_svg
from orchestrator.ui.svg.timeline import StepSpan, timeline_svg

__all__ = ["GRAPH_TOGGLE_JS", "AssetNode", "StepSpan", "job_graph_svg", "lineage_nodes", "lineage_svg", "timeline_svg"]
