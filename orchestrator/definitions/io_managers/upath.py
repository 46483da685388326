"""The universal-pathlib IO manager: each output a file (object) under a base path in any fsspec store.

:class:`UPathIOManager` is Dagster's base class for IO managers that store values as files: a
subclass sets ``extension`` and implements ``dump_to_path(context, obj, path)`` and
``load_from_path(context, path)`` (e.g. a CSV or Parquet format); the base class decides the
paths, creates directories, loads several partitions of an asset as a dict, and reports each
stored path as output metadata. Not overridden, the two methods store cloudpickle bytes, which
is what ``upath_io_manager`` does.

``base_path`` is a URL such as ``s3://bucket/prefix``, ``gs://…``, ``memory://…`` or
``file:///shared/dir``; the layout under it is that of ``fs_io_manager`` (see
:mod:`orchestrator.definitions.io_managers.fs`; parts escaped the same way), plus the extension,
so with no extension either manager reads what the other wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cloudpickle

from orchestrator.definitions.config.schema import Field
from orchestrator.definitions.io_managers.base import InputContext, IOManager, OutputContext, io_manager
from orchestrator.definitions.io_managers.fs import (
    OutputNotFoundError,
    missing_output_message,
    safe_path_part,
    storage_path_parts,
    write_bytes_atomic,
)
from orchestrator.errors import OrchestratorError

__all__ = ["UPathIOManager", "upath_io_manager"]

_LOCAL_PROTOCOLS = frozenset({"", "file", "local"})


def _missing_dependency(base_path: object, exc: ImportError) -> OrchestratorError:
    return OrchestratorError(
        f"upath_io_manager cannot open {base_path}: {exc}. Install the storage extra with "
        "pip install 'orchestrator[s3]' (it brings universal-pathlib, fsspec and s3fs; other stores "
        "need their fsspec package, e.g. gcsfs for gs://)."
    )


def _as_upath(base_path: Any) -> Any:
    try:
        from upath import UPath  # lazily: universal-pathlib and fsspec are an optional extra

        path = base_path if isinstance(base_path, UPath) else UPath(base_path)
        # Builds the fsspec filesystem now, so a missing backend (e.g. s3fs) fails here, not mid-run.
        path.fs  # noqa: B018
    except ImportError as exc:
        raise _missing_dependency(base_path, exc) from exc
    return path


class UPathIOManager(IOManager):
    """An IO manager that stores each output as one file under a base path in any fsspec store.

    Dagster's base class for file-format IO managers: subclass it, set ``extension`` (e.g.
    ``".json"``) and implement ``dump_to_path(context, obj, path)`` / ``load_from_path(context,
    path)``; override ``get_metadata`` to add output metadata. The base class picks the paths
    (the layout of ``fs_io_manager``, plus the extension), creates directories, loads several
    partitions of an asset as a dict and adds each path to the output's metadata. Unlike
    Dagster's, the two methods are not abstract: not overridden, they store cloudpickle bytes.

    Args:
        base_path: Where files go: a ``UPath`` or a URL (``s3://bucket/prefix``, ``gs://...``,
            ``memory://...``, ``file:///shared/dir``) or local path. Defaults to None: the current
            directory.

    Raises:
        OrchestratorError: when universal-pathlib, or the fsspec package for ``base_path``'s
            store (e.g. s3fs), is not installed.

    Examples:
        >>> import json
        >>> from orchestrator import UPathIOManager, build_input_context, build_output_context
        >>> class JsonIOManager(UPathIOManager):
        ...     extension = ".json"
        ...     def dump_to_path(self, context, obj, path):
        ...         path.write_text(json.dumps(obj))
        ...     def load_from_path(self, context, path):
        ...         return json.loads(path.read_text())
        >>> manager = JsonIOManager(base_path="memory://docs-example")
        >>> stored = build_output_context(run_id="r1", step_key="make", name="result")
        >>> manager.handle_output(stored, {"a": 1})
        >>> stored.output_metadata["path"]
        'memory://docs-example/r1/make/result.json'
        >>> manager.load_input(build_input_context(upstream_output=stored))
        {'a': 1}
    """

    #: Appended to each file's name (e.g. ``".csv"``); None or "" for none.
    extension: str | None = None

    def __init__(self, base_path: Any = None) -> None:
        self._base_path: Any = _as_upath(base_path if base_path is not None else ".")
        self._local = self._base_path.protocol in _LOCAL_PROTOCOLS

    @property
    def base_path(self) -> Any:
        return self._base_path

    @property
    def root(self) -> Any:
        return self._base_path

    # -- the format: override in subclasses ----------------------------------------------------------
    def dump_to_path(self, context: OutputContext, obj: Any, path: Any) -> None:
        """Write ``obj`` to ``path`` (default: cloudpickle bytes; local files written atomically)."""
        data = cloudpickle.dumps(obj)
        if self._local:
            # Local files are not written atomically by fsspec; object stores' single puts are.
            write_bytes_atomic(Path(path.path), data)
        else:
            path.write_bytes(data)

    def load_from_path(self, context: InputContext, path: Any) -> Any:
        """Read the value stored at ``path`` (default: cloudpickle bytes)."""
        return cloudpickle.loads(path.read_bytes())

    def get_metadata(self, context: OutputContext, obj: Any) -> dict[str, Any]:
        """Extra metadata for a stored output (default: none)."""
        return {}

    # -- paths -----------------------------------------------------------------------------------
    def get_op_output_relative_path(self, context: OutputContext | InputContext) -> Any:
        """Where an op output lives under ``base_path``: ``run_id/step_key/output[/mapping_key]``."""
        from upath import UPath

        return UPath(*[safe_path_part(str(p)) for p in context.get_identifier()])

    def get_asset_relative_path(self, context: OutputContext | InputContext) -> Any:
        """Where an asset lives under ``base_path``: its key's path."""
        from upath import UPath

        return UPath(*[safe_path_part(str(p)) for p in context.asset_key.path])

    def get_path_for_partition(self, context: OutputContext | InputContext, path: Any, partition: str) -> Any:
        """Where one partition of an asset lives, ``path`` being the asset's path (default ``path/partition``)."""
        return path / safe_path_part(partition)

    def _with_extension(self, path: Any) -> Any:
        return path.with_name(path.name + self.extension) if self.extension else path

    def _get_path(self, context: OutputContext | InputContext) -> Any:
        parts = storage_path_parts(context)
        return self._with_extension(self._base_path.joinpath(*parts))

    def _get_paths_for_partitions(self, context: OutputContext | InputContext) -> dict[str, Any]:
        asset_path = self._base_path.joinpath(*self.get_asset_relative_path(context).parts)
        return {key: self._with_extension(self.get_path_for_partition(context, asset_path, key))
                for key in context.asset_partition_keys}

    def path_exists(self, path: Any) -> bool:
        return bool(path.exists())

    def make_directory(self, path: Any) -> None:
        # Only stores with real directories need one; creating one on S3 could create a bucket.
        if self._local:
            path.mkdir(parents=True, exist_ok=True)

    def unlink(self, path: Any) -> None:
        path.unlink()

    def get_loading_input_log_message(self, path: Any) -> str:
        return f"Loading file from: {path}"

    def get_writing_output_log_message(self, path: Any) -> str:
        return f"Writing file at: {path}"

    def has_output(self, context: OutputContext) -> bool:
        return self.path_exists(self._get_path(context))

    # -- the IOManager interface -------------------------------------------------------------------
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        path = self._get_path(context)
        self.make_directory(path.parent)
        if context.log is not None:
            context.log.debug(self.get_writing_output_log_message(path))
        try:
            self.dump_to_path(context=context, obj=obj, path=path)
        except FileNotFoundError:
            if self._local:
                raise
            path.parent.mkdir(parents=True, exist_ok=True)  # a store with real directories (not S3)
            self.dump_to_path(context=context, obj=obj, path=path)
        context.add_output_metadata({"path": str(path), **self.get_metadata(context, obj)})

    def load_input(self, context: InputContext) -> Any:
        if context.has_asset_key and len(context.asset_partition_keys) > 1:
            return {key: self._load_one(context, path) for key, path in self._get_paths_for_partitions(context).items()}
        return self._load_one(context, self._get_path(context))

    def _load_one(self, context: InputContext, path: Any) -> Any:
        if context.log is not None:
            context.log.debug(self.get_loading_input_log_message(path))
        try:
            return self.load_from_path(context=context, path=path)
        except FileNotFoundError:
            raise OutputNotFoundError(missing_output_message(context, str(path))) from None


@io_manager(
    config_schema={"base_path": Field(str)},
    description="Stores outputs as pickle objects under base_path (s3://, gs://, memory://, file://, ...).",
)
def upath_io_manager(init_context: Any) -> UPathIOManager:
    return UPathIOManager(init_context.resource_config["base_path"])


upath_io_manager.__doc__ = """Stores each output as a cloudpickle file under a base path in any fsspec store.

Not one of Dagster's (whose ``UPathIOManager`` is a base class only): a :class:`UPathIOManager`
that pickles. Config: ``base_path`` (required), a URL such as ``s3://bucket/prefix``,
``gs://...`` or ``file:///shared/dir``: storage every worker reaches, without a shared disk.
Needs the storage extra (``pip install 'orchestrator[s3]'``, or the fsspec package of another
store); the layout is ``fs_io_manager``'s, so either reads what the other wrote.

Examples:
    >>> from orchestrator import job, op, upath_io_manager
    >>> @op
    ... def one() -> int:
    ...     return 1
    >>> @job(resource_defs={"io_manager": upath_io_manager.configured({"base_path": "memory://docs/upath"})})
    ... def stored():
    ...     one()
    >>> result = stored.execute_in_process()
    >>> result.output_for_node("one")
    1
"""
