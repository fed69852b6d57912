"""Reliability suite: Chromium (Playwright) against the served web/, like tests/browser.

Every test here is marked `browser` and runs after the CPython (asyncio) tests (see
tests/conftest.py). TASKERINO_LONG=1 runs the long mode: more trials, bigger data.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import build
from browser.harness import CHROMIUM_FLAGS, open_booted_page

HERE = Path(__file__).parent
LONG = os.environ.get("TASKERINO_LONG", "") not in ("", "0")


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM") or build.find_chromium()
    return {**browser_type_launch_args, "args": CHROMIUM_FLAGS, **({"executable_path": chromium} if chromium else {})}


@pytest.fixture(scope="session")
def web_url():
    if not (build.BUNDLE / "taskerino-lock.json").exists():
        pytest.exit("the Pyodide bundle is not built: run `python3 build.py test` (or `build.py setup`)", 2)
    server = build.start_server(0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def booted(browser, web_url):
    """One Pyodide boot shared by a test module."""
    booted = open_booted_page(browser.new_context(), web_url)
    booted.page.set_default_timeout(600_000)
    yield booted
    booted.context.close()
