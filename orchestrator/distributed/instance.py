"""The instance: where distributed runs, their events and default storage live.

Configured from the environment: ``REDIS_URL`` (broker, result backend and run storage),
``ORCH_STORAGE_URL`` (run storage on another Redis, e.g. a Redis Cluster: ``redis+cluster://``),
``ORCH_HOME`` (local state, the default ``fs_io_manager`` directory and the settings file
``orch.yaml``: run queue limits, see ``run_queue.py``) and ``ORCH_SECRET`` (the HMAC key that signs
shipped code). With ``REDIS_URL`` unset, the connection ``orch dev`` wrote to
``$ORCH_HOME/dev.json`` is used, so a second terminal needs no environment at all.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.errors import OrchestratorError
from orchestrator.home import orch_home
from orchestrator.redis_urls import RedisURL, parse_redis_url, redis_client, sentinel_report

if TYPE_CHECKING:
    import redis
    from redis import Redis

    from orchestrator.distributed.run_queue import RunQueueConfig
    from orchestrator.distributed.run_storage import RunStorage

__all__ = ["Instance"]

PING_FRESH_SECONDS = 5.0


class Instance:
    """A Redis URL, a home directory and a secret: everything a submitter and its workers share.

    Runs, their events, the scheduler's state and the shipped code live in the Redis it names;
    the home directory holds local state and the default ``fs_io_manager`` storage; the secret
    signs the jobs shipped to workers (workers refuse a blob signed with another). Pass one as
    ``instance=`` to ``submit_job``, ``execute_job``, ``get_run`` and ``reexecute``; without
    one they use ``Instance.from_env()`` (``REDIS_URL``, ``ORCH_HOME``, ``ORCH_SECRET``, else
    the connection a running ``orch dev`` wrote to ``$ORCH_HOME/dev.json``). Nothing connects
    until Redis is used; ``ping()`` checks it answers. Dagster's ``DagsterInstance`` is a
    different thing here (in-memory runs of ``execute_in_process``).

    Args:
        redis_url: The Redis of run storage, broker and result backend: ``redis://``,
            ``rediss://`` (TLS), ``unix://`` or ``sentinel://`` (followed through failovers).
            Required.
        home: The local state directory. Defaults to ``$ORCH_HOME``, else ``~/.orch``.
        secret: The key that signs shipped jobs; the workers must have the same. Defaults to
            None (a fixed development key that checks integrity only; workers accept it when
            started with ``--insecure``).
        broker_url: The Celery broker, when not ``redis_url``. Defaults to ``redis_url``.
        backend_url: The Celery result backend, when not ``redis_url``. Defaults to ``redis_url``.
        storage_url: Run storage (runs, events, the scheduler's state, shipped code, worker
            presence) on another Redis than the broker: one server, Sentinel, or a Redis Cluster
            (``redis+cluster://h1:7000,h2:7001``). Defaults to ``redis_url``
            (``ORCH_STORAGE_URL`` for ``from_env``).
        run_queue: The run concurrency limits of runs submitted through it, as Dagster's
            ``run_queue`` section (``{"max_concurrent_runs": 4, "tag_concurrency_limits": [{"key":
            "team", "value": "data", "limit": 2}]}``) or a ``RunQueueConfig``. Defaults to None:
            read from ``<home>/orch.yaml`` (no file: no limits).

    Raises:
        OrchestratorError: when ``redis_url`` is missing or not a Redis URL (the message says
            which forms are accepted), or when the broker's URL names a Redis Cluster.
        ConfigError: when a ``run_queue`` limit or ``ORCH_RUN_RETENTION`` is malformed (the
            message names it).

    Examples:
        >>> import os
        >>> from orchestrator import Instance, execute_job, job, op
        >>> instance = Instance(redis_url=os.environ["REDIS_URL"], secret=os.environ["ORCH_SECRET"])
        >>> instance.ping()
        >>> instance
        Instance(redis_url='redis://127.0.0.1:...', home='...')
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @job
        ... def single():
        ...     one()
        >>> execute_job(single, instance=instance, timeout=60).success
        True
    """

    def __init__(self, redis_url: str | None = None, home: str | Path | None = None, secret: str | None = None,
                 broker_url: str | None = None, backend_url: str | None = None,
                 run_queue: RunQueueConfig | Mapping[str, Any] | None = None,
                 storage_url: str | None = None) -> None:
        self.home = Path(home).expanduser() if home is not None else orch_home()
        self._pinged_at = -PING_FRESH_SECONDS
        self._run_queue: RunQueueConfig | None = None
        if run_queue is not None:
            from orchestrator.distributed.run_queue import RunQueueConfig

            self._run_queue = RunQueueConfig.of(run_queue)  # a bad section fails here, naming the key
        if redis_url is None:
            raise OrchestratorError(
                "No Redis URL: pass Instance(redis_url=...), set REDIS_URL, or start `orch dev`, "
                "which writes its connection to $ORCH_HOME/dev.json."
            )
        # Every URL form is checked here, once (redis_urls.py): a bad URL fails naming what to fix.
        self.redis_target: RedisURL = parse_redis_url(redis_url)
        self.redis_url = redis_url
        self.broker_url = broker_url or redis_url
        self.backend_url = backend_url or redis_url
        #: Where runs are stored: ``storage_url``, else ``redis_url`` (then broker and storage are one Redis).
        self.storage_url = storage_url or redis_url
        self.storage_target: RedisURL = parse_redis_url(storage_url) if storage_url else self.redis_target
        for what, url in (("REDIS_URL (the broker)", self.broker_url), ("the result backend", self.backend_url)):
            if (self.redis_target if url == redis_url else parse_redis_url(url)).is_cluster:
                raise OrchestratorError(
                    f"{what} is a Redis Cluster URL ({parse_redis_url(url).masked}): kombu has no Cluster transport. "
                    "Set REDIS_URL to one Redis server or a Sentinel URL, and ORCH_STORAGE_URL (or "
                    "Instance(storage_url=...)) to the Cluster for run storage (deploy/README.md, \"Topologies\")."
                )
        self.secret = secret
        from orchestrator.distributed.retention import run_retention

        #: Seconds a finished run's keys are kept (``ORCH_RUN_RETENTION``, checked here so that a bad
        #: value stops a worker at start rather than its first run's close).
        self.retention = run_retention()

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
        return cls(redis_url=url, home=home, secret=secret, storage_url=os.environ.get("ORCH_STORAGE_URL") or None)

    @property
    def masked_url(self) -> str:
        """The URL of run storage's Redis (``storage_url``, else ``redis_url``) with any password
        replaced by ``***`` (for messages and logs: runs are looked for there)."""
        return self.storage_target.masked

    @property
    def storage_is_cluster(self) -> bool:
        """Whether run storage is a Redis Cluster (``redis+cluster://``)."""
        return self.storage_target.is_cluster

    @property
    def separate_storage(self) -> bool:
        """Whether run storage is another Redis than the broker (``storage_url`` given and different)."""
        return self.storage_url != self.broker_url

    @cached_property
    def redis(self) -> redis.Redis:
        """A client for run storage. Connections are made lazily and pooled.

        With a Sentinel URL it is the client of the current master: a connection lost in a
        failover is made again to the master the Sentinels name then (``redis_urls.py``). With a
        Cluster URL it is a ``redis.cluster.RedisCluster`` (it connects to learn the slots at once).
        """
        return _client(self.storage_target)

    @cached_property
    def broker_redis(self) -> Redis:  # not `redis.Redis`: in this class, `redis` is the property above
        """A client for the broker's Redis (kombu's queues and unacked messages: ``broker_leases.py``);
        the run storage client itself when both are one Redis."""
        if not self.separate_storage:
            return self.redis
        return _client(self.redis_target if self.broker_url == self.redis_url else parse_redis_url(self.broker_url))

    @cached_property
    def run_queue(self) -> RunQueueConfig:
        """The run queue limits (given, else read from ``<home>/orch.yaml`` once)."""
        from orchestrator.distributed.run_queue import RunQueueConfig

        return self._run_queue if self._run_queue is not None else RunQueueConfig.load(self.home)

    @cached_property
    def storage(self) -> RunStorage:
        from orchestrator.distributed.run_storage import RunStorage

        return RunStorage(self.redis, self.masked_url, retention=self.retention)

    def ping(self) -> None:
        """Check Redis answers (run storage and, when it is another one, the broker); raise an error
        naming the (masked) URL and the variable to check when one does not.

        An answer counts for ``PING_FRESH_SECONDS`` (5 s): a submitter sending runs back to back
        probes once, not once a run (a probe is a new connection, about a millisecond). Redis lost
        within that time is reported by the first command that cannot reach it, after its retries.
        """
        now = time.monotonic()
        if now - self._pinged_at < PING_FRESH_SECONDS:
            return
        _ping(self.storage_target, "ORCH_STORAGE_URL" if self.separate_storage else "REDIS_URL")
        if self.separate_storage:
            broker = self.redis_target if self.broker_url == self.redis_url else parse_redis_url(self.broker_url)
            _ping(broker, "REDIS_URL")
        self._pinged_at = now

    def __repr__(self) -> str:
        storage = f", storage_url={self.masked_url!r}" if self.storage_url != self.redis_url else ""
        return f"Instance(redis_url={self.redis_target.masked!r}{storage}, home={str(self.home)!r})"


def _client(target: RedisURL) -> redis.Redis:
    """A pooled client of ``target`` that rides out restarts and failovers (``Instance.redis``)."""
    import redis as redis_lib
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    # Ride out a Redis restart (a few seconds) instead of failing the step that was talking to it.
    retry = Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=int(os.environ.get("ORCH_REDIS_RETRIES", "12")))
    options: dict[str, Any] = {}
    if target.is_sentinel:
        # A master lost with its host (not only its process) leaves connections that never get an
        # answer: time commands out so that they are made again to the new master. Blocking
        # reads here block for a second or less (waiters poll), far below this.
        options = {"socket_timeout": 30, "socket_keepalive": True}
    return redis_client(
        target, socket_connect_timeout=5, health_check_interval=30, retry=retry,
        retry_on_error=[redis_lib.ConnectionError, redis_lib.TimeoutError, redis_lib.BusyLoadingError],
        **options,
    )


def _ping(target: RedisURL, variable: str) -> None:
    """Check the Redis of ``target`` answers; ``variable`` is the setting that names it (for the fix)."""
    import redis as redis_lib
    from redis.exceptions import RedisClusterException
    from redis.sentinel import MasterNotFoundError

    masked = target.masked
    try:
        # A client without retries: an unreachable Redis is reported at once, not after backoff.
        probe = redis_client(target, socket_connect_timeout=3, socket_timeout=3)
        try:
            probe.ping()
        finally:
            probe.close()
    except RedisClusterException as exc:
        raise OrchestratorError(
            f"Cannot reach the Redis Cluster at {masked}: {exc}. Are its nodes running and is {variable} right "
            "(redis+cluster://host:port,host:port)?"
        ) from None
    except MasterNotFoundError:
        # redis-py's own message lists every Sentinel client with its settings: say it shortly.
        raise OrchestratorError(
            f"No Sentinel at {masked} names a reachable master '{target.master_name}': "
            f"{sentinel_report(target)}. Check that the Sentinels run and are reachable, that master_name is "
            "the name of their `sentinel monitor` line, and sentinel_password if they require one; during a "
            "failover, try again in a few seconds."
        ) from None
    except redis_lib.AuthenticationError as exc:
        raise OrchestratorError(f"Redis at {masked} refused the credentials: {exc}") from None
    except (redis_lib.ConnectionError, redis_lib.TimeoutError, OSError) as exc:
        raise OrchestratorError(
            f"Cannot reach Redis at {masked}: {exc}. Is redis-server running, and is {variable} right?"
        ) from None
