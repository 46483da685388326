"""Code shipping: how a worker gets the job of a run.

A job importable on workers travels as a pointer (``module:attr``, plus the job name when ``attr``
is a repository). Anything else (a script, a notebook, a test module) is cloudpickled once per
distinct job, HMAC-SHA256-signed with ``ORCH_SECRET``, and stored in Redis under its hash.
Workers verify the signature before unpickling and cache good jobs by hash.
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
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from orchestrator.distributed.keys import code_key
from orchestrator.distributed.records import CodeRef
from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    import redis

    from orchestrator.definitions.jobs import JobDefinition

__all__ = ["code_ref_for", "load_job", "CodeLoadError", "sign", "INSECURE_SECRET"]

SIGNATURE_BYTES = 32
# Used when no secret is set and insecure mode was chosen: blobs are still checked for integrity.
INSECURE_SECRET = "orch-insecure-dev-secret"


class CodeLoadError(OrchestratorError):
    """A worker could not load the job of a run (import failed, blob missing or wrongly signed)."""


def sign(secret: str, blob: bytes) -> bytes:
    return hmac.new(secret.encode(), blob, hashlib.sha256).digest()


def _shared_roots() -> list[Path]:
    """Directories a worker started the documented way imports from: cwd, PYTHONPATH, site-packages."""
    roots = [Path.cwd()]
    roots += [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    roots += [Path(p) for p in (*site.getsitepackages(), site.getusersitepackages(),
                                sysconfig.get_paths().get("purelib", ""), sysconfig.get_paths().get("platlib", "")) if p]
    return [r.resolve() for r in roots if str(r)]


def _importable_on_workers(module_name: str) -> bool:
    """Whether ``module_name`` resolves from a directory workers share, not one added at run time."""
    if module_name in ("__main__", "__mp_main__") or module_name.startswith("_"):
        return False
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if not file:
        return False
    path = Path(file).resolve()
    base = path.parent.parent if path.name == "__init__.py" else path.parent
    for _ in module_name.split(".")[:-1]:
        base = base.parent
    return base in _shared_roots()


def _find_pointer(job: JobDefinition) -> CodeRef | None:
    """A module attribute holding this job (or a repository that builds a job of the same name)."""
    from orchestrator.definitions.repositories import RepositoryDefinition

    op_modules = [flat.op_def.compute_fn.__module__ for flat in job.topology.ops.values()]
    for name in dict.fromkeys([*job.source_modules, *op_modules]):
        if not _importable_on_workers(name):
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


def code_ref_for(job: JobDefinition, client: redis.Redis, secret: str | None, pointer: str | None = None) -> CodeRef:
    """Decide how workers will load ``job``; store a signed blob in Redis when a pointer won't do."""
    if pointer:
        module, _, attr = pointer.partition(":")
        if not module or not attr:
            raise OrchestratorError(f"Code pointer {pointer!r} must look like 'package.module:attribute'.")
        return CodeRef(module=module, attr=attr, job_name=job.name)
    found = _find_pointer(job)
    if found is not None:
        return found
    import cloudpickle

    by_value = [m for m in {flat.op_def.compute_fn.__module__ for flat in job.topology.ops.values()}
                | set(job.source_modules) if m in sys.modules and not _importable_on_workers(m)
                and m not in ("__main__", "builtins")]
    registered = []
    for name in by_value:
        try:
            cloudpickle.register_pickle_by_value(sys.modules[name])
            registered.append(name)
        except ValueError:
            pass
    try:
        blob = cloudpickle.dumps(job)
    finally:
        for name in registered:
            cloudpickle.unregister_pickle_by_value(sys.modules[name])
    digest = hashlib.sha256(blob).hexdigest()
    signature = sign(secret or INSECURE_SECRET, blob)
    client.set(code_key(digest), signature + blob, nx=True)
    return CodeRef(blob_sha256=digest, job_name=job.name)


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def load_job(ref: CodeRef, client: redis.Redis, secret: str | None) -> JobDefinition:
    """The job a code reference names. Blobs are verified before unpickling; results are cached."""
    cache_key = ref.blob_sha256 or f"{ref.module}:{ref.attr}:{ref.job_name}"
    with _cache_lock:
        if cache_key in _cache:
            return _cache[cache_key]
    job = _load_blob(ref, client, secret) if ref.blob_sha256 else _load_pointer(ref)
    with _cache_lock:
        _cache[cache_key] = job
    return job


def _load_pointer(ref: CodeRef) -> JobDefinition:
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.definitions.repositories import RepositoryDefinition

    try:
        module = importlib.import_module(str(ref.module))
    except Exception as exc:
        raise CodeLoadError(
            f"Worker could not import module '{ref.module}' for job '{ref.job_name}': {type(exc).__name__}: {exc}. "
            "Start workers where that module is importable (same project directory or PYTHONPATH)."
        ) from None
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
        raise CodeLoadError(f"The code blob {ref.blob_sha256} of job '{ref.job_name}' is missing from Redis.")
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
