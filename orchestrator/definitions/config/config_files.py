"""Run config from YAML: ``config_from_files``, ``config_from_yaml_strings``, ``config_from_pkg_resources``.

Each merges its documents in order, later ones over earlier ones (nested dicts key by key), as
Dagster does; a document that does not parse, or is not a mapping, raises
``DagsterInvariantViolationError`` naming where it came from.
"""

from __future__ import annotations

import glob
import importlib.resources
import os
from collections.abc import Sequence
from typing import Any

import yaml

from orchestrator.definitions.config.run_config import deep_merge
from orchestrator.errors import DagsterInvariantViolationError

__all__ = ["config_from_files", "config_from_yaml_strings", "config_from_pkg_resources"]


def _merge(documents: Sequence[tuple[str, str]], what: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for where, text in documents:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DagsterInvariantViolationError(
                f"Encountered error attempting to parse yaml. Parsing {where} ({what}): {exc}") from exc
        if value is None:
            continue
        if not isinstance(value, dict):
            raise DagsterInvariantViolationError(
                f"Encountered error attempting to parse yaml. {where} ({what}) holds {type(value).__name__}, "
                "not a mapping of run config.")
        merged = deep_merge(merged, value)
    return merged


def config_from_files(config_files: Sequence[str]) -> dict[str, Any]:
    """Run config read from YAML files and merged, later files over earlier ones.

    For keeping run config in files, e.g. a base file and one per environment. Nested dicts are
    merged key by key; an empty file adds nothing. Each pattern's matches are read in sorted
    order.

    Args:
        config_files: Paths or glob patterns (``"config/*.yaml"``) of YAML files, each a mapping.

    Returns:
        The merged run config, a dict.

    Raises:
        DagsterInvariantViolationError: when a pattern matches no file, or a file cannot be read,
            does not parse, or does not hold a mapping (the message names the file).

    Examples:
        >>> import pathlib
        >>> from orchestrator import config_from_files
        >>> _ = pathlib.Path("base.yaml").write_text("ops: {load: {config: {rows: 10}}}")
        >>> _ = pathlib.Path("prod.yaml").write_text("ops: {load: {config: {table: prod}}}")
        >>> config_from_files(["base.yaml", "prod.yaml"])
        {'ops': {'load': {'config': {'rows': 10, 'table': 'prod'}}}}
    """
    documents: list[tuple[str, str]] = []
    for pattern in config_files:
        matches = sorted(glob.glob(pattern))
        if not matches:
            raise DagsterInvariantViolationError(
                f'File or glob pattern "{pattern}" for "config_files" produced no results.')
        for path in matches:
            real = os.path.realpath(path)
            try:
                with open(real, encoding="utf-8") as handle:
                    documents.append((f"file {real}", handle.read()))
            except (OSError, UnicodeDecodeError) as exc:
                raise DagsterInvariantViolationError(
                    f"Encountered error attempting to parse yaml. Could not read {real}: {exc}") from exc
    return _merge(documents, f"config_files={list(config_files)}")


def config_from_yaml_strings(yaml_strings: Sequence[str]) -> dict[str, Any]:
    """Run config parsed from YAML strings and merged, later ones over earlier ones.

    Nested dicts are merged key by key; an empty string adds nothing.

    Args:
        yaml_strings: YAML documents, each a mapping of run config.

    Returns:
        The merged run config, a dict.

    Raises:
        DagsterInvariantViolationError: when a string does not parse or does not hold a mapping
            (the message gives its index).

    Examples:
        >>> from orchestrator import config_from_yaml_strings
        >>> config_from_yaml_strings(["ops: {load: {config: {rows: 10}}}",
        ...                           "ops: {load: {config: {table: prod}}}"])
        {'ops': {'load': {'config': {'rows': 10, 'table': 'prod'}}}}
    """
    return _merge([(f"yaml string {i}", text) for i, text in enumerate(yaml_strings)], "yaml_strings")


def config_from_pkg_resources(pkg_resource_defs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Run config read from YAML files shipped inside Python packages, merged in order.

    For run config that is installed with the code that uses it. Later files win over earlier
    ones; nested dicts are merged key by key.

    Args:
        pkg_resource_defs: ``(package, path)`` pairs: an importable package's name and a file's
            path inside it, e.g. ``("my_project.config", "prod.yaml")``.

    Returns:
        The merged run config, a dict.

    Raises:
        DagsterInvariantViolationError: when a package cannot be imported, or a file is missing,
            does not parse, or does not hold a mapping (the message names both).

    Examples:
        >>> import os, pathlib, sys
        >>> from orchestrator import config_from_pkg_resources
        >>> package = pathlib.Path("docs_example_settings")
        >>> package.mkdir()
        >>> (package / "__init__.py").touch()
        >>> _ = (package / "prod.yaml").write_text("ops: {load: {config: {rows: 10}}}")
        >>> sys.path.insert(0, os.getcwd())
        >>> config_from_pkg_resources([("docs_example_settings", "prod.yaml")])
        {'ops': {'load': {'config': {'rows': 10}}}}
        >>> sys.path.remove(os.getcwd())
    """
    documents: list[tuple[str, str]] = []
    for package, path in pkg_resource_defs:
        where = f"{path} in package {package}"
        try:
            text = importlib.resources.files(package).joinpath(path).read_text(encoding="utf-8")
        except (OSError, ModuleNotFoundError, UnicodeDecodeError) as exc:
            raise DagsterInvariantViolationError(
                f"Encountered error attempting to parse yaml. Loading {where}: {exc}") from exc
        documents.append((where, text))
    return _merge(documents, "pkg_resource_defs")
