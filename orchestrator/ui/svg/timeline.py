"""A run's steps as a Gantt chart: per step, a light bar while queued and a bar colored by status
from start to end (to ``now`` while it still runs)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.status import StepStatus
from orchestrator.ui.svg.markup import esc, fit, num, svg_root

__all__ = ["StepSpan", "timeline_svg"]

ROW_H = 20.0
BAR_H = 12.0
LABEL_W = 230.0
AXIS_H = 28.0
MARGIN = 12.0

_COLORS = {
    "queued": "#cfd8dc",
    "running": "#1e88e5",
    StepStatus.SUCCESS.value: "#2e7d32",
    StepStatus.FAILURE.value: "#c62828",
    StepStatus.CANCELED.value: "#6d4c41",
    StepStatus.SKIPPED.value: "#9e9e9e",
    StepStatus.ABANDONED.value: "#bdbdbd",
}

STYLE = (
    "".join(f".bar.{name}{{fill:{color}}}" for name, color in _COLORS.items())
    + ".tick{stroke:#eceff1}.axis text{fill:#607d8b;font-size:10px}.label{fill:#263238}"
    + ".row:hover .label{font-weight:bold}"
)


@dataclass(frozen=True)
class StepSpan:
    """One step's times, as the run's events tell them (seconds since the epoch).

    ``key`` is the step key; ``status`` is how it ended, or None while it has not ended (it is
    then running if ``started_at`` is set, else queued); ``queued_at``, ``started_at`` and
    ``ended_at`` are None for what has not happened yet.
    """

    key: str
    status: StepStatus | None
    queued_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None

    @property
    def state(self) -> str:
        """The bar's class: the status's value, or ``running`` / ``queued`` before it ends."""
        if self.status is not None:
            return self.status.value
        return "running" if self.started_at is not None else "queued"


def _tick_step(span: float, wanted: int = 8) -> float:
    """A round interval (1, 2 or 5 times a power of ten, in seconds) giving about ``wanted`` ticks."""
    raw = span / wanted
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.3g}s" if seconds < 10 else f"{seconds:.0f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def timeline_svg(steps: Sequence[StepSpan], now: float | None = None, width: float = 960.0) -> str:
    """The Gantt chart of ``steps`` (one row each, in the given order) as an SVG document string.

    Parameters: ``steps``, the rows; ``now``, where bars of steps still queued or running end
    (default: the latest time any step reports); ``width``, the drawing's width in pixels.
    """
    times = [t for s in steps for t in (s.queued_at, s.started_at, s.ended_at) if t is not None]
    if now is not None:
        times.append(now)
    height = MARGIN * 2 + AXIS_H + ROW_H * max(len(steps), 1)
    if not times:
        text = "No steps yet." if not steps else "No step has been queued yet."
        body = [f'<text x="{num(MARGIN)}" y="{num(MARGIN + AXIS_H)}">{esc(text)}</text>']
        body += [f'<text class="label" x="{num(MARGIN)}" y="{num(MARGIN + AXIS_H + ROW_H * (i + 1))}">'
                 f"{esc(fit(s.key, LABEL_W))}</text>" for i, s in enumerate(steps)]
        return svg_root("timeline", width, height + ROW_H, body, STYLE)
    t0, t1 = min(times), max(times)
    end = t1 if now is None else max(now, t1)
    span = max(end - t0, 1e-3)
    chart_x, chart_w = MARGIN + LABEL_W, max(width - LABEL_W - 2 * MARGIN, 50.0)

    def x(t: float) -> float:
        return chart_x + (t - t0) / span * chart_w

    body = ['<g class="axis">']
    step = _tick_step(span)
    top, bottom = MARGIN + AXIS_H - 8, height - MARGIN
    for k in range(int(span / step) + 1):
        tx = x(t0 + k * step)
        body.append(f'<line class="tick" x1="{num(tx)}" y1="{num(top)}" x2="{num(tx)}" y2="{num(bottom)}"/>'
                    f'<text x="{num(tx + 2)}" y="{num(MARGIN + 10)}">+{esc(_duration(k * step))}</text>')
    body.append("</g>")
    for i, s in enumerate(steps):
        y = MARGIN + AXIS_H + ROW_H * i
        state = s.state
        facts = [f"{s.key}: {state}"]
        body.append(f'<g class="row" data-step="{esc(s.key)}" data-state="{esc(state)}">')
        body.append(f'<text class="label" x="{num(MARGIN)}" y="{num(y + 14)}">{esc(fit(s.key, LABEL_W - 8))}</text>')
        bar_y = num(y + (ROW_H - BAR_H) / 2)
        if s.queued_at is not None:
            q_end = s.started_at if s.started_at is not None else (s.ended_at if s.ended_at is not None else end)
            facts.append(f"queued {_duration(max(q_end - s.queued_at, 0.0))}")
        if s.queued_at is not None and q_end > s.queued_at:  # clocks of different hosts can disagree
            body.append(f'<rect class="bar queued" x="{num(x(s.queued_at))}" y="{bar_y}" '
                        f'width="{num(max(x(q_end) - x(s.queued_at), 1.0))}" height="{num(BAR_H)}"/>')
        if s.started_at is not None:
            r_end = s.ended_at if s.ended_at is not None else end
            facts.append(f"ran {_duration(max(r_end - s.started_at, 0.0))}")
            body.append(f'<rect class="bar {esc(state)}" x="{num(x(s.started_at))}" y="{bar_y}" '
                        f'width="{num(max(x(r_end) - x(s.started_at), 2.0))}" height="{num(BAR_H)}"/>')
        body.append(f"<title>{esc(', '.join(facts))}</title></g>")
    return svg_root("timeline", width, height, body, STYLE)
