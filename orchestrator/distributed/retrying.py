"""Retrying Redis calls through a short outage (a restart, a failover) instead of failing a step."""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["retrying"]

T = TypeVar("T")
_log = logging.getLogger("orchestrator.redis")


def _transient() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ConnectionError)


def retrying(fn: Callable[..., T]) -> Callable[..., T]:
    """Retry ``fn`` on connection errors with backoff, for up to ``ORCH_REDIS_RETRY_SECONDS`` (60)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        budget = float(os.environ.get("ORCH_REDIS_RETRY_SECONDS", "60"))
        deadline = time.monotonic() + budget
        delay = 0.1
        errors = _transient()
        while True:
            try:
                return fn(*args, **kwargs)
            except errors as exc:
                if time.monotonic() + delay > deadline:
                    raise
                _log.warning("Redis unavailable in %s (%s); retrying in %.1fs", fn.__name__, exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    return wrapper
