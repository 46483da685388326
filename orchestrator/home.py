"""Where the orchestrator keeps local state: ``$ORCH_HOME``, else ``~/.orch``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["orch_home", "default_storage_dir"]


def orch_home() -> Path:
    """The local state directory: ``$ORCH_HOME`` if set (and non-empty), else ``~/.orch``."""
    return Path(os.environ.get("ORCH_HOME") or "~/.orch").expanduser()


def default_storage_dir() -> Path:
    """Where ``fs_io_manager`` stores outputs when no ``base_dir`` is configured."""
    return orch_home() / "storage"
