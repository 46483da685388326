"""Ticks: one evaluation of a schedule (at its scheduled time) or of a sensor, as kept in the tick
history, and the fixed run ids that make a tick taken over after a crash start no run twice."""

from __future__ import annotations

import enum
import time
import uuid

from pydantic import BaseModel, Field

__all__ = ["TickStatus", "TickRecord", "tick_run_id", "run_key_run_id"]

# Run ids of scheduled runs are UUIDs derived from what identifies the run (uuid5 of this namespace).
_NAMESPACE = uuid.UUID("5b0f3f4e-2f1c-4c59-9a53-0c7a4d9e6a11")


class TickStatus(str, enum.Enum):
    """How a tick ended (Dagster's ``TickStatus``): runs requested, skipped, or failed."""

    STARTED = "STARTED"
    SKIPPED = "SKIPPED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class TickRecord(BaseModel):
    """One tick of a schedule or sensor, as ``orch schedule ticks`` / ``orch sensor ticks`` show it.

    ``tick``: the schedule's tick time (epoch seconds) or the sensor's tick number;
    ``timestamp``: the scheduled time (schedules) or when the evaluation started (sensors).
    ``run_ids`` are the runs this tick submitted (or found submitted by an earlier attempt);
    ``skipped_run_keys`` were requested by an earlier tick already. ``error`` names what failed
    and ``traceback`` is the user code's traceback, when it raised.
    """

    kind: str
    name: str
    tick: str
    status: TickStatus
    timestamp: float
    ended_at: float = Field(default_factory=time.time)
    run_ids: list[str] = Field(default_factory=list)
    run_keys: list[str] = Field(default_factory=list)
    skipped_run_keys: list[str] = Field(default_factory=list)
    skip_reason: str | None = None
    error: str | None = None
    traceback: str | None = None
    cursor: str | None = None
    scheduler: str = ""
    attempt: int = 1


def tick_run_id(kind: str, name: str, tick: str, index: int, run_key: str | None) -> str:
    """The run id of the ``index``-th run request (or the one with ``run_key``) of a tick."""
    which = f"key:{run_key}" if run_key is not None else f"index:{index}"
    return str(uuid.uuid5(_NAMESPACE, f"{kind}\x00{name}\x00{tick}\x00{which}"))


def run_key_run_id(sensor: str, run_key: str) -> str:
    """The run id of sensor ``sensor``'s run for ``run_key``: the same at every tick, so a key
    requested again (after a crash between claiming it and submitting it) maps to the same run."""
    return str(uuid.uuid5(_NAMESPACE, f"sensor\x00{sensor}\x00run_key\x00{run_key}"))
