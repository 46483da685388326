"""Run records: what is known about a run, as plain data stored in Redis."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field

from orchestrator.status import RunStatus

__all__ = ["RunStatus", "RunRecord", "CodeRef"]


class CodeRef(BaseModel):
    """How a worker finds the job: an importable pointer, or the hash of a signed cloudpickle blob."""

    module: str | None = None
    attr: str | None = None
    job_name: str | None = None
    blob_sha256: str | None = None

    def describe(self) -> str:
        if self.blob_sha256:
            return f"pickled job {self.job_name} (blob {self.blob_sha256[:12]})"
        suffix = f" job {self.job_name}" if self.job_name else ""
        return f"{self.module}:{self.attr}{suffix}"


class RunRecord(BaseModel):
    """The immutable facts of a run, written once at submit."""

    run_id: str
    job_name: str
    code: CodeRef
    run_config: dict[str, Any] = Field(default_factory=dict)
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
