"""Asset selections: which assets (and asset checks) a job materializes.

A selection is resolved against an asset graph: keys, groups, key prefixes, tags, owners, kinds,
upstream/downstream walks with a depth, roots and sinks, combined with ``|``, ``&`` and ``-``.
Selecting an asset also selects the checks that target it, unless ``without_checks()`` says not to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.asset_key import AssetCheckKey, AssetKey
from orchestrator.definitions.selection_syntax import parse_clause
from orchestrator.errors import DefinitionError

if TYPE_CHECKING:
    from orchestrator.definitions.assets import AssetsDefinition

__all__ = ["AssetSelection", "coerce_selection", "AssetGraph"]


@dataclass
class AssetGraph:
    """What a selection is resolved against: the materializable assets (by key, with their definition),
    external (source) assets, the dependency edges, and the asset checks."""

    assets: dict[AssetKey, AssetsDefinition] = field(default_factory=dict)
    sources: dict[AssetKey, Any] = field(default_factory=dict)
    upstream: dict[AssetKey, set[AssetKey]] = field(default_factory=dict)
    checks: dict[AssetCheckKey, AssetsDefinition] = field(default_factory=dict)

    @staticmethod
    def from_definitions(items: Iterable[Any]) -> AssetGraph:
        """The graph of assets, source assets and checks in ``items``."""
        from orchestrator.definitions.assets import AssetsDefinition

        graph = AssetGraph()
        for item in items:
            if isinstance(item, AssetsDefinition):
                for key in item.keys:
                    existing = graph.assets.get(key)
                    if existing is not None and existing.node_def is not item.node_def:
                        raise DefinitionError(f"Two different assets have the key '{key}'. Asset keys must be unique.")
                    graph.assets[key] = item
                    graph.upstream[key] = {d.asset_key for d in item.get_asset_spec(key).deps} - {key}
                for check_key in item.check_keys:
                    graph.checks[check_key] = item
            else:
                graph.sources[item.key] = item
        for key in list(graph.sources):
            if key in graph.assets:
                del graph.sources[key]  # a materializable definition wins over an external one
        return graph

    @property
    def all_keys(self) -> set[AssetKey]:
        return set(self.assets) | set(self.sources)

    def downstream(self) -> dict[AssetKey, set[AssetKey]]:
        result: dict[AssetKey, set[AssetKey]] = {k: set() for k in self.all_keys}
        for key, ups in self.upstream.items():
            for up in ups:
                result.setdefault(up, set()).add(key)
        return result


def _graph_of(assets: Any) -> AssetGraph:
    if isinstance(assets, AssetGraph):
        return assets
    if isinstance(assets, Mapping):
        return AssetGraph.from_definitions(dict.fromkeys(assets.values()))
    return AssetGraph.from_definitions(assets)


class AssetSelection:
    """Which assets (and asset checks) a job materializes, resolved later against the assets defined.

    Build one with the static constructors (``keys``, ``assets``, ``groups``, ``key_prefixes``,
    ``key_substring``, ``tag``, ``owner``, ``kind``, ``checks``, ``all``...), widen it with
    ``upstream``/``downstream`` (optionally to a ``depth``), narrow it with ``roots``/``sinks``, and
    combine selections with ``|``, ``&`` and ``-``. Give it as ``selection=`` to
    ``define_asset_job`` or ``materialize``, or as a schedule's ``target``. Selecting an asset also
    selects the checks of that asset, unless ``without_checks()`` says not to. Of Dagster's string
    query language, only the older clause syntax (``"*name"``, ``"name+"``, ``"a,b"``) is read.

    Raises:
        DefinitionError: when resolved, if ``keys(...)`` names an asset that is not defined.

    Examples:
        >>> from orchestrator import AssetSelection, asset
        >>> @asset(group_name="raw")
        ... def orders():
        ...     return [1]
        >>> @asset
        ... def report(orders):
        ...     return len(orders)
        >>> @asset
        ... def slow(report):
        ...     return report
        >>> selection = AssetSelection.groups("raw").downstream() - AssetSelection.keys("slow")
        >>> sorted(key.to_user_string() for key in selection.resolve([orders, report, slow]))
        ['orders', 'report']
    """

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        raise NotImplementedError(f"{type(self).__name__} selects no assets.")

    def _checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        assets = self._assets(graph)
        return {k for k in graph.checks if k.asset_key in assets}

    def resolve(self, all_assets: Any) -> set[AssetKey]:
        """The asset keys selected among ``all_assets`` (definitions, or a key -> definition map)."""
        return self._assets(_graph_of(all_assets))

    def resolve_checks(self, all_assets: Any) -> set[AssetCheckKey]:
        """The asset check keys selected among ``all_assets``."""
        return self._checks(_graph_of(all_assets))

    # -- constructors ------------------------------------------------------------------------
    @staticmethod
    def all(include_sources: bool = False) -> AssetSelection:
        return _All(include_sources)

    @staticmethod
    def keys(*keys: Any) -> AssetSelection:
        return _Keys([AssetKey.from_coercible(k) for k in keys])

    @staticmethod
    def assets(*defs: Any) -> AssetSelection:
        return _Keys(_keys_of_items(defs))

    @staticmethod
    def groups(*group_strs: str, include_sources: bool = False) -> AssetSelection:
        return _Groups(list(group_strs), include_sources)

    @staticmethod
    def key_prefixes(*key_prefixes: str | Sequence[str], include_sources: bool = False) -> AssetSelection:
        prefixes = [[p] if isinstance(p, str) else list(p) for p in key_prefixes]
        return _KeyPrefixes(prefixes, include_sources)

    @staticmethod
    def key_substring(key_substring: str, include_sources: bool = False) -> AssetSelection:
        return _KeySubstring(key_substring, include_sources)

    @staticmethod
    def tag(key: str, value: str, include_sources: bool = False) -> AssetSelection:
        return _Tag(key, value, include_sources)

    @staticmethod
    def owner(owner: str) -> AssetSelection:
        return _Owner(owner)

    @staticmethod
    def kind(kind: str, include_sources: bool = False) -> AssetSelection:
        return _Kind(kind, include_sources)

    @staticmethod
    def checks(*assets_defs_or_check_keys: Any) -> AssetSelection:
        keys: list[AssetCheckKey] = []
        for item in assets_defs_or_check_keys:
            keys.extend(sorted(item.check_keys) if hasattr(item, "check_keys") else [item])
        return _Checks(keys)

    @staticmethod
    def checks_for_assets(*assets_defs: Any) -> AssetSelection:
        return _ChecksFor(_Keys(_keys_of_items(assets_defs)))

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        return _AllChecks()

    @staticmethod
    def materializable() -> AssetSelection:
        return _All(False)

    @staticmethod
    def from_coercible(selection: Any) -> AssetSelection:
        return coerce_selection(selection)

    @staticmethod
    def from_string(string: str) -> AssetSelection:
        """Dagster's older selection syntax: ``"*name"``, ``"name+"``, ``"a,b"``, ``"*"``."""
        return coerce_selection(string)

    # -- combinators -------------------------------------------------------------------------
    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "up", depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "down", depth, include_self)

    def roots(self) -> AssetSelection:
        """The selected assets none of whose upstream assets are selected."""
        return _Ends(self, "roots")

    def sinks(self) -> AssetSelection:
        """The selected assets none of whose downstream assets are selected."""
        return _Ends(self, "sinks")

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """The selection plus every asset a selected non-subsettable multi-asset must make with it."""
        return _Neighbors(self)

    def upstream_source_assets(self) -> AssetSelection:
        """The external assets directly upstream of the selection."""
        return _UpstreamSources(self)

    def without_checks(self) -> AssetSelection:
        return _WithoutChecks(self)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, coerce_selection(other), "|")

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, coerce_selection(other), "&")

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, coerce_selection(other), "-")


def _keys_of_items(items: Iterable[Any]) -> list[AssetKey]:
    """The asset keys of definitions (every key of a multi-asset), specs, source assets or keys."""
    from orchestrator.definitions.assets import AssetsDefinition

    keys: list[AssetKey] = []
    for item in items:
        keys.extend(sorted(item.keys) if isinstance(item, AssetsDefinition) else [AssetKey.from_coercible(item)])
    return keys


def _keys_of(graph: AssetGraph, include_sources: bool) -> set[AssetKey]:
    return graph.all_keys if include_sources else set(graph.assets)


def _spec_of(graph: AssetGraph, key: AssetKey) -> Any:
    if key in graph.assets:
        return graph.assets[key].get_asset_spec(key)
    return graph.sources[key]


class _All(AssetSelection):
    def __init__(self, include_sources: bool) -> None:
        self.include_sources = include_sources

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return _keys_of(graph, self.include_sources)


class _Keys(AssetSelection):
    def __init__(self, keys: Sequence[AssetKey]) -> None:
        self.selected = list(keys)

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        missing = [k for k in self.selected if k not in graph.all_keys]
        if missing:
            known = ", ".join(sorted(k.to_user_string() for k in graph.all_keys)) or "none"
            raise DefinitionError(
                f"Asset selection names {', '.join(repr(k.to_user_string()) for k in missing)}, which "
                f"is not defined here (assets: {known})."
            )
        return set(self.selected)


class _Groups(AssetSelection):
    def __init__(self, names: Sequence[str], include_sources: bool) -> None:
        self.names, self.include_sources = set(names), include_sources

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k in _keys_of(graph, self.include_sources) if _spec_of(graph, k).group_name in self.names}


class _KeyPrefixes(AssetSelection):
    def __init__(self, prefixes: Sequence[Sequence[str]], include_sources: bool) -> None:
        self.prefixes, self.include_sources = prefixes, include_sources

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k in _keys_of(graph, self.include_sources) if any(k.has_prefix(p) for p in self.prefixes)}


class _KeySubstring(AssetSelection):
    def __init__(self, text: str, include_sources: bool) -> None:
        self.text, self.include_sources = text, include_sources

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k in _keys_of(graph, self.include_sources) if self.text in k.to_user_string()}


class _Tag(AssetSelection):
    def __init__(self, key: str, value: str, include_sources: bool) -> None:
        self.key, self.value, self.include_sources = key, value, include_sources

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k in _keys_of(graph, self.include_sources)
                if getattr(_spec_of(graph, k), "tags", {}).get(self.key) == self.value}


class _Owner(AssetSelection):
    def __init__(self, owner: str) -> None:
        self.owner_name = owner

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k in graph.assets if self.owner_name in graph.assets[k].get_asset_spec(k).owners}


class _Kind(AssetSelection):
    def __init__(self, kind: str, include_sources: bool) -> None:
        self.kind_name, self.include_sources = kind, include_sources

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k in _keys_of(graph, self.include_sources)
                if self.kind_name in getattr(_spec_of(graph, k), "kinds", set())}


class _Checks(AssetSelection):
    def __init__(self, keys: Sequence[AssetCheckKey]) -> None:
        self.selected = list(keys)

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def _checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        missing = [k for k in self.selected if k not in graph.checks]
        if missing:
            raise DefinitionError(f"Asset selection names check(s) {[k.to_user_string() for k in missing]}, "
                                  "which are not defined here.")
        return set(self.selected)


class _ChecksFor(AssetSelection):
    def __init__(self, base: AssetSelection) -> None:
        self.base = base

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def _checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return self.base._checks(graph)


class _AllChecks(AssetSelection):
    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def _checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return set(graph.checks)


class _WithoutChecks(AssetSelection):
    def __init__(self, base: AssetSelection) -> None:
        self.base = base

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return self.base._assets(graph)

    def _checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return set()


class _Walk(AssetSelection):
    def __init__(self, base: AssetSelection, direction: str, depth: int | None, include_self: bool) -> None:
        self.base, self.direction, self.depth, self.include_self = base, direction, depth, include_self

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        start = self.base._assets(graph)
        edges = graph.upstream if self.direction == "up" else graph.downstream()
        seen, frontier, level = set(start), set(start), 0
        while frontier and (self.depth is None or level < self.depth):
            frontier = {n for f in frontier for n in edges.get(f, set())} - seen
            seen |= frontier
            level += 1
        # Walking up may reach external assets; a job can only materialize the others.
        seen &= graph.all_keys if self.direction == "down" else (set(graph.assets) | (start & graph.all_keys))
        return seen if self.include_self else seen - start


class _Ends(AssetSelection):
    def __init__(self, base: AssetSelection, which: str) -> None:
        self.base, self.which = base, which

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        selected = self.base._assets(graph)
        edges = graph.upstream if self.which == "roots" else graph.downstream()
        return {k for k in selected if not (edges.get(k, set()) & selected)}


class _Neighbors(AssetSelection):
    def __init__(self, base: AssetSelection) -> None:
        self.base = base

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        selected = self.base._assets(graph)
        extra = {k for key in selected if key in graph.assets and not graph.assets[key].can_subset
                 for k in graph.assets[key].keys}
        return selected | extra


class _UpstreamSources(AssetSelection):
    def __init__(self, base: AssetSelection) -> None:
        self.base = base

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        selected = self.base._assets(graph)
        return {up for k in selected for up in graph.upstream.get(k, set()) if up in graph.sources}


class _Combine(AssetSelection):
    def __init__(self, left: AssetSelection, right: AssetSelection, op: str) -> None:
        self.left, self.right, self.op = left, right, op

    @staticmethod
    def _apply(op: str, a: set[Any], b: set[Any]) -> set[Any]:
        return a | b if op == "|" else a & b if op == "&" else a - b

    def _assets(self, graph: AssetGraph) -> set[AssetKey]:
        return self._apply(self.op, self.left._assets(graph), self.right._assets(graph))

    def _checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return self._apply(self.op, self.left._checks(graph), self.right._checks(graph))


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
    from orchestrator.definitions.assets import AssetsDefinition, SourceAsset

    if selection is None:
        return AssetSelection.all()
    if isinstance(selection, AssetSelection):
        return selection
    if isinstance(selection, str):
        parts = [p for p in selection.split(",") if p.strip()]
        if not parts:
            raise DefinitionError("An empty asset selection selects nothing; pass '*' for every asset.")
        result = _from_string(parts[0])
        for p in parts[1:]:
            result = result | _from_string(p)
        return result
    if isinstance(selection, AssetKey):
        return AssetSelection.keys(selection)
    if isinstance(selection, AssetCheckKey):
        return AssetSelection.checks(selection)
    if isinstance(selection, AssetsDefinition):
        if not selection.keys:  # a checks definition
            return AssetSelection.checks(selection)
        return AssetSelection.assets(selection)
    if isinstance(selection, SourceAsset):
        return AssetSelection.keys(selection.key)
    if isinstance(selection, Iterable):
        items = list(selection)
        if not items:
            raise DefinitionError("An empty asset selection selects nothing; pass '*' for every asset.")
        if all(isinstance(i, str) for i in items) and any("/" in i for i in items):
            return AssetSelection.keys(*items)
        if all(isinstance(i, str) for i in items) and len(items) > 1 and not any(
                i.startswith(("*", "+")) or i.endswith(("*", "+")) for i in items):
            return AssetSelection.keys(*items)
        result = coerce_selection(items[0])
        for item in items[1:]:
            result = result | coerce_selection(item)
        return result
    raise DefinitionError(f"Cannot use {selection!r} as an asset selection.")
