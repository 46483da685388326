"""The layer rule: imports inside ``orchestrator/`` point one way, from higher layers to lower ones.

Layers, low to high: base (errors, events, home, status, redis_urls) < definitions < plan < execution <
executors < distributed < interfaces (cli, local, ui). A module may import its own layer or a
lower one. A lower layer importing a higher one -- even inside a function -- is allowed only for
the documented public entry points in ``ENTRY_POINTS``. Counting every import (module level and
inside functions, not ``if TYPE_CHECKING:`` blocks), no import cycle may span more than
``MAX_CYCLE`` modules, and module-level imports may form no cycle at all.

The check reads the source with ``ast``; it never imports the package, so it also runs when a
cycle would break importing it. ``orchestrator/__init__.py`` (lazy re-exports of the public
names) is exempt as an importer; ``from orchestrator import X`` inside the package counts as an
import of the module that defines ``X``, and ``importlib.import_module("orchestrator....")`` with
a literal name counts as an import too, so neither hides an edge.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "orchestrator"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PACKAGE

# Module path prefix (below the package) -> layer. The longest matching prefix wins.
LAYERS: dict[str, int] = {
    "errors": 0,
    "events": 0,
    "home": 0,
    "status": 0,
    "redis_urls": 0,
    "definitions": 1,
    "plan": 2,
    "execution": 3,
    "executors": 4,
    "distributed": 5,
    "cli": 6,
    "local": 6,
    "ui": 6,
}
LAYER_NAMES = {0: "base", 1: "definitions", 2: "plan", 3: "execution", 4: "executors", 5: "distributed",
               6: "interfaces"}

# Importers the rule does not apply to: the package's lazy re-export of every public name.
EXEMPT = frozenset({PACKAGE})

MAX_CYCLE = 3

# The documented upward imports: (importing module, enclosing function qualname, imported module)
# -> why this public entry point reaches a higher layer. Keep it short; each entry is a place
# where a definition object runs itself for the user's convenience.
ENTRY_POINTS: dict[tuple[str, str, str], str] = {
    ("orchestrator.definitions.ops", "OpDefinition._direct_call", "orchestrator.execution.context"):
        "calling an op outside a job (`my_op(...)`, via NodeDefinition.__call__) runs it: it builds the "
        "OpExecutionContext the op asks for",
    ("orchestrator.definitions.jobs", "JobDefinition.execute_in_process", "orchestrator.executors.in_process"):
        "`job.execute_in_process()` runs the job: it hands it to the in-process executor",
}


@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``importer`` (at ``path``:``line``, inside ``scope``) loads ``target``."""

    importer: str
    target: str
    path: str
    line: int
    scope: str  # qualname of the enclosing function or class; "<module>" at module level
    module_level: bool  # runs when the importer itself is imported (not deferred inside a function)

    def __str__(self) -> str:
        where = "module level" if self.module_level else f"in {self.scope}"
        return f"{self.path}:{self.line} ({self.importer}, {where}) imports {self.target}"


# -- reading the package -------------------------------------------------------------------------


def module_name(path: Path, package_dir: Path) -> str:
    """``orchestrator/definitions/ops.py`` -> ``orchestrator.definitions.ops`` (packages drop ``__init__``)."""
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(package_dir: Path) -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p, package_dir): p for p in sorted(package_dir.rglob("*.py"))}


def read_exports(init_source: str, package: str) -> dict[str, str]:
    """The package's lazy ``_EXPORTS`` map as ``{public name: absolute module}``."""
    for node in ast.parse(init_source).body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id == "_EXPORTS" and getattr(node, "value", None) is not None:
            exports = ast.literal_eval(node.value)  # type: ignore[arg-type]
            return {name: (package + mod if mod.startswith(".") else mod) for name, mod in exports.items()}
    return {}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def parse_imports(
    module: str,
    source: str,
    *,
    is_package: bool,
    known: Iterable[str],
    exports: Mapping[str, str] | None = None,
    path: str = "",
) -> list[Import]:
    """The imports of ``module`` that load another module of ``known`` (the package's modules)."""
    known = set(known)
    exports = dict(exports or {})
    package = module.split(".")[0]
    path = path or module
    found: list[Import] = []

    def resolve_from(node: ast.ImportFrom) -> str | None:
        if not node.level:
            return node.module
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def targets_of(node: ast.stmt) -> list[str]:
        if isinstance(node, ast.Import):
            out = []
            for alias in node.names:
                name = alias.name
                while name and name not in known:  # `import a.b.c` of a non-module attribute path
                    name = name.rpartition(".")[0]
                if name:
                    out.append(name)
            return out
        assert isinstance(node, ast.ImportFrom)
        base = resolve_from(node)
        if base is None:
            return []
        out = []
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full in known:
                out.append(full)
            elif base == package and alias.name in exports:
                out.append(exports[alias.name])  # `from orchestrator import X`: the module defining X
            elif base in known:
                out.append(base)
        return out

    def literal_import(node: ast.Call) -> str | None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in ("import_module", "__import__") or not node.args:
            return None
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value in known:
            return arg.value
        return None

    def add(target: str, line: int, scope: list[str], deferred: bool) -> None:
        edge = Import(module, target, path, line, ".".join(scope) or "<module>", not deferred)
        if target != module and edge not in found:  # `from m import a, b` is one edge
            found.append(edge)

    def visit(node: ast.AST, scope: list[str], deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.orelse:  # only the runtime branch imports anything
                    visit_one(stmt, scope, deferred)
                continue
            visit_one(child, scope, deferred)

    def visit_one(node: ast.AST, scope: list[str], deferred: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in targets_of(node):
                add(target, node.lineno, scope, deferred)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:  # decorators and defaults run where the function is defined
                visit_one(deco, scope, deferred)
            visit(node.args, scope, deferred)
            inner = [*scope, node.name]
            for stmt in node.body:
                visit_one(stmt, inner, True)
        elif isinstance(node, ast.Lambda):
            visit(node, scope, True)
        elif isinstance(node, ast.ClassDef):
            for deco in node.decorator_list:
                visit_one(deco, scope, deferred)
            inner = [*scope, node.name]
            for stmt in node.body:
                visit_one(stmt, inner, deferred)
        else:
            if isinstance(node, ast.Call):
                target = literal_import(node)
                if target is not None:
                    add(target, node.lineno, scope, deferred)
            visit(node, scope, deferred)

    visit(ast.parse(source), [], False)
    return found


def package_imports(package_dir: Path = PACKAGE_DIR) -> list[Import]:
    """Every import edge between modules of the package, the exempt importers left out."""
    modules = discover(package_dir)
    init = package_dir / "__init__.py"
    exports = read_exports(init.read_text(), package_dir.name) if init.exists() else {}
    edges: list[Import] = []
    for name, path in modules.items():
        if name in EXEMPT:
            continue
        edges += parse_imports(name, path.read_text(), is_package=path.name == "__init__.py", known=modules,
                               exports=exports, path=str(path.relative_to(package_dir.parent)))
    return edges


# -- the checks ---------------------------------------------------------------------------------


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Components of more than one module, largest first (iterative Tarjan: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    nodes = sorted(set(graph) | {t for ts in graph.values() for t in ts})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return sorted(result, key=lambda c: (-len(c), c))


def _shortest_cycle(members: list[str], by_pair: Mapping[tuple[str, str], Import]) -> list[Import]:
    """One shortest cycle through the component's first member, as the import statements that form it."""
    inside = set(members)
    start = members[0]
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for a, b in sorted(by_pair):
            if a != node or b not in inside:
                continue
            if b == start:
                hops = [*paths[node], start]
                return [by_pair[(x, y)] for x, y in zip(hops, hops[1:])]
            if b not in paths:
                paths[b] = [*paths[node], b]
                queue.append(b)
    return []


def cycle_report(edges: Iterable[Import], *, module_level_only: bool, max_size: int) -> list[str]:
    """A description of every import cycle larger than ``max_size`` modules (empty: none)."""
    edges = [e for e in edges if e.module_level or not module_level_only]
    graph: dict[str, set[str]] = {}
    by_pair: dict[tuple[str, str], Import] = {}
    for e in edges:
        graph.setdefault(e.importer, set()).add(e.target)
        by_pair.setdefault((e.importer, e.target), e)
    problems = []
    for members in strongly_connected(graph):
        if len(members) <= max_size:
            continue
        inside = set(members)
        lines = [f"{len(members)} modules import each other: {', '.join(members)}", "  for example this cycle:"]
        lines += [f"    {e}" for e in _shortest_cycle(members, by_pair)]
        lines.append("  every import inside the cycle (break one so it points one way):")
        lines += [f"    {e}" for e in edges if e.importer in inside and e.target in inside]
        problems.append("\n".join(lines))
    return problems


def layer_of(module: str, layers: Mapping[str, int] = LAYERS) -> int | None:
    """The layer of a module by its path below the package (longest matching prefix), or None."""
    parts = module.split(".")[1:]
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in layers:
            return layers[prefix]
    return None


def upward_imports(edges: Iterable[Import], entry_points: Mapping[tuple[str, str, str], str],
                   layers: Mapping[str, int] = LAYERS) -> list[Import]:
    """Imports of a higher layer's module that no ``entry_points`` entry documents."""
    bad = []
    for e in edges:
        low, high = layer_of(e.importer, layers), layer_of(e.target, layers)
        if low is None or high is None or high <= low:
            continue
        if e.module_level or (e.importer, e.scope, e.target) not in entry_points:
            bad.append(e)
    return bad


def _describe_upward(e: Import) -> str:
    low, high = LAYER_NAMES[layer_of(e.importer) or 0], LAYER_NAMES[layer_of(e.target) or 0]
    return f"{e}  [{low} -> {high}]"


# -- tests on the package -------------------------------------------------------------------------


def test_every_module_has_a_layer():
    missing = sorted(m for m in discover(PACKAGE_DIR) if m not in EXEMPT and m != PACKAGE and layer_of(m) is None)
    assert not missing, (
        f"modules outside the layer table: {missing}. Put them in a layer folder or add their path to "
        "LAYERS in tests/unit/test_layers.py (and to the layer list in /work/shared/DESIGN.md)."
    )


def test_no_module_level_import_cycle():
    problems = cycle_report(package_imports(), module_level_only=True, max_size=1)
    assert not problems, "module-level imports form a cycle:\n" + "\n\n".join(problems)


def test_import_cycles_span_at_most_three_modules():
    problems = cycle_report(package_imports(), module_level_only=False, max_size=MAX_CYCLE)
    assert not problems, (
        f"an import cycle (counting imports inside functions) spans more than {MAX_CYCLE} modules:\n"
        + "\n\n".join(problems)
    )


def test_no_upward_imports_outside_the_entry_points():
    bad = upward_imports(package_imports(), ENTRY_POINTS)
    assert not bad, (
        "a lower layer imports a higher one (layers: " + " < ".join(LAYER_NAMES.values()) + "):\n"
        + "\n".join(f"  {_describe_upward(e)}" for e in bad)
        + "\nMove what it needs down a layer, or have the higher layer call down. If it is a public entry "
        "point, add (module, function qualname, target) with its reason to ENTRY_POINTS."
    )


def test_entry_points_are_all_still_used():
    edges = {(e.importer, e.scope, e.target) for e in package_imports() if not e.module_level}
    stale = sorted(set(ENTRY_POINTS) - edges)
    assert not stale, f"ENTRY_POINTS documents imports that no longer exist; remove them: {stale}"


# -- the checker itself catches what it should --------------------------------------------------------


_SYNTHETIC = {
    "pkg.definitions.a": (
        "from typing import TYPE_CHECKING\n"
        "from pkg.definitions import b\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.executors.x import X\n"
        "class A:\n"
        "    def run(self):\n"
        "        from pkg.executors.x import go\n"
        "        return go()\n"
        "    def sneaky(self):\n"
        "        import importlib\n"
        "        return importlib.import_module('pkg.executors.x')\n"
        "    def via_package(self):\n"
        "        from pkg import Exported\n"
    ),
    "pkg.definitions.b": "from . import c\n",
    "pkg.definitions.c": "def f():\n    from .a import A\n",
    "pkg.definitions.d": "from pkg.definitions import c\nfrom pkg.definitions.a import A\n",
    "pkg.executors.x": "from pkg.definitions.a import A\n",
    "pkg.executors.y": "X = 1\n",
}
_SYNTHETIC_LAYERS = {"definitions": 1, "executors": 4}


def _synthetic_edges() -> list[Import]:
    edges = []
    for name, source in _SYNTHETIC.items():
        edges += parse_imports(name, source, is_package=False, known=_SYNTHETIC,
                               exports={"Exported": "pkg.executors.y"})
    return edges


def test_checker_resolves_imports_and_skips_type_checking():
    got = {(e.importer, e.target, e.scope, e.module_level) for e in _synthetic_edges()}
    assert got == {
        ("pkg.definitions.a", "pkg.definitions.b", "<module>", True),
        ("pkg.definitions.a", "pkg.executors.x", "A.run", False),
        ("pkg.definitions.a", "pkg.executors.x", "A.sneaky", False),
        ("pkg.definitions.a", "pkg.executors.y", "A.via_package", False),
        ("pkg.definitions.b", "pkg.definitions.c", "<module>", True),
        ("pkg.definitions.c", "pkg.definitions.a", "f", False),
        ("pkg.definitions.d", "pkg.definitions.c", "<module>", True),
        ("pkg.definitions.d", "pkg.definitions.a", "<module>", True),
        ("pkg.executors.x", "pkg.definitions.a", "<module>", True),
    }


def test_checker_reports_cycles_with_their_lines():
    edges = _synthetic_edges()
    # a -> x -> a (function level) and a -> b -> c -> a (function level): one component of four.
    [problem] = cycle_report(edges, module_level_only=False, max_size=3)
    assert problem.startswith("4 modules import each other")
    assert "pkg.definitions.c:2 (pkg.definitions.c, in f) imports pkg.definitions.a" in problem
    assert cycle_report(edges, module_level_only=False, max_size=4) == []
    assert cycle_report(edges, module_level_only=True, max_size=1) == []
    looped = [*edges, Import("pkg.definitions.c", "pkg.definitions.b", "c", 9, "<module>", True)]
    [problem] = cycle_report(looped, module_level_only=True, max_size=1)
    assert "c:9 (pkg.definitions.c, module level) imports pkg.definitions.b" in problem


def test_checker_reports_upward_imports_unless_documented():
    edges = _synthetic_edges()
    bad = {(e.scope, e.target) for e in upward_imports(edges, {}, _SYNTHETIC_LAYERS)}
    assert bad == {("A.run", "pkg.executors.x"), ("A.sneaky", "pkg.executors.x"), ("A.via_package", "pkg.executors.y")}
    documented = {("pkg.definitions.a", "A.run", "pkg.executors.x"): "why"}
    bad = {(e.scope, e.target) for e in upward_imports(edges, documented, _SYNTHETIC_LAYERS)}
    assert bad == {("A.sneaky", "pkg.executors.x"), ("A.via_package", "pkg.executors.y")}
    module_level = Import("pkg.definitions.a", "pkg.executors.x", "a", 1, "<module>", True)
    assert upward_imports([module_level], {("pkg.definitions.a", "<module>", "pkg.executors.x"): "no"},
                          _SYNTHETIC_LAYERS) == [module_level]
