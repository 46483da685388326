"""Step tasks that will not run (their run was canceled or has finished, or it or the step is
unknown) end REVOKED in Celery, so Flower never shows a step that never ran as a success.

A cancel revokes the tasks of queued steps by id (``dispatch.step_task_id``), but only the workers
alive at that moment hear it; a worker started later, or one that picks up a re-sent message,
runs the task and ends it here instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dropped"]


def dropped(reason: str) -> dict[str, Any]:
    """End the Celery task being executed as REVOKED because of ``reason``, by raising ``Ignore``
    once the worker's ``task-revoked`` event is sent. Outside a worker (the task body called
    directly) nothing is raised: returns the summary ``{"status": "dropped", "reason": reason}``.
    """
    from celery import current_task
    from celery.exceptions import Ignore

    summary: dict[str, Any] = {"status": "dropped", "reason": reason}
    request = getattr(current_task, "request", None)
    if request is None or request.called_directly or not request.id:
        return summary
    # What the worker sends for a task revoked before it started (celery.worker.request), so that
    # monitors (Flower, `celery events`) show REVOKED rather than SUCCESS or a task forever STARTED.
    current_task.send_event("task-revoked", terminated=False, signum=None, expired=False)
    if not current_task.ignore_result:
        current_task.backend.mark_as_revoked(request.id, reason, request=request)
    raise Ignore(reason)
