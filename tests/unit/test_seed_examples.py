"""The seed documentation examples run on this package with only the import line changed."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from orchestrator import ConfigError, EventType, ResourceDefinition

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_TEXT = "\n".join(p.read_text() for p in sorted(SEEDS.glob("*.txt")))

SEED_MODULES = [
    "definitions.seed_op_job",
    "definitions.seed_graph_jobs",
    "definitions.seed_hardcoded_config",
    "definitions.seed_config_mapping",
]


def _snippets(source: str) -> list[str]:
    """Split a module into the seed snippets it was pasted from: each starts at an import line."""
    parts = re.split(r"(?m)^(?=from orchestrator import)", source)
    return [p.strip() for p in parts if p.strip()]


@pytest.mark.parametrize("module_name", SEED_MODULES)
def test_module_is_the_seed_code_with_only_the_import_changed(module_name: str) -> None:
    source = inspect.getsource(importlib.import_module(module_name))
    snippets = _snippets(source)
    assert snippets, module_name
    for snippet in snippets:
        as_dagster = snippet.replace("from orchestrator import", "from dagster import")
        assert as_dagster in SEED_TEXT, f"{module_name}: snippet differs from the seed:\n{as_dagster}"


def test_op_job_runs_and_adds_one() -> None:
    from definitions.seed_op_job import add_one, do_stuff, return_five

    result = do_stuff.execute_in_process()
    assert result.success
    assert result.output_for_node("return_five") == 5
    assert result.output_for_node("add_one") == 6
    assert [e.step_key for e in result.get_step_success_events()] == ["return_five", "add_one"]
    assert add_one(4) == 5 and return_five() == 5


def test_graph_to_prod_and_local_jobs_use_their_own_mock_resource() -> None:
    from definitions import seed_graph_jobs as m

    assert m.prod_job.name == "do_stuff_prod" and m.local_job.name == "do_stuff_local"
    prod_mock = m.prod_server.resource_fn(None)
    local_mock = m.local_server.resource_fn(None)
    prod_mock.reset_mock()
    local_mock.reset_mock()
    assert m.prod_job.execute_in_process().success
    assert prod_mock.ping_server.call_count == 1
    assert local_mock.ping_server.call_count == 0
    assert m.local_job.execute_in_process().success
    assert local_mock.ping_server.call_count == 1
    assert isinstance(m.prod_server, ResourceDefinition)


def test_graph_job_without_the_resource_is_a_definition_error() -> None:
    from definitions.seed_graph_jobs import do_stuff
    from orchestrator import DefinitionError

    with pytest.raises(DefinitionError) as err:
        do_stuff.to_job(name="no_server")
    assert "interact_with_server" in str(err.value) and "'server'" in str(err.value)


def _logs(result) -> list[str]:
    return [e.message for e in result.all_events if e.event_type is EventType.LOG]


def test_hardcoded_config_logs_stuff_and_can_be_overridden() -> None:
    from definitions.seed_hardcoded_config import do_it_all_with_default_config as job

    assert _logs(job.execute_in_process()) == ["config_param: stuff"]
    other = {"ops": {"do_something": {"config": {"config_param": "other"}}}}
    assert _logs(job.execute_in_process(run_config=other)) == ["config_param: other"]


def test_config_mapping_logs_stuff_and_rejects_bad_outer_config() -> None:
    from definitions.seed_config_mapping import do_it_all_with_simplified_config as job

    assert _logs(job.execute_in_process(run_config={"simplified_param": "stuff"})) == ["config_param: stuff"]
    with pytest.raises(ConfigError) as err:
        job.execute_in_process(run_config={"simplified_parm": 3})
    text = str(err.value)
    assert "simplified_param" in text and "simplified_parm" in text


def test_main_blocks_run_as_scripts() -> None:
    import runpy

    root = Path(__file__).resolve().parents[2] / "definitions"
    for name in ("seed_hardcoded_config.py", "seed_config_mapping.py"):
        namespace = runpy.run_path(str(root / name), run_name="__main__")
        assert "do_something" in namespace
