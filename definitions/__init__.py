"""Example user code: the seed documentation examples (each runs with only the import line changed
from Dagster's) and the demo pipeline.

As in a Dagster project, the package's top level exposes ``defs``: one ``Definitions`` holding every
example job, asset, schedule and sensor, so ``orch job list -m definitions``, ``orch dev -m
definitions`` and ``orch job submit -m definitions -j do_stuff --wait`` find them.
"""

from orchestrator import Definitions

from . import (
    seed_assets,
    seed_config_mapping,
    seed_graph_jobs,
    seed_hardcoded_config,
    seed_op_job,
    seed_repository,
)
from .demo import pipeline as demo_pipeline_module
from .demo import schedules as demo_schedules

defs = Definitions(
    assets=[seed_assets.asset1, seed_assets.asset2],
    jobs=[
        seed_op_job.do_stuff,
        seed_graph_jobs.prod_job,
        seed_graph_jobs.local_job,
        seed_config_mapping.do_it_all_with_simplified_config,
        seed_hardcoded_config.do_it_all_with_default_config,
        seed_repository.do_it_all,
        seed_assets.all_assets_job,
        seed_assets.asset1_job,
        demo_pipeline_module.demo_pipeline,
    ],
    schedules=[demo_schedules.demo_pipeline_daily],
    sensors=[demo_schedules.demo_pipeline_failed],
)

__all__ = ["defs"]
