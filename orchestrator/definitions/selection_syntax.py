"""Dagster's selection syntax, shared by op and asset selections: ``name``, ``*name`` (every
ancestor), ``++name`` (two levels up), ``name+`` (one level down), ``name*`` (every descendant)."""

from __future__ import annotations

__all__ = ["parse_clause"]


def parse_clause(clause: str) -> tuple[int | None, str, int | None]:
    """``(levels up, name, levels down)`` of one clause; ``None`` means every level."""
    body = clause.strip()
    up: int | None
    if body.startswith("*"):
        up, body = None, body[1:]
    else:
        up = len(body) - len(body.lstrip("+"))
        body = body[up:]
    down: int | None
    if body.endswith("*"):
        down, body = None, body[:-1]
    else:
        down = len(body) - len(body.rstrip("+"))
        body = body[: len(body) - down]
    return up, body, down
