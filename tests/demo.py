"""`python3 build.py demo`: the console interface, end to end, in headless Chromium.

Fills a fresh demo database with generated legacy sessions in Taskerino's format, runs a dry
run and then the migration from the console globals, shows the status, and streams the
browser console to this terminal.
"""
from __future__ import annotations

import os
import sys
import time

from browser.harness import CHROMIUM_FLAGS

import build

STEPS = [
    "await chunkedMigration.fillDemo(SESSIONS)",
    "await showMigrationStatus()",
    "await runChunkedMigration({ dryRun: true })",
    "await runChunkedMigration({ verbose: true })",
    "await showMigrationStatus()",
]


def print_console(msg) -> None:
    if msg.type == "table":  # console.table: print its rows, one per line
        for row in msg.args[0].json_value():
            print("   " + "  ".join(str(v) for v in row.values()), flush=True)
    else:
        print(msg.text, flush=True)


def main(sessions: int = 24) -> None:
    from playwright.sync_api import sync_playwright

    server = build.start_server(0)
    url = f"http://127.0.0.1:{server.server_port}/page/index.html?db=demo-{int(time.time())}"
    executable = os.environ.get("CHROMIUM") or build.find_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(args=CHROMIUM_FLAGS, **({"executable_path": executable} if executable else {}))
        page = browser.new_page()
        page.set_default_timeout(0)
        page.on("console", lambda msg: print_console(msg))
        page.on("pageerror", lambda err: print(f"page error: {err}", file=sys.stderr, flush=True))
        print(f"▶ {url}\n", flush=True)
        page.goto(url)
        for step in STEPS:
            code = step.replace("SESSIONS", str(sessions))
            print(f"\n> {code}", flush=True)
            page.evaluate(f"async () => {{ {code}; }}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 24)
