"""Collecting assets from modules: ``load_assets_from_modules`` and its package / current-module
variants, with a key prefix and a group applied to everything loaded; the ``load_asset_checks_*``
functions collect asset checks the same way."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

from orchestrator.definitions.asset_checks import AssetChecksDefinition
from orchestrator.definitions.asset_key import AssetKey
from orchestrator.definitions.asset_spec import AssetSpec
from orchestrator.definitions.assets import DEFAULT_GROUP, AssetsDefinition, SourceAsset
from orchestrator.definitions.keyword_args import reject_unknown_kwargs
from orchestrator.errors import DefinitionError

__all__ = ["load_assets_from_modules", "load_assets_from_current_module", "load_assets_from_package_module",
           "load_assets_from_package_name", "load_asset_checks_from_modules",
           "load_asset_checks_from_current_module", "load_asset_checks_from_package_module",
           "load_asset_checks_from_package_name"]


def _objects_in(module: ModuleType, kinds: tuple[type, ...]) -> Iterable[Any]:
    """Module attributes of the given kinds, and items of list/tuple attributes of them (in order)."""
    for value in list(vars(module).values()):
        if isinstance(value, kinds):
            yield value
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, kinds) for v in value):
            yield from value


def _is_asset(value: Any) -> bool:
    return isinstance(value, AssetsDefinition) and not isinstance(value, AssetChecksDefinition)


def _collect(modules: Iterable[ModuleType], include_specs: bool) -> list[Any]:
    kinds: tuple[type, ...] = (AssetsDefinition, SourceAsset, AssetSpec) if include_specs else (AssetsDefinition, SourceAsset)
    found: dict[int, Any] = {}
    owner: dict[AssetKey, tuple[Any, str]] = {}
    for module in modules:
        for value in _objects_in(module, kinds):
            if isinstance(value, AssetsDefinition) and not _is_asset(value):
                continue
            if id(value) in found:
                continue
            keys = sorted(value.keys) if isinstance(value, AssetsDefinition) else [value.key]
            for key in keys:
                previous = owner.get(key)
                if previous is not None and not _same(previous[0], value):
                    raise DefinitionError(
                        f"Asset key '{key}' is defined twice: in module '{previous[1]}' and in module "
                        f"'{module.__name__}'. Asset keys must be unique; rename one or give a key_prefix."
                    )
                owner[key] = (value, module.__name__)
            found[id(value)] = value
    return list(found.values())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, AssetsDefinition) and isinstance(b, AssetsDefinition):
        return a.node_def is b.node_def
    return a is b


def _prefix_parts(prefix: str | Sequence[str] | None) -> list[str]:
    return [prefix] if isinstance(prefix, str) else list(prefix or [])


def _apply(items: list[Any], key_prefix: str | Sequence[str] | None, group_name: str | None,
           source_key_prefix: str | Sequence[str] | None) -> list[Any]:
    prefix = _prefix_parts(key_prefix)
    source_prefix = _prefix_parts(source_key_prefix)
    replacements: dict[AssetKey, AssetKey] = {}
    if prefix:
        for item in items:
            if isinstance(item, AssetsDefinition):
                replacements.update({k: k.with_prefix(prefix) for k in item.all_keys})
    if source_prefix:
        for item in items:
            if isinstance(item, (SourceAsset, AssetSpec)):
                replacements[item.key] = item.key.with_prefix(source_prefix)
    result: list[Any] = []
    for item in items:
        if isinstance(item, AssetsDefinition):
            groups: dict[AssetKey, str] = {}
            if group_name is not None:
                for key, current in item.group_names_by_key.items():
                    if current not in (DEFAULT_GROUP, group_name):
                        raise DefinitionError(
                            f"Asset '{key}' already has group '{current}', so group_name='{group_name}' cannot "
                            "be applied to it; remove one of them."
                        )
                    groups[key] = group_name
            if replacements or groups:
                item = item.with_attributes(asset_key_replacements=replacements,
                                            group_names_by_key=groups)
        elif isinstance(item, SourceAsset):
            item = item.with_attributes(key=replacements.get(item.key), group_name=group_name)
        elif isinstance(item, AssetSpec):
            changes: dict[str, Any] = {}
            if item.key in replacements:
                changes["key"] = replacements[item.key]
            if group_name is not None:
                changes["group_name"] = group_name
            item = item.replace_attributes(**changes) if changes else item
        result.append(item)
    return result


# Dagster's scheduling-only arguments of the load_assets_* functions: accepted, and unused (this
# package's scheduler runs assets through schedules and sensors, not through these policies).
_SCHEDULING_ARGS = frozenset({"automation_condition", "backfill_policy", "legacy_freshness_policy",
                              "freshness_policy", "auto_materialize_policy"})


def load_assets_from_modules(modules: Iterable[ModuleType], group_name: str | None = None,
                             key_prefix: str | Sequence[str] | None = None, *,
                             source_key_prefix: str | Sequence[str] | None = None, include_specs: bool = False,
                             **kwargs: Any) -> list[Any]:
    """Collect the assets defined at the top level of some modules, for ``Definitions(assets=...)``.

    A module attribute that is an asset definition or ``SourceAsset`` is loaded, and so is each item
    of a list or tuple attribute made only of them; an object reached twice is loaded once. Asset
    checks are not: use ``load_asset_checks_from_modules``. Dagster's scheduling-only arguments
    (``freshness_policy``, ``automation_condition``, ``backfill_policy``) are accepted and ignored;
    any other keyword argument is a ``TypeError``.

    Args:
        modules: The modules to read (already imported).
        group_name: The group every loaded asset (and, with ``include_specs``, spec) is put in.
            Defaults to None: each keeps its own.
        key_prefix: A prefix (a string or list of parts) for the key of every loaded computed asset,
            and for the dependencies between loaded assets. Defaults to none.
        source_key_prefix: A prefix for the key of every loaded ``SourceAsset`` (and ``AssetSpec``),
            and for the dependencies on them. Defaults to none.
        include_specs: Whether bare ``AssetSpec`` objects (external assets) are loaded too.
            Defaults to False.
        **kwargs: Dagster's scheduling-only arguments (``automation_condition``,
            ``backfill_policy``, ``legacy_freshness_policy``, ``freshness_policy``,
            ``auto_materialize_policy``), accepted and ignored.

    Returns:
        The loaded definitions, in module order, with the prefixes and group applied (copies where
        something changed).

    Raises:
        TypeError: when a keyword argument is unknown (it is named).
        DefinitionError: when two different definitions have the same asset key, or ``group_name``
            meets an asset that already has another group.

    Examples:
        >>> import types
        >>> from orchestrator import asset, load_assets_from_modules
        >>> @asset
        ... def orders():
        ...     return [1, 2]
        >>> @asset
        ... def total(orders):
        ...     return sum(orders)
        >>> etl = types.ModuleType("etl")
        >>> etl.orders, etl.total = orders, total
        >>> loaded = load_assets_from_modules([etl], group_name="sales", key_prefix="prod")
        >>> loaded
        [<AssetsDefinition prod/orders>, <AssetsDefinition prod/total>]
        >>> loaded[1].keys_by_input_name, loaded[1].group_name
        ({'orders': AssetKey(['prod', 'orders'])}, 'sales')
    """
    reject_unknown_kwargs("load_assets_from_modules", kwargs, _SCHEDULING_ARGS)
    return _apply(_collect(list(modules), include_specs), key_prefix, group_name, source_key_prefix)


def _caller_module() -> ModuleType:
    # Two frames up: the caller of the public load_*_from_current_module function.
    name = sys._getframe(2).f_globals.get("__name__")
    module = sys.modules.get(name) if name else None
    if module is None:
        raise DefinitionError("Could not tell which module called load_assets_from_current_module.")
    return module


def load_assets_from_current_module(group_name: str | None = None, key_prefix: str | Sequence[str] | None = None,
                                    *, source_key_prefix: str | Sequence[str] | None = None,
                                    include_specs: bool = False, **kwargs: Any) -> list[Any]:
    """Collect the assets defined so far at the top level of the module that calls this function.

    Call it at the end of a module that defines assets (``defs = Definitions(assets=
    load_assets_from_current_module())``). It reads the calling module as
    ``load_assets_from_modules`` does, so only what is defined above the call is found.

    Args:
        group_name: The group every loaded asset (and, with ``include_specs``, spec) is put in.
            Defaults to None: each keeps its own.
        key_prefix: A prefix (a string or list of parts) for the key of every loaded computed asset,
            and for the dependencies between loaded assets. Defaults to none.
        source_key_prefix: A prefix for the key of every loaded ``SourceAsset`` (and ``AssetSpec``),
            and for the dependencies on them. Defaults to none.
        include_specs: Whether bare ``AssetSpec`` objects (external assets) are loaded too.
            Defaults to False.
        **kwargs: Dagster's scheduling-only arguments (``automation_condition``,
            ``backfill_policy``, ``legacy_freshness_policy``, ``freshness_policy``,
            ``auto_materialize_policy``), accepted and ignored.

    Returns:
        The loaded definitions, with the prefixes and group applied.

    Raises:
        TypeError: when a keyword argument is unknown (it is named).
        DefinitionError: when the calling module cannot be found in ``sys.modules``, two definitions
            have the same asset key, or ``group_name`` meets an asset that already has another group.

    Examples:
        >>> import sys, types
        >>> sales = sys.modules["sales"] = types.ModuleType("sales")
        >>> exec('''
        ... from orchestrator import asset, load_assets_from_current_module
        ... @asset
        ... def orders():
        ...     return [1, 2]
        ... all_assets = load_assets_from_current_module(group_name="sales")
        ... ''', vars(sales))
        >>> [(a.key.to_user_string(), a.group_name) for a in sales.all_assets]
        [('orders', 'sales')]
        >>> del sys.modules["sales"]
    """
    reject_unknown_kwargs("load_assets_from_current_module", kwargs, _SCHEDULING_ARGS)
    return load_assets_from_modules([_caller_module()], group_name, key_prefix, source_key_prefix=source_key_prefix,
                                    include_specs=include_specs)


def _package_modules(package: ModuleType) -> list[ModuleType]:
    modules = [package]
    path = getattr(package, "__path__", None)
    if path is not None:
        for info in pkgutil.walk_packages(path, prefix=f"{package.__name__}."):
            modules.append(importlib.import_module(info.name))
    return modules


def load_assets_from_package_module(package_module: ModuleType, group_name: str | None = None,
                                    key_prefix: str | Sequence[str] | None = None, *,
                                    source_key_prefix: str | Sequence[str] | None = None,
                                    include_specs: bool = False, **kwargs: Any) -> list[Any]:
    """Collect the assets defined in a package and in all of its submodules, imported to find them.

    Reach for it when a project keeps its assets in a package (``my_project/assets/...``): every
    submodule found by ``pkgutil.walk_packages`` is imported, then read as
    ``load_assets_from_modules`` does.

    Args:
        package_module: The package (already imported); a plain module is read on its own.
        group_name: The group every loaded asset (and, with ``include_specs``, spec) is put in.
            Defaults to None: each keeps its own.
        key_prefix: A prefix (a string or list of parts) for the key of every loaded computed asset,
            and for the dependencies between loaded assets. Defaults to none.
        source_key_prefix: A prefix for the key of every loaded ``SourceAsset`` (and ``AssetSpec``),
            and for the dependencies on them. Defaults to none.
        include_specs: Whether bare ``AssetSpec`` objects (external assets) are loaded too.
            Defaults to False.
        **kwargs: Dagster's scheduling-only arguments (``automation_condition``,
            ``backfill_policy``, ``legacy_freshness_policy``, ``freshness_policy``,
            ``auto_materialize_policy``), accepted and ignored.

    Returns:
        The loaded definitions, with the prefixes and group applied.

    Raises:
        TypeError: when a keyword argument is unknown (it is named).
        DefinitionError: when two different definitions have the same asset key, or ``group_name``
            meets an asset that already has another group.

    Examples:
        >>> import importlib, os, pathlib, sys
        >>> from orchestrator import load_assets_from_package_module
        >>> package = pathlib.Path("shop_assets")
        >>> package.mkdir()
        >>> _ = (package / "__init__.py").write_text("")
        >>> _ = (package / "orders.py").write_text('''
        ... from orchestrator import asset
        ... @asset
        ... def orders():
        ...     return 1
        ... ''')
        >>> sys.path.insert(0, os.getcwd())
        >>> load_assets_from_package_module(importlib.import_module("shop_assets"), key_prefix="shop")
        [<AssetsDefinition shop/orders>]
        >>> sys.path.remove(os.getcwd())
    """
    reject_unknown_kwargs("load_assets_from_package_module", kwargs, _SCHEDULING_ARGS)
    return load_assets_from_modules(_package_modules(package_module), group_name, key_prefix,
                                    source_key_prefix=source_key_prefix, include_specs=include_specs)


def load_assets_from_package_name(package_name: str, group_name: str | None = None,
                                  key_prefix: str | Sequence[str] | None = None, *,
                                  source_key_prefix: str | Sequence[str] | None = None,
                                  include_specs: bool = False, **kwargs: Any) -> list[Any]:
    """Collect the assets of a package and its submodules, naming the package by its import name.

    The same as ``load_assets_from_package_module(importlib.import_module(package_name), ...)``.

    Args:
        package_name: The package's import name (``"my_project.assets"``).
        group_name: The group every loaded asset (and, with ``include_specs``, spec) is put in.
            Defaults to None: each keeps its own.
        key_prefix: A prefix (a string or list of parts) for the key of every loaded computed asset,
            and for the dependencies between loaded assets. Defaults to none.
        source_key_prefix: A prefix for the key of every loaded ``SourceAsset`` (and ``AssetSpec``),
            and for the dependencies on them. Defaults to none.
        include_specs: Whether bare ``AssetSpec`` objects (external assets) are loaded too.
            Defaults to False.
        **kwargs: Dagster's scheduling-only arguments (``automation_condition``,
            ``backfill_policy``, ``legacy_freshness_policy``, ``freshness_policy``,
            ``auto_materialize_policy``), accepted and ignored.

    Returns:
        The loaded definitions, with the prefixes and group applied.

    Raises:
        TypeError: when a keyword argument is unknown (it is named).
        ModuleNotFoundError: when no package has that name.
        DefinitionError: when two different definitions have the same asset key, or ``group_name``
            meets an asset that already has another group.

    Examples:
        >>> import os, pathlib, sys
        >>> from orchestrator import load_assets_from_package_name
        >>> package = pathlib.Path("crm_assets")
        >>> package.mkdir()
        >>> _ = (package / "__init__.py").write_text("")
        >>> _ = (package / "users.py").write_text('''
        ... from orchestrator import asset
        ... @asset
        ... def users():
        ...     return 1
        ... ''')
        >>> sys.path.insert(0, os.getcwd())
        >>> [a.group_name for a in load_assets_from_package_name("crm_assets", group_name="crm")]
        ['crm']
        >>> sys.path.remove(os.getcwd())
    """
    reject_unknown_kwargs("load_assets_from_package_name", kwargs, _SCHEDULING_ARGS)
    return load_assets_from_package_module(importlib.import_module(package_name), group_name, key_prefix,
                                           source_key_prefix=source_key_prefix, include_specs=include_specs)


def _checks_in(modules: Iterable[ModuleType], asset_key_prefix: str | Sequence[str] | None) -> list[Any]:
    found: dict[int, AssetChecksDefinition] = {}
    for module in modules:
        for value in _objects_in(module, (AssetChecksDefinition,)):
            found.setdefault(id(value), value)
    prefix = _prefix_parts(asset_key_prefix)
    checks = list(found.values())
    if not prefix:
        return checks
    result = []
    for check in checks:
        replacements = {k: k.with_prefix(prefix) for k in {*check.keys_by_input_name.values(),
                                                             *(s.asset_key for s in check.check_specs)}}
        result.append(check.with_attributes(asset_key_replacements=replacements))
    return result


def load_asset_checks_from_modules(modules: Iterable[ModuleType],
                                   asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Collect the asset checks defined at the top level of some modules, for ``Definitions(asset_checks=...)``.

    A module attribute that is an ``AssetChecksDefinition`` (``@asset_check``,
    ``@multi_asset_check``) is loaded, and so is each item of a list or tuple attribute made only
    of them. Assets are not: use ``load_assets_from_modules``.

    Args:
        modules: The modules to read (already imported).
        asset_key_prefix: The prefix the checked assets were loaded with (``key_prefix`` of the
            ``load_assets_*`` call), added to the keys the checks target and read. Defaults to none.

    Returns:
        The loaded checks, in module order (copies with the prefix applied, when one is given).

    Examples:
        >>> import types
        >>> from orchestrator import AssetCheckResult, asset, asset_check, load_asset_checks_from_modules
        >>> @asset_check(asset="orders")
        ... def not_empty(orders):
        ...     return AssetCheckResult(passed=bool(orders))
        >>> etl = types.ModuleType("etl")
        >>> etl.not_empty = not_empty
        >>> [c.check_key.to_user_string() for c in load_asset_checks_from_modules([etl], asset_key_prefix="prod")]
        ['prod/orders:not_empty']
    """
    return _checks_in(list(modules), asset_key_prefix)


def load_asset_checks_from_current_module(asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Collect the asset checks defined so far at the top level of the module that calls this function.

    Call it at the end of a module that defines checks; it reads the calling module as
    ``load_asset_checks_from_modules`` does, so only what is defined above the call is found.

    Args:
        asset_key_prefix: The prefix the checked assets were loaded with (``key_prefix`` of the
            ``load_assets_*`` call), added to the keys the checks target and read. Defaults to none.

    Returns:
        The loaded checks (copies with the prefix applied, when one is given).

    Raises:
        DefinitionError: when the calling module cannot be found in ``sys.modules``.

    Examples:
        >>> import sys, types
        >>> quality = sys.modules["quality"] = types.ModuleType("quality")
        >>> exec('''
        ... from orchestrator import AssetCheckResult, asset_check, load_asset_checks_from_current_module
        ... @asset_check(asset="orders")
        ... def fresh():
        ...     return AssetCheckResult(passed=True)
        ... checks = load_asset_checks_from_current_module()
        ... ''', vars(quality))
        >>> quality.checks
        [<AssetChecksDefinition orders:fresh>]
        >>> del sys.modules["quality"]
    """
    return _checks_in([_caller_module()], asset_key_prefix)


def load_asset_checks_from_package_module(package_module: ModuleType,
                                          asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Collect the asset checks defined in a package and in all of its submodules, imported to find them.

    Every submodule found by ``pkgutil.walk_packages`` is imported, then read as
    ``load_asset_checks_from_modules`` does.

    Args:
        package_module: The package (already imported); a plain module is read on its own.
        asset_key_prefix: The prefix the checked assets were loaded with (``key_prefix`` of the
            ``load_assets_*`` call), added to the keys the checks target and read. Defaults to none.

    Returns:
        The loaded checks (copies with the prefix applied, when one is given).

    Examples:
        >>> import importlib, os, pathlib, sys
        >>> from orchestrator import load_asset_checks_from_package_module
        >>> package = pathlib.Path("shop_checks")
        >>> package.mkdir()
        >>> _ = (package / "__init__.py").write_text("")
        >>> _ = (package / "rules.py").write_text('''
        ... from orchestrator import AssetCheckResult, asset_check
        ... @asset_check(asset="orders")
        ... def not_empty():
        ...     return AssetCheckResult(passed=True)
        ... ''')
        >>> sys.path.insert(0, os.getcwd())
        >>> load_asset_checks_from_package_module(importlib.import_module("shop_checks"))
        [<AssetChecksDefinition orders:not_empty>]
        >>> sys.path.remove(os.getcwd())
    """
    return _checks_in(_package_modules(package_module), asset_key_prefix)


def load_asset_checks_from_package_name(package_name: str,
                                        asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Collect the asset checks of a package and its submodules, naming the package by its import name.

    The same as ``load_asset_checks_from_package_module(importlib.import_module(package_name), ...)``.

    Args:
        package_name: The package's import name (``"my_project.checks"``).
        asset_key_prefix: The prefix the checked assets were loaded with (``key_prefix`` of the
            ``load_assets_*`` call), added to the keys the checks target and read. Defaults to none.

    Returns:
        The loaded checks (copies with the prefix applied, when one is given).

    Raises:
        ModuleNotFoundError: when no package has that name.

    Examples:
        >>> import os, pathlib, sys
        >>> from orchestrator import load_asset_checks_from_package_name
        >>> package = pathlib.Path("crm_checks")
        >>> package.mkdir()
        >>> _ = (package / "__init__.py").write_text("")
        >>> _ = (package / "rules.py").write_text('''
        ... from orchestrator import AssetCheckResult, asset_check
        ... @asset_check(asset="users")
        ... def has_rows():
        ...     return AssetCheckResult(passed=True)
        ... ''')
        >>> sys.path.insert(0, os.getcwd())
        >>> [c.check_key.to_user_string() for c in load_asset_checks_from_package_name("crm_checks", "crm")]
        ['crm/users:has_rows']
        >>> sys.path.remove(os.getcwd())
    """
    return _checks_in(_package_modules(importlib.import_module(package_name)), asset_key_prefix)
