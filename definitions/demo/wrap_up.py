"""What ``make demo`` does once its run is over: keep what it advertised reachable, then say how
to reach ``orch``.

The demo prints Flower's URL; a URL is only worth printing while its server answers. So on a
terminal the demo keeps Redis, the workers and Flower up after the run until the user presses
Enter or Ctrl-C, or :data:`KEEP_UP_SECONDS` pass, and only then stops them. With no terminal on
stdin (CI, tests, ``make demo < /dev/null``) nobody can press Enter: it says so and stops at once.

``make`` runs the demo with ``.venv/bin/python``, but the user's shell does not have ``.venv/bin``
on its PATH, so the README's next command (``orch dev``) would answer "command not found":
:func:`how_to_reach_orch` says what to type.
"""

from __future__ import annotations

import os
import select
import shutil
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from orchestrator.local.dev import DevEnvironment

__all__ = ["KEEP_UP_SECONDS", "StopReason", "keep_up", "how_to_reach_orch"]

#: How long the demo keeps its processes up after the run when nobody presses Enter: long enough
#: to look around Flower, short enough that a forgotten terminal does not keep them for ever.
KEEP_UP_SECONDS = 600.0

# How often the wait looks at the processes (one that died is reported instead of waiting on).
_POLL_SECONDS = 0.5


class StopReason(Enum):
    """Why :func:`keep_up` returned (the demo stops everything after it in every case)."""

    NOT_A_TERMINAL = "stdin is not a terminal"
    ENTER = "Enter pressed"
    INTERRUPTED = "Ctrl-C"
    TIMED_OUT = "time is up"
    PROCESS_DIED = "a process exited"


def keep_up(console: Console, dev: DevEnvironment, what: str, advertise: Sequence[str] = (),
            stdin: TextIO | None = None, seconds: float = KEEP_UP_SECONDS) -> StopReason:
    """Keep ``dev``'s processes up until Enter, Ctrl-C or ``seconds``, when stdin is a terminal.

    On a terminal, prints the ``advertise`` lines (URLs worth opening now) and what it waits
    for, then waits. When stdin is not a terminal it prints neither (the servers are about to
    stop: their URLs would be of no use), says why it does not wait, and returns at once. It
    never stops anything itself: the caller stops ``dev`` right after, whatever the reason.

    Parameters:
        console: where to print (the demo's console).
        dev: the running environment; a process of it that exits ends the wait, named.
        what: the processes being kept, for the messages ("Redis, the workers and Flower").
        advertise: lines naming what to open while the processes are up.
        stdin: the stream to read Enter from (default ``sys.stdin``); a test passes a pty.
        seconds: the longest wait.
    """
    stream = sys.stdin if stdin is None else stdin
    if not _is_terminal(stream):
        console.print(f"stdin is not a terminal, so nobody can press Enter: not keeping {what} up "
                      "(run `make demo` in a terminal to keep them up and look around).", markup=False)
        return StopReason.NOT_A_TERMINAL
    for line in advertise:
        console.print(line, markup=False)
    console.print(f"Press Enter or Ctrl-C to stop {what} (they stop by themselves in {_minutes(seconds)}).",
                  markup=False)
    try:
        return _wait(console, dev, stream, seconds)
    except KeyboardInterrupt:
        console.print("")
        return StopReason.INTERRUPTED


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minute{'' if seconds == 60 else 's'}"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed, or no file behind it
        return False


def _wait(console: Console, dev: DevEnvironment, stream: TextIO, seconds: float) -> StopReason:
    import time

    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            console.print(f"{_minutes(seconds)} passed with no Enter.", markup=False)
            return StopReason.TIMED_OUT
        dead = dev.dead_process()
        if dead is not None:
            console.print(f"{dead.name} exited (its log: {dead.log_path}).", markup=False)
            return StopReason.PROCESS_DIED
        readable, _, _ = select.select([stream], [], [], min(_POLL_SECONDS, left))
        if readable:
            # A line (Enter) or end of input (Ctrl-D) both mean: done looking.
            stream.readline()
            return StopReason.ENTER


def how_to_reach_orch(executable: str | None = None, path: str | None = None, cwd: Path | None = None) -> str:
    """One line telling the user how to run ``orch`` in their shell next.

    ``orch`` is the console script beside the Python running this (``.venv/bin/orch`` under
    ``make``). When the shell's PATH already finds that script, say so; otherwise give the
    activate command (relative to the current directory when inside it) and the full path.

    Parameters:
        executable: the Python running the demo (default ``sys.executable``; not resolved, so a
            venv's ``bin`` is kept even when its ``python`` links elsewhere).
        path: the shell's PATH (default ``$PATH``).
        cwd: the directory the user is in (default the current one).
    """
    bin_dir = Path(executable or sys.executable).parent
    orch = bin_dir / "orch"
    found = shutil.which("orch", path=os.environ.get("PATH", "") if path is None else path)
    if found is not None and Path(found).resolve() == orch.resolve():
        return "`orch` is on your PATH: next, run `orch dev` (see the README)."
    here = (cwd or Path.cwd()).resolve()
    try:
        shown = bin_dir.absolute().relative_to(here)
    except ValueError:
        shown = bin_dir.absolute()
    return (f"`orch` is in {shown}, which is not on your PATH: run `. {shown}/activate` to put it on this "
            f"shell's PATH (or type {shown}/orch; `make path` links it into ~/.local/bin), then `orch dev`.")
