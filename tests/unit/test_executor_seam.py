"""The executor seam: launchers hand a ``RunLaunch`` to whatever ``Executor`` the job's definition builds.

Nothing here needs Redis: user executors and the local built-ins run in this process, and
submitting with a local executor fails before any connection is made.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator import (
    ConfigError,
    DefinitionError,
    ExecuteInProcessResult,
    Executor,
    InitExecutorContext,
    Instance,
    LocalRun,
    OrchestratorError,
    RunLaunch,
    execute_job,
    executor,
    in_process_executor,
    job,
    multiprocess_executor,
    op,
    submit_job,
)
from orchestrator.definitions.executor_definition import ExecutorDefinition
from orchestrator.executors.in_process import InProcessExecutor
from orchestrator.local.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


def _unreachable() -> Instance:
    """An instance whose Redis does not exist: a test passing it proves Redis was never touched."""
    return Instance(redis_url=f"redis://127.0.0.1:{free_port()}/0", secret="s")


# -- a user-defined executor: ready steps newest first, recording what ran ------------------------------
class LastReadyFirst(Executor):
    """Runs the steps here, always the most recently readied step first, and records them."""

    def __init__(self, label: str, log: list[Any]) -> None:
        self.label = label
        self.log = log

    def execute(self, launch: RunLaunch) -> ExecuteInProcessResult:
        self.log.append(("launch", self.label, launch.run_id, launch.executor_name, dict(launch.tags)))
        run = LocalRun(launch, "last ready step first")
        with run.step_context() as context:
            while run.ready:
                step = run.ready.pop()
                run.run_here(step, context)
                self.log.append(step.key)
        return run.result()


LOG: list[Any] = []


@executor(name="last_ready_first", config_schema={"label": str})
def last_ready_first(init_context: InitExecutorContext) -> LastReadyFirst:
    assert init_context.executor_def.name == "last_ready_first"
    return LastReadyFirst(init_context.executor_config["label"], LOG)


@op
def root() -> int:
    return 1


@op
def left(x: int) -> int:
    return x + 10


@op
def right(x: int) -> int:
    return x + 100


@op
def join(a: int, b: int) -> int:
    return a + b


def _diamond() -> None:
    value = root()
    join(left(value), right(value))


diamond = job(name="diamond", executor_def=last_ready_first)(_diamond)
diamond_default = job(name="diamond_default")(_diamond)


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    LOG.clear()


def test_execute_job_runs_a_user_executor_with_its_config() -> None:
    result = execute_job(diamond, run_config={"execution": {"config": {"label": "mine"}}}, tags={"team": "a"})
    assert result.success
    assert result.output_for_node("join") == 112
    launch_entry, *steps = LOG
    assert launch_entry[:2] == ("launch", "mine") and launch_entry[2] == result.run_id
    assert launch_entry[3] == "last_ready_first" and launch_entry[4]["team"] == "a"
    # Newest ready first: of the two steps root readies, the in-process executor (oldest first)
    # runs one first, this executor the other.
    in_process = [e.step_key for e in diamond_default.execute_in_process().all_events if e.event_type.name == "STEP_START"]
    assert in_process[0] == "root" and in_process[3] == "join"
    assert steps == ["root", in_process[2], in_process[1], "join"]


def test_run_config_may_name_the_jobs_own_executor_and_configured_gives_defaults() -> None:
    execute_job(diamond, run_config={"execution": {"last_ready_first": {"config": {"label": "named"}}}})
    assert LOG[0][1] == "named"
    LOG.clear()
    preset = last_ready_first.configured({"label": "preset"})
    execute_job(diamond.graph_def.to_job(name="preset", executor_def=preset))
    assert LOG[0][1] == "preset"
    LOG.clear()
    execute_job(diamond.graph_def.to_job(name="preset", executor_def=preset),
                run_config={"execution": {"config": {"label": "override"}}})
    assert LOG[0][1] == "override"


def test_a_user_executors_config_is_validated_before_it_is_built() -> None:
    with pytest.raises(ConfigError) as err:
        execute_job(diamond)
    assert "execution.config" in str(err.value) and "label" in str(err.value)
    assert LOG == []


def test_execute_in_process_always_runs_in_process() -> None:
    result = diamond.execute_in_process(run_config={"execution": {"config": {"label": "ignored"}}})
    assert result.output_for_node("join") == 112
    assert LOG == []  # the job's own executor was not used


def test_execute_job_with_the_in_process_executor_needs_no_redis() -> None:
    local = diamond_default.graph_def.to_job(name="local", executor_def=in_process_executor)
    result = execute_job(local, instance=_unreachable())
    assert isinstance(result, ExecuteInProcessResult) and result.output_for_node("join") == 112


def test_run_config_can_choose_the_multiprocess_executor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCH_HOME", str(tmp_path))
    result = execute_job(diamond_default, run_config={"execution": {"multiprocess": {"config": {"max_concurrent": 2}}}},
                         instance=_unreachable())
    assert result.success and result.output_for_node("join") == 112
    assert any("in a pool of 2" in e.message for e in result.all_events)


def test_submit_job_with_the_multiprocess_executor_is_a_clear_error() -> None:
    mp_job = diamond_default.graph_def.to_job(name="diamond_mp", executor_def=multiprocess_executor)
    with pytest.raises(OrchestratorError) as err:
        submit_job(mp_job, instance=_unreachable())
    text = str(err.value)
    assert "'diamond_mp'" in text and "multiprocess executor" in text and "execute_job" in text
    assert "Cannot reach Redis" not in text


def test_submit_job_with_an_execute_only_user_executor_is_a_clear_error() -> None:
    with pytest.raises(OrchestratorError, match="last_ready_first executor.*execute_job"):
        submit_job(diamond, run_config={"execution": {"config": {"label": "x"}}}, instance=_unreachable())
    assert LOG == []


def test_submit_job_hands_the_launch_to_a_submitting_executor() -> None:
    class Handle:
        def __init__(self, run_id: str, result: Any) -> None:
            self.run_id = run_id
            self._result = result

        def wait(self, timeout: float | None = None) -> Any:
            return self._result

    class Deferred(Executor):
        """Runs in process but on submit, to show the shape of an executor that submits."""

        def submit(self, launch: RunLaunch) -> Handle:
            return Handle(launch.run_id, InProcessExecutor().execute(launch))

    deferred = ExecutorDefinition("deferred", config_schema={}, executor_creation_fn=lambda ctx: Deferred())
    deferred_job = diamond_default.graph_def.to_job(name="deferred", executor_def=deferred)
    handle = submit_job(deferred_job, run_id="fixed-id", instance=_unreachable())
    assert handle.run_id == "fixed-id"
    assert handle.wait().output_for_node("join") == 112
    # execute defaults to submit(...).wait()
    assert execute_job(deferred_job).output_for_node("join") == 112


def test_an_executor_must_override_execute_or_submit() -> None:
    with pytest.raises(TypeError, match="must override execute"):
        class Nothing(Executor):  # noqa: F841 - defining it is the test
            pass


def test_a_creation_function_must_return_an_executor() -> None:
    bad = ExecutorDefinition("bad", config_schema={}, executor_creation_fn=lambda ctx: object())
    with pytest.raises(DefinitionError, match="executor 'bad'.*not an orchestrator.Executor"):
        execute_job(diamond_default.graph_def.to_job(name="bad", executor_def=bad))


def test_a_definition_without_creation_function_names_the_fix() -> None:
    bare = ExecutorDefinition("bare")
    with pytest.raises(DefinitionError, match="@executor"):
        execute_job(diamond_default.graph_def.to_job(name="bare", executor_def=bare))


def test_unknown_executor_in_run_config_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        execute_job(diamond, run_config={"execution": {"multiproces": {}}})
    text = str(err.value)
    assert "execution.multiproces" in text and "multiprocess" in text


def test_bare_executor_decorator_names_the_definition_after_the_function() -> None:
    @executor
    def my_exec(init_context: InitExecutorContext) -> Executor:
        """Docs of my executor."""
        return InProcessExecutor()

    assert isinstance(my_exec, ExecutorDefinition)
    assert my_exec.name == "my_exec" and my_exec.description == "Docs of my executor."


def test_definitions_name_the_default_executor_without_importing_executors() -> None:
    code = (
        "import sys\n"
        "from orchestrator import job, op\n"
        "@op\ndef one(): return 1\n"
        "@job\ndef j(): one()\n"
        "assert j.executor_def.name == 'in_process'\n"
        "from orchestrator.definitions.config.run_config import resolve_run_config\n"
        "r = resolve_run_config(j, {'execution': {'celery': {'config': {'queue': 'q'}}}})\n"
        "assert r.execution['config']['queue'] == 'q'\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('orchestrator.executors', 'orchestrator.distributed')))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_launcher_routes_on_an_executors_name() -> None:
    names = "in_process|multiprocess|celery"
    compare = re.compile(rf"""(==|!=)\s*["']({names})["']|["']({names})["']\s*(==|!=)|executor\w*\.name\s*(==|!=)""")
    offending = []
    for path in sorted((ROOT / "orchestrator").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if compare.search(line):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offending, "executor chosen by name:\n" + "\n".join(offending)


# -- the documented examples run ------------------------------------------------------------------------
def test_the_executor_docstring_example_runs() -> None:
    # The example is a doctest (it also runs in test_docstrings.py); here it documents the seam.
    from tests.docstring_examples import run_example

    assert "class NewestFirst(Executor)" in (Executor.__doc__ or "")
    failures, report = run_example("Executor")
    assert failures == 0, report


def test_the_readme_example_of_a_custom_executor_runs() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Executors", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    custom = [b for b in blocks if "(Executor)" in b]
    assert custom, "README's Executors section has no example of a custom executor"
    exec(compile(custom[0], "<README executors>", "exec"), {"__name__": "readme_executor_example"})


def test_the_local_run_docstring_example_runs() -> None:
    from orchestrator.executors.local_run import LocalRun as Documented
    from tests.docstring_examples import run_example

    assert "class InOrder(Executor)" in (Documented.__doc__ or "")
    failures, report = run_example("LocalRun")
    assert failures == 0, report
