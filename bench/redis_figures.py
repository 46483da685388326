"""What the benchmark asks Redis itself: round trip, commands per step, memory per run and per step.

Memory of a run: ``INFO memory`` ``used_memory`` minus its value right before the submit (all the
run caused: run state, broker messages, but also client buffers, which come and go), the same for
``used_memory_dataset`` (without Redis's own overhead: steadier), and ``MEMORY USAGE ... SAMPLES 0``
summed over the run's own keys (found by ``SCAN`` on ``keys.run_prefix(run_id)``: the run state alone). Sampled
while the run is half done (its ``status`` hash holds half its steps) and one second after it ends
(the workers confirm their last publishes in batches every 0.25 s); the TTLs seen on the run's
keys after the end say whether finished runs expire.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.runners import ProjectRunner, n_steps, timeout_for

__all__ = ["redis_rtt", "command_stats", "run_memory"]


def redis_rtt(url: str, count: int = 2000) -> float:
    """Median seconds of one PING round trip from this process to the Redis at ``url``."""
    import redis

    client = redis.Redis.from_url(url)
    client.ping()
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        client.ping()
        times.append(time.perf_counter() - t0)
    client.close()
    return statistics.median(times)


def command_stats(url: str, fn: Callable[[], Any]) -> dict[str, int]:
    """Redis commands (by name, most frequent first) that ``fn`` caused, from INFO commandstats
    before/after: every client's, so the workers' too."""
    import redis

    client: Any = redis.Redis.from_url(url)  # redis-py's sync/async union types get in the way
    client.config_resetstat()
    fn()
    stats = client.info("commandstats")
    client.close()
    counts = {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}
    for own in ("config|resetstat", "info", "config"):
        counts.pop(own, None)
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _run_keys(client: Any, run_id: str) -> dict[str, Any]:
    """Bytes (``MEMORY USAGE``, all nested values sampled) and TTLs of the run's keys, by suffix."""
    from orchestrator.distributed.keys import run_prefix

    prefix = run_prefix(run_id)
    by_key: dict[str, int] = {}
    ttls: set[int] = set()
    for raw in client.scan_iter(match=prefix + ":*", count=1000):
        key = raw.decode()
        by_key[key.removeprefix(prefix + ":")] = int(client.memory_usage(key, samples=0) or 0)
        ttls.add(int(client.ttl(key)))
    return {"bytes": sum(by_key.values()), "keys": len(by_key), "by_key": dict(sorted(by_key.items())),
            # -1: the key never expires
            "ttl_s": sorted(ttls)}


def run_memory(url: str, runner: ProjectRunner, shape: str, n: int) -> dict[str, Any]:
    """Redis memory of one project run of ``shape`` with ``n``: mid-run and after its end.

    :param url: the benchmark's Redis.
    :param runner: submits the run (on the workers already started).
    :param shape: ``chain`` or ``fanout``.
    :param n: the run's size.
    """
    import redis

    from orchestrator.distributed.keys import run_keys

    client: Any = redis.Redis.from_url(url)

    def memory() -> dict[str, int]:
        info = client.info("memory")
        return {"used_memory": int(info["used_memory"]), "used_memory_dataset": int(info["used_memory_dataset"])}

    def delta(now: dict[str, int]) -> dict[str, int]:
        return {f"{k}_delta": now[k] - base[k] for k in now}

    steps = n_steps(shape, n)
    runner.prepare(shape, n)
    time.sleep(1.0)  # let the last run's transient allocations (queues, client buffers) go first
    base = memory()
    handle = runner.submit(shape, n)
    keys = run_keys(handle.run_id)
    peak = 0
    mid: dict[str, Any] | None = None
    deadline = time.monotonic() + timeout_for(n)
    # A light poll (three commands every 20 ms) next to a run of thousands of commands a second.
    while not client.exists(keys.end) and time.monotonic() < deadline:
        now = delta(memory())
        peak = max(peak, now["used_memory_delta"])
        if mid is None and client.hlen(keys.status) >= steps // 2:
            mid = {**now, "run_keys": _run_keys(client, handle.run_id), "steps_done": int(client.hlen(keys.status))}
        time.sleep(0.02)
    result = handle.wait(timeout=max(1.0, deadline - time.monotonic()))
    time.sleep(1.0)
    after: dict[str, Any] = {**delta(memory()), "run_keys": _run_keys(client, handle.run_id)}
    runner.check(handle, result, shape, n)
    client.close()
    out: dict[str, Any] = {"shape": shape, "n": n, "steps": steps, "peak_used_memory_delta": peak}
    for label, figures in (("mid", mid), ("after", after)):
        if figures is not None:
            figures["run_keys_per_step"] = round(figures["run_keys"]["bytes"] / steps, 1)
            figures["used_memory_per_step"] = round(figures["used_memory_delta"] / steps, 1)
            figures["used_memory_dataset_per_step"] = round(figures["used_memory_dataset_delta"] / steps, 1)
            out[label] = figures
    return out
