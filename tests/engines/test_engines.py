"""The migration in every engine Taskerino runs in besides Chromium: WebKitGTK (Tauri's Linux
webview, and Safari's engine) and Firefox ESR, each on real IndexedDB with real Pyodide
(tests/engines/drivers.py). For each: boot; a corpus in every stored form (the `sessions` array,
per-session JSON text and GZIP_V1 records, a raw structured-clone record) migrated losslessly
and checked through loadSession; the documented console output; a dry run that changes
nothing; a rollback; a second tab refused; and the engine's figures (Python-ready time, batch
time per session), printed and written to tests/bench/results/engines.json.

An engine that is not installed fails the suite in CI (CI set), and is skipped with the reason
elsewhere: `python3 build.py setup` installs them."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from browser.corpus import CHECK, FILL, N, SAVE_RAW, SNAPSHOT, python_for
from browser.harness import HERE as BROWSER_TESTS
from browser.harness import fresh_db
from engines import drivers
from taskerino_storage.session.compare import json_equal

import build

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results" / "engines.json"
ENGINES = ["webkit", "firefox"]
FIGURES: dict[str, dict] = {}

RUN_PYTHON = "(code) => chunkedMigration.runPython(code)"
LOADER = "const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');"
# Every console.log line the page prints, kept for the test (each engine's driver sees the page alike).
CAPTURE = """() => {
  if (!window.consoleLines) {
    window.consoleLines = [];
    const log = console.log.bind(console);
    console.log = (...args) => { window.consoleLines.push(args.join(' ')); log(...args); };
  }
  window.consoleLines.length = 0;
}"""
MORE = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
more = generate_sessions(60, seed=61, size="small")
await (await open_backend(DB)).write_batch({"sessions/" + s["id"]: s for s in more})
"""


@pytest.fixture(scope="module")
def served():
    server = build.start_server(0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, served):
    """One engine, with one tab booted on the page (one Python boot per engine)."""
    name = request.param
    lacking = drivers.missing(name)
    if lacking:
        message = f"{name} can't run here: {lacking} is not installed (python3 build.py setup installs it)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with getattr(drivers, name)() as browser:
        tab = browser.new_tab()
        started = time.monotonic()
        tab.goto(f"{served}/page/index.html?db={fresh_db()}")
        # The page's module may still be loading when the driver returns: wait for its globals.
        boot = tab.evaluate("""async () => {
            for (let i = 0; i < 600 && !window.chunkedMigration; i++) await new Promise((r) => setTimeout(r, 50));
            await chunkedMigration.validationReady;
            return {timings: chunkedMigration.timings, features: chunkedMigration.features, userAgent: navigator.userAgent};
        }""")
        tab.evaluate("(source) => { (0, eval)(source); return typeof appStore; }",
                     (BROWSER_TESTS / "app_style.js").read_text())
        browser.tab, browser.served, browser.boot = tab, served, boot
        FIGURES[name] = {"version": browser.version, "userAgent": boot["userAgent"], "features": boot["features"],
                         "python_ready_ms": round(boot["timings"]["pythonReady"]),
                         "validation_ready_ms": round(boot["timings"]["validationReady"]),
                         "boot_wall_s": round(time.monotonic() - started, 1)}
        yield browser
    write_figures()


def write_figures():
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**old, **FIGURES}, indent=1, sort_keys=True) + "\n")
    for name, figures in FIGURES.items():
        print(f"\n[engines] {name} {figures.get('version')}: Python ready {figures.get('python_ready_ms')} ms, "
              f"batch {figures.get('batch_ms_per_session', '?')} ms/session", flush=True)


def fill(engine, db) -> str:
    """The corpus (browser/corpus.py) in `db`: N sessions through the bridge, one raw record by
    the page. Returns the raw session's JSON text."""
    raw_text = engine.tab.evaluate(RUN_PYTHON, python_for(db, FILL))
    engine.tab.evaluate(SAVE_RAW, [db, raw_text])
    return raw_text


def run(engine, db, options="{}", log=True):
    return engine.tab.evaluate(f"""async (db) => {{ {LOADER}
        return loadChunkedMigration({{ dbName: db, log: {json.dumps(log)} }}).runChunkedMigration({options});
    }}""", db)


def status(engine, db):
    return engine.tab.evaluate(f"async (db) => {{ {LOADER} return loadChunkedMigration({{ dbName: db, log: false }}).getMigrationStatus(); }}", db)


def test_boot(engine):
    boot = engine.boot
    assert boot["timings"]["pythonReady"] > 0 and boot["timings"]["validationReady"] >= boot["timings"]["pythonReady"]
    assert engine.tab.evaluate(RUN_PYTHON, "import sys; sys.version_info[:2]") == [3, 14]


def test_corpus_migrates_losslessly_with_the_documented_console_output(engine):
    db = fresh_db()
    raw_text = fill(engine, db)
    assert status(engine, db)["legacy"] == N + 1
    engine.tab.evaluate(CAPTURE)
    result = run(engine, db, "{ verbose: true }")
    assert (result["success"], result["migrated"], result["skipped"], result["errorCount"]) == (True, N + 1, 0, 0), \
        result["errors"]
    lines = engine.tab.evaluate("() => window.consoleLines")
    assert lines[:3] == ["━" * 47, "  Chunked Storage Migration", "━" * 47], lines[:5]
    for expected in ["📊 Checking current migration status...", f"   Total sessions: {N + 1}",
                     "   Already migrated: 0 (0%)", f"   Legacy format: {N + 1}", "🚀 Starting migration...",
                     f"[100%] Complete: {N + 1} migrated, 0 skipped, 0 errors", "Status: ✅ Success",
                     f"Migrated: {N + 1}", "✅ Migration completed successfully!",
                     "📦 Backups created with 30-day retention"]:
        assert expected in lines, (expected, lines)
    assert sum(line.startswith("[") and "Migrating session" in line for line in lines) == N + 1
    # What this engine lacks is said in the status block, one warning line each.
    problems = status(engine, db)["problems"]
    assert [f"   ⚠️  {p}" for p in problems] == [line for line in lines if line.startswith("   ⚠️  ")]
    if not engine.boot["features"]["storageEstimate"]:
        assert any("navigator.storage.estimate" in p for p in problems), problems
    after = status(engine, db)
    assert (after["chunked"], after["legacy"], after["percentage"]) == (N + 1, 0, 100)
    assert engine.tab.evaluate(RUN_PYTHON, python_for(db, CHECK)) == {"equal": N + 1, "different": {}}
    # The raw one through the page's own loadSession, as JS gets it, compared type-strictly here.
    raw = json.loads(raw_text)
    loaded = engine.tab.evaluate(f"async ([db, id]) => {{ {LOADER} return JSON.stringify(await loadChunkedMigration("
                                 "{ dbName: db, log: false }).loadSession(id)); }", [db, raw["id"]])
    assert json_equal(json.loads(loaded), raw)


def test_dry_run_changes_nothing(engine):
    db = fresh_db()
    fill(engine, db)
    before = engine.tab.evaluate(SNAPSHOT, db)
    dry = run(engine, db, "{ dryRun: true }", log=False)
    assert (dry["success"], dry["dryRun"], dry["migrated"], dry["errorCount"]) == (True, True, N + 1, 0)
    assert engine.tab.evaluate(SNAPSHOT, db) == before


def test_rollback_restores_the_original_where_it_came_from(engine):
    db = fresh_db()
    fill(engine, db)
    assert run(engine, db, log=False)["migrated"] == N + 1
    report = engine.tab.evaluate(RUN_PYTHON, python_for(db, f"""
from taskerino_storage.browser.service import open_backend
from taskerino_storage.migration import commands, open_runtime
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions
originals = generate_sessions({N} + 1, seed=16, size="small")
backend = await open_backend(DB)
rt = open_runtime(backend)
in_array, per_key = originals[0], originals[{N} // 2]
for s in (in_array, per_key):
    await commands.rollback_session_migration(rt, s["id"])
legacy = {{s["id"]: s for s in await backend.get("sessions", [])}}
[json_equal(legacy.get(in_array["id"]), in_array),
 json_equal(await backend.get("sessions/" + per_key["id"]), per_key),
 await commands.is_session_chunked(rt, in_array["id"]), await commands.is_session_chunked(rt, per_key["id"])]
"""))
    assert report == [True, True, False, False]
    # Through the console function too: the newest backup of another session, confirmed.
    sid = engine.tab.evaluate(RUN_PYTHON, "from taskerino_storage.demo.samples import generate_sessions\n"
                                          f"generate_sessions({N} + 1, seed=16, size='small')[1]['id']")
    assert engine.tab.evaluate(f"async ([db, sid]) => {{ {LOADER} return loadChunkedMigration({{ dbName: db, log: false }})"
                               ".rollbackSession(sid, undefined, true); }", [db, sid]) is True
    assert status(engine, db)["legacy"] == 3
    assert engine.tab.evaluate(RUN_PYTHON, python_for(db, CHECK)) == {"equal": N + 1, "different": {}}


def test_a_second_tab_is_refused_while_a_batch_runs(engine):
    db = fresh_db()
    fill(engine, db)
    engine.tab.evaluate(RUN_PYTHON, python_for(db, MORE))
    second = engine.new_tab()  # booted before the batch starts, so that it is still running when it tries
    second.goto(f"{engine.served}/page/index.html?db={fresh_db()}")
    second.evaluate("""async () => {
        for (let i = 0; i < 600 && !window.chunkedMigration; i++) await new Promise((r) => setTimeout(r, 50));
        await chunkedMigration.validationReady;
    }""")
    started = time.monotonic()
    engine.tab.evaluate(f"async (db) => {{ {LOADER} window.batch = loadChunkedMigration({{ dbName: db, log: false }})"
                        ".runChunkedMigration(); window.batch.catch(() => {}); }", db)
    error = second.evaluate(f"""async (db) => {{
        // Once the first tab holds the batch lock (Web Locks are origin-wide; a lease otherwise).
        const held = async () => navigator.locks?.query
          ? (await navigator.locks.query()).held.some((l) => l.name === 'taskerino-migration:batch') : true;
        for (let i = 0; i < 1000 && !(await held()); i++) await new Promise((r) => setTimeout(r, 10));
        {LOADER}
        try {{ await loadChunkedMigration({{ dbName: db, log: false }}).runChunkedMigration(); return null; }}
        catch (e) {{ return e.message; }}
    }}""", db)
    first = engine.tab.evaluate("() => window.batch")
    assert (first["success"], first["migrated"], first["errorCount"]) == (True, N + 1 + 60, 0), first["errors"]
    assert error is not None and "Another tab is migrating" in error, \
        f"the second tab was not refused (first batch took {first['durationMs']} ms, {time.monotonic() - started:.1f} s)"
    assert engine.tab.evaluate(RUN_PYTHON, python_for(db, CHECK)) == {"equal": N + 1, "different": {}}


def test_batch_figures(engine):
    """Batch time per session on a fresh corpus of 40 generated sessions (small), logging off."""
    db = fresh_db()
    engine.tab.evaluate(RUN_PYTHON, python_for(db, MORE.replace("60, seed=61", "40, seed=62")))
    result = run(engine, db, log=False)
    assert (result["success"], result["migrated"]) == (True, 40)
    FIGURES[engine.name]["batch_sessions"] = 40
    FIGURES[engine.name]["batch_ms"] = round(result["durationMs"])
    FIGURES[engine.name]["batch_ms_per_session"] = round(result["durationMs"] / 40, 1)
