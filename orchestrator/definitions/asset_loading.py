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


def load_assets_from_modules(modules: Iterable[ModuleType], group_name: str | None = None,
                             key_prefix: str | Sequence[str] | None = None, *,
                             source_key_prefix: str | Sequence[str] | None = None, include_specs: bool = False,
                             **_scheduling: Any) -> list[Any]:
    """Every asset (and source asset) defined at the top level of ``modules``.

    ``key_prefix`` prefixes every loaded asset key (and the dependencies between loaded assets);
    ``group_name`` puts every loaded asset in that group.

    Example::

        from my_project import raw, cleaned

        defs = Definitions(assets=load_assets_from_modules([raw, cleaned], group_name="etl", key_prefix="prod"))
    """
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
                                    include_specs: bool = False, **_scheduling: Any) -> list[Any]:
    """Every asset defined so far at the top level of the module that calls this.

    Example::

        @asset
        def a(): ...

        all_assets = load_assets_from_current_module(group_name="local")
    """
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
                                    include_specs: bool = False, **_scheduling: Any) -> list[Any]:
    """Every asset defined in a package and all of its submodules (imported to find them).

    Example::

        import my_project.assets

        defs = Definitions(assets=load_assets_from_package_module(my_project.assets))
    """
    return load_assets_from_modules(_package_modules(package_module), group_name, key_prefix,
                                    source_key_prefix=source_key_prefix, include_specs=include_specs)


def load_assets_from_package_name(package_name: str, group_name: str | None = None,
                                  key_prefix: str | Sequence[str] | None = None, *,
                                  source_key_prefix: str | Sequence[str] | None = None,
                                  include_specs: bool = False, **_scheduling: Any) -> list[Any]:
    """Like ``load_assets_from_package_module``, by the package's import name.

    Example::

        assets = load_assets_from_package_name("my_project.assets")
    """
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
    """Every asset check defined at the top level of ``modules`` (``asset_key_prefix``: the prefix
    the checked assets were loaded with).

    Example::

        defs = Definitions(assets=load_assets_from_modules([etl], key_prefix="prod"),
                           asset_checks=load_asset_checks_from_modules([etl], asset_key_prefix="prod"))
    """
    return _checks_in(list(modules), asset_key_prefix)


def load_asset_checks_from_current_module(asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Every asset check defined so far in the module that calls this.

    Example::

        checks = load_asset_checks_from_current_module()
    """
    return _checks_in([_caller_module()], asset_key_prefix)


def load_asset_checks_from_package_module(package_module: ModuleType,
                                          asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Every asset check in a package and its submodules.

    Example::

        checks = load_asset_checks_from_package_module(my_project.checks)
    """
    return _checks_in(_package_modules(package_module), asset_key_prefix)


def load_asset_checks_from_package_name(package_name: str,
                                        asset_key_prefix: str | Sequence[str] | None = None) -> list[Any]:
    """Like ``load_asset_checks_from_package_module``, by the package's import name.

    Example::

        checks = load_asset_checks_from_package_name("my_project.checks")
    """
    return _checks_in(_package_modules(importlib.import_module(package_name)), asset_key_prefix)
