"""Cloudpickle that keeps each function's source file name, for shipped code's tracebacks.

cloudpickle (3.1 and later) writes every code object it pickles by value with the file name
``<dynamic-code>``, to make its payload independent of where the code was defined. For a job
shipped as a blob (``orch job submit -f FILE``, a script, a notebook) that means a step's failure
traceback on a worker reads ``File "<dynamic-code>", line 12, in my_op``: the line is right, the
file is lost. Here code objects are pickled as cloudpickle pickles them plus their
``co_filename``, which is put back when the blob is loaded, so the traceback names the real file
and line, and shows the line's text when the worker can read that file (same machine or a
shared checkout).

Both executors that send a job to other processes use it: the multiprocess executor (its pool's
children) and the distributed layer's code shipping (workers), so it lives below both.

The payload stays deterministic for one definition: the same job from the same file pickles to
the same bytes, so a blob's hash (its code version) is stable across submissions.
"""

from __future__ import annotations

import io
import types
from collections import ChainMap
from collections.abc import Callable
from typing import Any

__all__ = ["dumps_keeping_file_names"]


def _rebuild_code(constructor: Callable[..., types.CodeType], args: tuple[Any, ...],
                  filename: str) -> types.CodeType:
    """Build a code object as cloudpickle does, then give it back its source file name.

    Called by the unpickler on workers; it must live in an importable module (this one), so that
    it is pickled by reference and never by value (which would pickle its own code with it).

    Parameters:
        constructor: what cloudpickle's code reducer builds the code object with (``types.CodeType``).
        args: that constructor's arguments, as cloudpickle's reducer gave them.
        filename: the code's original ``co_filename``.
    """
    return constructor(*args).replace(co_filename=filename)


def dumps_keeping_file_names(obj: object) -> bytes:
    """``cloudpickle.dumps(obj)``, except that code pickled by value keeps its file name.

    Nested code (a function defined in a function, a lambda, a class body) is pickled through
    the same reducer, so every frame of shipped code names its file. Loading needs nothing
    special: ``cloudpickle.loads`` (or ``pickle.loads``) calls :func:`_rebuild_code`.

    Parameters:
        obj: what to pickle (a job definition, with its user modules registered by value).
    """
    import cloudpickle

    # Take cloudpickle's own reducer from its public dispatch table, so the code object is
    # rebuilt exactly as cloudpickle would on this Python version; only the file name is added.
    cloudpickle_reduce = cloudpickle.Pickler.dispatch_table[types.CodeType]

    def reduce_code(code: types.CodeType) -> tuple[Any, ...]:
        constructor, args = cloudpickle_reduce(code)
        return _rebuild_code, (constructor, args, code.co_filename)

    class _FileKeepingPickler(cloudpickle.Pickler):
        dispatch_table = ChainMap({types.CodeType: reduce_code}, cloudpickle.Pickler.dispatch_table)

    with io.BytesIO() as file:
        _FileKeepingPickler(file).dump(obj)
        return file.getvalue()
