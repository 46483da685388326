"""The definitions `orch ui -f` serves in tests/integration/test_ui_browser.py: a job with a
nested graph, a dynamic map and op config (so a bad run config has something to fail on), and
two assets (so the assets page has a lineage to draw)."""

from __future__ import annotations

import time

from orchestrator import Config, Definitions, DynamicOut, DynamicOutput, asset, graph, job, op


class SplitConfig(Config):
    parts: int
    #: Seconds to wait before yielding, so a test can watch the run while it is live.
    delay: float = 0.0


@op(out=DynamicOut())
def split(config: SplitConfig):
    time.sleep(config.delay)
    for i in range(config.parts):
        yield DynamicOutput(i, mapping_key=f"part_{i}")


@op
def square(x: int) -> int:
    return x * x


@op
def add_one(x: int) -> int:
    return x + 1


@graph
def refine(x: int) -> int:
    return add_one(x)


@op
def gather(values: list) -> int:
    return sum(values)


@job
def ui_job() -> None:
    gather(split().map(square).map(refine).collect())


@asset
def raw_numbers() -> list:
    return [1, 2, 3]


@asset
def number_total(raw_numbers: list) -> int:
    return sum(raw_numbers)


defs = Definitions(jobs=[ui_job], assets=[raw_numbers, number_total])
