"""The migration engine in Chromium: a few hundred sessions migrate losslessly on real
IndexedDB; Web Locks keep two tabs apart; a full disk stops the batch cleanly and loses nothing."""
from __future__ import annotations

from browser.harness import fresh_db, open_booted_page

FILL = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
backend = await open_backend(DB)
originals = generate_sessions(N, seed=SEED, broken=N // 10, size=SIZE)
await backend.write_batch({"sessions": originals})
len(originals)
"""

CHECK_ALL_READABLE = """
# Every original reads back equal from its chunked form, or from its legacy copy.
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.session.compare import json_equal
storage = ChunkedSessionStorage(backend)
legacy = {s["id"]: s for s in (await backend.get("sessions", []))}
report = {"chunked": 0, "legacy": 0, "lost_or_altered": []}
for original in originals:
    chunked = await storage.load_full_session(original["id"])
    if chunked is not None and json_equal(chunked, original):
        report["chunked"] += 1
    elif original["id"] in legacy and json_equal(legacy[original["id"]], original):
        report["legacy"] += 1
    else:
        report["lost_or_altered"].append(original["id"])
report["index_ids_unique"] = len(set(await backend.get("session-index", []))) == len(await backend.get("session-index", []))
report
"""


def fill(booted, db, n, seed=1, size="small"):
    return booted.python(f"DB = {db!r}; N = {n}; SEED = {seed}; SIZE = {size!r}\n" + FILL)


def open_on(context, web_url, db):
    booted = open_booted_page(context, web_url, query="")
    booted.page.goto(f"{web_url}/page/index.html?db={db}")
    booted.page.evaluate("() => chunkedMigration.validationReady.then(() => true)")
    return booted


def test_a_few_hundred_sessions_migrate_losslessly(booted):
    db = fresh_db()
    booted.page.set_default_timeout(300_000)
    assert fill(booted, db, 300) == 300
    result = booted.page.evaluate(f"""async () => {{
        const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({{ dbName: '{db}', log: false }});
        return api.runChunkedMigration();
    }}""")
    assert (result["success"], result["total"], result["migrated"], result["errorCount"]) == (True, 300, 300, 0)
    report = booted.python(CHECK_ALL_READABLE)
    assert report == {"chunked": 300, "legacy": 0, "lost_or_altered": [], "index_ids_unique": True}
    assert booted.python("await backend.get('sessions')") == []


def test_two_tabs_one_batch_at_a_time(browser, web_url):
    context = browser.new_context()
    db = fresh_db()
    first = open_on(context, web_url, db)
    second = open_on(context, web_url, db)
    first.page.set_default_timeout(300_000)
    fill(first, db, 60)
    first.page.evaluate("() => { window.batch = runChunkedMigration({ onProgress: () => { window.progressed = true; } }); }")
    # The second tab asks once the first holds the batch lock (its first progress line comes
    # after taking it): which tab's worker asks first is otherwise a race.
    first.page.wait_for_function("() => window.progressed === true")
    error = second.page.evaluate("""async () => {
        try { await runChunkedMigration(); return null; } catch (e) { return e.message; }
    }""")
    assert error is not None and "Another tab is migrating" in error
    result = first.page.evaluate("() => window.batch")
    assert result["migrated"] == 60 and result["errorCount"] == 0
    report = first.python(CHECK_ALL_READABLE)
    assert report["chunked"] == 60 and report["lost_or_altered"] == [] and report["index_ids_unique"]
    assert second.page.evaluate("() => runChunkedMigration()")["migrated"] == 0  # nothing migrated twice
    context.close()


def test_full_disk_stops_cleanly_and_finishes_later(persistent_context, web_url):
    booted = open_booted_page(persistent_context, web_url)
    booted.page.set_default_timeout(300_000)
    db = fresh_db()
    # Chromium applies a quota override to an origin's storage only if set before its first
    # write. 12 generated sessions take ~440 KB stored; migrating them needs ~800 KB more.
    cdp = persistent_context.new_cdp_session(booted.page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": web_url, "quotaSize": 900_000})
    fill(booted, db, 12, size="realistic")
    result = booted.page.evaluate(f"""async () => {{
        const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
        return loadChunkedMigration({{ dbName: '{db}', log: false }}).runChunkedMigration();
    }}""")
    assert result["success"] is False and result["migrated"] < 12
    assert "Not enough storage space" in result["stopped"] and "nothing was lost" in result["stopped"]
    report = booted.python(CHECK_ALL_READABLE)
    assert report["lost_or_altered"] == [] and report["chunked"] + report["legacy"] == 12

    cdp.send("Storage.overrideQuotaForOrigin", {"origin": web_url, "quotaSize": 1 << 30})  # space freed
    again = booted.page.evaluate(f"""async () => {{
        const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
        return loadChunkedMigration({{ dbName: '{db}', log: false }}).runChunkedMigration();
    }}""")
    assert again["success"] is True and again["errorCount"] == 0
    report = booted.python(CHECK_ALL_READABLE)
    assert report == {"chunked": 12, "legacy": 0, "lost_or_altered": [], "index_ids_unique": True}
