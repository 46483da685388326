"""Every public name has a docstring of at least three lines that names its parameters and holds an
example; the examples run here (those that need workers run in the integration tests)."""

from __future__ import annotations

import pytest

import orchestrator
from tests.docstring_examples import NEEDS_WORKERS, problems, run_example


@pytest.mark.parametrize("name", orchestrator.__all__)
def test_docstring_is_complete(name: str) -> None:
    assert problems(name) == [], f"orchestrator.{name}: {'; '.join(problems(name))}"


@pytest.mark.parametrize("name", sorted(set(orchestrator.__all__) - NEEDS_WORKERS))
def test_docstring_example_runs(name: str, tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples that write files (fs_io_manager, ORCH_HOME) write into a fresh directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    failures, report = run_example(name)
    assert failures == 0, report
