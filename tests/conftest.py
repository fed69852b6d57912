"""Suite-wide: ordering, the `browser` marker (tests/browser, tests/reliability and
tests/embedding), and the browser fixtures shared by tests/browser and tests/reliability (web/ served on 127.0.0.1, Chromium through pytest-playwright, one
booted page — one Pyodide boot — per test module).

The CPython (asyncio) tests run before the browser ones: pytest-playwright's sync API keeps an
event loop running for the rest of the session once a browser test has started, and
pytest-asyncio cannot run a test inside a running loop.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser.harness import CHROMIUM_FLAGS, open_booted_page

import build

HERE = Path(__file__).parent
BROWSER_SUITES = (HERE / "browser", HERE / "reliability", HERE / "embedding", HERE / "engines")


def in_browser_suite(item) -> bool:
    return any(suite in Path(str(item.fspath)).parents for suite in BROWSER_SUITES)


def pytest_collection_modifyitems(items):
    items.sort(key=in_browser_suite)
    for item in items:
        if in_browser_suite(item):
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
    yield booted
    booted.context.close()


@pytest.fixture
def persistent_context(browser_type, browser_type_launch_args, tmp_path):
    """A Chromium profile on disk: IndexedDB persists, quotas and durability are real."""
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), **browser_type_launch_args)
    yield context
    context.close()
