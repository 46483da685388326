"""Dagster's documentation examples for config, resources and IO managers (tests/dagster_examples/
config/ and resources/), each identical to Dagster's but for the import lines, run and checked here."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import ValidationError

from orchestrator import ConfigError, EventType, build_resources

# The guide's validators use pydantic's v1-style `@validator` and `.dict()`, deprecated but working.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES = Path(__file__).resolve().parents[1] / "dagster_examples"


def load(relative: str) -> ModuleType:
    path = EXAMPLES / relative
    name = "dagster_example_" + re.sub(r"\W", "_", relative[:-3])
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def logged(result) -> list[str]:
    return [e.message for e in result.all_events if e.event_type is EventType.LOG]


def test_every_example_names_its_source_and_imports_only_orchestrator() -> None:
    files = sorted((EXAMPLES / "config").glob("*.py")) + sorted((EXAMPLES / "resources").glob("*.py"))
    assert len(files) >= 12
    for file in files:
        lines = file.read_text().splitlines()
        assert lines[0].startswith("# From Dagster's documentation examples"), file
        assert "dagster-io/dagster" in lines[1] or "dagster-io/dagster" in lines[2], file
        text = "\n".join(lines)
        assert "from dagster" not in text and "import dagster" not in text, file


# --------------------------------------------------------------------------- config


def test_configured_op_example() -> None:
    from orchestrator import job

    ex = load("config/configured_op_example.py")

    @job
    def words():
        ex.configured_example()
        ex.another_configured_example()

    result = words.execute_in_process(run_config={"ops": {"another_configured_example": {"config": 2}}})
    assert result.success
    assert logged(result).count("wheaties") == 8  # 6 from the fixed copy, 2 from the other


def test_configured_resources_and_config_map_examples() -> None:
    from orchestrator import job, op
    from orchestrator.definitions.config.run_config import resolve_run_config

    ex = load("config/configured_example.py")
    mapped = load("config/config_map_example.py")

    @op
    def noop() -> None:
        return None

    @job(resource_defs={"east": ex.east_unsigned_s3_session, "west": ex.west_unsigned_s3_session,
                        "signed": ex.west_signed_s3_session, "unsigned": mapped.unsigned_s3_session})
    def sessions():
        noop()

    resolved = resolve_run_config(sessions, {"resources": {"unsigned": {"config": {"region": "eu-west-3"}}}})
    assert resolved.resource_configs["east"] == {"region": "us-east-1", "use_unsigned_session": False}
    assert resolved.resource_configs["west"] == {"region": "us-west-1", "use_unsigned_session": False}
    assert resolved.resource_configs["signed"] == {"region": "us-west-1", "use_unsigned_session": False}
    assert resolved.resource_configs["unsigned"] == {"region": "eu-west-3", "use_unsigned_session": False}
    with pytest.raises(ConfigError, match=r"resources\.unsigned\.config\.region"):
        resolve_run_config(sessions)


def test_configured_named_op_example() -> None:
    ex = load("config/configured_named_op_example.py")
    xs = list(range(10))
    result = ex.datasets.execute_in_process(run_config={"ops": {"sample_dataset": {"inputs": {"xs": xs}},
                                                                "full_dataset": {"inputs": {"xs": xs}}}})
    assert result.output_for_node("sample_dataset") == [0, 1, 2, 3, 4]
    assert result.output_for_node("full_dataset") == xs


def test_make_values_resource_any_example(tmp_path: Path) -> None:
    ex = load("config/make_values_resource_any.py")
    result = ex.file_dir_job.execute_in_process(run_config={"resources": {"file_dir": {"config": str(tmp_path)}}})
    assert result.success
    assert (tmp_path / "new_file.txt").exists()
    assert any(m.startswith("Created file: ") for m in logged(result))


def test_env_vars_config_example_reads_the_variables_when_the_resource_is_built(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestrator.definitions.config.run_config import resolve_run_config

    ex = load("config/env_vars_config.py")
    monkeypatch.delenv("SYSTEM_USER", raising=False)
    monkeypatch.delenv("SYSTEM_PASSWORD", raising=False)
    resolved = resolve_run_config(ex.get_one_from_db)  # no variable needed to check and store config
    assert resolved.resource_configs["database"] == {"username": {"env": "SYSTEM_USER"},
                                                     "password": {"env": "SYSTEM_PASSWORD"}}
    configured = ex.get_one_from_db.resource_defs["database"]
    with pytest.raises(ConfigError, match="'SYSTEM_USER' is not set"):
        with build_resources({"database": configured}):
            pass
    monkeypatch.setenv("SYSTEM_USER", "admin")
    monkeypatch.setenv("SYSTEM_PASSWORD", "pw")
    with build_resources({"database": configured}) as resources:
        assert resources.database is None  # the example's resource body is `...`


def test_pythonic_config_guide(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ex = load("config/pythonic_config.py")
    ex.basic_resource_config()
    monkeypatch.setenv("PERSON_NAME", "Bob")
    ex.execute_with_config()
    assert capsys.readouterr().out.splitlines() == ["hello Alice", "hello Bob"]
    ex.basic_data_structures_config()
    ex.union_schema_config()
    ex.optional_config()
    ex.enum_schema_config()
    assert capsys.readouterr().out.splitlines() == ["Alice is an admin"]
    # The examples the guide shows failing fail here too (pydantic rejects the values).
    for failing in (ex.metadata_config, ex.execute_with_bad_config, ex.required_config, ex.nested_schema_config):
        with pytest.raises(ValidationError):
            failing()
    with pytest.raises(ValidationError, match="must contain a space"):
        ex.validated_schema_config()
    assert capsys.readouterr().out.splitlines() == ["Hello Alice Smith!"]


# --------------------------------------------------------------------------- resources


def test_function_resources_example() -> None:
    ex = load("resources/resources.py")
    ex.test_my_resource()
    ex.test_my_resource_with_context()
    ex.test_cm_resource()
    result = ex.do_database_stuff_job.execute_in_process()
    assert result.success
    ex.database_resource.resource_fn(None).execute_query.assert_called_once_with(ex.CREATE_TABLE_1_QUERY)
    assert ex.do_database_stuff_prod.execute_in_process().success
    assert ex.do_database_stuff_dev.execute_in_process().success
    assert isinstance(ex.connect.execute_in_process().output_for_node("get_client"), ex.Client)
    ex.uses_db_connection()
    with build_resources({"db": ex.db_resource}, resource_config={"db": {"config": {"connection": "c"}}}) as r:
        assert r.db.connection == "c"


def test_pythonic_resources_examples() -> None:
    ex = load("resources/pythonic_resources.py")
    ex.new_resource_testing()
    ex.new_resource_testing_with_nesting()
    ex.raw_github_resource()
    ex.impl_details_resolve()
    defs = ex.new_resource_runtime()
    update = defs.get_job_def("update_data_job")
    result = update.execute_in_process(run_config={"resources": {"db_conn": {"config": {"table": "users"}}}})
    assert result.success
    with pytest.raises(ConfigError, match=r"resources\.db_conn\.config\.table"):
        update.execute_in_process()
    nested = ex.new_resources_nesting()
    job = nested.get_implicit_global_asset_job_def()
    result = job.execute_in_process(run_config={"resources": {"credentials": {"config": {
        "username": "u", "password": "p"}}}})
    assert result.success


def test_io_manager_testing_example() -> None:
    ex = load("resources/io_manager_tests.py")
    ex.test_my_io_manager_handle_output()
    ex.test_my_io_manager_load_input()


def test_output_config_example() -> None:
    ex = load("resources/output_config.py")
    seen: list[str] = []
    ex.write_dataframe_to_table = lambda **kw: seen.append(f"write {kw['name']}")
    ex.read_dataframe_from_table = lambda **kw: seen.append(f"read {kw['name']}")
    ex.execute_my_job_with_config()
    assert seen[:3] == ["write table1", "read table1", "write table2"]


def test_io_metadata_example() -> None:
    ex = load("resources/io_metadata.py")
    seen: list[tuple] = []
    ex.write_dataframe_to_table = lambda **kw: seen.append(("write", kw["name"], kw["schema"]))
    ex.read_dataframe_from_table = lambda **kw: seen.append(("read", kw["name"], kw["schema"]))
    assert ex.my_job.execute_in_process().success
    assert seen[:3] == [("write", "some_table", "some_schema"), ("read", "some_table", "some_schema"),
                        ("write", "other_table", "other_schema")]


@pytest.mark.parametrize("name", ["test_basic_build_input_context", "test_build_input_context_with_resources",
                                  "test_build_input_context_with_cm_resource", "test_basic_build_output_context",
                                  "test_build_output_context_with_cm_resource", "test_context_logging_user_events"])
def test_build_io_context_examples(name: str) -> None:
    getattr(load("resources/build_io_context_tests.py"), name)()
