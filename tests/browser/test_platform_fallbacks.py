"""Every optional platform API taken away in real Chromium (tests/browser/stubs.py), one at a
time and all at once: the migration still runs losslessly on real IndexedDB, and where a
guarantee depends on the missing API, the status's `problems` and the console say so.

Each test boots a page whose workers lack the API (page A) beside a page of the same context
with every API present (page B): B writes the legacy corpus the way a full browser does, A
migrates it, and B reads the result back — so what A wrote through a fallback is proven
readable by the native code, and the other way round."""
from __future__ import annotations

import pytest
from browser.corpus import CHECK, FILL, N, SAVE_RAW, SNAPSHOT, python_for
from browser.harness import fresh_db, open_booted_page

LIMIT_WORDS = {"storageEstimate": "navigator.storage.estimate", "strictDurability": "durability \"strict\"",
               "webLocks": "Web Locks"}
ALL = ["storageEstimate", "strictDurability", "webLocks", "compressionStreams", "hardwareConcurrency",
       "base64", "hex"]


MORE = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
more = generate_sessions(60, seed=61, size="small")
await (await open_backend(DB)).write_batch({"sessions/" + s["id"]: s for s in more})
"""


def open_pair(browser, web_url, without):
    """Page A (without those APIs) and page B (with all) on one database of one context."""
    context = browser.new_context()
    db = fresh_db()
    pages = []
    for removed in (without, ()):
        booted = open_booted_page(context, web_url, without=removed)
        booted.page.set_default_timeout(180_000)
        booted.db = db
        pages.append(booted)
    return context, pages


def fill_corpus(booted):
    raw_text = booted.python(python_for(booted.db, FILL))
    booted.page.evaluate(SAVE_RAW, [booted.db, raw_text])


def migrate(booted):
    booted.console.clear()
    return booted.page.evaluate(f"""async () => {{
        const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({{ dbName: '{booted.db}', log: true }});  // the console's lines, as a person sees them
        return {{ status: await api.getMigrationStatus(), result: await api.runChunkedMigration() }};
    }}""")


def assert_lossless(checker, expected_total=N + 1):
    """Everything chunked, and the corpus (N + 1 sessions) equal through loadSession."""
    status = checker.page.evaluate(f"""async () => {{
        const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
        return loadChunkedMigration({{ dbName: '{checker.db}', log: false }}).getMigrationStatus();
    }}""")
    assert (status["chunked"], status["legacy"]) == (expected_total, 0), status
    assert checker.python(python_for(checker.db, CHECK)) == {"equal": N + 1, "different": {}}


@pytest.mark.parametrize("api", ALL)
def test_each_missing_api_still_migrates_losslessly_and_says_what_it_costs(browser, web_url, api):
    context, (lacking, full) = open_pair(browser, web_url, [api])
    try:
        assert lacking.page.evaluate("() => chunkedMigration.features")[api] is False
        assert full.page.evaluate("() => chunkedMigration.features")[api] is True
        fill_corpus(full)
        run = migrate(lacking)
        result = run["result"]
        assert (result["success"], result["migrated"], result["errorCount"]) == (True, N + 1, 0), result["errors"]
        problems = run["status"]["problems"]
        if api in LIMIT_WORDS:
            assert len(problems) == 1 and LIMIT_WORDS[api] in problems[0], problems
            printed = [line for line in lacking.console if LIMIT_WORDS[api] in line]
            assert printed and printed[0].startswith("log:    ⚠️  This browser has no"), lacking.console[:12]
        else:  # an exact fallback that costs only speed: no guarantee to report
            assert problems == []
        assert_lossless(full)
        assert_lossless(lacking)  # and the lacking page reads what it wrote
    finally:
        context.close()


def test_without_compression_streams_gzip_v1_is_written_and_read_exactly(browser, web_url):
    """Python's zlib in the worker writes GZIP_V1 the app's own reader (DecompressionStream, in
    page B's main thread) reads to the very text, and reads what CompressionStream wrote."""
    context, (lacking, full) = open_pair(browser, web_url, ["compressionStreams", "base64"])
    try:
        text = '{"a":"\\u00e9\\ud83d\\ude00","n":[1.5,-0,1e+300,null,true],"s":"' + "x" * 5000 + '"}'
        # Written with the fallback, read natively; written natively (appStore), read with the fallback.
        lacking.python(python_for(lacking.db, f"""
from taskerino_storage.browser.service import open_backend
b = await open_backend(DB)
await b.write_batch({{"k/python": __import__("json").loads({text!r})}})"""))
        record = full.page.evaluate("([db]) => appStore.record(db, 'k/python')", [lacking.db])
        assert record["data"].startswith("GZIP_V1:")
        assert full.page.evaluate("([db]) => appStore.load(db, 'k/python')", [lacking.db]) == \
            full.page.evaluate(f"() => JSON.stringify(JSON.parse({text!r}))")
        full.page.evaluate("([db, t]) => appStore.save(db, 'k/native', t, 'gzip')", [lacking.db, text])
        back = lacking.python(python_for(lacking.db, """
from taskerino_storage.browser.service import open_backend
b = await open_backend(DB)
(await b.read("k/native")).text"""))
        assert back == text
        # Broken GZIP_V1 is refused by the fallback with a clear reason, as natively.
        full.page.evaluate("""([db, good]) => {
            const bytes = Uint8Array.fromBase64(good.slice(8));
            const longer = new Uint8Array([...bytes, 0, 0, 0]);
            return Promise.all([
                appStore.saveRawText(db, 'k/truncated', 'GZIP_V1:' + bytes.subarray(0, 30).toBase64()),
                appStore.saveRawText(db, 'k/trailing', 'GZIP_V1:' + longer.toBase64())]);
        }""", [lacking.db, record["data"]])
        errors = lacking.python(python_for(lacking.db, """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.errors import RecordDecodeError
b = await open_backend(DB)
out = []
for key in ("k/truncated", "k/trailing"):
    try:
        await b.read(key)
        out.append(None)
    except RecordDecodeError as e:
        out.append(str(e))
out"""))
        assert "truncated" in errors[0] and "follow the end of the gzip stream" in errors[1], errors
    finally:
        context.close()


def test_without_web_locks_a_lease_in_indexeddb_keeps_two_tabs_apart(browser, web_url):
    context = browser.new_context()
    db = fresh_db()
    tabs = [open_booted_page(context, web_url, without=["webLocks"]) for _ in range(2)]
    try:
        for tab in tabs:
            tab.page.set_default_timeout(180_000)
            tab.db = db
        fill_corpus(tabs[0])
        tabs[0].python(python_for(db, MORE))  # a batch long enough for the second tab to find it running
        tabs[0].page.evaluate(f"""async () => {{
            const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
            window.batch = loadChunkedMigration({{ dbName: '{db}', log: false }}).runChunkedMigration();
        }}""")
        error = tabs[1].page.evaluate(f"""async () => {{
            // Wait until the first tab's lease is in its database, then try.
            const leased = () => new Promise((resolve) => {{
                const r = indexedDB.open('taskerino-migration-locks');
                r.onsuccess = () => {{
                    const db = r.result;
                    if (!db.objectStoreNames.contains('leases')) {{ db.close(); return resolve(false); }}
                    const get = db.transaction('leases').objectStore('leases').get('taskerino-migration:batch');
                    get.onsuccess = () => {{ db.close(); resolve(Boolean(get.result)); }};
                }};
            }});
            const until = Date.now() + 120_000;  // never forever: a missing lease fails the test below
            while (!(await leased())) {{
                if (Date.now() > until) return 'the first tab never held its lease';
                await new Promise((r) => setTimeout(r, 20));
            }}
            const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
            try {{ await loadChunkedMigration({{ dbName: '{db}', log: false }}).runChunkedMigration(); return null; }}
            catch (e) {{ return e.message; }}
        }}""")
        first = tabs[0].page.evaluate("() => window.batch.catch((e) => ({failed: e.message}))")
        assert error is not None and "Another tab is migrating" in error, (error, first)
        assert (first["success"], first["migrated"], first["errorCount"]) == (True, N + 1 + 60, 0), first["errors"]
        # Released at the end: the other tab runs now, and finds nothing left to migrate.
        again = tabs[1].page.evaluate(f"""async () => {{
            const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
            return loadChunkedMigration({{ dbName: '{db}', log: false }}).runChunkedMigration();
        }}""")
        assert (again["success"], again["migrated"], again["skipped"]) == (True, 0, N + 1 + 60)
        assert_lossless(tabs[1], expected_total=N + 1 + 60)
    finally:
        context.close()


def test_with_every_optional_api_missing_a_dry_run_writes_nothing(browser, web_url):
    context, (lacking, full) = open_pair(browser, web_url, ALL)
    try:
        fill_corpus(full)
        before = full.page.evaluate(SNAPSHOT, full.db)
        dry = lacking.page.evaluate(f"""async () => {{
            const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
            return loadChunkedMigration({{ dbName: '{lacking.db}', log: false }}).runChunkedMigration({{ dryRun: true }});
        }}""")
        assert (dry["success"], dry["dryRun"], dry["migrated"], dry["errorCount"]) == (True, True, N + 1, 0)
        assert full.page.evaluate(SNAPSHOT, full.db) == before
        status = migrate(lacking)["status"]
        assert len(status["problems"]) == 3  # estimate, durability, Web Locks
        assert_lossless(full)
    finally:
        context.close()
