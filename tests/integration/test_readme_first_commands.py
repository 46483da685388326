"""The README's first commands, typed in a fresh shell as a new user would (issue 18).

The commands come from README.md itself: the fenced blocks after a ``<!-- first-commands ... -->``
marker, so this test follows the README when it changes. The first block is typed in one fresh
login shell (``env -i``: HOME a temporary directory, PATH the system's, nothing from the venv),
in order; a command whose comment says "Ctrl-C" runs until stopped (``orch dev``): it is started
in its own shell, replaying the commands before it that set the shell up (``. .venv/bin/activate``),
and stopped at the end with SIGINT to its process group, as Ctrl-C does. The block marked
"second terminal" is typed in another fresh shell while it runs. Every command must exit 0 and
print each ``prints "..."`` its comment promises.

It runs in the repository itself and reuses its ``.venv`` (``make demo`` only installs when the
install stamp is older than pyproject.toml; then this test skips rather than reinstall a venv that
others may be using).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MARK = re.compile(r"<!-- first-commands(?P<label>[^>]*?)-->\s*```sh\n(?P<body>.*?)```", re.S)
PRINTS = re.compile(r'prints "([^"]+)"')
# Commands that change the shell itself rather than run something: a second shell repeats them.
SHELL_SETUP = re.compile(r"^(\.|source|export|cd)\s")
# How long `orch dev` may take to say it is running (Redis, two workers, Flower on a shared machine).
DEV_START_SECONDS = 120.0

pytestmark = pytest.mark.slow


@dataclass
class Command:
    """One line of a README block: the command, what its comment says it prints, whether it runs until Ctrl-C."""

    line: str
    prints: list[str]
    until_ctrl_c: bool


def readme_blocks(text: str) -> list[tuple[str, list[Command]]]:
    """Each ``first-commands`` block of the README: (its marker's label, its commands in order)."""
    blocks = []
    for found in MARK.finditer(text):
        commands = []
        for raw in found.group("body").splitlines():
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            command, _, comment = raw.partition(" # ")
            commands.append(Command(command.strip(), PRINTS.findall(comment), "Ctrl-C" in comment))
        blocks.append((found.group("label").strip(), commands))
    return blocks


def fresh_env(home: Path) -> dict[str, str]:
    """What a new login shell starts from: no venv, no REDIS_URL/ORCH_* settings, a home of its own."""
    tmp = home / "tmp"
    tmp.mkdir(exist_ok=True)
    # TMPDIR only keeps what the demo creates (its ORCH_HOME) inside this test's directory.
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)}


def run_in_one_shell(commands: list[Command], home: Path, after: str = "") -> tuple[list[tuple[int, str]], str]:
    """Type ``commands`` in one fresh login shell; each command's (exit status, output), and the
    output of ``after`` (checks the test adds, not the README's)."""
    # What a user sees is stdout and stderr together: "prints" may be either.
    script = ["exec 2>&1"]
    for i, command in enumerate(commands):
        script += [f"printf '\\n@@ {i} start\\n'", command.line, f"printf '\\n@@ {i} exit %d\\n' $?"]
    script += ["printf '\\n@@ after\\n'", after]
    proc = subprocess.run(["env", "-i", *(f"{k}={v}" for k, v in fresh_env(home).items()), "bash", "-lc",
                           "\n".join(script)], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=600, check=False)
    out = proc.stdout
    results = []
    for i in range(len(commands)):
        found = re.search(rf"\n@@ {i} start\n(.*)\n@@ {i} exit (\d+)\n", proc.stdout, re.S)
        assert found, f"command {commands[i].line!r} did not finish:\n{out[-5000:]}"
        results.append((int(found.group(2)), found.group(1)))
    return results, proc.stdout.partition("\n@@ after\n")[2]


def check(commands: list[Command], results: list[tuple[int, str]], stderr_hint: str = "") -> None:
    for command, (code, output) in zip(commands, results):
        assert code == 0, f"{command.line!r} exited {code}:\n{output[-5000:]}{stderr_hint}"
        for text in command.prints:
            assert text in output, f"{command.line!r} did not print {text!r}:\n{output[-5000:]}"


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to reap it does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return not re.search(r"^State:\s+Z", status, re.M)


def test_the_readmes_first_commands_work_in_order_in_a_fresh_shell(tmp_path: Path) -> None:
    blocks = readme_blocks(README.read_text())
    assert blocks, "README.md has no <!-- first-commands --> block"
    first = blocks[0][1]
    assert first and first[0].line == "make demo", [c.line for c in first]
    second = [cmds for label, cmds in blocks[1:] if "second terminal" in label]
    stamp_fresh = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, capture_output=True, check=False)
    if stamp_fresh.returncode != 0:
        pytest.skip(".venv's install stamp is older than pyproject.toml: run `make install` first "
                    "(this test reuses .venv and does not reinstall it)")
    home = tmp_path / "home"
    home.mkdir()

    # The README is typed as it stands; the test's own check after it: `orch` is the checkout's.
    split = next((i for i, c in enumerate(first) if c.until_ctrl_c), len(first))
    before, long_running, rest = first[:split], first[split:split + 1], first[split + 1:]
    assert not rest, "a command after one that runs until Ctrl-C cannot be typed in the same shell"
    results, after = run_in_one_shell(before, home, after="command -v orch || echo 'orch: command not found'")
    check(before, results)
    assert after.strip() == str(ROOT / ".venv" / "bin" / "orch"), after

    if not long_running:
        return
    setup = " && ".join(c.line for c in before if SHELL_SETUP.match(c.line))
    command = long_running[0]
    log = tmp_path / "long-running.log"
    with open(log, "wb") as out:
        dev = subprocess.Popen(["env", "-i", *(f"{k}={v}" for k, v in fresh_env(home).items()), "bash", "-lc",
                                f"{setup + ' && ' if setup else ''}exec {command.line}"],
                               cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    children: list[int] = []
    try:
        deadline = time.monotonic() + DEV_START_SECONDS
        while not all(text in log.read_text(errors="replace") for text in command.prints):
            assert dev.poll() is None, f"{command.line!r} exited {dev.returncode}:\n{log.read_text()[-5000:]}"
            assert time.monotonic() < deadline, f"{command.line!r} did not print {command.prints}:\n{log.read_text()}"
            time.sleep(0.5)
        dev_file = home / ".orch" / "dev.json"
        if dev_file.exists():
            children = [int(pid) for pid in json.loads(dev_file.read_text()).get("processes", {}).values()]

        for commands in second:
            results, _ = run_in_one_shell(commands, home)
            check(commands, results, f"\n--- {command.line}:\n{log.read_text()[-3000:]}")

        # Ctrl-C: SIGINT to the foreground process group, which is this shell's session.
        os.killpg(dev.pid, signal.SIGINT)
        code = dev.wait(timeout=60)
        assert code == 0, f"{command.line!r} exited {code} on Ctrl-C:\n{log.read_text()[-5000:]}"
        still = [pid for pid in children if _alive(pid)]
        assert not still, f"still running after Ctrl-C: {still}\n{log.read_text()[-3000:]}"
    finally:
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGKILL)
            dev.wait(timeout=10)
        # What `orch dev` started runs in sessions of its own: stop any it left, by their groups.
        for pid in children:
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
