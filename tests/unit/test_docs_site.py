"""The documentation site's sources hold together without building it (``make docs`` builds it,
strictly; ``tests/integration/test_docs_site_browser.py`` builds it and opens it in a browser):

- every name of ``orchestrator.__all__`` has a ``::: orchestrator.NAME`` entry on an API reference
  page (docs/reference/), and every entry there names a public name;
- every nav entry of mkdocs.yml points at a page that exists, and every page is in the nav;
- the compatibility table of docs/porting.md is what docs/compat/make_table.py writes;
- every example on the concept pages (docs/concepts/) runs, as the pages promise.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import orchestrator

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
# Folders of docs/ that hold no pages (mkdocs.yml's exclude_docs).
NOT_PAGES = ("compat/",)
ENTRY = re.compile(r"^::: orchestrator\.(\w+)\s*$", re.MULTILINE)
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!!python/name:`` tags (mermaid's fence formatter) need no import here."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _config() -> dict[str, Any]:
    return dict(yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_ConfigLoader))


def _nav_files(entries: Any) -> Iterator[str]:
    """Every file a nav names (``- Title: file.md``, ``- file.md``, nested sections)."""
    if isinstance(entries, str):
        yield entries
    elif isinstance(entries, list):
        for entry in entries:
            yield from _nav_files(entry)
    elif isinstance(entries, dict):
        for value in entries.values():
            yield from _nav_files(value)


def _reference_entries() -> dict[str, list[str]]:
    """Public name -> the reference pages that document it."""
    found: dict[str, list[str]] = {}
    for page in sorted(REFERENCE.glob("*.md")):
        for name in ENTRY.findall(page.read_text()):
            found.setdefault(name, []).append(page.name)
    return found


def test_every_public_name_is_on_a_reference_page() -> None:
    documented = _reference_entries()
    missing = sorted(set(orchestrator.__all__) - set(documented))
    assert not missing, (
        f"names of orchestrator.__all__ on no page of docs/reference/: {missing}; add a "
        "'::: orchestrator.NAME' line to the page of their group")


def test_every_reference_entry_is_a_public_name_documented_once() -> None:
    documented = _reference_entries()
    unknown = sorted(set(documented) - set(orchestrator.__all__))
    assert not unknown, f"docs/reference/ documents names that orchestrator.__all__ does not have: {unknown}"
    twice = {name: pages for name, pages in documented.items() if len(pages) > 1}
    assert not twice, f"names documented on more than one reference page (their anchors would clash): {twice}"


def test_every_nav_entry_points_at_an_existing_page() -> None:
    config = _config()
    docs_dir = ROOT / config["docs_dir"]
    missing = [entry for entry in _nav_files(config["nav"]) if not (docs_dir / entry).is_file()]
    assert not missing, f"mkdocs.yml's nav points at files that do not exist under {config['docs_dir']}/: {missing}"


def test_every_page_is_in_the_nav() -> None:
    config = _config()
    docs_dir = ROOT / config["docs_dir"]
    in_nav = set(_nav_files(config["nav"]))
    pages = {p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md")}
    pages = {p for p in pages if not p.startswith(NOT_PAGES)}
    assert sorted(pages - in_nav) == [], "pages under docs/ that mkdocs.yml's nav does not list"


def test_the_nav_check_would_catch_a_missing_page() -> None:
    # The walk above must see nested sections and bare entries alike, or a missing page would pass.
    nav = [{"Home": "index.md"}, {"Concepts": ["concepts/index.md", {"Ops": "concepts/gone.md"}]}]
    assert list(_nav_files(nav)) == ["index.md", "concepts/index.md", "concepts/gone.md"]
    assert not (DOCS / "concepts" / "gone.md").exists()


def _make_table() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compat_make_table", DOCS / "compat" / "make_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_porting_page_table_is_up_to_date() -> None:
    script = _make_table()
    table = script.rows(script.dagster_names(), script.statuses(), script.exported_names())
    current = (DOCS / "porting.md").read_text()
    assert script.START in current and script.END in current
    assert script.render(current, script.docs_section(table)) == current, (
        "docs/porting.md's Dagster compatibility table is stale: run python docs/compat/make_table.py")
    # The page lists every Dagster name, each once.
    listed = re.findall(r"^\| `(\w+)` \| (supported|partly|not) \|", current, re.MULTILINE)
    assert [name for name, _ in listed] == script.dagster_names()


def _concept_examples() -> list[tuple[str, int, str]]:
    examples = []
    for page in sorted((DOCS / "concepts").glob("*.md")):
        for i, code in enumerate(PYTHON_BLOCK.findall(page.read_text())):
            examples.append((page.name, i, code))
    return examples


def test_every_concept_page_but_the_index_has_an_example() -> None:
    with_examples = {page for page, _, _ in _concept_examples()}
    pages = {p.name for p in (DOCS / "concepts").glob("*.md")} - {"index.md"}
    assert sorted(pages - with_examples) == []


@pytest.mark.parametrize(("page", "index", "code"), _concept_examples(),
                         ids=[f"{page}[{i}]" for page, i, _ in _concept_examples()])
def test_concept_example_runs(page: str, index: int, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples that write files (fs_io_manager, ORCH_HOME) write into a fresh directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORCH_HOME", str(tmp_path / "home"))
    assert "from orchestrator" in code or "import orchestrator" in code
    before = set(os.environ)
    try:
        exec(compile(code, f"docs/concepts/{page} example {index}", "exec"), {"__name__": f"docs_example_{index}"})
    finally:
        for name in set(os.environ) - before:  # what an example set for itself (config.md's DB_PASSWORD)
            del os.environ[name]
