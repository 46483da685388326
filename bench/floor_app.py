"""The floor configured like the project: raw Celery with the project's settings doing the same work.

``celery -A bench.floor_app worker -Q bench_floor`` with ``REDIS_URL`` (broker and result
backend) and ``ORCH_HOME`` (outputs under ``$ORCH_HOME/floor/<run_id>/``). Settings are the
project's family (JSON only, acks_late, reject on worker loss, prefetch 1, kombu priority
emulation, task events), except that results are stored (the floor needs them for chains and
chords). Set beside the plain-defaults floor (``bench.plain_app``), it shows what the project's
delivery guarantees cost in Celery itself. The tasks are ``bench.floor_tasks``'s, the same on both
floors. This module never imports ``orchestrator``.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from bench.floor_tasks import define_tasks

QUEUE = "bench_floor"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def floor_config(url: str) -> dict[str, Any]:
    """The Celery settings of this floor, on the Redis at ``url`` (broker and result backend)."""
    visibility = int(os.environ.get("ORCH_VISIBILITY_TIMEOUT", "3600"))
    return {
        "broker_url": url,
        "result_backend": url,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": QUEUE,
        "task_ignore_result": False,
        "result_expires": 24 * 3600,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "broker_transport_options": {"visibility_timeout": visibility, "priority_steps": list(range(10)),
                                     "sep": ":", "queue_order_strategy": "priority"},
        "result_backend_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }


app = Celery("bench_floor", set_as_current=False)
app.conf.update(floor_config(REDIS_URL))
tasks = define_tasks(app)
