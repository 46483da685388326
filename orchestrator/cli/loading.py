"""Find user code: import a module (``-m``) or a file (``-f``) and pick its repository or jobs."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from orchestrator.cli.errors import VERBOSE_HINT, CliError

if TYPE_CHECKING:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import RepositoryDefinition

__all__ = ["LoadedCode", "load_code", "import_user_module", "import_user_file"]


@dataclass
class LoadedCode:
    """What was loaded: the repository to use and where it came from (for messages and code pointers)."""

    repository: RepositoryDefinition
    source: str
    module_name: str
    file: str | None = None
    attr: str | None = None
    job_attrs: dict[str, str] = field(default_factory=dict)
    #: Loaded with ``-f FILE`` (else ``-m MODULE``).
    loaded_from_file: bool = False

    def code_pointer(self, job_name: str) -> str | None:
        """``module:attr`` workers import job ``job_name`` by, when it was loaded with ``-m``.

        ``-m MODULE`` says the module is importable by name, so workers get a pointer to it: its
        job's attribute, or the repository holding it. Code loaded with ``-f`` gets None: how it
        travels is for ``code_ref_for`` to decide (a blob unless the file's module is importable
        on workers). None too for a job that is no module attribute (an asset job built from
        loose assets), which travels the same way.
        """
        from orchestrator.definitions.jobs import JobDefinition
        from orchestrator.definitions.repositories import RepositoryDefinition

        if self.loaded_from_file:
            return None
        module = sys.modules.get(self.module_name)
        attr = self.job_attrs.get(job_name)
        if attr is not None and isinstance(getattr(module, attr, None), JobDefinition):
            return f"{self.module_name}:{attr}"
        if self.attr is not None and isinstance(getattr(module, self.attr, None), RepositoryDefinition):
            return f"{self.module_name}:{self.attr}"
        return None

    def get_job(self, name: str) -> JobDefinition:
        """The job called ``name``; a ``CliError`` listing the jobs that exist when there is none."""
        if not self.repository.has_job(name):
            names = ", ".join(self.repository.job_names) or "none"
            raise CliError(f"No job named '{name}' in {self.source}. Jobs defined: {names}.")
        return self.repository.get_job(name)


def _where(exc: BaseException) -> str:
    """``file:line`` of the innermost frame of ``exc`` that is neither import machinery nor this
    package (an error raised by ``@op`` is the fault of the line that applied it, in user code)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    package = str(Path(__file__).resolve().parents[1]) + os.sep
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<frozen")]
    users = [f for f in frames if not f.filename.startswith(package)] or frames
    return f"{users[-1].filename}:{users[-1].lineno}" if users else "?"


def _import_failed(what: str, exc: BaseException) -> CliError:
    from orchestrator.errors import OrchestratorError

    # Our own errors (a DefinitionError raised by a decorator) say what is wrong in their message;
    # the user's (NameError, ImportError...) need their class name to be understood.
    reason = str(exc) if isinstance(exc, OrchestratorError) else f"{type(exc).__name__}: {exc}"
    return CliError(f"Could not import {what}: {reason} (at {_where(exc)})", hint=VERBOSE_HINT)


def import_user_module(name: str) -> ModuleType:
    """Import module ``name`` with the current directory on ``sys.path``."""
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if name == missing or name.startswith(missing + "."):
            raise CliError(
                f"Module '{name}' not found (no module named '{missing}'). Check the name, and that its "
                f"directory is the current directory or on PYTHONPATH."
            ) from exc
        raise _import_failed(f"module '{name}'", exc) from exc
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes a clear message
        raise _import_failed(f"module '{name}'", exc) from exc


def import_user_file(path: str) -> ModuleType:
    """Load the Python file at ``path`` as a module named after it, its directory on ``sys.path``."""
    file = Path(path)
    if not file.is_file():
        raise CliError(f"File not found: {path}" + (" (it is a directory)" if file.is_dir() else ""))
    if file.suffix != ".py":
        raise CliError(f"{path} is not a Python file (expected a .py file).")
    file = file.resolve()
    folder = str(file.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = file.stem
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__file__", None) != str(file):
        name = f"__orch_file__.{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise CliError(f"Cannot load {path} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    # Registered before running so that pickling and dataclasses can find the module by name.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any error in user code becomes a clear message
        sys.modules.pop(name, None)
        raise _import_failed(f"file '{path}'", exc) from exc
    return module


def _repository_from_value(value: Any, attr: str, module: ModuleType, source: str) -> tuple[RepositoryDefinition, dict[str, str]]:
    from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition
    from orchestrator.definitions.graphs import GraphDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import Definitions, RepositoryDefinition

    if isinstance(value, RepositoryDefinition):
        return value, {}
    if isinstance(value, (JobDefinition, GraphDefinition)):
        job = value.to_job() if isinstance(value, GraphDefinition) else value
        return Definitions(jobs=[job]), {job.name: attr}
    if isinstance(value, UnresolvedAssetJobDefinition):
        assets = _module_assets(module)
        return Definitions(assets=assets, jobs=[value]), {value.name: attr}
    raise CliError(
        f"'{attr}' in {source} is a {type(value).__name__}, not a job, graph, Definitions or repository. "
        f"Jobs and repositories in it: {_candidates(module)}."
    )


def _module_assets(module: ModuleType) -> list[Any]:
    from orchestrator.definitions.assets import AssetsDefinition, SourceAsset

    found: dict[int, Any] = {}
    for value in vars(module).values():
        if isinstance(value, (AssetsDefinition, SourceAsset)):
            found.setdefault(id(value), value)
    return list(found.values())


def _candidates(module: ModuleType) -> str:
    from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition
    from orchestrator.definitions.graphs import GraphDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import RepositoryDefinition

    kinds = (RepositoryDefinition, JobDefinition, GraphDefinition, UnresolvedAssetJobDefinition)
    return ", ".join(sorted(a for a, v in vars(module).items() if isinstance(v, kinds))) or "none"


def _find(module: ModuleType, source: str) -> tuple[RepositoryDefinition, str | None, dict[str, str]]:
    from orchestrator.definitions.asset_jobs import UnresolvedAssetJobDefinition
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import Definitions, RepositoryDefinition

    repos: dict[int, tuple[str, RepositoryDefinition]] = {}
    jobs: dict[int, tuple[str, Any]] = {}
    for attr, value in vars(module).items():
        if attr.startswith("__"):
            continue
        if isinstance(value, RepositoryDefinition):
            repos.setdefault(id(value), (attr, value))
        elif isinstance(value, (JobDefinition, UnresolvedAssetJobDefinition)):
            jobs.setdefault(id(value), (attr, value))
    if len(repos) == 1:
        attr, repo = next(iter(repos.values()))
        return repo, attr, {}
    if len(repos) > 1:
        # Dagster's project convention: the module's one ``Definitions`` (``defs``) is the code location.
        defs = [(attr, r) for attr, r in repos.values() if isinstance(r, Definitions)]
        if len(defs) == 1:
            return defs[0][1], defs[0][0], {}
        names = ", ".join(sorted(attr for attr, _ in repos.values()))
        raise CliError(f"Found several repositories in {source}: {names}. Pick one with -a/--attr NAME.")
    assets = _module_assets(module)
    if not jobs and not assets:
        raise CliError(f"No jobs, assets, Definitions or repository found at the top level of {source}.")
    repo = Definitions(assets=assets, jobs=[value for _, value in jobs.values()])
    return repo, None, {value.name: attr for attr, value in jobs.values()}


def load_code(module: str | None, file: str | None, attr: str | None = None) -> LoadedCode:
    """Load user code from ``module`` or ``file`` (exactly one) and find its repository or jobs."""
    if bool(module) == bool(file):
        raise CliError("Say where the code is: pass exactly one of -m/--module MODULE or -f/--file PATH.")
    if module:
        loaded = import_user_module(module)
        source = f"module '{module}'"
    else:
        assert file is not None
        loaded = import_user_file(file)
        source = f"file '{file}'"
    if attr:
        if not hasattr(loaded, attr):
            raise CliError(f"No attribute '{attr}' in {source}. Jobs and repositories in it: {_candidates(loaded)}.")
        repo, job_attrs = _repository_from_value(getattr(loaded, attr), attr, loaded, source)
        found_attr: str | None = attr
    else:
        repo, found_attr, job_attrs = _find(loaded, source)
    return LoadedCode(repository=repo, source=source, module_name=loaded.__name__,
                      file=getattr(loaded, "__file__", None), attr=found_attr, job_attrs=job_attrs,
                      loaded_from_file=file is not None)
