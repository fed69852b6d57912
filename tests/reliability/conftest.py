"""Reliability suite: Chromium (Playwright) against the served web/, like tests/browser.

Shared fixtures and the `browser` marker come from tests/conftest.py. TASKERINO_LONG=1 runs
the long mode: more trials, bigger data (see reliability_helpers.LONG).
"""
from __future__ import annotations

import pytest
from browser.harness import open_booted_page


@pytest.fixture(scope="module")
def booted(browser, web_url):
    """One Pyodide boot shared by a test module, with room for long runs."""
    booted = open_booted_page(browser.new_context(), web_url)
    booted.page.set_default_timeout(600_000)
    yield booted
    booted.context.close()
