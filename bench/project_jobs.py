"""The project's benchmark jobs, importable on workers by code pointer (``bench.project_jobs:<name>``).

Names are resolved lazily (PEP 562 ``__getattr__``) and cached, so a worker builds only the jobs it
is asked for:

- ``chain_<N>``: ``start`` (returns 0) then N ``inc`` ops in a line; result N.
- ``fanout_<N>``: ``start``, N distinct ``inc`` leaves (``leaf_<i>``) on it, ``gather`` sums them; result N.
- ``dynamic``: ``emit`` yields n values (n from run config ``ops.emit.inputs.n``), ``inc`` is mapped
  over them and ``gather`` collects; result n(n+1)/2.
- ``sleep_fanout_<N>``: as ``fanout_<N>`` with ``nap`` leaves (``nap_<i>``) that sleep
  ``NAP_SECONDS`` (op config ``seconds``) before adding one: the scaling rows; result N.
- ``one_step``: the single op ``stamp``, returning the time its body started (submit latency).

Every op is trivial (add 1 to an int); outputs go through the default distributed IO manager
(``fs_io_manager``: one pickle file per output under ``$ORCH_HOME/storage``).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from orchestrator import DynamicOut, DynamicOutput, Field, JobDefinition, OpExecutionContext, job, op

__all__ = ["start", "inc", "gather", "emit", "nap", "stamp", "chain_job", "fanout_job", "dynamic_job",
           "sleep_fanout_job", "one_step_job", "nap_config", "pointer", "NAP_SECONDS"]

NAP_SECONDS = 0.25  # the sleep of each leaf of the scaling fan-out


@op
def start() -> int:
    return 0


@op
def inc(x: int) -> int:
    return x + 1


@op
def gather(xs: list) -> int:
    return sum(xs)


@op(out=DynamicOut())
def emit(n: int):
    for i in range(n):
        yield DynamicOutput(i, mapping_key=str(i))


@op(config_schema={"seconds": Field(float, default_value=NAP_SECONDS)})
def nap(context: OpExecutionContext, x: int) -> int:
    time.sleep(context.op_config["seconds"])
    return x + 1


@op
def stamp() -> float:
    return time.time()


def chain_job(n: int) -> JobDefinition:
    @job(name=f"chain_{n}")
    def _chain():
        x = start()
        for i in range(n):
            x = inc.alias(f"inc_{i}")(x)

    return _chain


def fanout_job(n: int) -> JobDefinition:
    @job(name=f"fanout_{n}")
    def _fanout():
        root = start()
        gather([inc.alias(f"leaf_{i}")(root) for i in range(n)])

    return _fanout


def dynamic_job() -> JobDefinition:
    @job(name="dynamic")
    def _dynamic():
        gather(emit().map(inc).collect())

    return _dynamic


def sleep_fanout_job(n: int) -> JobDefinition:
    @job(name=f"sleep_fanout_{n}")
    def _sleep_fanout():
        root = start()
        gather([nap.alias(f"nap_{i}")(root) for i in range(n)])

    return _sleep_fanout


def nap_config(n: int, seconds: float) -> dict[str, Any]:
    """Run config of ``sleep_fanout_<n>`` making every leaf sleep ``seconds`` (0 for a warm-up)."""
    return {"ops": {f"nap_{i}": {"config": {"seconds": seconds}} for i in range(n)}}


def one_step_job() -> JobDefinition:
    @job(name="one_step")
    def _one_step():
        stamp()

    return _one_step


def pointer(name: str) -> str:
    """The code pointer workers load job ``name`` from."""
    return f"{__name__}:{name}"


_built: dict[str, JobDefinition] = {}
_lock = threading.Lock()


def build(name: str) -> JobDefinition:
    """The job called ``name`` (``chain_<N>``, ``fanout_<N>``, ``sleep_fanout_<N>``, ``dynamic`` or
    ``one_step``), built once per process."""
    with _lock:
        if name in _built:
            return _built[name]
        kind, _, size = name.rpartition("_")
        if kind == "chain" and size.isdigit():
            built = chain_job(int(size))
        elif kind == "fanout" and size.isdigit():
            built = fanout_job(int(size))
        elif kind == "sleep_fanout" and size.isdigit():
            built = sleep_fanout_job(int(size))
        elif name == "dynamic":
            built = dynamic_job()
        elif name == "one_step":
            built = one_step_job()
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        _built[name] = built
        return built


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return build(name)
