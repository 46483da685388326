"""The ``orch`` console script, run for real in a subprocess from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ORCH = str(Path(sys.executable).parent / "orch")

HARDCODED = ["-m", "definitions.seed_hardcoded_config", "-j", "do_it_all_with_default_config"]


@pytest.fixture
def orch_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def orch(orch_home: Path):
    """Run ``orch ARGS`` with ORCH_HOME isolated; returns the completed process (text output)."""

    def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ORCH_HOME": str(home or orch_home), "COLUMNS": "200"}
        env.pop("PYTHONPATH", None)
        return subprocess.run([ORCH, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    return run


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def assert_clean_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for needle in needles:
        assert needle in proc.stderr, f"{needle!r} not in stderr:\n{proc.stderr}"


# -- help and listing --------------------------------------------------------------------------
def test_help_lists_groups(orch) -> None:
    proc = orch("--help")
    assert proc.returncode == 0
    assert "job" in proc.stdout and "asset" in proc.stdout and "--verbose" in proc.stdout


def test_job_list_module(orch) -> None:
    proc = orch("job", "list", "-m", "definitions.seed_op_job")
    assert proc.returncode == 0, proc.stderr
    assert "do_stuff" in proc.stdout
    assert " 2 " in proc.stdout  # op count


def test_job_list_asset_jobs(orch) -> None:
    proc = orch("job", "list", "-m", "definitions.seed_assets")
    assert proc.returncode == 0, proc.stderr
    assert "all_assets_job" in proc.stdout and "asset1_job" in proc.stdout


def test_job_list_file_with_several_jobs(orch) -> None:
    proc = orch("job", "list", "-f", "definitions/seed_graph_jobs.py")
    assert proc.returncode == 0, proc.stderr
    assert "do_stuff_prod" in proc.stdout and "do_stuff_local" in proc.stdout


def test_several_repositories_need_attr(orch) -> None:
    path = str(FIXTURES / "two_repositories.py")
    assert_clean_error(orch("job", "list", "-f", path), 2, "first", "second", "-a")
    proc = orch("job", "list", "-f", path, "-a", "second")
    assert proc.returncode == 0, proc.stderr
    assert "second_job" in proc.stdout and "first_job" not in proc.stdout


def test_job_show_edges(orch) -> None:
    proc = orch("job", "show", "-m", "definitions.seed_op_job", "-j", "do_stuff")
    assert proc.returncode == 0, proc.stderr
    assert "add_one.arg <- return_five.result" in proc.stdout
    assert proc.stdout.index("return_five") < proc.stdout.index("add_one")
    assert "io_manager" in proc.stdout


def test_job_show_config_schema(orch) -> None:
    proc = orch("job", "show", *HARDCODED)
    assert proc.returncode == 0, proc.stderr
    assert "config_param: str" in proc.stdout
    assert "stuff" in proc.stdout  # the job's default config


# -- executing -----------------------------------------------------------------------------------
def test_execute_success(orch) -> None:
    proc = orch("job", "execute", "-m", "definitions.seed_op_job", "-j", "do_stuff")
    assert proc.returncode == 0, proc.stderr
    assert "add_one: succeeded" in proc.stdout
    assert "return_five: succeeded" in proc.stdout
    assert "Summary" in proc.stdout and "succeeded." in proc.stdout


def test_execute_with_yaml_config(orch, tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.yaml", "ops:\n  do_something:\n    config:\n      config_param: other\n")
    proc = orch("job", "execute", *HARDCODED, "-c", cfg)
    assert proc.returncode == 0, proc.stderr
    assert "config_param: other" in proc.stdout
    default = orch("job", "execute", *HARDCODED)
    assert "config_param: stuff" in default.stdout


def test_execute_merges_config_files(orch, tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", "ops:\n  greet:\n    config:\n      greeting: Hello\n      name: nobody\n")
    second = write(tmp_path / "b.yaml", "ops:\n  greet:\n    config:\n      name: World\n")
    path = str(FIXTURES / "multi_config.py")
    proc = orch("job", "execute", "-f", path, "-j", "greet_job", "-c", first, "-c", second)
    assert proc.returncode == 0, proc.stderr
    assert "Hello, World!" in proc.stdout


def test_execute_failure_without_traceback(orch) -> None:
    path = str(FIXTURES / "failing_job.py")
    proc = orch("job", "execute", "-f", path, "-j", "failing_job")
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "explode" in proc.stderr and "ValueError" in proc.stderr and "boom: cannot handle 1" in proc.stderr
    assert "after: skipped" in proc.stdout
    assert "Traceback" not in out
    assert "--verbose" in proc.stderr


def test_execute_failure_verbose_shows_traceback(orch) -> None:
    path = str(FIXTURES / "failing_job.py")
    proc = orch("--verbose", "job", "execute", "-f", path, "-j", "failing_job")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "failing_job.py" in proc.stderr
    per_command = orch("job", "execute", "-f", path, "-j", "failing_job", "--verbose")
    assert per_command.returncode == 1 and "Traceback" in per_command.stderr


def test_execute_with_tags_and_op_selection(orch) -> None:
    proc = orch("job", "execute", "-m", "definitions.seed_op_job", "-j", "do_stuff",
                "--tags", '{"team": "data"}', "--op-selection", "return_five")
    assert proc.returncode == 0, proc.stderr
    assert "return_five: succeeded" in proc.stdout
    assert "add_one" not in proc.stdout


def test_execute_partition(orch) -> None:
    path = str(FIXTURES / "partitioned_job.py")
    proc = orch("job", "execute", "-f", path, "-j", "regional_job", "--partition", "us")
    assert proc.returncode == 0, proc.stderr
    assert "loading region US for partition us" in proc.stdout
    assert_clean_error(orch("job", "execute", "-f", path, "-j", "regional_job"), 2, "--partition", "eu, us")
    assert_clean_error(orch("job", "execute", "-f", path, "-j", "regional_job", "--partition", "xx"), 2, "'xx'")


# -- errors --------------------------------------------------------------------------------------
def test_missing_module(orch) -> None:
    proc = orch("job", "list", "-m", "definitions.no_such_module")
    assert_clean_error(proc, 2, "definitions.no_such_module", "PYTHONPATH")


def test_missing_file(orch) -> None:
    assert_clean_error(orch("job", "list", "-f", "no/such/file.py"), 2, "File not found", "no/such/file.py")


def test_import_error_in_user_code(orch) -> None:
    proc = orch("job", "list", "-f", str(FIXTURES / "broken_module.py"))
    assert_clean_error(proc, 2, "broken_module.py", "RuntimeError", "broken on purpose while importing")
    verbose = orch("--verbose", "job", "list", "-f", str(FIXTURES / "broken_module.py"))
    assert verbose.returncode == 2 and "Traceback" in verbose.stderr


def test_no_such_job_lists_jobs(orch) -> None:
    proc = orch("job", "execute", "-m", "definitions.seed_graph_jobs", "-j", "nope")
    assert_clean_error(proc, 2, "nope", "do_stuff_local", "do_stuff_prod")


def test_invalid_yaml(orch, tmp_path: Path) -> None:
    cfg = write(tmp_path / "bad.yaml", "ops:\n  do_something: [\n    config: {\n")
    assert_clean_error(orch("job", "execute", *HARDCODED, "-c", cfg), 2, "bad.yaml", "Invalid YAML", "line ")


def test_yaml_not_a_mapping(orch, tmp_path: Path) -> None:
    cfg = write(tmp_path / "list.yaml", "- ops\n- resources\n")
    assert_clean_error(orch("job", "execute", *HARDCODED, "-c", cfg), 2, "list.yaml", "mapping", "list")


def test_config_error_lists_every_path(orch, tmp_path: Path) -> None:
    cfg = write(tmp_path / "wrong.yaml", "ops:\n  do_something:\n    config:\n      config_param: 5\n  nope: {}\n")
    proc = orch("job", "execute", *HARDCODED, "-c", cfg)
    assert_clean_error(proc, 2, "ops.nope", "ops.do_something.config.config_param", "expected str")
    assert "Running" not in proc.stdout  # nothing ran


def test_invalid_tags_json(orch) -> None:
    args = ["job", "execute", "-m", "definitions.seed_op_job", "-j", "do_stuff"]
    assert_clean_error(orch(*args, "--tags", "{not json"), 2, "--tags", "JSON")
    assert_clean_error(orch(*args, "--tags", "[1, 2]"), 2, "--tags", "object")


def test_definition_error_is_clean(orch) -> None:
    proc = orch("asset", "materialize", "-m", "definitions.seed_assets", "--select", "no_such_asset")
    assert_clean_error(proc, 2, "no_such_asset", "asset1")


def test_needs_module_or_file(orch) -> None:
    assert_clean_error(orch("job", "list"), 2, "-m", "-f")


# -- assets --------------------------------------------------------------------------------------
def test_asset_list(orch) -> None:
    proc = orch("asset", "list", "-m", "definitions.seed_assets")
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[1]: line for line in proc.stdout.splitlines() if line.split()[1:2] in (["asset1"], ["asset2"])}
    assert set(lines) == {"asset1", "asset2"}
    assert "default" in lines["asset1"] and "asset1_job" in lines["asset1"]
    assert "asset1" in lines["asset2"].split("asset2", 1)[1]  # upstream of asset2
    assert "asset1_job" not in lines["asset2"] and "all_assets_job" in lines["asset2"]


def test_asset_materialize_then_downstream_from_storage(orch, tmp_path: Path) -> None:
    args = ["asset", "materialize", "-m", "definitions.seed_assets", "--select"]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    # Without asset1 in storage, asset2 alone cannot load its input.
    assert orch(*args, "asset2", home=fresh).returncode == 1
    first = orch(*args, "asset1")
    assert first.returncode == 0, first.stderr
    assert "asset1: succeeded" in first.stdout
    second = orch(*args, "asset2")
    assert second.returncode == 0, second.stderr
    assert "asset2: succeeded" in second.stdout and "asset1:" not in second.stdout


def test_orch_runs_is_orch_run(orch) -> None:
    """``orch runs prune`` (as the docs write it) and ``orch run prune`` are the same command."""
    plural, singular = orch("runs", "--help"), orch("run", "--help")
    assert plural.returncode == 0 and singular.returncode == 0, plural.stderr
    for command in ("prune", "list", "show", "cancel"):
        assert command in plural.stdout and command in singular.stdout
    assert orch("runs", "prune", "--help").stdout == orch("run", "prune", "--help").stdout.replace("orch run ", "orch runs ")
