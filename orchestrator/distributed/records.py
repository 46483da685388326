"""Run records: what is known about a run, as plain data stored in Redis."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field

from orchestrator.status import RunStatus

__all__ = ["RunStatus", "RunRecord", "CodeRef"]


class CodeRef(BaseModel):
    """How a worker finds the job: an importable pointer, or the hash of a signed cloudpickle blob.

    ``version`` names the code the run was submitted with: a blob's SHA-256, or for a pointer a
    SHA-256 over ``modules``, the modules that define the job (module -> ``sha256:<hex>`` of its
    source, or ``dist:<name>==<version>`` for a module of an installed, non-editable
    distribution). Workers run a step only with code of that version (see ``code_versions``).
    ``root`` is the directory the pointer's module was imported from by the submitter, so that a
    client elsewhere (``orch run reexecute`` from another directory) can import it again.
    """

    module: str | None = None
    attr: str | None = None
    job_name: str | None = None
    blob_sha256: str | None = None
    root: str | None = None
    version: str | None = None
    modules: dict[str, str] = Field(default_factory=dict)

    @property
    def pointer(self) -> str | None:
        """``module:attr`` of a pointer, None for a blob."""
        return f"{self.module}:{self.attr}" if self.module and self.attr else None

    def describe(self) -> str:
        if self.blob_sha256:
            return f"pickled job {self.job_name} (blob {self.blob_sha256[:12]})"
        suffix = f" job {self.job_name}" if self.job_name else ""
        version = f" (code {self.version[:12]})" if self.version else ""
        return f"{self.module}:{self.attr}{suffix}{version}"


class RunRecord(BaseModel):
    """The immutable facts of a run, written once at submit."""

    run_id: str
    job_name: str
    code: CodeRef
    #: The run config as the user gave it (shown by ``orch run show``, reused by re-execution).
    run_config: dict[str, Any] = Field(default_factory=dict)
    #: The config after the job's own config (mapping, partitioned config, defaults): what workers
    #: validate and run with (``stored_run_config``); ``{"env": VAR}`` sources stay unread in it.
    #: None in records written before it existed, whose ``run_config`` held this form.
    resolved_config: dict[str, Any] | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    partition_key: str | None = None
    parent_run_id: str | None = None
    root_run_id: str | None = None
    op_selection: list[str] | None = None
    step_selection: list[str] | None = None
    queue: str = "orch"
    executor: str = "celery"
    stall_timeout: float = 600.0
    # Re-executions: step key -> the run whose stored output this run reuses.
    reused_from: dict[str, str] = Field(default_factory=dict)
    created_at: float = Field(default_factory=time.time)

    @property
    def worker_config(self) -> dict[str, Any]:
        """The config workers rebuild the run's resolved config from (``rebuild_run_config``)."""
        return self.resolved_config if self.resolved_config is not None else self.run_config
