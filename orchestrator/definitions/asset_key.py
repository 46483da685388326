"""Asset keys: the name of an asset (a path of strings), and the key of an asset check.

They live apart from ``assets`` so that specs, checks, partitions and selections can name assets
without importing the definitions that compute them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orchestrator.errors import DefinitionError

__all__ = ["AssetKey", "AssetCheckKey", "CoercibleToAssetKey"]

CoercibleToAssetKey = Any  # AssetKey | str | Sequence[str] | a definition with a single ``key``


class AssetKey:
    """The name of an asset: a path of strings.

    Every asset, source asset and asset spec has one; selections, dependencies, IO managers and
    run events name assets by it. ``AssetKey(["warehouse", "orders"])`` is shown as
    ``warehouse/orders``; ``AssetKey("orders")`` is the one-part key ``orders`` (a string is never
    split: use ``AssetKey.from_user_string("a/b")`` to parse a slash-separated key). Keys compare
    and hash by their path, and sort by it.

    Args:
        path: The key's parts: one string (a one-part key) or a sequence of non-empty strings.

    Raises:
        DefinitionError: when ``path`` is empty or holds something other than non-empty strings.

    Examples:
        >>> from orchestrator import AssetKey
        >>> key = AssetKey(["warehouse", "orders"])
        >>> key.to_user_string()
        'warehouse/orders'
        >>> key.with_prefix("prod")
        AssetKey(['prod', 'warehouse', 'orders'])
        >>> AssetKey.from_user_string("warehouse/orders") == key
        True
    """

    __slots__ = ("path",)

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = [path] if isinstance(path, str) else list(path)
        if not parts or not all(isinstance(p, str) and p for p in parts):
            raise DefinitionError(f"AssetKey needs a non-empty string or list of strings, got {path!r}.")
        self.path: tuple[str, ...] = tuple(parts)

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """Parse ``"a/b/c"`` into ``AssetKey(["a", "b", "c"])``."""
        return cls(text.split("/"))

    @classmethod
    def from_coercible(cls, value: Any) -> AssetKey:
        """An ``AssetKey`` from a key, a ``"a/b"`` string, a list of parts, or a definition with one key."""
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls.from_user_string(value)
        key = getattr(value, "key", None)
        if isinstance(key, AssetKey):
            return key
        if isinstance(value, Sequence):
            return cls(value)
        raise DefinitionError(f"Cannot use {value!r} as an asset key: pass an AssetKey, a string or a list of strings.")

    from_coercible_or_definition = from_coercible

    def to_user_string(self) -> str:
        return "/".join(self.path)

    def to_string(self) -> str:
        """The key as a JSON list string, as Dagster stores it (``'["a", "b"]'``)."""
        import json

        return json.dumps(list(self.path))

    def to_python_identifier(self, suffix: str | None = None) -> str:
        """The key as a Python name (``a/b`` -> ``a__b``), used for the op that computes it."""
        name = "__".join(self.path).replace("-", "_").replace(".", "_")
        return f"{name}_{suffix}" if suffix else name

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        pre = [prefix] if isinstance(prefix, str) else list(prefix)
        return AssetKey([*pre, *self.path])

    def has_prefix(self, prefix: Sequence[str]) -> bool:
        return self.path[: len(prefix)] == tuple(prefix)

    @property
    def parent(self) -> AssetKey:
        if len(self.path) < 2:
            raise DefinitionError(f"Asset key '{self}' has a single part, so it has no parent.")
        return AssetKey(self.path[:-1])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetKey) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __str__(self) -> str:
        return self.to_user_string()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (AssetKey, (list(self.path),))


class AssetCheckKey:
    """The key of an asset check: the asset it checks and the check's name.

    Names one check in ``AssetSelection.checks(...)``, in ``selection=`` of ``materialize`` and in
    the evaluations a run records. It is shown as ``asset:check`` (``orders:no_nulls``). Unlike
    Dagster's, which takes an ``AssetKey`` only, ``asset_key`` may be anything that names an asset.

    Args:
        asset_key: The checked asset: an ``AssetKey``, a ``"a/b"`` string (split on ``/``), a list of
            parts, or a definition of exactly one asset.
        name: The check's name, unique among the checks of that asset.

    Raises:
        DefinitionError: when ``asset_key`` does not name an asset.

    Examples:
        >>> from orchestrator import AssetCheckKey, AssetKey
        >>> key = AssetCheckKey(AssetKey("orders"), "no_nulls")
        >>> key.to_user_string()
        'orders:no_nulls'
        >>> key == AssetCheckKey("orders", "no_nulls")
        True
    """

    __slots__ = ("asset_key", "name")

    def __init__(self, asset_key: Any, name: str) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key)
        self.name = name

    def to_user_string(self) -> str:
        return f"{self.asset_key.to_user_string()}:{self.name}"

    def to_python_identifier(self) -> str:
        return self.asset_key.to_python_identifier(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetCheckKey) and (other.asset_key, other.name) == (self.asset_key, self.name)

    def __hash__(self) -> int:
        return hash((self.asset_key, self.name))

    def __lt__(self, other: AssetCheckKey) -> bool:
        return (self.asset_key.path, self.name) < (other.asset_key.path, other.name)

    def __repr__(self) -> str:
        return f"AssetCheckKey(asset_key={self.asset_key!r}, name={self.name!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (AssetCheckKey, (self.asset_key, self.name))
