"""Suite-wide ordering: the CPython (asyncio) tests run before the browser ones.

pytest-playwright's sync API keeps an event loop running for the rest of the session once a
browser test has started, and pytest-asyncio cannot run a test inside a running loop.
"""
from pathlib import Path

BROWSER_TESTS = (Path(__file__).parent / "browser", Path(__file__).parent / "reliability")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: any(folder in Path(str(item.fspath)).parents for folder in BROWSER_TESTS))
