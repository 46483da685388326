"""From the ``RunRequest``s of a tick to runs on the workers, through ``submit_job``.

Every request of a tick is checked first (its job exists in the code location, its partition and
run config are valid for the celery executor); one bad request fails the whole tick with an error
naming it, before any run is submitted. Each run gets a fixed id (``ticks.py``): submitting it
again, after a crash or by a scheduler that took the tick over, finds the run and starts nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import RepositoryDefinition
    from orchestrator.definitions.schedules import RunRequest
    from orchestrator.distributed.instance import Instance

__all__ = ["CodeLocation", "RunRequestError", "PlannedRun", "plan_run", "submit_planned", "describe_request"]


@dataclass
class CodeLocation:
    """The code a scheduler runs: its repository, where it was loaded from (for messages) and how
    workers import each job (``module:attr``, or None to ship it as a signed blob)."""

    repository: RepositoryDefinition
    source: str
    code_pointer: Callable[[str], str | None] = field(default=lambda _name: None)


class RunRequestError(OrchestratorError):
    """A run request a tick cannot submit: unknown job, missing partition, invalid run config."""


@dataclass
class PlannedRun:
    """A checked request: the job to run, its fixed run id and its tags (the request's and the
    scheduler's ``dagster/...`` ones)."""

    request: RunRequest
    job: JobDefinition
    run_id: str
    tags: dict[str, str]
    code_pointer: str | None


def describe_request(request: RunRequest, index: int, owner: str) -> str:
    """``RunRequest 2 (run_key 'a.csv') of sensor 'files'``, for tick errors."""
    key = f" (run_key {request.run_key!r})" if request.run_key is not None else ""
    return f"RunRequest {index + 1}{key} of {owner}"


def _job_for(location: CodeLocation, request: RunRequest, what: str) -> tuple[JobDefinition, str | None]:
    repo = location.repository
    if request.asset_selection is not None:
        try:
            job = repo.asset_job(request.asset_selection, name=request.job_name or "__asset_job")
        except OrchestratorError as exc:
            raise RunRequestError(f"{what} selects assets that cannot run: {exc}") from None
        return job, None
    if request.job_name is None:
        raise RunRequestError(f"{what} names no job: give the RunRequest job_name=, or target one job.")
    if not repo.has_job(request.job_name):
        raise RunRequestError(
            f"{what} asks for job '{request.job_name}', which is not in {location.source} "
            f"(jobs: {', '.join(repo.job_names) or 'none'}). Fix the job_name, or add the job to its Definitions."
        )
    return repo.get_job(request.job_name), location.code_pointer(request.job_name)


def plan_run(location: CodeLocation, request: RunRequest, run_id: str, tags: Mapping[str, str],
             what: str) -> PlannedRun:
    """Check ``request`` (``what`` names it in errors) and plan its run; ``RunRequestError`` if bad."""
    from orchestrator.definitions.built_in_executors import celery_executor
    from orchestrator.definitions.config.run_config import resolve_run_config, stored_run_config
    from orchestrator.definitions.partitions import PartitionedConfig

    job, pointer = _job_for(location, request, what)
    partition = request.partition_key
    if partition is None and (isinstance(job.config, PartitionedConfig) or job.partitions_def is not None):
        raise RunRequestError(f"{what}: job '{job.name}' is partitioned, so the RunRequest needs partition_key=.")
    try:  # also checks that the partition exists
        resolved = resolve_run_config(job, request.run_config, partition, default_executor=celery_executor)
        stored_run_config(job, resolved, celery_executor)
    except OrchestratorError as exc:
        raise RunRequestError(f"{what}: invalid run config for job '{job.name}': {exc}") from None
    all_tags: dict[str, Any] = {**request.tags, **tags}
    if request.run_key is not None:
        all_tags["dagster/run_key"] = request.run_key
    if partition is not None:
        all_tags["dagster/partition"] = partition
    return PlannedRun(request, job, run_id, {k: str(v) for k, v in all_tags.items()}, pointer)


def submit_planned(planned: PlannedRun, instance: Instance) -> bool:
    """Submit a planned run; False when a run with its id exists already (submitted by an earlier
    attempt of the tick), True when this call created it."""
    from orchestrator.distributed.run_storage import RunExistsError
    from orchestrator.distributed.submit import submit_job

    if instance.storage.has_run(planned.run_id):
        return False
    request = planned.request
    try:
        submit_job(planned.job, run_config=request.run_config, tags=planned.tags, partition_key=request.partition_key,
                   instance=instance, run_id=planned.run_id, code_pointer=planned.code_pointer)
    except RunExistsError:
        return False
    return True
