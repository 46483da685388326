"""Task and strategy lookups that send every ``<job>.<step_key>`` task name to the one step task.

Steps are published under their own names so Flower shows ``my_job.add_one``; the worker does not
know those names in advance, so unknown names resolve to the step task, which checks its kwargs.
"""

from __future__ import annotations

from typing import Any

from celery.app.registry import TaskRegistry
from celery.worker.consumer import Consumer

from orchestrator.distributed.dispatch import STEP_TASK_NAME


def _is_step_name(name: Any) -> bool:
    return isinstance(name, str) and not name.startswith("celery.")


class StepTaskRegistry(TaskRegistry):
    """``app.tasks``: registered tasks, and the step task for any other name."""

    def __missing__(self, key: str) -> Any:
        step = dict.get(self, STEP_TASK_NAME)
        if step is None or not _is_step_name(key):
            raise self.NotRegistered(key)
        return step


class _StepStrategies(dict):
    def __missing__(self, key: str) -> Any:
        step = dict.get(self, STEP_TASK_NAME)
        if step is None or not _is_step_name(key):
            raise KeyError(key)
        return step


class StepConsumer(Consumer):
    """The worker's consumer, with strategy lookups that know about step task names."""

    Strategies = _StepStrategies
