"""What evaluating a tick needs, shared by schedules and sensors: the code location, Redis, this
scheduler's name and leases, and the recording of a tick's outcome."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.distributed.scheduler.ticks import TickRecord, TickStatus

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.schedule_storage import InstigatorState, ScheduleStorage
    from orchestrator.distributed.scheduler.leases import LeaseKeeper
    from orchestrator.distributed.scheduler.run_feed import SchedulerInstance
    from orchestrator.distributed.scheduler.run_requests import CodeLocation

__all__ = ["TickEnv", "is_running", "failed_record", "user_traceback"]

_log = logging.getLogger("orchestrator.scheduler")


@dataclass
class TickEnv:
    """Everything a tick evaluation uses. ``on_tick`` is told each recorded tick (the CLI prints it)."""

    location: CodeLocation
    instance: Instance
    storage: ScheduleStorage
    view: SchedulerInstance
    owner: str
    leases: LeaseKeeper
    on_tick: Callable[[TickRecord], None] | None = None
    log: logging.Logger = field(default=_log)

    def resources_for(self, required: set[str]) -> Mapping[str, Any] | None:
        """The code location's resources a schedule or sensor asks for (``required_resource_keys``)."""
        if not required:
            return None
        available = self.location.repository.resources
        return {k: available[k] for k in sorted(required) if k in available}

    def record(self, record: TickRecord, cursor: str | None = None, set_cursor: bool = False,
               last_run_key: str | None = None) -> bool:
        """Store a finished tick and release its lease; False if another scheduler took it over."""
        kept = self.storage.finish_tick(record.kind, record.name, self.owner, record.tick, record.model_dump_json(),
                                        cursor=cursor, set_cursor=set_cursor, last_run_key=last_run_key)
        if not kept:
            self.log.warning("%s '%s' tick %s: the lease was taken over by another scheduler, which records "
                             "the tick; this evaluation's outcome is dropped.", record.kind, record.name, record.tick)
            return False
        if self.on_tick is not None:
            self.on_tick(record)
        return True


def is_running(state: InstigatorState, default_status: Any) -> bool:
    """Whether a schedule or sensor is on: as set by ``orch ... start|stop``, else its default."""
    status = state.status or str(getattr(default_status, "value", default_status))
    return status == "RUNNING"


def user_traceback(exc: BaseException) -> str:
    """The traceback of an exception raised by user code, as text."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()


def failed_record(kind: str, name: str, tick: str, timestamp: float, owner: str, attempt: int, error: str,
                  tb: str | None = None, run_ids: list[str] | None = None) -> TickRecord:
    return TickRecord(kind=kind, name=name, tick=tick, status=TickStatus.FAILURE, timestamp=timestamp,
                      ended_at=time.time(), error=error, traceback=tb, scheduler=owner, attempt=attempt,
                      run_ids=list(run_ids or []))
