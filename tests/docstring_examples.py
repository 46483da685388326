"""What a public name's docstring must hold, and how its example is run.

Every name in ``orchestrator.__all__`` documents itself (Google style, one style throughout):

- a summary line, then what the name is for: at least three lines in all;
- ``Args:`` naming each parameter of its signature (a class: of its constructor; ``*args`` and
  ``**kwargs`` as written), when it takes any;
- an example, as ``>>>`` lines that run and print what they show.

The examples run in ``make test``: those of :data:`NEEDS_WORKERS` against a real redis-server and a
real Celery worker (``tests/integration/test_docstring_examples.py``), every other one in process
(``tests/unit/test_docstrings.py``).
"""

from __future__ import annotations

import doctest
import enum
import inspect
import io
import re
import sys
import types
from typing import Any

import orchestrator

# Names whose examples submit runs: they run with REDIS_URL pointing at a test redis-server and a
# worker consuming the default queue.
NEEDS_WORKERS = frozenset({"submit_job", "execute_job", "get_run", "RunHandle", "RunResult", "reexecute",
                           "Instance", "celery_executor"})

_SKIPPED_PARAMS = {"self", "cls"}


def public_object(name: str) -> Any:
    return getattr(orchestrator, name)


def docstring_of(name: str) -> str:
    """The docstring ``help()`` shows for ``name``; for a value (``Int``, ``in_process_executor``),
    its own ``__doc__``, not its type's."""
    obj = public_object(name)
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):
        own = obj.__dict__.get("__doc__") if hasattr(obj, "__dict__") else None
        return inspect.cleandoc(own) if isinstance(own, str) else ""
    return inspect.getdoc(obj) or ""


def parameters_of(name: str) -> list[str]:
    """The parameters ``Args:`` must name: ``x``, ``*args``, ``**kwargs``."""
    obj = public_object(name)
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):
        return []
    if inspect.isclass(obj) and (issubclass(obj, (enum.Enum, BaseException))):
        return []
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    names = []
    for p in signature.parameters.values():
        if p.name in _SKIPPED_PARAMS or p.name.startswith("_"):
            continue
        if p.kind is p.VAR_POSITIONAL:
            names.append(f"*{p.name}")
        elif p.kind is p.VAR_KEYWORD:
            names.append(f"**{p.name}")
        else:
            names.append(p.name)
    return names


def problems(name: str) -> list[str]:
    """What is missing from ``name``'s docstring (empty when it is complete)."""
    doc = docstring_of(name)
    found: list[str] = []
    if len([line for line in doc.splitlines() if line.strip()]) < 3:
        found.append("fewer than three lines")
    if ">>>" not in doc:
        found.append("no example (>>> lines)")
    params = parameters_of(name)
    if params:
        section = _args_section(doc)
        if section is None:
            found.append(f"no Args: section (parameters: {', '.join(params)})")
        else:
            missing = [p for p in params if not re.search(rf"^\s*{re.escape(p)}\b\s*(\(|:)", section, re.M)]
            if missing:
                found.append(f"Args: does not describe {', '.join(missing)}")
    return found


def _args_section(doc: str) -> str | None:
    match = re.search(r"^(Args|Arguments|Parameters):\s*$(.*?)(?=^\S|\Z)", doc, re.M | re.S)
    return match.group(2) if match else None


def run_example(name: str) -> tuple[int, str]:
    """Run the ``>>>`` lines of ``name``'s docstring; (failures, report)."""
    doc = docstring_of(name)
    obj = public_object(name)
    module = getattr(obj, "__module__", None) or "orchestrator"
    # The example runs as a module of its own, as a user's file would: some libraries (pydantic
    # generics, pickling) look classes up by their module in sys.modules.
    example = types.ModuleType(f"{module}.__doc_example__")
    sys.modules[example.__name__] = example
    try:
        test = doctest.DocTestParser().get_doctest(doc, example.__dict__, name, module, 0)
        out = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test, out=out.write, clear_globs=False)
    finally:
        sys.modules.pop(example.__name__, None)
    return runner.failures, out.getvalue()
