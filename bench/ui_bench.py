"""The ``ui`` shape of ``python -m bench.run``: how fast the web UI answers with many runs stored.

It writes N runs straight into Redis through ``RunStorage.create_run`` (no workers: the UI reads
storage only), plus one run of a 1,000-step job whose every step has STEP_START and STEP_SUCCESS
events, serves ``orchestrator.ui.app.create_app`` with uvicorn on a free loopback port in a
thread, and times real HTTP requests: the runs list page ``/``, ``GET /api/runs``, the run page
``/runs/<id>`` and ``GET /api/runs/<id>`` of the big run. Targets: the runs list and its API under
1 s with 10,000 runs stored.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

TARGET_S = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fill(redis_url: str, runs: int, steps: int) -> tuple[str, str, float]:
    """Store ``runs`` small runs and one run of ``steps`` steps (all ended); returns the big run's id,
    its last step's key and the seconds the writes took."""
    import redis

    from bench.project_jobs import chain_job, fanout_job
    from orchestrator.distributed.records import CodeRef, RunRecord
    from orchestrator.distributed.run_storage import RunStorage
    from orchestrator.events import EventType
    from orchestrator.execution.lifecycle import Lifecycle
    from orchestrator.plan.planner import build_plan

    began = time.perf_counter()
    client = redis.Redis.from_url(redis_url)
    storage = RunStorage(client, redis_url)
    small = chain_job(2)
    small_plan = build_plan(small, {})
    now = time.time()
    for i in range(runs):
        record = RunRecord(run_id=f"bench-ui-{i:05d}-{uuid.uuid4().hex[:6]}", job_name=small.name,
                           code=CodeRef(job_name=small.name), tags={"team": f"t{i % 7}"},
                           created_at=now - (runs - i))
        storage.create_run(record, small_plan)
    big = fanout_job(steps - 2)  # a root, steps - 2 leaves and a gather: ``steps`` steps
    big_plan = build_plan(big, {})
    run_id = f"bench-ui-big-{uuid.uuid4().hex[:8]}"
    storage.create_run(RunRecord(run_id=run_id, job_name=big.name, code=CodeRef(job_name=big.name)), big_plan)
    life = Lifecycle(run_id, big.name)
    pipe = client.pipeline(transaction=False)
    storage.add_events(pipe, run_id, [life.run_started("in the bench")])
    for step in big_plan.steps:
        storage.add_events(pipe, run_id, [life.event(EventType.STEP_START, step.key, f"Started {step.key}."),
                                          life.event(EventType.STEP_SUCCESS, step.key, f"Finished {step.key}.")])
    pipe.execute()
    client.close()
    return run_id, big_plan.steps[-1].key, time.perf_counter() - began


def _get(url: str, expect: str) -> Callable[[], float]:
    """A timed GET of ``url`` that fails unless the answer is a 200 whose body holds ``expect``
    (so a fast error page or an empty list is never taken for a fast page)."""
    def once() -> float:
        began = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as answer:
            body = answer.read()
            status = answer.status
        took = time.perf_counter() - began
        if status != 200 or expect.encode() not in body:
            raise RuntimeError(f"GET {url}: HTTP {status}, {len(body)} bytes, without {expect!r}")
        return took
    return once


def bench_ui(redis_url: str, runs: int, steps: int, reps: int, measure: Callable[..., Any],
             log: Callable[[str], None]) -> dict[str, Any]:
    """The UI's timings, as the ``ui`` entry of the results.

    Parameters: ``redis_url``, the bench's private (empty) Redis; ``runs``, how many runs to store;
    ``steps``, the size of the big run; ``reps``, timed requests per URL (after one warm-up);
    ``measure`` and ``log``, bench/samples.py's sampler and logger.
    """
    import redis
    import uvicorn

    from orchestrator.distributed.instance import Instance
    from orchestrator.distributed.run_storage import RunStorage
    from orchestrator.ui.app import create_app

    log(f"== web UI: {runs} runs stored, a run of {steps} steps")
    big_run, last_step, fill_s = _fill(redis_url, runs, steps)
    log(f"   stored in {fill_s:.1f} s")
    port = _free_port()
    app = create_app(Instance(redis_url=redis_url, secret="bench-ui"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="bench-ui", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the UI server did not start within 30 s")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        # The newest run heads the list; the big run's pages name its last step.
        urls = {"runs_page_s": (f"{base}/", big_run), "api_runs_s": (f"{base}/api/runs", big_run),
                "run_page_s": (f"{base}/runs/{big_run}", last_step),
                "api_run_s": (f"{base}/api/runs/{big_run}", last_step)}
        # Every run in this Redis counts, the distributed shapes' runs included.
        out: dict[str, Any] = {"runs_stored": RunStorage(redis.Redis.from_url(redis_url)).run_count(),
                               "run_steps": steps, "store_s": round(fill_s, 2), "target_s": TARGET_S,
                               "measured_at": time.time()}
        for name, (url, expect) in urls.items():
            sample = measure(_get(url, expect), 1, reps)
            out[name] = round(sample.median, 4)
            out[name[:-2] + "_max_s"] = round(sample.hi, 4)
            log(f"   {url.replace(base, '') or '/'}: {sample.text()} s")
        return out
    finally:
        server.should_exit = True
        thread.join(timeout=10)
