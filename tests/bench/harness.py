"""Benchmark plumbing: a served web/, Chromium, medians, and the results files.

Benchmarks are not tests: they measure, side by side with a baseline in the same run, and
write what they measured to tests/bench/results/ (JSON + Markdown).
"""
from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from browser.harness import CHROMIUM_FLAGS

import build

RESULTS = Path(__file__).parent / "results"


@contextlib.contextmanager
def chromium():
    """Yield (new_profile, url): new_profile() opens a headless Chromium on a fresh on-disk
    profile (honest IndexedDB timings); web/ is served at url."""
    from playwright.sync_api import sync_playwright

    server = build.start_server(0)
    url = f"http://127.0.0.1:{server.server_port}"
    executable = os.environ.get("CHROMIUM") or build.find_chromium()
    options = {"args": CHROMIUM_FLAGS, **({"executable_path": executable} if executable else {})}
    with sync_playwright() as p, contextlib.ExitStack() as stack:
        def new_profile():
            profile = stack.enter_context(tempfile.TemporaryDirectory())
            context = p.chromium.launch_persistent_context(profile, **options)
            context.profile_dir = profile  # finds this browser's processes (bench/scale.py: renderer RSS)
            stack.callback(context.close)
            return context

        yield new_profile, url
    server.shutdown()


def median(values):
    return statistics.median(values) if values else None


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, Chromium via Playwright, {platform.python_version()} host"


def write_results(name: str, results: dict, table: str, chart: tuple[str, str] | None = None) -> Path:
    """tests/bench/results/<name>.{json,md}; with chart = (SVG text, its alt text), <name>.svg
    too, shown under the table."""
    RESULTS.mkdir(exist_ok=True)
    if chart is not None:
        (RESULTS / f"{name}.svg").write_text(chart[0])
        table += f"\n\n![{chart[1]}]({name}.svg)"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    payload = {"benchmark": name, "date": stamp, "machine": machine(), **results}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(f"<!-- {stamp}, {machine()} -->\n{table}\n")
    print(table)
    return RESULTS / f"{name}.json"
