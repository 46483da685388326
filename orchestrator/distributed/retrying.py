"""Retrying Redis calls through a short outage (a restart, a failover) instead of failing a step."""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["retrying", "transient_errors", "retry_seconds"]

T = TypeVar("T")
_log = logging.getLogger("orchestrator.redis")


def transient_errors() -> tuple[type[BaseException], ...]:
    """The errors of a Redis that is away for a while (restarting, failing over): worth retrying."""
    import redis

    return (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ConnectionError)


def retry_seconds() -> float:
    """How long Redis calls are retried through an outage: ``ORCH_REDIS_RETRY_SECONDS`` (60 s, more
    than a Sentinel failover takes with Sentinel's default 30 s ``down-after-milliseconds``)."""
    return float(os.environ.get("ORCH_REDIS_RETRY_SECONDS", "60"))


def retrying(fn: Callable[..., T]) -> Callable[..., T]:
    """Retry ``fn`` on connection errors with backoff, for up to ``ORCH_REDIS_RETRY_SECONDS`` (60)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        deadline = time.monotonic() + retry_seconds()
        delay = 0.1
        errors = transient_errors()
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
