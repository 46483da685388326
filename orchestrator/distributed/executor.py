"""The Celery executor: every step a Celery task over Redis (see ``orchestrator.distributed``)."""

from __future__ import annotations

from orchestrator.definitions.config.schema import Field
from orchestrator.definitions.executor_definition import ExecutorDefinition

__all__ = ["celery_executor"]

celery_executor = ExecutorDefinition(
    "celery",
    config_schema={
        "broker": Field(str, is_required=False, description="Broker URL; default: the instance's Redis."),
        "backend": Field(str, is_required=False, description="Result backend URL; default: the broker."),
        "queue": Field(str, default_value="orch", description="Queue for steps without a celery/queue tag."),
        "include": Field([str], is_required=False, description="Modules workers import (e.g. for tasks)."),
        "stall_timeout": Field(float, is_required=False,
                               description="Seconds without progress before the run is failed; "
                                           "default ORCH_STALL_TIMEOUT or 600."),
    },
    description="Runs every step as a Celery task on workers over Redis; runs outlive their submitter.",
)
