"""Code versions: which code a run was submitted with, and making a worker run exactly that code.

A job that travels as a pointer (``module:attr``) is recorded with the version of the code that
defines it (:func:`pointer_version`): the modules that define the job (the pointer's module and
the modules of its ops, resources, hooks and config mapping) and the project modules those
import at module level, each by the SHA-256 of its source file, or by ``dist:<name>==<version>``
when a defining module comes from an installed, non-editable distribution. Modules of the
orchestrator itself, of the standard library and of third-party distributions the job merely
imports are not part of the version. (A module imported lazily, inside a function, is not seen.)

A worker imports user modules through :class:`_HashingFinder`: it compiles them from the source
bytes it hashes, never from a ``.pyc`` that may predate an edit made in the same second, so the
worker knows exactly which source each loaded module ran. Before the first step of a run in a
process (:func:`ensure_version`) it compares the run's modules with what it loaded. Equal:
nothing to do. Different or not loaded: it imports the run's modules afresh (new module objects,
so a run of the previous version that already holds the old objects is not changed under it)
and compares again. Still different, because the files changed again after the submit, or a
distribution has another version here: the step fails with :class:`CodeChangedError`, which
names the modules and the fix. A step never runs with code of another version than its run's.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import site
import sys
import sysconfig
import threading
import time
import types
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["CodeChangedError", "pointer_version", "job_modules", "project_modules", "ensure_version",
           "is_user_module", "installed_distribution_of", "install_hashing_finder"]

# The orchestrator's own packages: the framework every job runs on, never reloaded with user code.
FRAMEWORK_PACKAGES = frozenset({"orchestrator", "worker"})
_SOURCE = "sha256:"
_DIST = "dist:"
_RACY_NS = 2_000_000_000  # files changed in the last 2 s are hashed again, whatever their time and size


class CodeChangedError(OrchestratorError):
    """The code on this worker is not the code the run was submitted with, and cannot be made so."""


# -- where a module comes from ------------------------------------------------------------------
@functools.cache
def _distributions() -> Mapping[str, list[str]]:
    """Top-level import name -> installed distributions providing it (read once per process)."""
    return importlib.metadata.packages_distributions()


@functools.cache
def _distribution(name: str) -> tuple[tuple[str, bool, Path | None], ...]:
    """(version, editable, project directory of an editable install) of each installation of
    distribution ``name`` found on ``sys.path``: an editable one (``direct_url.json`` says so), or
    a regular one whose metadata is in site-packages. Metadata elsewhere (an ``.egg-info`` left in
    a source tree) installs nothing.

    Read once per process: for a worker, the version it loaded, even after an upgrade on disk.
    """
    found = []
    for dist in importlib.metadata.distributions(name=name):
        try:
            info = json.loads(dist.read_text("direct_url.json") or "{}")
        except ValueError:
            info = {}
        if isinstance(info, dict) and (info.get("dir_info") or {}).get("editable"):
            url = str(info.get("url") or "")
            project = Path(url[len("file://"):]).resolve() if url.startswith("file://") else None
            found.append((dist.version, True, project))
        elif _under(Path(str(dist.locate_file(""))).resolve(), _system_roots()):
            found.append((dist.version, False, None))
    return tuple(found)


@functools.cache
def _system_roots() -> tuple[Path, ...]:
    """The standard library and site-packages directories of this interpreter."""
    paths = sysconfig.get_paths()
    roots = [paths.get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    roots += [*site.getsitepackages(), site.getusersitepackages()]
    return tuple(Path(r).resolve() for r in roots if r)


def _under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def installed_distribution_of(module_name: str, file: str | None) -> str | None:
    """``<name>==<version>`` (`` (editable)`` appended for an editable install) of the installed
    distribution that module ``module_name`` at ``file`` comes from, else None.

    A file of that name elsewhere (a script called ``yaml.py``) comes from no distribution.
    """
    top = module_name.split(".")[0]
    if not file:
        return None
    path = Path(file).resolve()
    for dist in dict.fromkeys(_distributions().get(top, [])):
        for version, editable, project in _distribution(dist):
            if (editable and project is not None and _under(path, [project])) or (
                    not editable and _under(path, _system_roots())):
                return f"{dist}=={version}" + (" (editable)" if editable else "")
    return None


@functools.lru_cache(maxsize=4096)
def _kind(module_name: str, file: str | None) -> str | None:
    """How a module counts in a code version: ``"source"`` (its source is hashed), ``"dist:<d>==<v>"``
    (a module of installed, non-editable distribution ``d``), or None (framework, standard library,
    third-party code without metadata, no source file). Cached: where a file lies and which
    distributions are installed are read once per process (``_distributions``) anyway."""
    top = module_name.split(".")[0]
    if top in FRAMEWORK_PACKAGES or module_name in ("__main__", "__mp_main__") or not file or not file.endswith(".py"):
        return None
    dist = installed_distribution_of(module_name, file)
    if dist is not None:
        return "source" if dist.endswith(" (editable)") else _DIST + dist
    return None if _under(Path(file).resolve(), _system_roots()) else "source"


def is_user_module(module_name: str) -> bool:
    """Whether loaded module ``module_name`` is user code whose source is hashed (editable or a path)."""
    module = sys.modules.get(module_name)
    return module is not None and _kind(module_name, getattr(module, "__file__", None)) == "source"


# -- which modules define a job -----------------------------------------------------------------
def job_modules(job: JobDefinition, pointer_module: str | None = None) -> list[str]:
    """Names of the modules that define ``job``: the pointer's, its ops', resources', hooks' and
    config mapping's (in that order, without duplicates)."""
    names: list[str] = [pointer_module] if pointer_module else []
    names += job.source_modules
    for flat in job.topology.ops.values():
        names.append(flat.op_def.compute_fn.__module__)
        names += [getattr(h.hook_fn, "__module__", None) or "" for h in flat.hook_defs]
    names += [getattr(h.hook_fn, "__module__", None) or "" for h in job.hook_defs]
    for definition in job.resource_defs.values():
        names.append(getattr(getattr(definition, "resource_fn", None), "__module__", None) or "")
    mapping_fn = getattr(job.config, "config_fn", None)
    wrapped = getattr(mapping_fn, "__defaults__", None) or ()
    for fn in (mapping_fn, *wrapped):  # a typed mapping wraps the user's function as a default argument
        if isinstance(fn, types.FunctionType):
            names.append(fn.__module__)
    return [n for n in dict.fromkeys(names) if n]


def _locate(name: str) -> str | None:
    """The file of module ``name``: the loaded module's, else where an import would find it. A
    submodule of a package that is not loaded is not looked for (that would import the package)."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__file__", None)
    parent = name.rpartition(".")[0]
    if parent and parent not in sys.modules:
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.has_location else None


@functools.lru_cache(maxsize=4096)
def _imports_in(name: str, file: str, mtime_ns: int, size: int) -> frozenset[str]:
    """Modules the source of module ``name`` imports, anywhere in it (functions included).

    ``from x import y`` counts ``x`` and ``x.y`` (``y`` may be a submodule); relative imports are
    resolved against the module's package. Cached by file state.
    """
    try:
        tree = ast.parse(Path(file).read_bytes(), filename=file)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    package = name if Path(file).name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                if node.level - 1 > len(base_parts):
                    continue
                base = ".".join(base_parts[:len(base_parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module and base else (node.module or base)
            else:
                target = node.module or ""
            if target:
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    return frozenset(found)


def project_modules(defining: Sequence[str]) -> dict[str, str]:
    """The modules of a code version: ``defining`` and the user modules they import, transitively.

    Returns module -> kind (see :func:`_kind`): ``"source"`` for hashed ones, ``"dist:..."`` for
    defining modules of installed distributions. Imports are read from each module's source (an
    import inside a function counts, whether it ran yet or not), and parent packages count,
    since their ``__init__`` runs first. Third-party modules are neither recorded nor followed.
    """
    found: dict[str, str] = {}
    queue = list(defining)
    first = set(defining)
    seen: set[str] = set()
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        if name.split(".")[0] in FRAMEWORK_PACKAGES:
            continue
        file = _locate(name)
        kind = _kind(name, file)
        if kind is None or (kind != "source" and name not in first):
            continue
        found[name] = kind
        if kind != "source" or file is None:
            continue
        parts = name.split(".")
        queue += [".".join(parts[:i]) for i in range(1, len(parts))]
        try:
            stat = Path(file).stat()
        except OSError:
            continue
        queue += sorted(_imports_in(name, file, stat.st_mtime_ns, stat.st_size))
    return found


def _source_digest(file: str) -> str:
    stat = os.stat(file)
    if time.time_ns() - stat.st_mtime_ns < _RACY_NS:
        # File times are coarse (a clock tick): two same-size writes this close may share one.
        return _digest_of(file)
    return _digest_at(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _digest_at(file: str, mtime_ns: int, size: int) -> str:
    # Keyed by modification time and size: a submitter hashes each file once per edit, not per run.
    return _digest_of(file)


def _digest_of(file: str) -> str:
    return _SOURCE + hashlib.sha256(Path(file).read_bytes()).hexdigest()


def _version_of(modules: Mapping[str, str]) -> str:
    text = "\n".join(f"{name}={modules[name]}" for name in sorted(modules))
    return hashlib.sha256(text.encode()).hexdigest()


def pointer_version(job: JobDefinition, pointer_module: str) -> tuple[str | None, dict[str, str]]:
    """(version, modules) of ``job`` as this process sees the files now; ``(None, {})`` when its
    modules are not loaded here (nothing to compare against on workers)."""
    modules: dict[str, str] = {}
    for name, kind in project_modules(job_modules(job, pointer_module)).items():
        if kind != "source":
            modules[name] = kind
            continue
        try:
            modules[name] = _source_digest(str(_locate(name)))
        except OSError:
            continue  # deleted since it was imported: the worker will say what it finds
    return (_version_of(modules), modules) if modules else (None, {})


# -- what a worker loaded -----------------------------------------------------------------------
_loaded: dict[str, str] = {}  # module -> sha256 of the source it was compiled from, in this process
_lock = threading.RLock()


class _HashingLoader(importlib.machinery.SourceFileLoader):
    """Compiles a user module from its source bytes (no bytecode cache) and records their hash."""

    def get_code(self, fullname: str) -> types.CodeType:
        path = self.get_filename(fullname)
        data = self.get_data(path)
        _loaded[fullname] = _SOURCE + hashlib.sha256(data).hexdigest()
        return self.source_to_code(data, path)


class _HashingFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: finds modules as the others would, and gives user modules
    a :class:`_HashingLoader`."""

    def __init__(self) -> None:
        self._busy = threading.local()

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        # Deciding what a module is may import (importlib.metadata): those imports go the usual way.
        if fullname.split(".")[0] in FRAMEWORK_PACKAGES or getattr(self._busy, "on", False):
            return None
        self._busy.on = True
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is None:
                    continue
                if (type(spec.loader) is importlib.machinery.SourceFileLoader and spec.origin
                        and _kind(fullname, spec.origin) == "source"):
                    spec.loader = _HashingLoader(fullname, spec.origin)
                return spec
            return None
        finally:
            self._busy.on = False


_finder = _HashingFinder()


def install_hashing_finder() -> None:
    """Put the hashing finder first on ``sys.meta_path`` (once per process; workers only)."""
    with _lock:
        if _finder not in sys.meta_path:
            _distributions()  # read the installed distributions before the finder needs them
            sys.meta_path.insert(0, _finder)


def _loaded_kind(name: str) -> str | None:
    """What this process has loaded for ``name``, as a code version entry (None: not loaded, or
    loaded before the hashing finder, so its source is unknown)."""
    module = sys.modules.get(name)
    if module is None:
        return None
    kind = _kind(name, getattr(module, "__file__", None))
    return _loaded.get(name) if kind == "source" else kind


def _loaded_code_matches(modules: Mapping[str, str], pointer_module: str) -> bool:
    """Whether the pointer's module is loaded and every loaded module of ``modules`` is the run's."""
    if pointer_module not in sys.modules:
        return False
    return all(_loaded_kind(name) == expected for name, expected in modules.items() if name in sys.modules)


def _differences(modules: Mapping[str, str]) -> dict[str, tuple[str, str | None]]:
    """module -> (the run's entry, what this process has) for each module that differs. A module
    not imported yet (an import inside a function) is compared by its file, which it will load."""
    out: dict[str, tuple[str, str | None]] = {}
    for name, expected in modules.items():
        if name in sys.modules:
            actual = _loaded_kind(name)
        else:
            file = _locate(name)
            kind = _kind(name, file)
            try:
                actual = _source_digest(str(file)) if kind == "source" else kind
            except OSError:
                actual = None
        if actual != expected:
            out[name] = (expected, actual)
    return out


def _import_afresh(modules: Mapping[str, str], pointer_module: str) -> None:
    """Forget the loaded user modules of the packages ``modules`` belong to, and import the pointer's
    module again: new module objects, compiled from the files as they are now."""
    tops = {name.split(".")[0] for name, kind in modules.items() if kind.startswith(_SOURCE)}
    tops.add(pointer_module.split(".")[0])
    for name in list(sys.modules):
        if name.split(".")[0] in tops and is_user_module(name):
            del sys.modules[name]
            _loaded.pop(name, None)
    importlib.invalidate_caches()
    importlib.import_module(pointer_module)


def ensure_version(pointer_module: str, version: str | None, modules: Mapping[str, str], job_name: str,
                   run_id: str | None = None) -> None:
    """Make this process's loaded code the run's (``modules``), importing it afresh if needed.

    Raises :class:`CodeChangedError` when the files no longer hold that code. The import itself
    may raise (a syntax error in the new code): the caller reports it like any failed import.
    """
    if not modules:
        return  # a record from before code versions, or a job whose modules the submitter had not loaded
    with _lock:
        install_hashing_finder()
        if not _loaded_code_matches(modules, pointer_module):
            _import_afresh(modules, pointer_module)
        changed = _differences(modules)
    if changed:
        raise CodeChangedError(_changed_message(changed, version, job_name, run_id))


def _short(entry: str | None) -> str:
    if entry is None:
        return "no such module"
    if entry.startswith(_SOURCE):
        return f"source {entry[len(_SOURCE):][:12]}"
    return entry[len(_DIST):] if entry.startswith(_DIST) else entry


def _changed_message(changed: Mapping[str, tuple[str, str | None]], version: str | None, job_name: str,
                     run_id: str | None) -> str:
    run = f"run {run_id}" if run_id else "the run"
    lines = []
    dists = False
    for name, (expected, actual) in sorted(changed.items()):
        module = sys.modules.get(name)
        where = f" ({module.__file__})" if module is not None and getattr(module, "__file__", None) else ""
        lines.append(f"module '{name}'{where}: submitted {_short(expected)}, this worker has {_short(actual)}")
        dists = dists or expected.startswith(_DIST)
    fix = (f"Re-execute the run to run the current code (orch run reexecute {run_id or 'RUN_ID'} --all), "
           "or put the submitted code back on the workers.")
    if dists:
        fix += " For a distribution, install the submitted version on the workers and restart them."
    return (f"The code of job '{job_name}' changed after {run} was submitted (code version "
            f"{(version or '?')[:12]}); refusing to run it with other code. " + "; ".join(lines) + ". " + fix)
