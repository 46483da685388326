"""Reaching the instance's Redis from a command: connect, and report a lost connection clearly.

Shared by the commands that read runs (``orch run ...``) and those that start them (``orch job
submit``, ``orch run reexecute``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from orchestrator.cli.errors import CliError

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["connect", "redis_errors"]


def connect() -> Instance:
    """The instance from the environment (REDIS_URL / ORCH_HOME / dev.json), checked to answer."""
    from orchestrator.distributed.instance import Instance

    instance = Instance.from_env()
    instance.ping()
    return instance


@contextmanager
def redis_errors(instance: Instance) -> Iterator[None]:
    """Turn a Redis failure in the middle of a command into a clear error naming the (masked) URL."""
    import redis as redis_lib

    try:
        yield
    except redis_lib.AuthenticationError as exc:
        raise CliError(f"Redis at {instance.masked_url} refused the credentials: {exc}") from exc
    except (redis_lib.ConnectionError, redis_lib.TimeoutError) as exc:
        raise CliError(f"Lost the connection to Redis at {instance.masked_url}: {exc}") from exc
