"""The Redis IO manager: small outputs as cloudpickle values in Redis, for workers that share no disk.

Keys are ``<key_prefix>:<run_id>:<step_key>:<output_name>[:<mapping_key>]`` (assets:
``<key_prefix>:asset:<asset path parts...>[:<partition_key>]``), set with an expiry of
``ttl_seconds`` so old runs do not fill Redis. Values are capped at ``max_value_bytes``: Redis
holds everything in memory, so big outputs belong in ``fs_io_manager`` or ``upath_io_manager``.
"""

from __future__ import annotations

import os
from typing import Any

import cloudpickle

from orchestrator.definitions.config.schema import Field
from orchestrator.definitions.io_managers.base import InputContext, IOManager, OutputContext, io_manager
from orchestrator.definitions.io_managers.fs import OutputNotFoundError, describe_output
from orchestrator.errors import OrchestratorError
from orchestrator.redis_urls import mask_url, redis_client

__all__ = ["RedisIOManager", "ValueTooLargeError", "redis_io_manager", "mask_url"]

DEFAULT_MAX_VALUE_BYTES = 1024 * 1024
DEFAULT_KEY_PREFIX = "orch:io"
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


class ValueTooLargeError(OrchestratorError):
    """An output pickles to more bytes than the Redis IO manager's ``max_value_bytes``.

    Raised by ``RedisIOManager.handle_output`` (failing the step) before anything is sent to
    Redis, which holds every value in memory. Store large outputs with ``fs_io_manager`` or
    ``upath_io_manager`` (e.g. through the output's ``io_manager_key``), or raise
    ``max_value_bytes``.

    Attributes:
        step_key: The step whose output it is.
        output_name: The output's name.
        size: The output's size, pickled, in bytes.
        limit: The ``max_value_bytes`` it exceeds.

    Examples:
        >>> from orchestrator import RedisIOManager, ValueTooLargeError, build_output_context
        >>> manager = RedisIOManager("redis://localhost:6379/0", max_value_bytes=100)
        >>> try:
        ...     manager.handle_output(build_output_context(step_key="big", name="result"), "x" * 1000)
        ... except ValueTooLargeError as exc:
        ...     print(exc.step_key, exc.output_name, exc.size > exc.limit, exc.limit)
        big result True 100
    """

    def __init__(self, message: str, *, step_key: str | None, output_name: str, size: int, limit: int) -> None:
        super().__init__(message)
        self.step_key = step_key
        self.output_name = output_name
        self.size = size
        self.limit = limit


def _key_part(part: str) -> str:
    # Escape the separator so distinct identifiers can never map to the same key.
    return part.replace("%", "%25").replace(":", "%3A")


class RedisIOManager(IOManager):
    """An IO manager that stores outputs as cloudpickle values in Redis, with an expiry and a size cap.

    The class behind ``redis_io_manager`` (not one of Dagster's): for workers that share no disk
    and small outputs. Keys are ``<key_prefix>:<run_id>:<step_key>:<output>[:<mapping key>]``, or
    ``<key_prefix>:asset:<asset key path...>[:<partition key>]`` for assets (``get_key``). Making
    one does not connect; storing or loading an output does, and an unreachable Redis fails the
    step with the URL (password masked) and the key.

    Args:
        redis_url: The Redis to use, in any form ``REDIS_URL`` takes: ``redis://localhost:6379/0``,
            ``rediss://...``, ``unix://...`` or ``sentinel://...?master_name=NAME``.
        max_value_bytes: The largest output, pickled, it stores; a bigger one raises
            :class:`ValueTooLargeError`. Defaults to 1 MiB.
        key_prefix: The start of every key. Defaults to ``"orch:io"``.
        ttl_seconds: How long Redis keeps each value. Defaults to 7 days; None or 0 keeps values
            until they are deleted.

    Raises:
        OrchestratorError: when ``redis_url`` is not a valid Redis URL.

    Examples:
        >>> from orchestrator import RedisIOManager, build_output_context
        >>> manager = RedisIOManager("redis://:s3cret@localhost:6379/0", key_prefix="myapp:io")
        >>> manager.get_key(build_output_context(run_id="r1", step_key="load", name="result"))
        'myapp:io:r1:load:result'
        >>> manager.masked_url
        'redis://:***@localhost:6379/0'
    """

    def __init__(self, redis_url: str, max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
                 key_prefix: str = DEFAULT_KEY_PREFIX, ttl_seconds: int | None = DEFAULT_TTL_SECONDS) -> None:
        import redis  # lazily: keeps `import orchestrator` fast for users who never touch Redis

        self.masked_url = mask_url(redis_url)
        self.max_value_bytes = max_value_bytes
        self.key_prefix = key_prefix
        self.ttl_seconds = ttl_seconds
        self._redis_error: type[Exception] = redis.RedisError
        try:
            # Any URL form REDIS_URL takes, Sentinel included (redis_urls.py).
            self.client: Any = redis_client(redis_url)
        except OrchestratorError as exc:
            raise OrchestratorError(f"{exc} (redis_io_manager's redis_url)") from None

    def get_key(self, context: OutputContext | InputContext) -> str:
        """The Redis key of the value ``context`` stores or loads."""
        upstream = context if isinstance(context, OutputContext) else context.upstream_output
        if context.has_asset_key:
            parts = ["asset", *context.get_asset_identifier()]
        elif upstream is not None and upstream.has_asset_key:
            parts = ["asset", *upstream.get_asset_identifier()]
        else:
            parts = context.get_identifier()
        return ":".join([self.key_prefix, *(_key_part(str(p)) for p in parts)])

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        data = cloudpickle.dumps(obj)
        if len(data) > self.max_value_bytes:
            raise ValueTooLargeError(
                f"Output '{context.name}' of step '{context.step_key}' is {len(data)} bytes pickled, over "
                f"redis_io_manager's limit of {self.max_value_bytes} bytes (max_value_bytes). Store large outputs "
                "with fs_io_manager or upath_io_manager (e.g. via the output's io_manager_key), or raise "
                "max_value_bytes in the IO manager's config.",
                step_key=context.step_key, output_name=context.name, size=len(data), limit=self.max_value_bytes,
            )
        key = self.get_key(context)
        try:
            if self.ttl_seconds and self.ttl_seconds > 0:
                self.client.set(key, data, ex=self.ttl_seconds)
            else:
                self.client.set(key, data)
        except self._redis_error as exc:
            raise OrchestratorError(
                f"Could not store {describe_output(context)} in Redis at {self.masked_url} (key {key}): "
                f"{type(exc).__name__}: {exc}. Check that Redis is running and reachable from this worker."
            ) from exc
        context.add_output_metadata({"key": key, "size_bytes": len(data)})

    def load_input(self, context: InputContext) -> Any:
        key = self.get_key(context)
        try:
            data = self.client.get(key)
        except self._redis_error as exc:
            raise OrchestratorError(
                f"Could not load {describe_output(context)} from Redis at {self.masked_url} (key {key}): "
                f"{type(exc).__name__}: {exc}. Check that Redis is running and reachable from this worker."
            ) from exc
        if data is None:
            raise OutputNotFoundError(
                f"No stored value for {describe_output(context)}: Redis key {key} does not exist. The upstream "
                f"output was never stored, it was stored in another Redis or under another key_prefix, or it "
                f"expired (ttl_seconds={self.ttl_seconds})."
            )
        return cloudpickle.loads(data)

    def has_output(self, context: OutputContext) -> bool:
        return bool(self.client.exists(self.get_key(context)))


@io_manager(
    config_schema={
        "redis_url": Field(str, is_required=False),
        "max_value_bytes": Field(int, default_value=DEFAULT_MAX_VALUE_BYTES),
        "key_prefix": Field(str, default_value=DEFAULT_KEY_PREFIX),
        "ttl_seconds": Field(int, default_value=DEFAULT_TTL_SECONDS),
    },
    description="Stores small outputs (max_value_bytes, default 1 MiB) in Redis (redis_url, default $REDIS_URL).",
)
def redis_io_manager(init_context: Any) -> RedisIOManager:
    config = init_context.resource_config or {}
    redis_url = config.get("redis_url") or os.environ.get("REDIS_URL")
    if not redis_url:
        raise OrchestratorError(
            "redis_io_manager has no Redis URL: set 'redis_url' in its resource config "
            "(e.g. redis://localhost:6379/0) or set the REDIS_URL environment variable."
        )
    return RedisIOManager(
        redis_url,
        max_value_bytes=config.get("max_value_bytes", DEFAULT_MAX_VALUE_BYTES),
        key_prefix=config.get("key_prefix", DEFAULT_KEY_PREFIX),
        ttl_seconds=config.get("ttl_seconds", DEFAULT_TTL_SECONDS),
    )


redis_io_manager.__doc__ = """Stores small outputs as cloudpickle values in Redis, for workers that share no disk.

Not one of Dagster's. Config: ``redis_url`` (default: the ``REDIS_URL`` environment variable
where the step runs), ``max_value_bytes`` (default 1 MiB; a bigger output fails its step with
:class:`ValueTooLargeError`), ``key_prefix`` (default ``orch:io``) and ``ttl_seconds`` (default 7
days; 0 keeps values until deleted). Building it does not connect; storing or loading an
output does. Key layout and errors are :class:`RedisIOManager`'s.

Raises:
    OrchestratorError: when it is built with no ``redis_url`` and no ``REDIS_URL`` set, or with
        an invalid URL.

Examples:
    >>> from orchestrator import build_resources, redis_io_manager
    >>> configured = redis_io_manager.configured({"redis_url": "redis://localhost:6379/0", "ttl_seconds": 3600})
    >>> with build_resources({"io_manager": configured}) as resources:
    ...     manager = resources.io_manager
    >>> manager.key_prefix, manager.ttl_seconds, manager.max_value_bytes
    ('orch:io', 3600, 1048576)
"""
