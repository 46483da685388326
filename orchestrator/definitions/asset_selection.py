"""Asset selections: which assets a job materializes (keys, groups, upstream/downstream, set algebra)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.selection_syntax import parse_clause
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.assets import AssetKey, AssetsDefinition

__all__ = ["AssetSelection", "coerce_selection"]


class AssetSelection:
    """A lazily resolved set of asset keys, combined with ``|``, ``&`` and ``-``."""

    def resolve(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        raise NotImplementedError

    # -- constructors ------------------------------------------------------------------------
    @staticmethod
    def all() -> AssetSelection:
        return _All()

    @staticmethod
    def keys(*keys: Any) -> AssetSelection:
        from orchestrator.definitions.assets import AssetKey

        return _Keys([AssetKey.from_coercible(k) for k in keys])

    @staticmethod
    def assets(*defs: AssetsDefinition) -> AssetSelection:
        return _Keys([d.key for d in defs])

    @staticmethod
    def groups(*names: str) -> AssetSelection:
        return _Groups(list(names))

    # -- combinators -------------------------------------------------------------------------
    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "up", depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "down", depth, include_self)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "|")

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "&")

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "-")


class _All(AssetSelection):
    def resolve(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        return set(assets)


class _Keys(AssetSelection):
    def __init__(self, keys: Sequence[AssetKey]) -> None:
        self.selected = list(keys)

    def resolve(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        missing = [k for k in self.selected if k not in assets]
        if missing:
            known = ", ".join(sorted(k.to_user_string() for k in assets)) or "none"
            raise DefinitionError(
                f"Asset selection names {', '.join(repr(k.to_user_string()) for k in missing)}, which "
                f"is not defined here (assets: {known})."
            )
        return set(self.selected)


class _Groups(AssetSelection):
    def __init__(self, names: Sequence[str]) -> None:
        self.names = set(names)

    def resolve(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        return {k for k, a in assets.items() if a.group_name in self.names}


class _Walk(AssetSelection):
    def __init__(self, base: AssetSelection, direction: str, depth: int | None, include_self: bool) -> None:
        self.base, self.direction, self.depth, self.include_self = base, direction, depth, include_self

    def resolve(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        start = self.base.resolve(assets)
        edges: dict[AssetKey, list[AssetKey]] = {k: [] for k in assets}
        for k, a in assets.items():
            for up in a.upstream_keys:
                if up not in assets:
                    continue
                if self.direction == "up":
                    edges[k].append(up)
                else:
                    edges[up].append(k)
        seen, frontier, level = set(start), set(start), 0
        while frontier and (self.depth is None or level < self.depth):
            frontier = {n for f in frontier for n in edges[f]} - seen
            seen |= frontier
            level += 1
        return seen if self.include_self else seen - start


class _Combine(AssetSelection):
    def __init__(self, left: AssetSelection, right: AssetSelection, op: str) -> None:
        self.left, self.right, self.op = left, right, op

    def resolve(self, assets: Mapping[AssetKey, AssetsDefinition]) -> set[AssetKey]:
        a, b = self.left.resolve(assets), self.right.resolve(assets)
        return a | b if self.op == "|" else a & b if self.op == "&" else a - b


def _from_string(text: str) -> AssetSelection:
    """``"*"``, ``"name"``, ``"*name"``, ``"name+"``, ``"++name"``, ``"prefix/name"``."""
    text = text.strip()
    if text == "*":
        return AssetSelection.all()
    up, body, down = parse_clause(text)
    if not body:
        raise DefinitionError(f"Asset selection {text!r} names no asset.")
    sel: AssetSelection = AssetSelection.keys(body)
    if up != 0:
        sel = sel | AssetSelection.keys(body).upstream(up)
    if down != 0:
        sel = sel | AssetSelection.keys(body).downstream(down)
    return sel


def coerce_selection(selection: Any) -> AssetSelection:
    """Accept what users pass as ``selection=``: None (all), a string, a list, keys, definitions."""
    from orchestrator.definitions.assets import AssetKey, AssetsDefinition

    if selection is None:
        return AssetSelection.all()
    if isinstance(selection, AssetSelection):
        return selection
    if isinstance(selection, str):
        parts = [p for p in selection.split(",") if p.strip()]
        result = _from_string(parts[0])
        for p in parts[1:]:
            result = result | _from_string(p)
        return result
    if isinstance(selection, (AssetKey, AssetsDefinition)):
        return AssetSelection.keys(selection)
    if isinstance(selection, Iterable):
        items = list(selection)
        if not items:
            raise DefinitionError("An empty asset selection selects nothing; pass '*' for every asset.")
        result = coerce_selection(items[0])
        for item in items[1:]:
            result = result | coerce_selection(item)
        return result
    raise DefinitionError(f"Cannot use {selection!r} as an asset selection.")
