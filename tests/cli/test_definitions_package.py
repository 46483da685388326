"""The ``definitions`` package follows Dagster's project convention: its top level exposes
``defs = Definitions(...)`` with every example, and the CLI finds it (``orch job list -m definitions``)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_orch_job_list_finds_the_defs_of_the_definitions_package() -> None:
    proc = subprocess.run([sys.executable, "-m", "orchestrator.cli", "job", "list", "-m", "definitions"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "No module named orchestrator.cli.__main__" in proc.stderr:
        orch = Path(sys.executable).with_name("orch")
        proc = subprocess.run([str(orch), "job", "list", "-m", "definitions"], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("do_stuff", "do_stuff_prod", "do_stuff_local", "do_it_all", "all_assets_job", "asset1_job",
                 "do_it_all_with_default_config", "do_it_all_with_simplified_config", "demo_pipeline"):
        assert f" {name} " in proc.stdout, (name, proc.stdout)


def test_defs_holds_every_job_asset_schedule_and_sensor_of_the_examples() -> None:
    from orchestrator import AssetsDefinition, Definitions, JobDefinition, ScheduleDefinition, SensorDefinition
    from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition

    package = importlib.import_module("definitions")
    defs = package.defs
    assert isinstance(defs, Definitions)
    modules = [importlib.import_module(f"definitions.{p.stem}") for p in (ROOT / "definitions").glob("seed_*.py")]
    modules.append(importlib.import_module("definitions.demo.pipeline"))
    asset_keys = {a.key for a in defs.assets_defs}
    for module in modules:
        for attr, value in vars(module).items():
            if getattr(value, "__module__", module.__name__) != module.__name__ and not inspect.ismodule(value):
                pass
            if isinstance(value, (JobDefinition, UnresolvedAssetJobDefinition)):
                assert defs.has_job(value.name), f"{module.__name__}.{attr} (job {value.name}) is not in defs"
            elif isinstance(value, AssetsDefinition):
                assert value.key in asset_keys, f"{module.__name__}.{attr} (asset {value.key}) is not in defs"
            elif isinstance(value, (ScheduleDefinition, SensorDefinition)):
                assert value in [*defs.schedule_defs, *defs.sensor_defs], f"{module.__name__}.{attr} is not in defs"
    assert defs.get_job("do_stuff").execute_in_process().output_for_node("add_one") == 6
