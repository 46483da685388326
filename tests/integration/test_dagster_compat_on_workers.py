"""The issue-18 Dagster-compatibility fixes that matter where the step runs, on real Celery workers
over a real redis-server: a nested graph's config mapping is applied again where the run config
is rebuilt (the worker), steps get the resources their Dagster types and loaders declare, and the
distributed result's ``dagster_run`` has the run's tags and run config."""

from __future__ import annotations

import pytest

from orchestrator import (
    ConfigMapping,
    DagsterType,
    In,
    Instance,
    ResourceDefinition,
    dagster_type_loader,
    graph,
    job,
    op,
    submit_job,
)

pytestmark = pytest.mark.integration


@op(config_schema={"n": int})
def make(context) -> int:
    return context.op_config["n"]


@graph(config=ConfigMapping(lambda outer: {"make": {"config": {"n": outer["m"] * 10}}}, config_schema={"m": int}))
def scaled():
    return make()


@job(tags={"owner": "data"})
def scaling():
    scaled()


@dagster_type_loader(config_schema={"n": int}, required_resource_keys={"source"})
def from_source(context, config):
    return [context.resources.source] * config["n"]


Sourced = DagsterType(lambda context, value: context.resources.accepts(value), name="Sourced", loader=from_source,
                      required_resource_keys={"accepts"})


@op(ins={"rows": In(Sourced)})
def count_rows(rows) -> int:
    return len(rows)


@job(resource_defs={"source": ResourceDefinition.hardcoded_resource("row"),
                    "accepts": ResourceDefinition.hardcoded_resource(lambda value: isinstance(value, list))})
def sourced():
    count_rows()


def test_a_nested_graphs_config_mapping_applies_on_the_worker(instance: Instance) -> None:
    config = {"ops": {"scaled": {"config": {"m": 4}}}}
    result = submit_job(scaling, run_config=config, tags={"team": "x"}, instance=instance).wait(timeout=60)
    assert result.success, result.failure_error
    assert result.output_for_node("scaled.make") == 40
    assert result.dagster_run.tags["team"] == "x" and result.dagster_run.tags["owner"] == "data"
    assert result.dagster_run.run_config == config


def test_a_step_on_a_worker_gets_its_types_resources(instance: Instance) -> None:
    config = {"ops": {"count_rows": {"inputs": {"rows": {"n": 3}}}}}
    result = submit_job(sourced, run_config=config, instance=instance).wait(timeout=60)
    assert result.success, result.failure_error
    assert result.output_for_node("count_rows") == 3
