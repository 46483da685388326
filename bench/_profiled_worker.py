"""A Celery worker whose main thread is profiled between two real-time signals (start; stop and dump).

``python -m bench._profiled_worker OUT.prof celery-args...``: used by ``bench.profile`` with
``--pool solo``, so every task runs in the profiled thread and start-up is left out of the profile.
``START`` (SIGRTMIN+1) and ``STOP`` (SIGRTMIN+2) are signals Celery does not use itself.
"""

from __future__ import annotations

import cProfile
import signal
import sys
from typing import Any

START = signal.SIGRTMIN + 1
STOP = signal.SIGRTMIN + 2


def main() -> None:
    out = sys.argv[1]
    profiler = cProfile.Profile()

    def start(_sig: int, _frame: Any) -> None:
        profiler.enable()

    def stop(_sig: int, _frame: Any) -> None:
        profiler.disable()
        profiler.dump_stats(out)
        with open(out + ".done", "w") as f:
            f.write("done\n")

    signal.signal(START, start)
    signal.signal(STOP, stop)
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[2:]]
    celery_main()


if __name__ == "__main__":
    main()
