"""The documentation site, built as ``make docs`` builds it and opened in a real browser.

``mkdocs build --strict`` (mkdocs.yml) builds the site into a temporary directory: any warning
(a broken link or anchor, a page missing from the nav, a docstring griffe cannot read, a
reference to a name that does not exist) fails the build, and so this test. The site is then
served by ``python -m http.server`` on a free loopback port and its front page opened in headless
Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by selenium, as the UI's browser
tests do); its screenshot is saved as ``docs/screenshots/docs_site_front.png``.

Skips, saying why, when Chromium, its driver, selenium or MkDocs is missing outside CI; in CI
(``CI`` set) a missing tool fails the test instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.local.processes import free_port
from tests.integration.headless_chromium import need_browser, start_browser

ROOT = Path(__file__).resolve().parents[2]
SHOT = ROOT / "docs" / "screenshots" / "docs_site_front.png"
WINDOW = (1280, 800)
# What the front page must show: the site's title, and nav entries for pages the issue asks for.
NAV_ENTRIES = ("Quick start", "Delivery semantics", "Porting from Dagster", "API reference")


def _missing(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the docs site test must run in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        _missing("MkDocs is not installed (make docs installs the docs extra: pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    # The Material theme's banner about MkDocs 2 is not a warning of this site's; keep it out of the log.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stdout[-4000:]}\n{build.stderr[-8000:]}"
    assert (out / "index.html").is_file()
    return out


class StaticServer:
    """``python -m http.server`` serving ``directory`` on a free loopback port, in its own process group."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"http.server did not serve {directory} on port {self.port} within 20 s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group of the server this test started
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(site_dir: Path) -> Iterator[StaticServer]:
    served = StaticServer(site_dir)
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = start_browser(need_browser("the docs site test"), WINDOW)
    yield driver
    driver.quit()


def test_the_front_page_shows_the_title_and_the_navigation(server: StaticServer, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server.base}/")
    assert browser.title == "orchestrator", browser.title
    heading = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert heading.text.strip().rstrip("¶").strip() == "orchestrator"
    nav = {a.text.strip() for a in browser.find_elements(By.CSS_SELECTOR, "nav.md-nav--primary a.md-nav__link")
           if a.text.strip()}
    for entry in NAV_ENTRIES:
        assert entry in nav, f"nav entry {entry!r} missing from the front page: {sorted(nav)}"
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOT))


def test_the_api_reference_renders_docstrings_and_the_cli_page_every_command(server: StaticServer,
                                                                             browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server.base}/reference/ops-graphs-jobs/")
    op = browser.find_element(By.ID, "orchestrator.op")
    assert op.text.strip().startswith("op")
    # The signature and the docstring's text follow the heading.
    assert browser.find_element(By.CSS_SELECTOR, "#orchestrator\\.op ~ .doc-signature").text.startswith("op(")

    browser.get(f"{server.base}/cli/")
    headings = {h.text.strip().rstrip("¶").strip() for h in browser.find_elements(By.CSS_SELECTOR, "article h2, article h3, article h4")}
    for command in ("orch", "orch job submit", "orch worker start", "orch run show", "orch dev"):
        assert command in headings, f"{command!r} has no section on the CLI page: {sorted(headings)}"
