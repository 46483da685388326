"""The step task as a worker's main process sees it: a pool process that died running a step.

With the prefork pool a step runs in a child process; when that process ends without an answer
(``os._exit``, ``SystemExit``, ``KeyboardInterrupt``, the OOM killer's SIGKILL) the main process
gets a ``WorkerLostError`` and, with ``task_reject_on_worker_lost``, puts the message back in its
queue. Left at that, a step that always kills its process is delivered forever. So before the
message goes back, :class:`StepRequest` counts the death in run storage (``lua/record_death.lua``:
the cause, e.g. ``signal 9 (SIGKILL)`` or ``exit code 1``, and a warning event in the run); the
next delivery is flagged ``redelivered``, claims the step, and fails it once the step's
worker process died ``max_worker_deaths`` times (``step_task.py``). Death counts are separate
from ``RetryPolicy`` retries.

A cancel's terminate (a revoke) is not a death: Celery reports it as ``Terminated``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from celery.exceptions import WorkerLostError
from celery.worker.request import Request

from orchestrator.distributed.liveness import exit_cause
from orchestrator.events import EventType
from orchestrator.execution.lifecycle import Lifecycle

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["step_request_class"]

_log = logging.getLogger("orchestrator.worker")


def step_request_class(instance: Instance) -> type[Request]:
    """The Celery ``Request`` class of the step task, counting pool-process deaths in ``instance``."""

    class StepRequest(Request):
        """Celery's request, which also records a step whose pool process died."""

        def on_failure(self, exc_info: Any, send_failed_event: bool = True, return_ok: bool = False) -> Any:
            exc = getattr(exc_info, "exception", None)
            exc = getattr(exc, "exc", exc)  # ExceptionWithTraceback wraps what the child raised
            revoked = self._already_cancelled or self._already_revoked
            if isinstance(exc, (WorkerLostError, SystemExit, KeyboardInterrupt)) and not revoked:
                try:
                    _record_lost(instance, self, exc)
                except Exception as error:  # noqa: BLE001 - the message must still go back to its queue
                    _log.warning("could not record the lost pool process of task %s: %s", self.id, error)
            return super().on_failure(exc_info, send_failed_event=send_failed_event, return_ok=return_ok)

    return StepRequest


def _record_lost(instance: Instance, request: Request, exc: BaseException) -> None:
    kwargs = request.kwargs if isinstance(request.kwargs, dict) else {}
    run_id, step_key = kwargs.get("run_id"), kwargs.get("step_key")
    if not isinstance(run_id, str) or not isinstance(step_key, str):
        return
    cause = exit_cause(exc)
    pid = int(request.worker_pid or 0)
    worker = str(request.hostname)
    name = str(request.name or "")
    job_name = name[: -len(step_key) - 1] if name.endswith("." + step_key) else name
    event = Lifecycle(run_id, job_name).event(
        EventType.LOG, step_key,
        f"The worker process running step '{step_key}' died ({cause}) on {worker}; the step goes back to its queue.",
        level="WARNING", worker=worker, pid=pid, cause=cause)
    # One death per pool process and message: the same message redelivered runs in a new process.
    death_id = f"{request.id}:{pid}:{time.time():.3f}" if not pid else f"{request.id}:{pid}"
    count = instance.storage.record_death(run_id, step_key, death_id, cause, worker, event,
                                          task_id=str(request.id), pid=pid)
    if count > 0:
        _log.warning("run %s: the worker process running step %s died (%s); deaths so far: %d",
                     run_id, step_key, cause, count)
