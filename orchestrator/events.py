"""Typed run events: what happened in a run, in order. Plain data, easy to log, store and replay."""

from __future__ import annotations

import enum
import time
import traceback as tb
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, Field

__all__ = ["EventType", "ErrorInfo", "RunEvent", "trusted", "jsonable"]

M = TypeVar("M", bound=BaseModel)


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` from values known to be valid and complete, without validation.

    For hot paths (events per step, plan steps): pydantic's ``model_construct`` still costs ~15 µs.
    Every field must be given.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def jsonable(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """``metadata`` as event data: string keys, JSON-friendly values kept, anything else as its repr.

    Events cross processes and land in run storage as JSON, so an op's metadata (``Output``,
    ``Failure``, ``AssetMaterialization``) is reduced here, once, whoever emits the event.
    """
    result: dict[str, Any] = {}
    for k, v in metadata.items():
        result[str(k)] = v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else repr(v)
    return result


class EventType(str, enum.Enum):
    """The kinds of events a run records."""

    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELED = "RUN_CANCELED"
    STEP_START = "STEP_START"
    STEP_INPUT = "STEP_INPUT"
    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_RETRY = "STEP_RETRY"
    HOOK_COMPLETED = "HOOK_COMPLETED"
    HOOK_ERRORED = "HOOK_ERRORED"
    LOG = "LOG"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"


class ErrorInfo(BaseModel):
    """An exception, reduced to text so it can cross processes: type name, message, traceback."""

    cls_name: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        return cls(
            cls_name=type(exc).__name__,
            message=str(exc),
            traceback="".join(tb.format_exception(type(exc), exc, exc.__traceback__)),
        )

    def __str__(self) -> str:
        return f"{self.cls_name}: {self.message}"


class RunEvent(BaseModel):
    """One event of a run. ``data`` holds kind-specific fields (output name, metadata, level...)."""

    event_type: EventType
    run_id: str
    job_name: str
    step_key: str | None = None
    timestamp: float = Field(default_factory=time.time)
    message: str = ""
    error: ErrorInfo | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def event_type_value(self) -> str:
        return self.event_type.value

    @property
    def node_name(self) -> str | None:
        """The op path of the step (mapping key stripped)."""
        if self.step_key is None:
            return None
        return self.step_key.split("[", 1)[0]

    @property
    def is_step_success(self) -> bool:
        return self.event_type is EventType.STEP_SUCCESS

    @property
    def is_step_failure(self) -> bool:
        return self.event_type is EventType.STEP_FAILURE

    @property
    def is_failure(self) -> bool:
        return self.event_type in (EventType.STEP_FAILURE, EventType.RUN_FAILURE)

    def __str__(self) -> str:
        where = f" [{self.step_key}]" if self.step_key else ""
        return f"{self.event_type.value}{where} {self.message}".rstrip()
