"""Small waiting helpers the fault and recovery tests share: side-effect files and bounded polls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def lines(path: Path) -> list[str]:
    """The whitespace-separated entries of a side-effect file (none when it does not exist yet)."""
    return path.read_text().split() if path.exists() else []


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``predicate`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
