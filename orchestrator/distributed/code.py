"""Code shipping: how a worker gets the job of a run, and which version of it.

A job importable on workers travels as a pointer (``module:attr``, plus the job name when ``attr``
is a repository) with the version of its code (``code_versions``). Anything else (a script, a
notebook, a test module, ``orch job submit -f FILE``) is cloudpickled once per distinct job,
HMAC-SHA256-signed with ``ORCH_SECRET``, and stored in Redis under its hash, which is its version.
Workers verify the signature before unpickling and cache good jobs by hash. A blob expires twice
the run retention (``retention.py``) after the last submit that used it.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import os
import site
import sys
import sysconfig
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from orchestrator.distributed.code_versions import (
    ensure_version,
    installed_distribution_of,
    job_modules,
    pointer_version,
    project_modules,
)
from orchestrator.distributed.keys import code_key
from orchestrator.distributed.records import CodeRef
from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    import redis

    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["code_ref_for", "load_job", "CodeLoadError", "sign", "INSECURE_SECRET", "importable_on_workers"]

SIGNATURE_BYTES = 32
# Used when no secret is set and insecure mode was chosen: blobs are still checked for integrity.
INSECURE_SECRET = "orch-insecure-dev-secret"
# Jobs kept loaded per process (by code version): a few code locations, each in a few versions.
_CACHED_JOBS = 32


class CodeLoadError(OrchestratorError):
    """A worker could not load the job of a run (import failed, blob missing or wrongly signed)."""


def sign(secret: str, blob: bytes) -> bytes:
    return hmac.new(secret.encode(), blob, hashlib.sha256).digest()


def _shared_roots() -> list[Path]:
    """Directories workers are assumed to import from too: absolute ``PYTHONPATH`` entries and
    site-packages. Not the current directory: workers are not assumed to share it."""
    roots = [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.isabs(p)]
    roots += [Path(p) for p in (*site.getsitepackages(), site.getusersitepackages(),
                                sysconfig.get_paths().get("purelib", ""), sysconfig.get_paths().get("platlib", "")) if p]
    return [r.resolve() for r in roots]


def _import_root(module_name: str) -> Path | None:
    """The ``sys.path`` directory loaded module ``module_name`` was imported from."""
    file = getattr(sys.modules.get(module_name), "__file__", None)
    if not file:
        return None
    path = Path(file).resolve()
    base = path.parent.parent if path.name == "__init__.py" else path.parent
    for _ in module_name.split(".")[:-1]:
        base = base.parent
    return base


def importable_on_workers(module_name: str) -> bool:
    """Whether workers can import loaded module ``module_name`` by its name, by this rule:

    - it belongs to an installed distribution (``pip install``, ``pip install -e`` included): the
      workers run in the same environment; or
    - it was imported from a directory listed in ``PYTHONPATH`` (an absolute path) or from
      site-packages: the workers have the same ``PYTHONPATH``.

    A module found only through the current directory, a script's folder that ``-f`` put on
    ``sys.path``, ``__main__`` or a notebook is not: workers do not share the submitter's
    working directory.
    """
    if module_name in ("__main__", "__mp_main__") or module_name.startswith("_"):
        return False
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if not file:
        return False
    if installed_distribution_of(module_name, file) is not None:
        return True
    return _import_root(module_name) in _shared_roots()


def _find_pointer(job: JobDefinition) -> CodeRef | None:
    """A module attribute holding this job (or a repository that builds a job of the same name)."""
    from orchestrator.definitions.repositories import RepositoryDefinition

    op_modules = [flat.op_def.compute_fn.__module__ for flat in job.topology.ops.values()]
    for name in dict.fromkeys([*job.source_modules, *op_modules]):
        if not importable_on_workers(name):
            continue
        module = sys.modules.get(name)
        for attr, value in vars(module).items():
            if value is job:
                return CodeRef(module=name, attr=attr, job_name=job.name)
        for attr, value in vars(module).items():
            if isinstance(value, RepositoryDefinition) and value.has_job(job.name):
                try:
                    if value.get_job(job.name) is job:
                        return CodeRef(module=name, attr=attr, job_name=job.name)
                except Exception:
                    continue
    return None


def _versioned(ref: CodeRef, job: JobDefinition) -> CodeRef:
    """``ref`` (a pointer) with its import root and the version of the code this process has."""
    module = str(ref.module)
    root = _import_root(module) if module in sys.modules else None
    version, modules = pointer_version(job, module)
    return ref.model_copy(update={"root": str(root) if root else None, "version": version, "modules": modules})


def code_ref_for(job: JobDefinition, client: redis.Redis, secret: str | None, pointer: str | None = None) -> CodeRef:
    """Decide how workers will load ``job``; store a signed blob in Redis when a pointer won't do.

    The rule, in order:

    1. ``pointer`` (``module:attr``, what ``orch job submit -m MODULE`` passes): a pointer. Workers
       must be able to import that module (start them where it is importable, or put its
       directory on their ``PYTHONPATH``); it is the user's word that they can.
    2. A job loaded from a stored code reference (a re-execution loads the parent run's job)
       travels by that same reference: the same blob, or the same pointer with the version of
       the code as it is now.
    3. A module attribute holding the job, in a module :func:`importable_on_workers` (an
       installed distribution, or imported from a ``PYTHONPATH`` directory): a pointer.
    4. Anything else, ``orch job submit -f FILE`` included unless FILE's folder is on
       ``PYTHONPATH``: a cloudpickled blob, signed with ``secret``. User modules that workers
       cannot import are pickled by value, so they need not exist there.

    A pointer carries the version of the code (see ``code_versions``); a blob's version is its hash.
    """
    if pointer:
        module, _, attr = pointer.partition(":")
        if not module or not attr:
            raise OrchestratorError(f"Code pointer {pointer!r} must look like 'package.module:attribute'.")
        return _versioned(CodeRef(module=module, attr=attr, job_name=job.name), job)
    origin = _origin_of(job)
    # EXPIRE answers whether the blob is there, and pushes its expiry on: this run needs it too.
    if origin is not None and origin.blob_sha256 and client.expire(code_key(origin.blob_sha256), _blob_ttl()):
        return origin
    if origin is not None and origin.module:
        return _versioned(CodeRef(module=origin.module, attr=origin.attr, job_name=origin.job_name), job)
    found = _find_pointer(job)
    if found is not None:
        return _versioned(found, job)
    return _store_blob(job, client, secret)


def _store_blob(job: JobDefinition, client: redis.Redis, secret: str | None) -> CodeRef:
    import cloudpickle

    from orchestrator.execution.code_pickling import dumps_keeping_file_names

    defining = job_modules(job)
    user = [name for name, kind in project_modules(defining).items() if kind == "source"]
    by_value = [m for m in dict.fromkeys([*defining, *user]) if m in sys.modules and not importable_on_workers(m)
                and m not in ("__main__", "builtins")]
    registered = []
    for name in by_value:
        try:
            cloudpickle.register_pickle_by_value(sys.modules[name])
            registered.append(name)
        except ValueError:
            pass
    try:
        # Not cloudpickle.dumps: that writes "<dynamic-code>" as every shipped function's file,
        # and a failing step's traceback would not say which file it is in.
        blob = dumps_keeping_file_names(job)
    finally:
        for name in registered:
            cloudpickle.unregister_pickle_by_value(sys.modules[name])
    digest = hashlib.sha256(blob).hexdigest()
    signature = sign(secret or INSECURE_SECRET, blob)
    ttl = _blob_ttl()
    if not client.set(code_key(digest), signature + blob, nx=True, ex=ttl):
        client.expire(code_key(digest), ttl)  # stored already: this run needs it too
    return CodeRef(blob_sha256=digest, job_name=job.name, version=digest)


def _blob_ttl() -> int:
    """A blob outlives the runs that use it (``retention.code_blob_ttl``): twice the run retention
    after the last submit that used it; unused, Redis drops it then."""
    from orchestrator.distributed.retention import code_blob_ttl, run_retention

    return code_blob_ttl(run_retention())


# Jobs loaded in this process by code reference (and, on workers, version); the reference each
# loaded job came from, keeping the job alive so that its id stays its own.
_cache: OrderedDict[str, JobDefinition] = OrderedDict()
_origins: OrderedDict[int, tuple[JobDefinition, CodeRef]] = OrderedDict()
_cache_lock = threading.RLock()


def _origin_of(job: JobDefinition) -> CodeRef | None:
    with _cache_lock:
        entry = _origins.get(id(job))
    return entry[1] if entry is not None and entry[0] is job else None


def _remember(job: JobDefinition, ref: CodeRef, cache_key: str | None) -> None:
    with _cache_lock:
        if cache_key is not None:
            _cache[cache_key] = job
            while len(_cache) > _CACHED_JOBS:
                _cache.popitem(last=False)
        _origins[id(job)] = (job, ref)
        _origins.move_to_end(id(job))
        while len(_origins) > _CACHED_JOBS:
            _origins.popitem(last=False)


def load_job(ref: CodeRef, client: redis.Redis, secret: str | None, *, check_version: bool = False,
             run_id: str | None = None) -> JobDefinition:
    """The job a code reference names. Blobs are verified before unpickling.

    ``check_version`` (workers): a pointer's job is loaded with exactly the code of the run's
    version, importing it afresh when this process has another one loaded, and
    ``CodeChangedError`` (naming ``run_id``) when the files no longer hold it; jobs are cached by
    version. Without it (clients: re-execution, reading results), the job is imported as this
    process finds it, from the submitter's import root (``ref.root``) when it is not importable
    otherwise, and not cached, so that a client sees the code as it is now.
    """
    if ref.blob_sha256:
        cache_key: str | None = ref.blob_sha256
    else:
        cache_key = f"{ref.module}:{ref.attr}:{ref.job_name}@{ref.version}" if check_version else None
    with _cache_lock:
        if cache_key is not None and cache_key in _cache:
            _cache.move_to_end(cache_key)
            return _cache[cache_key]
        if ref.blob_sha256:
            job = _load_blob(ref, client, secret)
        else:
            if check_version:
                _checked_import(ref, run_id)
            job = _load_pointer(ref, use_root=not check_version)
        _remember(job, ref, cache_key)
    return job


def _checked_import(ref: CodeRef, run_id: str | None) -> None:
    try:
        ensure_version(str(ref.module), ref.version, ref.modules, str(ref.job_name), run_id)
    except OrchestratorError:
        raise
    except Exception as exc:  # noqa: BLE001 - any error importing user code becomes a clear message
        raise _import_failed(ref, exc) from None


def _import_failed(ref: CodeRef, exc: BaseException) -> CodeLoadError:
    where = f" The submitter imported it from {ref.root}: put that directory on the workers' PYTHONPATH " \
            "(orch dev -m does), or submit with -f FILE to ship the code." if ref.root else ""
    return CodeLoadError(
        f"Worker could not import module '{ref.module}' for job '{ref.job_name}': {type(exc).__name__}: {exc}. "
        f"Start workers where that module is importable (same project directory or PYTHONPATH).{where}"
    )


def _import_pointer_module(ref: CodeRef, use_root: bool) -> Any:
    module = str(ref.module)
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        top_missing = module == missing or module.startswith(missing + ".")
        if not (use_root and top_missing and ref.root and Path(ref.root).is_dir() and ref.root not in sys.path):
            raise
    # A client elsewhere (orch run reexecute from another directory): import from the submitter's root.
    sys.path.insert(0, str(ref.root))
    return importlib.import_module(module)


def _load_pointer(ref: CodeRef, use_root: bool = False) -> JobDefinition:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import RepositoryDefinition

    try:
        module = _import_pointer_module(ref, use_root)
    except Exception as exc:  # noqa: BLE001 - any error importing user code becomes a clear message
        raise _import_failed(ref, exc) from None
    value = getattr(module, str(ref.attr), None)
    if isinstance(value, RepositoryDefinition):
        value = value.get_job(str(ref.job_name))
    if not isinstance(value, JobDefinition):
        raise CodeLoadError(f"'{ref.module}:{ref.attr}' is not a job (got {type(value).__name__}).")
    return value


def _load_blob(ref: CodeRef, client: redis.Redis, secret: str | None) -> JobDefinition:
    import cloudpickle

    raw = cast("bytes | None", client.get(code_key(str(ref.blob_sha256))))
    if raw is None:
        raise CodeLoadError(f"The code blob {ref.blob_sha256} of job '{ref.job_name}' is missing from Redis: blobs "
                            "expire twice ORCH_RUN_RETENTION after the last submit that used them. Submit the job "
                            "again (a new run ships its code again).")
    signature, blob = raw[:SIGNATURE_BYTES], raw[SIGNATURE_BYTES:]
    if hashlib.sha256(blob).hexdigest() != ref.blob_sha256:
        raise CodeLoadError(f"The code blob of job '{ref.job_name}' is corrupt (its hash does not match); refusing it.")
    if not hmac.compare_digest(signature, sign(secret or INSECURE_SECRET, blob)):
        raise CodeLoadError(
            f"The code blob of job '{ref.job_name}' is not signed with this worker's ORCH_SECRET; refusing to "
            "unpickle it. Give the submitter and the workers the same ORCH_SECRET."
        )
    try:
        job = cloudpickle.loads(blob)
    except Exception as exc:
        raise CodeLoadError(f"Could not unpickle job '{ref.job_name}': {type(exc).__name__}: {exc}") from None
    return job
