"""Write the Dagster compatibility table from checked-in data, without Dagster installed.

Inputs: ``dagster_names.txt`` (Dagster 1.12's public names, one a line) and ``status.yaml`` (for the
names orchestrator supports: ``supported`` or ``partly``, with a note). A name is shown as
supported or partly only when ``orchestrator`` exports it AND ``status.yaml`` lists it; a name
orchestrator does not export is "not". The table goes between the markers below in README.md
(collapsed) and in the documentation site's page docs/porting.md (in full).

    python docs/compat/make_table.py          # rewrite both sections
    python docs/compat/make_table.py --check  # exit 1 when either section is out of date
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
README = ROOT / "README.md"
PORTING = ROOT / "docs" / "porting.md"
START = "<!-- dagster-compat:start (written by docs/compat/make_table.py: do not edit by hand) -->"
END = "<!-- dagster-compat:end -->"
STATUSES = ("supported", "partly")


def dagster_names(path: Path = HERE / "dagster_names.txt") -> list[str]:
    """Dagster's public names, in file order (comment lines start with ``#``)."""
    lines = path.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def statuses(path: Path = HERE / "status.yaml") -> dict[str, dict[str, Any]]:
    """``status.yaml``: name -> {status, note}. Raises ``ValueError`` on an unknown status."""
    data = yaml.safe_load(path.read_text()) or {}
    for name, entry in data.items():
        if not isinstance(entry, Mapping) or entry.get("status") not in STATUSES:
            raise ValueError(f"{path.name}: {name}: status must be one of {STATUSES}, got {entry!r}")
    return {str(k): dict(v) for k, v in data.items()}


def exported_names() -> set[str]:
    """Every public name ``import orchestrator`` offers (its lazy export map and ``__all__``)."""
    sys.path.insert(0, str(ROOT))
    import orchestrator

    return set(orchestrator.__all__) | set(getattr(orchestrator, "_EXPORTS", {}))


def rows(names: list[str], status: Mapping[str, Mapping[str, Any]], exported: set[str]) -> list[tuple[str, str, str]]:
    """(name, "supported" | "partly" | "not", note) for each Dagster name."""
    result = []
    for name in names:
        entry = status.get(name)
        if name in exported and entry is not None:
            result.append((name, str(entry["status"]), str(entry.get("note") or "")))
        elif name in exported:
            result.append((name, "not", "exported but not reviewed in docs/compat/status.yaml"))
        else:
            result.append((name, "not", ""))
    return result


def _summary(table: list[tuple[str, str, str]]) -> str:
    """The sentence of counts both sections open with."""
    count = {s: sum(1 for _, st, _ in table if st == s) for s in ("supported", "partly", "not")}
    return (f"Of Dagster 1.12's {len(table)} public names, orchestrator supports **{count['supported']}**, "
            f"**{count['partly']}** partly, and not the other {count['not']} (many are Dagster's UI, daemon, "
            "components and integrations). Sources: `docs/compat/dagster_names.txt`, `docs/compat/status.yaml`.")


def _table_lines(table: list[tuple[str, str, str]]) -> list[str]:
    lines = ["| Dagster name | orchestrator | note |", "| --- | --- | --- |"]
    for name, st, note in table:
        lines.append(f"| `{name}` | {st} | {note.replace('|', '/')} |")
    return lines


def section(table: list[tuple[str, str, str]]) -> str:
    """The README section: counts, then every name in a collapsed table."""
    lines = [START, _summary(table), "", "<details><summary>Every Dagster public name</summary>", "",
             *_table_lines(table), "", "</details>", END]
    return "\n".join(lines)


def docs_section(table: list[tuple[str, str, str]]) -> str:
    """The documentation site's section (docs/porting.md): counts, then every name in a plain table
    (the site's search finds a name in it)."""
    return "\n".join([START, _summary(table), "", *_table_lines(table), END])


def render(readme_text: str, new_section: str) -> str:
    """``readme_text`` with the section between the markers replaced (appended when absent)."""
    if START in readme_text and END in readme_text:
        before, rest = readme_text.split(START, 1)
        _, after = rest.split(END, 1)
        return before + new_section + after
    return readme_text.rstrip("\n") + "\n\n## Dagster compatibility\n\n" + new_section + "\n"


def main(argv: list[str]) -> int:
    table = rows(dagster_names(), statuses(), exported_names())
    stale = []
    for path, new_section in ((README, section(table)), (PORTING, docs_section(table))):
        current = path.read_text()
        updated = render(current, new_section)
        if updated == current:
            continue
        stale.append(path.relative_to(ROOT).as_posix())
        if "--check" not in argv:
            path.write_text(updated)
    if "--check" in argv and stale:
        print(f"The Dagster compatibility table of {' and '.join(stale)} is out of date: "
              "run python docs/compat/make_table.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
