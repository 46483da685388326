"""Shared test set-up: every test session gets its own ORCH_HOME, so stored outputs never leak."""

from __future__ import annotations

import os
import tempfile

import pytest


@pytest.fixture(autouse=True, scope="session")
def _orch_home():
    previous = os.environ.get("ORCH_HOME")
    with tempfile.TemporaryDirectory(prefix="orch-test-home-") as home:
        os.environ["ORCH_HOME"] = home
        yield home
    if previous is None:
        os.environ.pop("ORCH_HOME", None)
    else:
        os.environ["ORCH_HOME"] = previous
