"""Read what the user passes to a run: run config YAML files and ``--tags`` JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchestrator.cli.errors import CliError

__all__ = ["load_run_config", "parse_tags"]


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__)


def _load_yaml_file(path: str) -> dict[str, Any]:
    import yaml

    file = Path(path)
    # exists() rather than is_file(): a pipe such as <(...) is a fine config source.
    if not file.exists():
        raise CliError(f"Config file not found: {path}")
    if file.is_dir():
        raise CliError(f"Config file {path} is a directory.")
    try:
        with file.open(encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CliError(f"Invalid YAML in config file {path}{where}: {problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"Cannot read config file {path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        from orchestrator.errors import ConfigError

        # The same error as run_config="..." or [...] from Python: run config is a mapping.
        raise ConfigError(
            f"Config file {path} must contain a mapping (e.g. 'ops: ...'), but it holds {_kind(data)}."
        )
    return data


def load_run_config(paths: Sequence[str]) -> dict[str, Any]:
    """Every file's mapping, deep-merged in order (later files override earlier ones)."""
    from orchestrator.definitions.config.run_config import deep_merge

    config: dict[str, Any] = {}
    for path in paths:
        config = deep_merge(config, _load_yaml_file(path))
    return config


def parse_tags(text: str | None) -> dict[str, str]:
    """``--tags`` JSON object -> run tags (values as strings)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"Invalid --tags JSON ({exc}). Expected an object like '{{\"team\": \"data\"}}'.") from exc
    if not isinstance(data, dict):
        raise CliError(f"--tags must be a JSON object like '{{\"team\": \"data\"}}', got {_kind(data)}.")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
