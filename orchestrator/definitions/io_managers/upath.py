"""The universal-pathlib IO manager: outputs as cloudpickle objects in any fsspec store.

``base_path`` is a URL such as ``s3://bucket/prefix``, ``gs://…``, ``memory://…`` or
``file:///shared/dir``; the layout under it and the file format are those of ``fs_io_manager``
(see :mod:`orchestrator.definitions.io_managers.fs`), so a value is readable by either.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import cloudpickle

from orchestrator.definitions.config.schema import Field
from orchestrator.definitions.io_managers.base import OutputContext, io_manager
from orchestrator.definitions.io_managers.fs import PickledPathIOManager, write_bytes_atomic
from orchestrator.errors import OrchestratorError

__all__ = ["UPathIOManager", "upath_io_manager"]

_LOCAL_PROTOCOLS = frozenset({"", "file", "local"})


def _missing_dependency(base_path: object, exc: ImportError) -> OrchestratorError:
    return OrchestratorError(
        f"upath_io_manager cannot open {base_path}: {exc}. Install the storage extra with "
        "pip install 'orchestrator[s3]' (it brings universal-pathlib, fsspec and s3fs; other stores "
        "need their fsspec package, e.g. gcsfs for gs://)."
    )


class UPathIOManager(PickledPathIOManager):
    """Stores each output as a cloudpickle object under ``base_path`` (a universal-pathlib URL)."""

    def __init__(self, base_path: str | os.PathLike[str]) -> None:
        try:
            from upath import UPath  # lazily: universal-pathlib and fsspec are an optional extra

            self.base_path: Any = UPath(base_path)
            # Builds the fsspec filesystem now, so a missing backend (e.g. s3fs) fails here, not mid-run.
            self.base_path.fs  # noqa: B018
        except ImportError as exc:
            raise _missing_dependency(base_path, exc) from exc
        self._local = self.base_path.protocol in _LOCAL_PROTOCOLS

    @property
    def root(self) -> Any:
        return self.base_path

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        path = self._get_path(context)
        data = cloudpickle.dumps(obj)
        if self._local:
            # Local files are not written atomically by fsspec; object stores' single puts are.
            write_bytes_atomic(Path(path.path), data)
        else:
            try:
                path.write_bytes(data)
            except FileNotFoundError:
                # Only stores with real directories get here; mkdir up front could create S3 buckets.
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        context.add_output_metadata({"path": str(path)})


@io_manager(
    config_schema={"base_path": Field(str)},
    description="Stores outputs as pickle objects under base_path (s3://, gs://, memory://, file://, ...).",
)
def upath_io_manager(init_context: Any) -> UPathIOManager:
    return UPathIOManager(init_context.resource_config["base_path"])
