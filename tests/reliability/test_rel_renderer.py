"""Renderer crashes (issue 11): batch migrations in a loop, and `fillDemo(100)` in a loop up to
1,000 sessions, in one Chromium page each, with `page.on("crash")` recorded and required empty.

Batch loop: each run on a fresh database of 57 realistic generated sessions (~11 MB of JSON) in
the app's `sessions` array plus 3 as `sessions/{id}` records, the array stored in turn as gzip,
as JSON text and raw (structured clone), then `runChunkedMigration()` through the real API;
every session must migrate. fillDemo loop: the renderer processes' RSS (/proc VmRSS), the JS
heap (after a forced GC) and Pyodide's wasm memory are recorded after each step; the wasm
memory must stay under WASM_BOUND_MB, and the renderer's RSS, once settled (memory-pressure
signal, GC), must be back within SETTLED_SLACK_MB of where it started. The old fillDemo (the whole array read into
Python, appended to, written back) broke both by 300 sessions (Pyodide's wasm memory only grows:
what Python once held is never given back); `test_old_fill_demo_breaks_the_bound` runs that old
algorithm inline for three steps, to keep the bounds honest.

Short form: 6 migrations, fillDemo up to 300. TASKERINO_LONG=1: 30 migrations, up to 1,000.
Run with -s to see one line per step. This module launches its own Chromium (the suite's flags
plus --enable-precise-memory-info and --js-flags=--expose-gc, for the measurements), so the
renderers it measures are its own; TASKERINO_DEV_SHM=1 launches it without
--disable-dev-shm-usage (which Playwright otherwise always passes), to compare.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser.harness import fresh_db, open_booted_page
from playwright.sync_api import Error as PlaywrightError
from reliability.reliability_helpers import LONG, RUN_MIGRATION

MIGRATIONS = 30 if LONG else 6
FILL_TO = 1000 if LONG else 300
ARRAY_N, RECORD_N = 57, 3
FORMS = ("gzip", "json", "object")  # how the app stored the array: appStore.save's forms
SETTLED_SLACK_MB = 100  # renderer RSS, settled after a fill loop, over what it was before
WASM_BOUND_MB = 128  # Pyodide's wasm memory after boot: ~36 MB; new fillDemo: ≤ 62 MB at 1,000

MEASURE_FLAGS = ["--enable-precise-memory-info", "--js-flags=--expose-gc"]

# The page's JS heap, and Pyodide's wasm memory in the migration worker (Python runs there).
PAGE_MEMORY = """async () => {
    for (let i = 0; i < 2; i++) gc();
    const wasm = await chunkedMigration.runPython("import pyodide_js\\npyodide_js._module.HEAP8.length");
    return { jsHeapMB: performance.memory.usedJSHeapSize / 2 ** 20, wasmMB: wasm / 2 ** 20 };
}"""

# Generated in Pyodide, saved the app's way (tests/browser/app_style.js), the texts never in
# the test process. Returns the ids.
SAVE_SESSIONS = """async ([db, seed, form, n, inArray, broken]) => {
    const [arrayText, records, ids] = await chunkedMigration.runPython(`
from taskerino_storage.storage import codec
from taskerino_storage.demo.samples import generate_sessions
_made = generate_sessions(${n}, ${seed}, broken=${broken})
_out = [codec.dumps(_made[:${inArray}]), [[s["id"], codec.dumps(s)] for s in _made[${inArray}:]], [s["id"] for s in _made]]
del _made
_out`);
    await appStore.save(db, "sessions", arrayText, form);
    for (const [id, text] of records) await appStore.save(db, "sessions/" + id, text, form);
    return ids;
}"""

AFTER_MIGRATION = """
from taskerino_storage.browser.service import open_backend
_b = await open_backend(DB)
_array = await _b.open_array("sessions")
_state = {"array": None if _array is None else _array.count, "index": sorted(await _b.get("session-index", []))}
del _b, _array
_state
"""

# The old fill_demo (before issue 11), inline: the whole array into Python, back out whole.
OLD_FILL_DEMO = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
_b = await open_backend(DB)
_existing = await _b.get("sessions", [])
_seed = 2025 + len(_existing)
_new = generate_sessions(100, _seed, broken=12)
await _b.write_batch({"sessions": [*_existing, *_new]})
_n = len(_existing) + len(_new)
del _b, _existing, _new
_n
"""

ARRAY_COUNT = """
from taskerino_storage.browser.service import open_backend
_b = await open_backend(DB)
_a = await _b.open_array("sessions")
_n = _a.count
del _b, _a
_n
"""


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def renderer_rss_mb() -> dict[int, float]:
    """VmRSS (MB) of each Chromium renderer started by this test process (its descendants)."""
    children, todo, found = _children(), [os.getpid()], {}
    while todo:
        for pid in children.get(todo.pop(), []):
            todo.append(pid)
            try:
                if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        found[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
    return found


class Watched:
    """A booted page whose renderer crashes are recorded."""

    def __init__(self, booted):
        self.booted, self.page = booted, booted.page
        self.crashes: list[str] = []
        self.page.on("crash", lambda page: self.crashes.append(time.strftime("%H:%M:%S")))
        self.page.set_default_timeout(900_000)

    @contextmanager
    def during(self, what: str):
        """Fail naming `what` when the renderer crashes meanwhile (Playwright: `Target crashed`)."""
        try:
            yield
        except PlaywrightError as exc:
            pytest.fail(f"{what}: {exc} (renderer crashes recorded: {self.crashes})")
        assert self.crashes == [], f"the renderer crashed during {what}"

    def memory(self) -> dict:
        rss = renderer_rss_mb()
        return {**self.page.evaluate(PAGE_MEMORY), "rendererMaxMB": max(rss.values(), default=0.0),
                "rendererSumMB": sum(rss.values())}

    def settled_memory(self, below_mb: float) -> dict:
        """Memory once the renderer has had the chance to give back what it no longer uses
        (memory-pressure signal, a full GC): polled for up to 15 s until under `below_mb`."""
        cdp = self.booted.context.new_cdp_session(self.page)
        deadline = time.monotonic() + 15
        while True:
            cdp.send("Memory.simulatePressureNotification", {"level": "critical"})
            cdp.send("HeapProfiler.collectGarbage")
            time.sleep(1)
            m = self.memory()
            if m["rendererMaxMB"] < below_mb or time.monotonic() > deadline:
                cdp.detach()
                return m


@pytest.fixture(scope="module")
def own_browser(browser_type, browser_type_launch_args):
    launch = {**browser_type_launch_args, "args": [*browser_type_launch_args["args"], *MEASURE_FLAGS]}
    if os.environ.get("TASKERINO_DEV_SHM", "") not in ("", "0"):
        # Really without it: Playwright adds --disable-dev-shm-usage to every Chromium launch by
        # itself, and Debian's /usr/bin/chromium wrapper adds it when /dev/shm is under 3.8 GB.
        launch["args"] = [a for a in launch["args"] if a != "--disable-dev-shm-usage"]
        launch["ignore_default_args"] = ["--disable-dev-shm-usage"]
        if launch.get("executable_path") == "/usr/bin/chromium" and Path("/usr/lib/chromium/chromium").exists():
            launch["executable_path"] = "/usr/lib/chromium/chromium"
    browser = browser_type.launch(**launch)
    yield browser
    browser.close()


@pytest.fixture
def watched(own_browser, web_url):
    context = own_browser.new_context()
    watched = Watched(open_booted_page(context, web_url))
    yield watched
    context.close()


def fmt(m: dict) -> str:
    return (f"renderer RSS {m['rendererMaxMB']:.0f} MB (all renderers {m['rendererSumMB']:.0f}), "
            f"JS heap {m['jsHeapMB']:.0f} MB, wasm {m['wasmMB']:.0f} MB")


def test_batch_migrations_in_a_loop_never_crash_the_renderer(watched):
    print(f"\nbatch loop: {MIGRATIONS} migrations of {ARRAY_N} array + {RECORD_N} record sessions")
    peaks = []
    for run in range(MIGRATIONS):
        db, form = fresh_db(), FORMS[run % len(FORMS)]
        n = ARRAY_N + RECORD_N
        with watched.during(f"run {run + 1} ({form} array)"):
            ids = watched.page.evaluate(SAVE_SESSIONS, [db, 1100 + run, form, n, ARRAY_N, max(1, n // 8)])
            started = time.monotonic()
            result = watched.page.evaluate(RUN_MIGRATION, [db, {}])
            seconds = time.monotonic() - started
        assert (result["success"], result["errorCount"], result["migrated"]) == (True, 0, len(ids)), result["errors"]
        state = watched.booted.python(f"DB = {db!r}\n" + AFTER_MIGRATION)
        assert state["array"] == 0 and state["index"] == sorted(ids), state
        m = watched.memory()
        peaks.append(m["rendererMaxMB"])
        print(f"  run {run + 1:2} ({form:6}): {len(ids)} migrated in {seconds:.1f} s; {fmt(m)}")
    assert watched.crashes == []
    print(f"  {MIGRATIONS} runs, 0 renderer crashes; renderer RSS {min(peaks):.0f}–{max(peaks):.0f} MB")


def fill_loop(watched, step, upto: int) -> tuple[dict, list[dict], dict]:
    """Call `step(db)` (adds 100 sessions, returns how many there are) until `upto`; the memory
    at the start, after each step, and settled at the end."""
    db = watched.page.evaluate("() => chunkedMigration.dbName")
    start = watched.memory()
    print(f"  at the start: {fmt(start)}")
    rows, filled = [], 0
    while filled < upto:
        started = time.monotonic()
        with watched.during(f"the step from {filled} sessions"):
            filled = step(db)
        row = {"sessions": filled, "seconds": time.monotonic() - started, **watched.memory()}
        rows.append(row)
        print(f"  {filled:5} sessions (+{row['seconds']:.1f} s): {fmt(row)}")
    assert watched.booted.python(f"DB = {db!r}\n" + ARRAY_COUNT) == upto
    settled = watched.settled_memory(start["rendererMaxMB"] + SETTLED_SLACK_MB)
    print(f"  settled (pressure signal, GC): {fmt(settled)}")
    return start, rows, settled


def test_fill_demo_to_1000_gives_its_memory_back(watched):
    print(f"\nfillDemo(100) up to {FILL_TO}:")
    ids: set[str] = set()

    def step(db):
        added = watched.page.evaluate("() => chunkedMigration.fillDemo(100)")
        assert added["created"] == 100 and not ids & set(added["ids"])
        ids.update(added["ids"])
        return len(ids)

    start, rows, settled = fill_loop(watched, step, FILL_TO)
    assert watched.crashes == []
    worst = max(row["wasmMB"] for row in rows)
    assert worst <= WASM_BOUND_MB, [round(row["wasmMB"]) for row in rows]
    assert settled["rendererMaxMB"] <= start["rendererMaxMB"] + SETTLED_SLACK_MB, (start, settled)
    print(f"  wasm memory at most {worst:.0f} MB (bound {WASM_BOUND_MB}); renderer RSS at most "
          f"{max(row['rendererMaxMB'] for row in rows):.0f} MB, settled "
          f"{settled['rendererMaxMB'] - start['rendererMaxMB']:+.0f} MB from the start")


def test_old_fill_demo_breaks_the_bound(watched):
    """The bounds mean something: the old algorithm, inline, breaks both by 300 sessions."""
    print("\nold fillDemo (whole array through Python), inline:")
    start, rows, settled = fill_loop(watched, lambda db: watched.booted.python(f"DB = {db!r}\n" + OLD_FILL_DEMO), 300)
    assert rows[-1]["wasmMB"] > WASM_BOUND_MB, [round(row["wasmMB"]) for row in rows]
    assert settled["rendererMaxMB"] > start["rendererMaxMB"] + SETTLED_SLACK_MB, (start, settled)
    print(f"  settled {settled['rendererMaxMB'] - start['rendererMaxMB']:+.0f} MB from the start")
