"""A job shipped as a blob keeps its files in tracebacks (issue 18): a step failing on a worker
names the real file and line of the op, not cloudpickle's ``<dynamic-code>``.

``orch job submit -f FILE`` from a folder the workers do not have on their path ships the file
(and the helper module it imports) as a signed cloudpickle blob; real workers run it.
"""

from __future__ import annotations

import re
from pathlib import Path

from orchestrator import EventType, Instance

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

HELPER = '''\
def check_total(total):
    if total > 2:
        raise ValueError(f"total {total} is over the limit")
    return total
'''

JOB = '''\
from orchestrator import job, op

from shipped_helper import check_total


@op
def count():
    return 3


@op
def limit(n):
    def inner():
        return check_total(n)
    return inner()


@op
def explode_here():
    raise RuntimeError("raised in the shipped file")


@job
def shipped_limit_job():
    limit(count())


@job
def shipped_raise_job():
    explode_here()
'''


def _lines(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_shipped_ops_failure_traceback_names_its_file_and_line(orch, cluster, tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "shipped_helper.py").write_text(HELPER)
    jobs = folder / "shipped_jobs.py"
    jobs.write_text(JOB)
    instance: Instance = cluster.instance

    proc = orch("job", "submit", "-f", str(jobs), "-j", "shipped_raise_job", "--wait", timeout=90)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    run_id = UUID.search(proc.stdout).group(0)  # type: ignore[union-attr]
    # The code went as a blob: the workers could not have imported the file.
    assert instance.storage.get_run(run_id).record.code.blob_sha256
    failure = next(e for e in instance.storage.all_events(run_id) if e.event_type is EventType.STEP_FAILURE)
    assert failure.error is not None
    trace = failure.error.traceback
    line = _lines(JOB, 'raise RuntimeError("raised in the shipped file")')
    assert f'File "{jobs}", line {line}, in explode_here' in trace, trace
    # The worker read the line's text from the file (it is on this machine).
    assert 'raise RuntimeError("raised in the shipped file")' in trace, trace
    assert "<dynamic-code>" not in trace

    shown = orch("run", "show", run_id, "--verbose")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f'File "{jobs}", line {line}, in explode_here' in shown.stdout + shown.stderr


def test_nested_functions_and_helper_modules_shipped_by_value_keep_their_files(
        orch, cluster, tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    helper = folder / "shipped_helper.py"
    helper.write_text(HELPER)
    jobs = folder / "shipped_jobs.py"
    jobs.write_text(JOB)
    instance: Instance = cluster.instance

    proc = orch("job", "submit", "-f", str(jobs), "-j", "shipped_limit_job", "--wait", timeout=90)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    run_id = UUID.search(proc.stdout).group(0)  # type: ignore[union-attr]
    failure = next(e for e in instance.storage.all_events(run_id) if e.event_type is EventType.STEP_FAILURE)
    assert failure.step_key == "limit" and failure.error is not None
    trace = failure.error.traceback
    # Every frame of shipped code: the op, the function nested in it, the helper module's function.
    assert f'File "{jobs}", line {_lines(JOB, "return inner()")}, in limit' in trace, trace
    assert f'File "{jobs}", line {_lines(JOB, "return check_total(n)")}, in inner' in trace, trace
    assert f'File "{helper}", line {_lines(HELPER, "raise ValueError")}, in check_total' in trace, trace
    assert "<dynamic-code>" not in trace
