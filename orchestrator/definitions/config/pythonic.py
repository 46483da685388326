"""``RunConfig``: run config written with ``Config`` objects and resources instead of nested dicts.

Every place that takes run config (``execute_in_process``, ``materialize``, ``submit_job``,
``execute_job``, a job's ``config=``, ``RunRequest(run_config=)``) accepts a ``RunConfig`` and
turns it into the plain dict with :func:`as_run_config_dict`. ``EnvVar`` values become
``{"env": NAME}`` there, so the dict (which a distributed run stores) holds no secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from orchestrator.definitions.config.schema import config_dictionary, config_value

__all__ = ["RunConfig", "as_run_config_dict"]


def _as_config_section(value: object) -> dict[str, Any]:
    convert = getattr(value, "_convert_to_config_dictionary", None)
    body = convert() if callable(convert) else config_dictionary(value)  # type: ignore[arg-type]
    return {"config": body}


def _convert_entries(entries: Mapping[str, Any]) -> dict[str, Any]:
    """Dagster's rule: a ``Config`` object at any depth becomes ``{"config": <its dict>}``."""
    out: dict[str, Any] = {}
    for key, value in entries.items():
        if isinstance(value, BaseModel):
            out[key] = _as_config_section(value)
        elif isinstance(value, Mapping):
            out[key] = _convert_entries(value)
        else:
            out[key] = config_value(value)
    return out


class RunConfig:
    """All the config of a run, written with ``Config`` objects and resources instead of nested dicts.

    Accepted wherever run config is: ``execute_in_process``, ``materialize``, ``submit_job``,
    ``execute_job``, a job's ``config=``, ``RunRequest(run_config=)``. A ``Config`` object (or a
    resource) at any depth stands for ``{"config": <its fields>}``; ``EnvVar`` fields become
    ``{"env": NAME}``, so the plain dict (:meth:`to_config_dict`, what a run stores) holds no
    secret.

    Args:
        ops: Op (or asset) names to their ``Config`` objects or config dicts; ops inside a graph
            nest as ``{"graph_name": {"ops": {...}}}``. Defaults to none.
        resources: Resource keys to resources (e.g. ``MyResource(field=...)``) or config dicts.
            Defaults to none.
        loggers: Logger config, as in plain run config. Defaults to none.
        execution: Executor config, as in plain run config. Defaults to none.

    Examples:
        >>> from orchestrator import Config, RunConfig, job, op
        >>> class AddConfig(Config):
        ...     amount: int
        >>> @op
        ... def add(config: AddConfig) -> int:
        ...     return 1 + config.amount
        >>> @job
        ... def add_job():
        ...     add()
        >>> run_config = RunConfig(ops={"add": AddConfig(amount=2)})
        >>> run_config.to_config_dict()["ops"]
        {'add': {'config': {'amount': 2}}}
        >>> add_job.execute_in_process(run_config=run_config).output_for_node("add")
        3
    """

    def __init__(self, ops: dict[str, Any] | None = None, resources: dict[str, Any] | None = None,
                 loggers: dict[str, Any] | None = None, execution: dict[str, Any] | None = None) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        """The plain run config dict: ``{"ops": ..., "resources": ..., "loggers": ..., "execution": ...}``."""
        return {
            "loggers": _convert_entries(self.loggers),
            "resources": _convert_entries(self.resources),
            "ops": _convert_entries(self.ops),
            "execution": _convert_entries(self.execution),
        }

    def __repr__(self) -> str:
        return (f"RunConfig(ops={self.ops!r}, resources={self.resources!r}, loggers={self.loggers!r}, "
                f"execution={self.execution!r})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunConfig) and self.to_config_dict() == other.to_config_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dict


def as_run_config_dict(run_config: object) -> object:
    """``run_config`` as a plain dict when it is a :class:`RunConfig`; anything else unchanged."""
    if isinstance(run_config, RunConfig):
        return {k: v for k, v in run_config.to_config_dict().items() if v}
    return run_config
