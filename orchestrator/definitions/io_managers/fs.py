"""The filesystem IO manager: outputs as cloudpickle files under a base directory.

Layout (every part escaped by :func:`safe_path_part`)::

    <base_dir>/<run_id>/<step_key>/<output_name>                 # an op output
    <base_dir>/<run_id>/<step_key>/<output_name>/<mapping_key>   # one value of a dynamic output
    <base_dir>/<asset path parts...>[/<partition_key>]           # an asset, so later runs can load it

Files are written atomically (temp file in the same directory, then ``os.replace``), so a reader
never sees a half-written value, even if the writer is killed mid-write. With ``fsync: true`` (or
``ORCH_FSYNC=1``) each file and its directory are also flushed to disk, so a stored output survives a
power loss; that costs milliseconds per output, and a lost output only means its step runs again. The default for
distributed runs: point ``base_dir`` at storage every worker mounts.
"""

from __future__ import annotations

import contextlib
import os
import string
import tempfile
from pathlib import Path
from typing import Any

import cloudpickle

from orchestrator.definitions.config.schema import Field, StringSource
from orchestrator.definitions.io_managers.base import InputContext, IOManager, OutputContext, io_manager
from orchestrator.errors import OrchestratorError
from orchestrator.home import default_storage_dir

__all__ = [
    "PickledObjectFilesystemIOManager",
    "FilesystemIOManager",
    "OutputNotFoundError",
    "fs_io_manager",
    "CustomPathPickledObjectFilesystemIOManager",
    "custom_path_fs_io_manager",
    "safe_path_part",
    "storage_path_parts",
    "describe_output",
]

_SAFE_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")


class OutputNotFoundError(OrchestratorError, FileNotFoundError):
    """No stored value exists for the output an input loads from."""


def safe_path_part(part: str) -> str:
    """Escape ``part`` into one safe, reversible path segment.

    Characters outside ``[A-Za-z0-9_.-]`` become ``%XX`` (UTF-8 bytes): ``process[k]`` becomes
    ``process%5Bk%5D``. Escaping ``/`` keeps a part one segment; escaping ``[``, ``*`` and ``?``
    keeps fsspec from reading it as a glob; ``.``/``..`` are escaped so no part can leave the base.
    Dotted keys like ``outer.inner.op`` stay as they are.
    """
    if part == "":
        return "%"  # never produced otherwise: every other % is followed by two hex digits
    if part in (".", ".."):
        return "%2E" * len(part)
    return "".join(ch if ch in _SAFE_CHARS else "".join(f"%{b:02X}" for b in ch.encode()) for ch in part)


def _source_output(context: OutputContext | InputContext) -> OutputContext | None:
    return context if isinstance(context, OutputContext) else context.upstream_output


def storage_path_parts(context: OutputContext | InputContext) -> list[str]:
    """The escaped relative path parts of the value ``context`` stores or loads (see module doc)."""
    if context.has_asset_key:
        raw = context.get_asset_identifier()
    else:
        upstream = _source_output(context)
        # An input may carry only its upstream output's asset key; load from where that asset lives.
        raw = upstream.get_asset_identifier() if upstream is not None and upstream.has_asset_key else context.get_identifier()
    return [safe_path_part(str(p)) for p in raw]


def describe_output(context: OutputContext | InputContext) -> str:
    """A human name for the stored value, for error messages: asset, or output and step."""
    upstream = _source_output(context)
    asset_key = context.asset_key if context.has_asset_key else getattr(upstream, "asset_key", None)
    if asset_key is not None:
        text = f"asset {'/'.join(str(p) for p in asset_key.path)}"
        partition = context.partition_key if context.has_partition_key else getattr(upstream, "partition_key", None)
        if partition is not None:
            text += f" (partition '{partition}')"
    elif upstream is not None:
        text = f"output '{upstream.name}' of step '{upstream.step_key}'"
        if upstream.mapping_key is not None:
            text += f" (mapping key '{upstream.mapping_key}')"
    else:
        text = f"input '{context.name}'"
    if isinstance(context, InputContext) and context.step_key is not None:
        text += f", loaded for input '{context.name}' of step '{context.step_key}'"
    return text


def write_bytes_atomic(path: Path, data: bytes, fsync: bool = False) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never a part.

    ``fsync`` also makes the file and the rename durable across a power loss.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temp file must live in the same directory: os.replace is only atomic within a filesystem.
    tmp = tempfile.NamedTemporaryFile(delete=False, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with tmp:
            tmp.write(data)
            if fsync:
                tmp.flush()
                os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    if fsync:
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable across a power loss; not supported on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def missing_output_message(context: InputContext, where: str) -> str:
    """The error text for a value that is not stored at ``where``, with the likely causes and fixes."""
    return (
        f"No stored value for {describe_output(context)}: nothing at {where}. The upstream output was "
        "never stored (its step did not run or did not succeed in this run), or it was stored on another "
        "machine: use storage every worker shares (a shared base_dir, upath_io_manager or redis_io_manager)."
    )


class PickledPathIOManager(IOManager):
    """Cloudpickle files under a root path (a ``Path`` or a ``UPath``), in the layout of the module doc."""

    root: Any

    def _get_path(self, context: OutputContext | InputContext) -> Any:
        return self.root.joinpath(*storage_path_parts(context))

    def load_input(self, context: InputContext) -> Any:
        path = self._get_path(context)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise OutputNotFoundError(missing_output_message(context, str(path))) from None
        return cloudpickle.loads(data)

    def has_output(self, context: OutputContext) -> bool:
        return bool(self._get_path(context).exists())


class PickledObjectFilesystemIOManager(PickledPathIOManager):
    """An IO manager that stores each output as a cloudpickle file under a base directory.

    The class behind ``fs_io_manager``; ``FilesystemIOManager`` is the same class under Dagster's
    newer name. Files are ``<base_dir>/<run_id>/<step_key>/<output>[/<mapping key>]`` for op
    outputs and ``<base_dir>/<asset key path...>[/<partition key>]`` for assets (so later runs
    load them), each written atomically, its path added to the output's metadata. Unlike
    Dagster's (a configurable resource whose ``base_dir`` is optional), this is a plain
    ``IOManager`` that needs ``base_dir``; for a directory set in run config, use
    ``fs_io_manager``.

    Args:
        base_dir: The directory outputs go under (``~`` is expanded). For steps on several
            machines, storage every worker mounts.
        fsync: Whether to flush each file and its directory to disk, so a stored output survives
            a power loss (milliseconds per output). Defaults to None: on when the environment
            variable ``ORCH_FSYNC`` is ``1``.

    Examples:
        >>> from orchestrator import FilesystemIOManager, build_input_context, build_output_context
        >>> manager = FilesystemIOManager(base_dir="outputs")
        >>> stored = build_output_context(run_id="r1", step_key="one", name="result")
        >>> manager.handle_output(stored, {"rows": 3})
        >>> stored.output_metadata
        {'path': 'outputs/r1/one/result'}
        >>> manager.load_input(build_input_context(upstream_output=stored))
        {'rows': 3}
    """

    def __init__(self, base_dir: str | os.PathLike[str], fsync: bool | None = None) -> None:
        self.base_dir = Path(base_dir).expanduser()
        self.fsync = os.environ.get("ORCH_FSYNC") == "1" if fsync is None else fsync

    @property
    def root(self) -> Path:
        return self.base_dir

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        path = self._get_path(context)
        write_bytes_atomic(path, cloudpickle.dumps(obj), self.fsync)
        context.add_output_metadata({"path": str(path)})


# Dagster's newer name for the same class.
FilesystemIOManager = PickledObjectFilesystemIOManager


@io_manager(
    config_schema={"base_dir": Field(str, is_required=False),
                   "fsync": Field(bool, is_required=False, description="Flush each output to disk (durable).")},
    description="Stores outputs as pickle files under base_dir (default $ORCH_HOME/storage).",
)
def fs_io_manager(init_context: Any) -> PickledObjectFilesystemIOManager:
    config = init_context.resource_config or {}
    return PickledObjectFilesystemIOManager(config.get("base_dir") or default_storage_dir(), config.get("fsync"))


fs_io_manager.__doc__ = """Stores each output as a cloudpickle file under a base directory, on disk.

What a job that names no ``io_manager`` uses when its steps run in separate processes (the
multiprocess executor, Celery workers), and the default of asset jobs and ``materialize``.
Config: ``base_dir`` (default ``$ORCH_HOME/storage``; for runs on several machines, storage every
worker mounts) and ``fsync`` (flush each file to disk; default off unless ``ORCH_FSYNC=1``).
The layout and atomic writes are :class:`PickledObjectFilesystemIOManager`'s.

Examples:
    >>> import os
    >>> from orchestrator import fs_io_manager, job, op
    >>> @op
    ... def one() -> int:
    ...     return 1
    >>> @job(resource_defs={"io_manager": fs_io_manager.configured({"base_dir": "outputs"})})
    ... def stored():
    ...     one()
    >>> result = stored.execute_in_process()
    >>> os.listdir(os.path.join("outputs", result.run_id, "one"))
    ['result']
"""


class CustomPathPickledObjectFilesystemIOManager(IOManager):
    """Stores each output as a cloudpickle file at the path its output config names, under ``base_dir``."""

    def __init__(self, base_dir: str | os.PathLike[str]) -> None:
        self.base_dir = Path(base_dir).expanduser()

    def _path(self, config: Any, what: str) -> Path:
        if not isinstance(config, dict) or not config.get("path"):
            raise OrchestratorError(
                f"custom_path_fs_io_manager needs output config 'path' for {what}: set run config "
                "ops.<op>.outputs.<output>: {path: ...}."
            )
        return self.base_dir / str(config["path"])

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        path = self._path(context.config, f"output '{context.name}' of step '{context.step_key}'")
        write_bytes_atomic(path, cloudpickle.dumps(obj))
        context.add_output_metadata({"path": str(path.absolute())})

    def load_input(self, context: InputContext) -> Any:
        upstream = context.upstream_output
        path = self._path(upstream.config if upstream is not None else None, f"input '{context.name}'")
        try:
            return cloudpickle.loads(path.read_bytes())
        except FileNotFoundError:
            raise OutputNotFoundError(missing_output_message(context, str(path))) from None


@io_manager(
    config_schema={"base_dir": Field(StringSource)},
    output_config_schema={"path": Field(StringSource)},
    description="Stores each output as a pickle file at base_dir/<path>, path given per output in run config.",
)
def custom_path_fs_io_manager(init_context: Any) -> CustomPathPickledObjectFilesystemIOManager:
    return CustomPathPickledObjectFilesystemIOManager(init_context.resource_config["base_dir"])


custom_path_fs_io_manager.__doc__ = """Stores each output as a cloudpickle file at a path given in run config.

Config: ``base_dir`` (required; a string or ``{"env": "VAR"}``). Every output it stores needs
output config ``path``, relative to ``base_dir`` (run config ``ops.<op>.outputs.<output>:
{path: ...}``); a downstream input loads from its upstream output's path. The file's absolute
path is added to the output's event metadata (Dagster also logs an ``AssetMaterialization``;
this does not).

Raises:
    OrchestratorError: failing the step, when an output has no ``path`` in its output config.

Examples:
    >>> import os
    >>> from orchestrator import custom_path_fs_io_manager, job, op
    >>> @op
    ... def one() -> int:
    ...     return 1
    >>> @job(resource_defs={"io_manager": custom_path_fs_io_manager})
    ... def pathed():
    ...     one()
    >>> result = pathed.execute_in_process(run_config={
    ...     "resources": {"io_manager": {"config": {"base_dir": "data"}}},
    ...     "ops": {"one": {"outputs": {"result": {"path": "one.pkl"}}}}})
    >>> os.listdir("data")
    ['one.pkl']
"""
