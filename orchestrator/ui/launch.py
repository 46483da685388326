"""Launching runs from the UI: the launchpad's YAML (or a JSON object) checked against the job's
config schema, errors returned by config path, then the run submitted to the workers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrator.ui.context import UiContext

__all__ = ["LaunchRejected", "parse_run_config_yaml", "launch", "reexecute_run", "cancel_run"]


@dataclass
class LaunchRejected(Exception):
    """A launch refused before anything was enqueued: ``message`` and the config ``errors``
    (``{"path": ..., "message": ...}``, ``path`` dotted as ``ConfigError`` gives it)."""

    message: str
    errors: list[dict[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message

    def as_json(self) -> dict[str, Any]:
        return {"error": self.message, "errors": self.errors}


def parse_run_config_yaml(text: str) -> dict[str, Any]:
    """The launchpad's YAML as a run config mapping; ``LaunchRejected`` (path ``(yaml)``, with the
    line) when it is not YAML or not a mapping."""
    import yaml

    try:
        value = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise LaunchRejected("The run config is not valid YAML.",
                             [{"path": "(yaml)", "message": f"{problem}{where}"}]) from None
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise LaunchRejected("The run config must be a mapping (ops:, resources:, ...).",
                             [{"path": "(root)", "message": f"got {type(value).__name__}, expected a mapping"}])
    return dict(value)


def launch(ctx: UiContext, job_name: str, run_config: Any, tags: Any = None, partition_key: Any = None) -> str:
    """Check the config of job ``job_name`` and submit a run; its run id.

    ``LaunchRejected`` when the config, tags or partition are wrong (nothing is enqueued);
    ``UnknownJob`` when the job is not defined.
    """
    from orchestrator.definitions.built_in_executors import celery_executor
    from orchestrator.definitions.config.run_config import resolve_run_config, stored_run_config
    from orchestrator.distributed.submit import submit_job
    from orchestrator.errors import ConfigError, OrchestratorError

    job = ctx.get_job(job_name)
    if run_config is None:
        run_config = {}
    if not isinstance(run_config, Mapping):
        raise LaunchRejected("run_config must be a JSON object.",
                             [{"path": "(root)", "message": f"got {type(run_config).__name__}, expected an object"}])
    if tags is not None and (not isinstance(tags, Mapping) or not all(isinstance(k, str) for k in tags)):
        raise LaunchRejected('tags must be a JSON object of strings, e.g. {"team": "data"}.')
    if partition_key is not None and not isinstance(partition_key, str):
        raise LaunchRejected("partition_key must be a string.")
    partition_key = partition_key or None
    if partition_key is None and getattr(job, "partitions_def", None) is not None:
        raise LaunchRejected(f"Job '{job.name}' is partitioned: pick a partition.",
                             [{"path": "(partition)", "message": "a partition key is required"}])
    assert ctx.code is not None  # ctx.get_job found the job in it
    try:
        resolved = resolve_run_config(job, dict(run_config), partition_key, default_executor=celery_executor)
        stored_run_config(job, resolved, celery_executor)
        handle = submit_job(job, run_config=dict(run_config), tags={str(k): str(v) for k, v in (tags or {}).items()},
                            partition_key=partition_key, instance=ctx.instance,
                            code_pointer=ctx.code.code_pointer(job.name))
    except ConfigError as exc:
        first = str(exc).splitlines()[0]
        raise LaunchRejected(first, [{"path": e.path, "message": e.message} for e in exc.errors]) from None
    except OrchestratorError as exc:
        raise LaunchRejected(str(exc)) from None
    return handle.run_id


def cancel_run(ctx: UiContext, run_id: str) -> dict[str, Any]:
    """Cancel a run (as ``orch run cancel``): ``canceled`` and the run's status afterwards.
    ``RunNotFoundError`` when there is no such run."""
    from orchestrator.distributed.handles import RunHandle

    ctx.instance.storage.get_run(run_id)
    handle = RunHandle(run_id, ctx.instance)
    canceled = handle.cancel()
    return {"run_id": run_id, "canceled": canceled, "status": handle.info().status.value}


def reexecute_run(ctx: UiContext, run_id: str, from_failure: bool = True) -> str:
    """Start a re-execution of a run (from its failure by default); the new run's id.
    ``LaunchRejected`` when it cannot be re-executed (e.g. nothing failed)."""
    from orchestrator.distributed.reexecute import reexecute
    from orchestrator.errors import OrchestratorError, RunNotFoundError

    ctx.instance.storage.get_run(run_id)
    try:
        return reexecute(run_id, from_failure=from_failure, instance=ctx.instance).run_id
    except RunNotFoundError:
        raise
    except OrchestratorError as exc:
        raise LaunchRejected(str(exc)) from None
