"""Headless Chromium for the browser tests (the web UI, the documentation site), through Debian's
chromium-driver and selenium. Outside CI a missing browser skips the test, saying why; under
``CI=true`` (``make test`` installs both) it fails."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

__all__ = ["need_browser", "start_browser"]


def need_browser(what: str) -> tuple[str, str]:
    """(chromium, chromedriver) paths, or skip (fail in CI) naming what is missing for ``what``."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        _missing(what, "chromium and chromedriver are not installed (make test installs Debian's chromium and "
                       "chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing(what, "selenium is not installed (pip install -e '.[dev]')")
    assert chromium and driver
    return chromium, driver


def start_browser(binaries: tuple[str, str], window: tuple[int, int]) -> Any:
    """A headless Chromium WebDriver of ``window`` size; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = binaries
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={window[0]},{window[1]}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    # The driver path is given, so selenium never tries to download a driver of its own.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


def _missing(what: str, why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} must run in CI: {why}")
    pytest.skip(why)
