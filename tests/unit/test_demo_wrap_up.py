"""What ``make demo`` does after its run (definitions/demo/wrap_up.py): it waits only when someone
can press Enter, and it says how to reach ``orch``."""

from __future__ import annotations

import io
import os
import pty
import time
from pathlib import Path

from rich.console import Console

from definitions.demo.wrap_up import StopReason, how_to_reach_orch, keep_up


class _Running:
    """A dev environment whose processes are all up (``keep_up`` only asks which one died)."""

    def dead_process(self) -> None:
        return None


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200), out


def test_with_no_terminal_it_does_not_wait_nor_advertise_urls() -> None:
    console, out = _console()
    started = time.monotonic()
    reason = keep_up(console, _Running(), "Redis and Flower", advertise=["Flower: http://127.0.0.1:1/tasks"],
                     stdin=io.StringIO(""), seconds=30)
    assert reason is StopReason.NOT_A_TERMINAL
    assert time.monotonic() - started < 1
    assert "http://" not in out.getvalue()
    assert "stdin is not a terminal" in out.getvalue()


def test_on_a_terminal_it_advertises_then_waits_for_enter() -> None:
    controller, terminal = pty.openpty()
    try:
        with os.fdopen(terminal, "r", closefd=False) as stdin:
            console, out = _console()
            os.write(controller, b"\n")
            reason = keep_up(console, _Running(), "Redis and Flower",
                             advertise=["Flower: http://127.0.0.1:1/tasks"], stdin=stdin, seconds=30)
    finally:
        os.close(controller)
        os.close(terminal)
    assert reason is StopReason.ENTER
    text = out.getvalue()
    assert text.index("Flower: http://127.0.0.1:1/tasks") < text.index("Press Enter or Ctrl-C to stop Redis and Flower")


def test_on_a_terminal_it_stops_waiting_when_time_is_up() -> None:
    controller, terminal = pty.openpty()
    try:
        with os.fdopen(terminal, "r", closefd=False) as stdin:
            console, out = _console()
            reason = keep_up(console, _Running(), "Redis", stdin=stdin, seconds=0.3)
    finally:
        os.close(controller)
        os.close(terminal)
    assert reason is StopReason.TIMED_OUT
    assert "passed with no Enter" in out.getvalue()


def test_how_to_reach_orch_when_the_venv_is_not_on_path(tmp_path: Path) -> None:
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "orch").write_text("#!/bin/sh\n")
    (bin_dir / "orch").chmod(0o755)
    hint = how_to_reach_orch(executable=str(bin_dir / "python"), path="/usr/bin:/bin", cwd=tmp_path)
    assert hint.startswith("`orch` is in .venv/bin, which is not on your PATH: run `. .venv/bin/activate`")
    assert ".venv/bin/orch" in hint and "`orch dev`" in hint

    on_path = how_to_reach_orch(executable=str(bin_dir / "python"), path=f"{bin_dir}:/usr/bin", cwd=tmp_path)
    assert on_path.startswith("`orch` is on your PATH")
