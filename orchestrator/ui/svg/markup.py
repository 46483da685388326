"""Small SVG markup pieces shared by the drawings: escaping, shortening labels, the root element."""

from __future__ import annotations

import html

#: Approximate width of one character of the 12px sans-serif labels, used to shorten labels that
#: would overflow their box (browsers do not wrap or clip SVG text themselves).
CHAR_WIDTH = 7.0


def esc(text: object) -> str:
    """``text`` as a string safe inside SVG element content and double-quoted attributes."""
    return html.escape(str(text), quote=True)


def fit(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` pixels of label (not escaped).

    Parameters: ``text``, the full label; ``width``, the pixels available for it.
    """
    limit = max(int(width // CHAR_WIDTH), 2)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def num(value: float) -> str:
    """A coordinate printed with at most one decimal, so output is stable and compact."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def svg_root(css_class: str, width: float, height: float, body: list[str], style: str) -> str:
    """The ``<svg>`` element around ``body``.

    Parameters: ``css_class``, the root's class (pages style and find drawings by it); ``width``
    and ``height``, the drawing's size in pixels; ``body``, its elements in order; ``style``, CSS
    kept inside the drawing so it looks the same wherever it is embedded.
    """
    w, h = num(width), num(height)
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
        f"<style>{style}</style>",
        *body,
        "</svg>",
    ])


def curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """The ``d`` of a left-to-right edge from (x1, y1) to (x2, y2), bent like Dagster's."""
    mid = (x1 + x2) / 2
    return f"M{num(x1)},{num(y1)} C{num(mid)},{num(y1)} {num(mid)},{num(y2)} {num(x2)},{num(y2)}"
