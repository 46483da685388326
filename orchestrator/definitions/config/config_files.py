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
    """Run config merged from YAML files (paths or glob patterns), later files over earlier ones.

    Example::

        import tempfile, pathlib
        from orchestrator import config_from_files

        folder = pathlib.Path(tempfile.mkdtemp())
        (folder / "base.yaml").write_text("ops:\\n  load:\\n    config:\\n      rows: 10\\n")
        (folder / "prod.yaml").write_text("ops:\\n  load:\\n    config:\\n      table: prod\\n")
        config = config_from_files([str(folder / "base.yaml"), str(folder / "prod.yaml")])
        assert config == {"ops": {"load": {"config": {"rows": 10, "table": "prod"}}}}
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
    """Run config merged from YAML strings, later ones over earlier ones.

    Example::

        from orchestrator import config_from_yaml_strings

        assert config_from_yaml_strings(["a: {b: 1}", "a: {c: 2}"]) == {"a": {"b": 1, "c": 2}}
    """
    return _merge([(f"yaml string {i}", text) for i, text in enumerate(yaml_strings)], "yaml_strings")


def config_from_pkg_resources(pkg_resource_defs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Run config merged from YAML files inside packages, given as ``(package, path)`` pairs.

    Example::

        from orchestrator import config_from_pkg_resources

        # config = config_from_pkg_resources([("my_package.config", "prod.yaml")])
        assert config_from_pkg_resources([]) == {}
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
