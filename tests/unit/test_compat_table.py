"""The README's Dagster compatibility table is produced by docs/compat/make_table.py from checked-in
data: it must be current, and every name it calls supported must really be exported and work."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import orchestrator

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compat_make_table", ROOT / "docs" / "compat" / "make_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_is_up_to_date() -> None:
    script = _script()
    table = script.rows(script.dagster_names(), script.statuses(), script.exported_names())
    current = (ROOT / "README.md").read_text()
    assert script.START in current and script.END in current
    assert script.render(current, script.section(table)) == current, (
        "README.md's Dagster compatibility table is stale: run python docs/compat/make_table.py")


def test_every_name_marked_supported_is_exported_and_importable() -> None:
    script = _script()
    names = set(script.dagster_names())
    status = script.statuses()
    for name, entry in status.items():
        assert name in names, f"status.yaml lists {name!r}, which is not one of Dagster's public names"
        assert entry["status"] in ("supported", "partly")
        assert name in script.exported_names(), f"status.yaml marks {name!r} {entry['status']} but it is not exported"
        assert getattr(orchestrator, name) is not None, name
        if entry["status"] == "partly":
            assert entry.get("note"), f"{name!r} is partly supported: say what differs in a note"


def test_every_exported_dagster_name_is_reviewed() -> None:
    script = _script()
    status = script.statuses()
    unreviewed = sorted(n for n in script.dagster_names() if n in script.exported_names() and n not in status)
    assert not unreviewed, f"exported Dagster names missing from docs/compat/status.yaml: {unreviewed}"


def test_a_name_not_exported_is_not_supported_whatever_the_status_file_says() -> None:
    script = _script()
    rows = script.rows(["op", "NotARealName"], {"NotARealName": {"status": "supported", "note": ""},
                                                 "op": {"status": "supported"}}, {"op"})
    assert rows == [("op", "supported", ""), ("NotARealName", "not", "")]
