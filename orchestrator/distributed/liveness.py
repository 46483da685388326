"""How long silence means "gone", and how often a step may lose its worker process.

Recovery works on these defaults; none of them needs tuning for a step to come back in seconds
after its worker died, and none of them limits how long a step of a live worker may run.

==========================  =======  ===================================================================
setting                     default  meaning
==========================  =======  ===================================================================
``ORCH_HEARTBEAT_INTERVAL`` 5 s      how often a running step beats, and how often a worker's main process
                                     renews its presence and its hold on the messages it has reserved
``ORCH_HEARTBEAT_TIMEOUT``  30 s     silence after which a step's execution, a worker, or a reserved
                                     message counts as lost (the step / message goes back to the queue)
``ORCH_MAX_WORKER_DEATHS``  3        how many times a step may lose its worker process before it fails
                                     (also ``execution: {config: {max_worker_deaths: N}}``)
``ORCH_WATCHDOG_INTERVAL``  5 s      how often each worker's watchdog looks at the active runs
==========================  =======  ===================================================================

The broker's visibility timeout (``ORCH_VISIBILITY_TIMEOUT``, ``dispatch.py``) is only a last
resort: live workers renew their hold on every message they have (``broker_leases.py``), and the
watchdog (``watchdog.py``) sends back what a silent worker held after ``HEARTBEAT_TIMEOUT``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["HEARTBEAT_INTERVAL", "HEARTBEAT_TIMEOUT", "MAX_WORKER_DEATHS", "WATCHDOG_INTERVAL",
           "max_worker_deaths", "exit_cause"]


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds; unset it to use {default:g}.") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be positive; unset it to use {default:g}.")
    return value


HEARTBEAT_INTERVAL = _seconds("ORCH_HEARTBEAT_INTERVAL", 5.0)
# At least three missed beats, so one slow Redis call or a GC pause is not mistaken for a death.
HEARTBEAT_TIMEOUT = max(_seconds("ORCH_HEARTBEAT_TIMEOUT", 30.0), 3 * HEARTBEAT_INTERVAL)
WATCHDOG_INTERVAL = _seconds("ORCH_WATCHDOG_INTERVAL", 5.0)
MAX_WORKER_DEATHS = int(_seconds("ORCH_MAX_WORKER_DEATHS", 3))


def max_worker_deaths(execution: Mapping[str, Any]) -> int:
    """How many worker-process deaths a step of this run survives.

    ``execution`` is the run's resolved ``execution`` config (``{"config": {...}}``): its
    ``max_worker_deaths`` wins over ``ORCH_MAX_WORKER_DEATHS`` (default 3). At least 1.
    """
    config = execution.get("config") if isinstance(execution, Mapping) else None
    value = config.get("max_worker_deaths") if isinstance(config, Mapping) else None
    return max(1, int(value)) if isinstance(value, (int, float)) else MAX_WORKER_DEATHS


_STATUS = re.compile(r"(signal \d+(?: \([A-Z0-9]+\))?|exitcode -?\d+)")


def exit_cause(exc: BaseException) -> str:
    """How a pool process ended, in words, from the exception its worker saw.

    Billiard's ``WorkerLostError`` says ``Worker exited prematurely: signal 9 (SIGKILL) Job: 3.``
    or ``exitcode 1``; an op raising ``SystemExit(2)`` or ``KeyboardInterrupt`` may also reach the
    worker as that exception itself. Returns e.g. ``"signal 9 (SIGKILL)"`` or ``"exit code 1"``.
    """
    if isinstance(exc, SystemExit):
        code = exc.code
        return f"exit code {code if isinstance(code, int) else (0 if code is None else 1)} (SystemExit)"
    if isinstance(exc, KeyboardInterrupt):
        return "KeyboardInterrupt"
    text = str(exc)
    found = _STATUS.search(text)
    if found is None:
        # Celery's own wording for an exit it could not name: "Worker exited prematurely: KeyboardInterrupt."
        detail = text.split("prematurely:", 1)[-1].split(" Job:", 1)[0].strip().rstrip(".")
        return detail or type(exc).__name__
    status = found.group(1)
    if status.startswith("exitcode "):
        return "exit code " + status.split(" ", 1)[1]
    return status
