"""The Celery app: ``celery -A worker.app worker -c N -Q orch`` (or ``orch worker start -c N``).

Broker, result backend and run storage come from ``REDIS_URL`` (or the ``orch dev`` connection
file); run storage from ``ORCH_STORAGE_URL`` instead when it is set (a Redis Cluster, say).
Workers refuse to start without ``ORCH_SECRET`` unless ``ORCH_INSECURE=1``.

Recovery needs no setting: the main process beats its presence and renews its hold on the messages
it has reserved (``worker_presence.py``), counts a pool process that died running a step
(``step_request.py``), and runs a watchdog thread over the active runs (``watchdog.py``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, signals

from orchestrator.distributed.dispatch import STEP_TASK_NAME, celery_config
from orchestrator.distributed.instance import Instance
from orchestrator.distributed.liveness import WATCHDOG_INTERVAL
from orchestrator.distributed.step_request import step_request_class
from orchestrator.distributed.task_events import share_with_pool
from orchestrator.distributed.worker_presence import presence_bootstep
from worker.registry import StepTaskRegistry

_log = logging.getLogger("orchestrator.worker")

instance = Instance.from_env()
share_with_pool()  # before the pool forks: its processes read whether Flower turned task events on

app = Celery("orch", tasks=StepTaskRegistry(), set_as_current=True)
app.conf.update(celery_config(instance.broker_url, instance.backend_url))
app.conf.worker_consumer = "worker.registry:StepConsumer"
app.steps["consumer"].add(presence_bootstep(instance))
for _name in filter(None, os.environ.get("ORCH_INCLUDE", "").split(",")):
    app.conf.include = [*app.conf.include, _name.strip()]


@app.task(name=STEP_TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True,
          Request=step_request_class(instance))
def step(self: Any, run_id: str, step_key: str, attempt: int = 0, stored: bool = False, resent: bool = False,
         **extra: Any) -> dict[str, Any]:
    """Run one step of a run (the task name on the wire is ``<job>.<step_key>``).

    A message kombu put back (its worker died or is gone) arrives flagged ``redelivered``; one the
    watchdog sent again has ``resent``: either may be a second copy, so the step is claimed first.
    """
    from orchestrator.distributed.step_task import execute_step_task

    if extra:
        _log.warning("step task got unexpected arguments %s; ignoring them", sorted(extra))
    delivery = self.request.delivery_info or {}
    return execute_step_task(instance, run_id, step_key, attempt, stored, worker_name=self.request.hostname,
                             task_id=self.request.id, redelivered=bool(resent or delivery.get("redelivered")))


@signals.worker_ready.connect
def _start_watchdog(**_kwargs: Any) -> None:
    from orchestrator.distributed.watchdog import start_watchdog_thread

    start_watchdog_thread(instance, WATCHDOG_INTERVAL)


@signals.worker_init.connect
def _refuse_without_secret(**_kwargs: Any) -> None:
    if os.environ.get("ORCH_SECRET") or instance.secret:
        return
    if os.environ.get("ORCH_INSECURE") == "1":
        _log.warning("ORCH_INSECURE=1: accepting code blobs signed with the well-known development key")
        return
    raise SystemExit(
        "Refusing to start: ORCH_SECRET is not set, so shipped code could not be verified. "
        "Set ORCH_SECRET (the same value as the submitters), or ORCH_INSECURE=1 for local experiments."
    )
