"""The web UI in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
driven by selenium) against ``orch ui`` started as a subprocess on a free loopback port, over a real
redis-server with real Celery workers (``tests/integration/conftest.py``).

A run launched through the JSON API appears in the runs list; its page shows every step with its
status; the job page draws the graph naming each op (nested graphs collapse); the event stream
carries a live run from STEP_START to RUN_SUCCESS; a bad run config shows inline in the launchpad.
Each page's screenshot goes to ``docs/screenshots/`` (shown in the README's "Web UI" section).

The browser tests skip, saying why, only when Chromium or its driver is missing outside CI
(``make test`` installs both; in CI a missing browser fails the tests).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.local.processes import free_port
from tests.integration.headless_chromium import need_browser, start_browser

# The ``cluster`` fixture's object (tests/integration/conftest.py: a redis-server and two workers).
Cluster = Any
ROOT = Path(__file__).resolve().parents[2]
DEFS = Path(__file__).resolve().parent / "ui_fixtures" / "ui_defs.py"
SHOTS = ROOT / "docs" / "screenshots"
# Small windows keep the committed PNGs small; wide enough for the runs table and the graph.
WINDOW = (1100, 760)
RUN_TIMEOUT = 90.0
ALL_STEPS = {"split", "gather", *(f"{op}[part_{i}]" for op in ("square", "refine.add_one") for i in range(3))}


def dump_logs(cluster: Cluster) -> str:
    return "\n".join(f"--- {w.name}\n{w.log_text()[-3000:]}" for w in cluster.workers)


class UiServer:
    """``orch ui -f ui_defs.py`` on a free loopback port, in its own process group."""

    def __init__(self, cluster: Cluster, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, **cluster.env}
        env.pop("ORCH_UI_TOKEN", None)  # loopback needs none; a token would make every request need it
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            # The path relative to the checkout: pages show it (and so do the screenshots).
            [sys.executable, "-m", "orchestrator.cli", "ui", "-f", str(DEFS.relative_to(ROOT)), "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"orch ui exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:
                    if answer.read() == b"ok":
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"orch ui did not answer /healthz within 30 s:\n{self.log_text()}")
            time.sleep(0.2)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group of the process this fixture started
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.base}{path}", timeout=30) as answer:
            return json.loads(answer.read())

    def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(f"{self.base}{path}", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def launch(self, parts: int = 3, delay: float = 0.0) -> str:
        config = {"ops": {"split": {"config": {"parts": parts, "delay": delay}}}}
        status, answer = self.post_json("/api/jobs/ui_job/runs", {"run_config": config})
        assert status == 200, answer
        return str(answer["run_id"])

    def wait_for_end(self, run_id: str, cluster: Cluster) -> dict[str, Any]:
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            run = self.get_json(f"/api/runs/{run_id}")
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                return dict(run)
            time.sleep(0.3)
        raise AssertionError(f"run {run_id} did not end within {RUN_TIMEOUT} s\n{dump_logs(cluster)}\n{self.log_text()}")


@pytest.fixture(scope="module")
def browser_bins() -> tuple[str, str]:
    return need_browser("browser tests")


@pytest.fixture(scope="module")
def ui(browser_bins: tuple[str, str], cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    server = UiServer(cluster, tmp_path_factory.mktemp("ui") / "orch-ui.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(browser_bins: tuple[str, str]) -> Iterator[Any]:
    driver = start_browser(browser_bins, WINDOW)
    yield driver
    driver.quit()


def shot(browser: Any, name: str, show: Any = None) -> None:
    """Save the window as docs/screenshots/``name``.png (the README shows them), scrolled so that
    element ``show`` is in view when given (else to the top)."""
    if show is None:
        browser.execute_script("window.scrollTo(0, 0)")
    else:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", show)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOTS / f"{name}.png")), name


def wait_until(browser: Any, condition: Any, timeout: float = 30.0, what: str = "") -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.2).until(condition, what)


def test_a_launched_run_shows_in_the_runs_list_and_its_page_shows_every_step(
        ui: UiServer, browser: Any, cluster: Cluster) -> None:
    from selenium.webdriver.common.by import By

    run_id = ui.launch(parts=3)
    run = ui.wait_for_end(run_id, cluster)
    assert run["status"] == "SUCCESS", (run, dump_logs(cluster))

    browser.get(f"{ui.base}/")
    row = browser.find_element(By.CSS_SELECTOR, f'table.runs tr[data-run-id="{run_id}"]')
    cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == run_id[:8] and cells[1] == "SUCCESS" and cells[2] == "ui_job", cells
    shot(browser, "runs")

    row.find_element(By.TAG_NAME, "a").click()
    wait_until(browser, lambda b: b.current_url.endswith(f"/runs/{run_id}"), what="the run page")
    assert browser.find_element(By.ID, "run-status").text == "SUCCESS"
    steps = {r.get_attribute("data-step"): r.find_element(By.CSS_SELECTOR, ".status").text
             for r in browser.find_elements(By.CSS_SELECTOR, "table#steps tbody tr")}
    assert steps == dict.fromkeys(ALL_STEPS, "success"), steps
    # The timeline has a row per step, each with a bar colored by its status.
    rows = browser.find_elements(By.CSS_SELECTOR, "#timeline svg.timeline g.row")
    assert {r.get_attribute("data-step"): r.get_attribute("data-state") for r in rows} == dict.fromkeys(ALL_STEPS, "success")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline rect.bar.success")) == len(ALL_STEPS)
    log = browser.find_element(By.ID, "event-log").text
    assert "RUN_SUCCESS" in log and log.count("STEP_SUCCESS") == len(ALL_STEPS)
    shot(browser, "run")
    shot(browser, "run-timeline", browser.find_element(By.ID, "timeline"))


def test_the_job_page_draws_the_graph_naming_each_op(ui: UiServer, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{ui.base}/jobs")
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, 'a[href="/jobs/ui_job"]')]
    assert "ui_job" in links, links
    shot(browser, "jobs")

    browser.get(f"{ui.base}/jobs/ui_job")
    graph = browser.find_element(By.CSS_SELECTOR, "#graph svg.job-graph")
    ops = {g.get_attribute("data-path"): g for g in graph.find_elements(By.CSS_SELECTOR, "g.op")}
    assert set(ops) == {"split", "square", "refine.add_one", "gather"}
    names = {path: g.find_element(By.CSS_SELECTOR, "text.name").text for path, g in ops.items()}
    assert names == {"split": "split", "square": "square [*]", "refine.add_one": "add_one [*]", "gather": "gather"}
    assert [t.text for t in ops["gather"].find_elements(By.CSS_SELECTOR, "text.input")] == ["values"]
    assert [t.text for t in ops["split"].find_elements(By.CSS_SELECTOR, "text.output")] == ["result [*]"]
    shot(browser, "job")

    # The nested graph collapses on a click on its title, and opens again.
    group = graph.find_element(By.CSS_SELECTOR, 'g.graph[data-path="refine"]')
    inner_op = ops["refine.add_one"]
    assert inner_op.is_displayed()
    group.find_element(By.CSS_SELECTOR, "text.graph-title").click()
    assert "collapsed" in (group.get_attribute("class") or "")
    assert not inner_op.is_displayed()
    group.find_element(By.CSS_SELECTOR, "text.graph-title").click()
    assert inner_op.is_displayed()


def test_a_bad_run_config_shows_inline_in_the_launchpad(ui: UiServer, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    before = ui.get_json("/api/runs")
    browser.get(f"{ui.base}/jobs/ui_job")
    editor = browser.find_element(By.ID, "run-config")
    editor.clear()
    editor.send_keys("ops:\n  split:\n    config:\n      parts: many\n")
    browser.find_element(By.ID, "launch").click()
    errors = wait_until(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#config-errors li.config-error"),
                        what="the launchpad's config errors")
    paths = [e.get_attribute("data-path") for e in errors]
    assert any("split" in (p or "") and "parts" in (p or "") for p in paths), paths
    assert browser.current_url.endswith("/jobs/ui_job")  # no run page: nothing was launched
    assert "parts" in browser.find_element(By.ID, "config-errors").text
    shot(browser, "launchpad-error", browser.find_element(By.ID, "launch"))
    assert ui.get_json("/api/runs") == before


def _sse_messages(ui: UiServer, run_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Every message of the run's event stream, read until the server closes it."""
    messages: list[tuple[str, dict[str, Any]]] = []
    with urllib.request.urlopen(f"{ui.base}/api/runs/{run_id}/events", timeout=RUN_TIMEOUT) as answer:
        assert answer.headers.get_content_type() == "text/event-stream"
        event, data = "message", ""
        for raw in answer:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif not line and data:
                messages.append((event, json.loads(data)))
                event, data = "message", ""
    return messages


def test_the_event_stream_carries_a_live_run_to_its_end(ui: UiServer, browser: Any, cluster: Cluster) -> None:
    from selenium.webdriver.common.by import By

    # The first op waits 4 s (config of the fixture job), so the run is live when the page and the
    # stream open: what they show then arrives over server-sent events.
    run_id = ui.launch(parts=2, delay=4.0)
    browser.get(f"{ui.base}/runs/{run_id}")
    assert browser.find_element(By.ID, "run").get_attribute("data-finished") == "false"
    wait_until(browser, lambda b: b.find_element(By.ID, "live").text == "(live)", what="the live log")
    messages = _sse_messages(ui, run_id)
    kinds = [m["event_type"] for e, m in messages if e == "run_event"]
    assert messages[-1] == ("end", {"run_id": run_id, "status": "SUCCESS"}), messages[-3:]
    assert kinds[-1] == "RUN_SUCCESS"
    first_step = kinds.index("STEP_START")
    assert "RUN_START" in kinds[:first_step]
    assert kinds.count("STEP_START") == kinds.count("STEP_SUCCESS") == 6
    # The page followed the same stream live, then reloaded to show the ended run.
    wait_until(browser, lambda b: b.find_element(By.ID, "run-status").text == "SUCCESS", what="the run's end")
    wait_until(browser, lambda b: b.find_element(By.ID, "run").get_attribute("data-finished") == "true",
               what="the page's reload at the end")
    assert "RUN_SUCCESS" in browser.find_element(By.ID, "event-log").text


def test_assets_and_schedules_pages(ui: UiServer, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{ui.base}/assets")
    keys = {g.get_attribute("data-key") for g in browser.find_elements(By.CSS_SELECTOR, "svg.lineage g.asset")}
    assert keys == {"raw_numbers", "number_total"}
    edges = [(e.get_attribute("data-from"), e.get_attribute("data-to"))
             for e in browser.find_elements(By.CSS_SELECTOR, "svg.lineage path.edge")]
    assert edges == [("raw_numbers", "number_total")]
    shot(browser, "assets")

    browser.get(f"{ui.base}/schedules")
    assert browser.title and "Schedules" in browser.title
    shot(browser, "schedules")
