"""The headline floor: plain Celery with its defaults doing the same work as the project's jobs.

``celery -A bench.plain_app worker`` (default queue ``celery``, no ``-E``) with ``REDIS_URL`` and
``ORCH_HOME``. Nothing is configured but the Redis URL, as broker and as result backend: so
Celery's defaults apply: JSON, early ack (a task is acked when a worker takes it), prefetch
multiplier 4, results stored in Redis for a day, no task events, no priority emulation (one list
per queue). ``broker_connection_retry_on_startup`` is set only to silence Celery's start-up
deprecation warning; it changes nothing once connected. The tasks are ``bench.floor_tasks``'s,
the same as the configured floor's (``bench.floor_app``). This module never imports ``orchestrator``.
"""

from __future__ import annotations

import os

from celery import Celery

from bench.floor_tasks import define_tasks

QUEUE = "celery"  # Celery's default queue: nothing routes elsewhere
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("bench_plain", set_as_current=False)
app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, broker_connection_retry_on_startup=True)
tasks = define_tasks(app)
