"""What importing the everyday names, and defining ops and jobs with them, loads (issue 16).

``from orchestrator import op, job, submit_job`` and defining a job must not load Celery, kombu,
redis-py or pydantic: those load when a run is launched, or when a program uses a name that needs
them (``Config``, ``ConfigurableResource``...). Each check runs in a fresh interpreter, since this
test process has imported everything already. These are properties of what is imported, not
timings: the time itself is measured by ``bench/`` (``make bench``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Third-party packages a program defining and submitting jobs must not pay for at import time.
HEAVY = ("celery", "kombu", "redis", "pydantic", "pydantic_core")


def loaded_after(code: str) -> list[str]:
    """The modules loaded in a fresh interpreter after running ``code``.

    Args:
        code: Python source run in the new interpreter before ``sys.modules`` is read.
    """
    program = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def heavy_in(modules: list[str]) -> list[str]:
    """The modules of ``modules`` that belong to a package of :data:`HEAVY`.

    Args:
        modules: Module names, as in ``sys.modules``.
    """
    return [m for m in modules if m.split(".")[0] in HEAVY]


def test_importing_op_job_and_submit_job_loads_no_celery_kombu_redis_or_pydantic() -> None:
    modules = loaded_after("from orchestrator import op, job, submit_job")
    assert heavy_in(modules) == []
    # Launching code loads with the first launch, not with the name.
    launching = [m for m in modules if m.startswith(("orchestrator.executors", "orchestrator.distributed.")) and
                 m != "orchestrator.distributed.submit"]
    assert launching == []


def test_defining_ops_and_a_job_loads_no_celery_kombu_redis_or_pydantic() -> None:
    modules = loaded_after("""
        from orchestrator import In, Out, job, op, resource, submit_job

        @resource(config_schema={"url": str})
        def store(context):
            return context.resource_config["url"]

        @op(config_schema={"n": int}, out=Out(int))
        def one(context) -> int:
            return context.op_config["n"]

        @op(ins={"x": In(int)}, required_resource_keys={"store"})
        def add(context, x: int) -> int:
            return x + 1

        @job(resource_defs={"store": store, "plain": object()}, tags={"team": "data"})
        def numbers():
            add(one())

        assert numbers.name == "numbers" and sorted(numbers.resource_defs) == ["io_manager", "plain", "store"]
    """)
    assert heavy_in(modules) == []


def test_submit_module_gives_the_handle_names_when_they_are_read() -> None:
    modules = loaded_after("""
        import orchestrator.distributed.submit as submit
        from orchestrator.distributed import handles
        from orchestrator.distributed.submit import RunHandle, RunResult, _instance, get_run

        assert (RunHandle, RunResult, _instance, get_run) == (
            handles.RunHandle, handles.RunResult, handles._instance, handles.get_run)
        try:
            submit.no_such_name
        except AttributeError as exc:
            assert "no_such_name" in str(exc), exc
        else:
            raise AssertionError("submit.no_such_name did not raise AttributeError")
    """)
    assert "orchestrator.distributed.handles" in modules


def test_a_pythonic_resource_is_recognised_once_defined() -> None:
    # resources.py finds ConfigurableResource through sys.modules; a class defined after that
    # module is first imported must be recognised as a resource by ops and jobs.
    loaded_after("""
        from orchestrator import job, op
        from orchestrator.definitions.resources import as_resource_definition, is_resource_annotation

        assert not is_resource_annotation(int)

        from orchestrator import ConfigurableResource

        class Greeter(ConfigurableResource):
            greeting: str = "hello"

        assert is_resource_annotation(Greeter)
        assert as_resource_definition("greeter", Greeter()).resource_cls is Greeter

        @op
        def greet(greeter: Greeter) -> str:
            return greeter.greeting

        @job(resource_defs={"greeter": Greeter(greeting="hi")})
        def greet_job():
            greet()

        assert greet.required_resource_keys == {"greeter"}, greet.required_resource_keys
        assert greet_job.execute_in_process().output_for_node("greet") == "hi"
    """)
