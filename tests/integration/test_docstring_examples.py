"""The docstring examples that submit runs (``NEEDS_WORKERS``), run as a user would run them.

A real redis-server and one real Celery worker consuming the default queue; ``REDIS_URL``,
``ORCH_HOME`` and ``ORCH_SECRET`` are set in this process's environment, so an example calls
``submit_job(job)`` with no instance, exactly as with ``REDIS_URL`` exported. The jobs the examples
define live in no importable module: they reach the worker as signed blobs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.local.processes import RedisServer
from tests.docstring_examples import NEEDS_WORKERS, problems, run_example
from tests.integration.conftest import Cluster, dump_logs


@pytest.fixture(scope="module")
def one_worker(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One worker (concurrency 1) on the default queue, with an ORCH_HOME of its own: the outputs
    it stores there are the ones the examples' results read back."""
    home = tmp_path_factory.mktemp("docstring-home")
    cluster = Cluster(redis_server, tmp_path_factory.mktemp("docstring-worker"), str(home))
    cluster.start_worker("docs")
    yield cluster
    cluster.stop()


@pytest.mark.parametrize("name", sorted(NEEDS_WORKERS))
def test_docstring_example_runs_on_a_worker(name: str, one_worker: Cluster, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems(name) == [], f"orchestrator.{name}: {'; '.join(problems(name))}"
    # The example's own files (the reexecute example's flag file) go to a fresh directory.
    monkeypatch.chdir(tmp_path)
    # What a user exports (the worker's PYTHONPATH is not: the jobs here must ship as blobs).
    for key in ("REDIS_URL", "ORCH_HOME", "ORCH_SECRET"):
        monkeypatch.setenv(key, one_worker.env[key])
    failures, report = run_example(name)
    assert failures == 0, f"{report}\n{dump_logs(one_worker)}"
