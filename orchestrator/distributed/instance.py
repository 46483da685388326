"""The instance: where distributed runs, their events and default storage live.

Configured from the environment: ``REDIS_URL`` (broker, result backend and run storage),
``ORCH_HOME`` (local state, the default ``fs_io_manager`` directory and the settings file
``orch.yaml``: run queue limits, see ``run_queue.py``) and ``ORCH_SECRET`` (the HMAC key that signs
shipped code). With ``REDIS_URL`` unset, the connection ``orch dev`` wrote to
``$ORCH_HOME/dev.json`` is used, so a second terminal needs no environment at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.io_managers.redis import mask_url
from orchestrator.errors import OrchestratorError
from orchestrator.home import orch_home

if TYPE_CHECKING:
    import redis

    from orchestrator.distributed.run_queue import RunQueueConfig
    from orchestrator.distributed.run_storage import RunStorage

__all__ = ["Instance"]


class Instance:
    """A Redis URL, a home directory and a secret: everything a submitter and its workers share.

    ``run_queue``: the run concurrency limits of runs submitted through this instance, as
    Dagster's ``run_queue`` section (``{"max_concurrent_runs": 4, "tag_concurrency_limits": [{"key":
    "team", "value": "data", "limit": 2}]}``) or a ``RunQueueConfig``; None reads them from
    ``<home>/orch.yaml`` (no file: no limits).
    """

    def __init__(self, redis_url: str | None = None, home: str | Path | None = None, secret: str | None = None,
                 broker_url: str | None = None, backend_url: str | None = None,
                 run_queue: RunQueueConfig | Mapping[str, Any] | None = None) -> None:
        self.home = Path(home).expanduser() if home is not None else orch_home()
        self._run_queue: RunQueueConfig | None = None
        if run_queue is not None:
            from orchestrator.distributed.run_queue import RunQueueConfig

            self._run_queue = RunQueueConfig.of(run_queue)  # a bad section fails here, naming the key
        if redis_url is None:
            raise OrchestratorError(
                "No Redis URL: pass Instance(redis_url=...), set REDIS_URL, or start `orch dev`, "
                "which writes its connection to $ORCH_HOME/dev.json."
            )
        self.redis_url = redis_url
        self.broker_url = broker_url or redis_url
        self.backend_url = backend_url or redis_url
        self.secret = secret

    @classmethod
    def from_env(cls) -> Instance:
        """The instance the environment describes (``REDIS_URL``, ``ORCH_HOME``, ``ORCH_SECRET``, dev.json)."""
        home = orch_home()
        url = os.environ.get("REDIS_URL")
        secret = os.environ.get("ORCH_SECRET")
        if not url:
            dev = home / "dev.json"
            if dev.exists():
                try:
                    info: dict[str, Any] = json.loads(dev.read_text())
                except ValueError as exc:
                    raise OrchestratorError(f"{dev} is not valid JSON ({exc}); delete it and restart `orch dev`.")
                url = info.get("redis_url")
                secret = secret or info.get("secret")
        if not url:
            raise OrchestratorError(
                "REDIS_URL is not set and no `orch dev` is running (no $ORCH_HOME/dev.json). "
                "Set REDIS_URL=redis://host:6379/0, or start `orch dev` in another terminal."
            )
        return cls(redis_url=url, home=home, secret=secret)

    @property
    def masked_url(self) -> str:
        """The Redis URL with any password replaced by ``***`` (for messages and logs)."""
        return mask_url(self.redis_url)

    @cached_property
    def redis(self) -> redis.Redis:
        """A client for run storage. Connections are made lazily and pooled."""
        import redis as redis_lib
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        # Ride out a Redis restart (a few seconds) instead of failing the step that was talking to it.
        retry = Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=int(os.environ.get("ORCH_REDIS_RETRIES", "12")))
        try:
            return redis_lib.Redis.from_url(
                self.redis_url, socket_connect_timeout=5, health_check_interval=30, retry=retry,
                retry_on_error=[redis_lib.ConnectionError, redis_lib.TimeoutError, redis_lib.BusyLoadingError],
            )
        except ValueError as exc:
            raise OrchestratorError(f"Invalid Redis URL {self.masked_url}: {exc}") from None

    @cached_property
    def run_queue(self) -> RunQueueConfig:
        """The run queue limits (given, else read from ``<home>/orch.yaml`` once)."""
        from orchestrator.distributed.run_queue import RunQueueConfig

        return self._run_queue if self._run_queue is not None else RunQueueConfig.load(self.home)

    @cached_property
    def storage(self) -> RunStorage:
        from orchestrator.distributed.run_storage import RunStorage

        return RunStorage(self.redis, self.masked_url)

    def ping(self) -> None:
        """Check Redis answers; raise an error naming the (masked) URL when it does not."""
        import redis as redis_lib

        try:
            # A client without retries: an unreachable Redis is reported at once, not after backoff.
            probe = redis_lib.Redis.from_url(self.redis_url, socket_connect_timeout=3, socket_timeout=3)
            try:
                probe.ping()
            finally:
                probe.close()
        except ValueError as exc:
            raise OrchestratorError(f"Invalid Redis URL {self.masked_url}: {exc}") from None
        except redis_lib.AuthenticationError as exc:
            raise OrchestratorError(f"Redis at {self.masked_url} refused the credentials: {exc}") from None
        except (redis_lib.ConnectionError, redis_lib.TimeoutError, OSError) as exc:
            raise OrchestratorError(
                f"Cannot reach Redis at {self.masked_url}: {exc}. Is redis-server running, and is REDIS_URL right?"
            ) from None

    def __repr__(self) -> str:
        return f"Instance(redis_url={self.masked_url!r}, home={str(self.home)!r})"
