"""Run the real ``orch`` console script in subprocesses against the integration cluster.

The ``redis_server`` and ``cluster`` fixtures come from ``tests/integration/conftest.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ORCH = str(Path(sys.executable).parent / "orch")

OrchRunner = Callable[..., subprocess.CompletedProcess]


def base_env(**extra: str) -> dict[str, str]:
    """This process's environment without any orchestrator connection settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ORCH_SECRET", "ORCH_INSECURE")}
    env.update({"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}, **extra)
    return env


@pytest.fixture(scope="module")
def orch_env(cluster) -> dict[str, str]:
    """The environment of a submitter talking to the cluster (REDIS_URL, ORCH_SECRET, ORCH_HOME...)."""
    return base_env(**cluster.env)


@pytest.fixture(scope="module")
def orch(orch_env: dict[str, str]) -> OrchRunner:
    """``orch(*args, timeout=60, env=None)``: run the console script from the repo root, text output."""

    def run(*args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([ORCH, *args], cwd=ROOT, env=env or orch_env, capture_output=True, text=True,
                              timeout=timeout)

    return run
