"""Every scheduling scenario through three executors, each run checked against one table.

The table (``tests/scheduling_scenarios.py``) says which outcome each step key must reach and
whether the run succeeds. Outcomes are read from the run's events only (STEP_SUCCESS,
STEP_FAILURE, STEP_SKIPPED per step key), so these tests keep their meaning whatever schedules the
steps: in process, the multiprocess pool, or Celery workers on a real redis-server.

Each executor runs the whole table once per module (Celery runs are all submitted, then awaited);
the tests then compare. A run that raised or timed out shows up as that scenario's failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from orchestrator import EventType, Instance, execute_job, submit_job
from orchestrator.execution.results import RunResultBase
from tests.integration.conftest import Cluster, dump_logs
from tests.scheduling_scenarios import KNOWN_BUGS, SCENARIOS, Scenario

EXECUTORS = ("in_process", "multiprocess", "celery")
_TERMINAL = {EventType.STEP_SUCCESS: "success", EventType.STEP_FAILURE: "failure",
             EventType.STEP_SKIPPED: "skipped"}
_RUN_TIMEOUT = 60.0  # seconds per Celery run; the table's steps are trivial


@dataclass
class Observed:
    """One run of one scenario as its events tell it (or the error that kept it from finishing)."""

    outcomes: dict[str, str] = field(default_factory=dict)
    success: bool | None = None
    failures: dict[str, str] = field(default_factory=dict)  # step key -> exception class name
    error: str | None = None


def observe(result: RunResultBase) -> Observed:
    """Step outcomes by step key; a key with several terminal events shows them all ("failure+success")."""
    seen: dict[str, list[str]] = {}
    failures: dict[str, str] = {}
    for event in result.all_events:
        if event.event_type in _TERMINAL and event.step_key:
            seen.setdefault(event.step_key, []).append(_TERMINAL[event.event_type])
            if event.event_type is EventType.STEP_FAILURE:
                failures[event.step_key] = event.error.cls_name if event.error else "?"
    return Observed({k: "+".join(v) for k, v in seen.items()}, result.success, failures)


def _run_each(run: Callable[[Scenario], RunResultBase]) -> dict[str, Observed]:
    observed: dict[str, Observed] = {}
    for scenario in SCENARIOS:
        try:
            observed[scenario.name] = observe(run(scenario))
        except Exception as exc:  # recorded, so one broken run fails its own tests only
            observed[scenario.name] = Observed(error=f"{type(exc).__name__}: {exc}")
    return observed


@pytest.fixture(scope="module")
def in_process_runs() -> dict[str, Observed]:
    return _run_each(lambda s: s.job.execute_in_process(raise_on_error=False))


@pytest.fixture(scope="module")
def multiprocess_runs() -> dict[str, Observed]:
    config = {"execution": {"multiprocess": {"config": {"max_concurrent": 2}}}}
    return _run_each(lambda s: execute_job(s.job, run_config=config))


@dataclass
class CeleryRuns:
    observed: dict[str, Observed]
    code_modules: dict[str, str | None]  # scenario -> module the workers import the job from
    logs: str


@pytest.fixture(scope="module")
def celery_runs(cluster: Cluster) -> Iterator[CeleryRuns]:
    """Every scenario submitted at once to the module's two workers, then awaited."""
    instance: Instance = cluster.instance
    with pytest.MonkeyPatch.context() as mp:
        for key, value in cluster.env.items():  # the submitter sees what workers see (PYTHONPATH)
            mp.setenv(key, value)
        handles, observed, modules = {}, {}, {}
        for scenario in SCENARIOS:
            try:
                handles[scenario.name] = submit_job(scenario.job, instance=instance)
            except Exception as exc:
                observed[scenario.name] = Observed(error=f"submit: {type(exc).__name__}: {exc}")
        for name, handle in handles.items():
            modules[name] = instance.storage.get_run(handle.run_id).record.code.module
            try:
                observed[name] = observe(handle.wait(timeout=_RUN_TIMEOUT))
            except Exception as exc:
                observed[name] = Observed(error=f"{type(exc).__name__}: {exc}")
        yield CeleryRuns(observed, modules, dump_logs(cluster))


@pytest.fixture
def runs_of(request: pytest.FixtureRequest) -> Callable[[str], dict[str, Observed]]:
    def get(executor: str) -> dict[str, Observed]:
        if executor == "celery":
            return request.getfixturevalue("celery_runs").observed
        return request.getfixturevalue(f"{executor}_runs")

    return get


def _table(observed: Observed) -> dict[str, object]:
    return {"success": observed.success, "steps": dict(sorted(observed.outcomes.items()))}


def _with_known_bugs(scenarios: list[Scenario]) -> list[object]:
    """Scenarios as parameters; those in KNOWN_BUGS are strict xfail (an unexpected pass fails)."""
    return [pytest.param(s, id=s.name, marks=[pytest.mark.xfail(reason=KNOWN_BUGS[s.name], strict=True)]
                         if s.name in KNOWN_BUGS else []) for s in scenarios]


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("scenario", _with_known_bugs(SCENARIOS))
def test_step_outcomes_match_the_table(scenario: Scenario, executor: str,
                                       runs_of: Callable[[str], dict[str, Observed]]) -> None:
    observed = runs_of(executor)[scenario.name]
    assert observed.error is None, f"{scenario.name} on {executor}: {observed.error}"
    expected = {"success": scenario.success, "steps": dict(sorted(scenario.expected.items()))}
    assert _table(observed) == expected, f"{scenario.name} ({scenario.description}) on {executor}"
    # Every failure is the scenario's own Boom, not an infrastructure error that happens to fail.
    assert set(observed.failures.values()) <= {"Boom"}, observed.failures


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_executors_agree(scenario: Scenario, runs_of: Callable[[str], dict[str, Observed]]) -> None:
    """Independent of the table: the three executors must tell the same story of each run."""
    tables = {executor: _table(runs_of(executor)[scenario.name]) for executor in EXECUTORS}
    reference = tables["in_process"]
    differing = {e: t for e, t in tables.items() if t != reference}
    assert not differing, f"{scenario.name}: in_process {reference} but {differing}"


def test_workers_import_the_scenario_jobs_by_name(celery_runs: CeleryRuns) -> None:
    """The jobs travel as pointers into tests.scheduling_scenarios, not as pickles."""
    assert set(celery_runs.code_modules.values()) == {"tests.scheduling_scenarios"}, celery_runs.code_modules
