"""The IndexedDB bridge and backend in real Chromium, on real IndexedDB, through real Pyodide."""
from __future__ import annotations

from pathlib import Path

import pytest
from browser.harness import fresh_db, open_booted_page
from taskerino_storage.testing import contract as storage_contract

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def contract_page(booted):
    """The booted page with the JS app store importable in Pyodide (the contract ships in the wheel).
    Python runs in the migration worker: the app-style store is installed there too."""
    booted.put_file("/home/pyodide/js_app_store.py", (TESTS / "browser/js_app_store.py").read_text())
    booted.put_file("/home/pyodide/app_style.js", (TESTS / "browser/app_style.js").read_text())
    booted.python("from pyodide.code import run_js\nrun_js(open('/home/pyodide/app_style.js').read())\nNone")
    return booted


# Cases that gzip nothing through the codec pool: an array record's DATA is streamed through
# (de)compression where the bridge runs (web/lib/array-data.mjs), never handed whole to a worker.
NO_CODEC_POOL = {"locks_exclude_a_second_holder", "estimate_reports_bytes", "array_elements_are_handed_over_one_at_a_time",
                 "array_removal_takes_only_unchanged_handed_over_elements", "array_that_is_not_an_array_is_refused",
                 "extend_array_appends_many_in_one_write_and_never_makes_two"}


@pytest.mark.parametrize(("encoding", "workers"), [("gzip", 0), ("gzip", 1), ("json", 0)],
                         ids=["gzip", "gzip-on-a-worker", "json"])
@pytest.mark.parametrize("name", sorted(storage_contract.CASES))
def test_storage_contract_on_indexeddb(contract_page, name, encoding, workers):
    """Every case on IndexedDB; gzip both on the main thread and on a codec worker."""
    db = fresh_db()
    set_workers = "async (n) => (await import('/lib/taskerino-migration.mjs')).setCodecWorkers(n)"
    contract_page.page.evaluate(set_workers, workers)
    result = contract_page.python(f"""
import js_app_store
from taskerino_storage.testing import contract as storage_contract
from taskerino_storage.browser.service import open_backend
backend = await open_backend({db!r}, encoding={encoding!r})
await storage_contract.run({name!r}, backend, js_app_store.JsAppStore({db!r}))
""")
    assert result == "ok"
    if encoding == "gzip" and name not in NO_CODEC_POOL:
        assert contract_page.page.evaluate(set_workers, 0) == workers  # the worker really ran it


def test_runs_python_3_14_from_the_local_bundle(booted):
    assert booted.python("import sys; sys.version_info[:2]") == [3, 14]
    assert booted.python("import taskerino_storage, pydantic; pydantic.VERSION") == "2.14.3"
    assert booted.guard.blocked == []


def test_no_request_leaves_loopback(booted):
    db = fresh_db()
    booted.python(f"""
from taskerino_storage.browser.service import open_backend
b = await open_backend({db!r})
await b.write_batch({{"k": {{"v": 1}}}})
await b.get("k")
""")
    assert booted.guard.blocked == [], booted.guard.blocked
    # The guard itself works: an off-site request is caught and recorded.
    booted.page.evaluate("() => fetch('https://cdn.jsdelivr.net/pyodide/x.js').catch(() => null)")
    assert booted.guard.blocked == ["https://cdn.jsdelivr.net/pyodide/x.js"]
    booted.guard.blocked.clear()


def test_atomic_batch_of_1000_keys_is_all_or_nothing(booted):
    result = booted.page.evaluate("""async (db) => {
        const { openBridge } = await import('/lib/bridge.mjs');
        const bridge = await openBridge(db);
        const puts = Array.from({length: 1000}, (_, i) => [`atomic/${String(i).padStart(4, '0')}`, JSON.stringify({i})]);
        await bridge.writeBatch([['atomic/keep', '"kept"']]);
        // The 1000th put has a key IndexedDB rejects: the transaction aborts, so nothing may land
        // and the delete of atomic/keep, issued first in the same batch, must be undone too.
        const failing = [...puts.slice(0, 999), [{not: 'a key'}, '1']];
        let error = null;
        try { await bridge.writeBatch(failing, ['atomic/keep']); } catch (e) { error = e.name; }
        const afterAbort = await bridge.keys('atomic/');
        await bridge.writeBatch(puts);
        const afterCommit = await bridge.keys('atomic/');
        return {error, afterAbort, afterCommit: afterCommit.length};
    }""", fresh_db())
    assert result["error"] == "DataError"
    assert result["afterAbort"] == ["atomic/keep"]
    assert result["afterCommit"] == 1001


def test_quota_exceeded_rolls_back_the_whole_batch(persistent_context, web_url):
    """A batch that fails at commit for lack of space (a real QuotaExceededError) leaves nothing."""
    booted = open_booted_page(persistent_context, web_url)
    cdp = booted.context.new_cdp_session(booted.page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": web_url, "quotaSize": 3 * 1024 * 1024})
    db = fresh_db()
    result = booted.python(f"""
import os
from taskerino_storage.errors import QuotaExceededError
from taskerino_storage.browser.service import open_backend
b = await open_backend({db!r}, encoding="json")
await b.write_batch({{"small/keep": "kept"}})
noise = {{f"big/{{i}}": os.urandom(10_000).hex() for i in range(400)}}  # incompressible, 8 MB
try:
    await b.write_batch(noise, deletes=["small/keep"])
    outcome = "written"
except QuotaExceededError as exc:
    outcome = str(exc)
[outcome, await b.keys("big/"), await b.get("small/keep")]
""")
    assert "out of storage space" in result[0], result[0]
    assert result[1:] == [[], "kept"]


def test_creates_the_app_database_at_version_1(booted):
    db = fresh_db()
    booted.python(f"from taskerino_storage.browser.service import open_backend\nawait open_backend({db!r})")
    info = booted.page.evaluate("""async (db) => {
        const conn = await new Promise((r) => { const q = indexedDB.open(db); q.onsuccess = () => r(q.result); });
        const tx = conn.transaction('collections');
        const out = {version: conn.version, stores: [...conn.objectStoreNames],
                     keyPath: tx.objectStore('collections').keyPath,
                     indexes: [...tx.objectStore('collections').indexNames]};
        conn.close();
        return out;
    }""", db)
    assert info == {"version": 1, "stores": ["backups", "collections"], "keyPath": "name", "indexes": ["timestamp"]}


def test_refuses_raw_values_json_cannot_hold(booted):
    db = fresh_db()
    booted.page.evaluate("""async (db) => {
        await appStore.saveValue(db, 'raw/date', {id: 's', when: new Date(0)});
        await appStore.saveValue(db, 'raw/undefined', {id: 's', gone: undefined});
        await appStore.saveValue(db, 'raw/in-array', {id: 's', tags: ['a', undefined]});
        await appStore.saveValue(db, 'raw/fine', {id: 's', n: [1, 'x', null]});
    }""", db)
    result = booted.python(f"""
from taskerino_storage.errors import RecordDecodeError
from taskerino_storage.browser.service import open_backend
b = await open_backend({db!r})
out = {{}}
for key in ["raw/date", "raw/undefined", "raw/in-array", "raw/fine"]:
    try:
        out[key] = await b.get(key)
    except RecordDecodeError as exc:
        out[key] = str(exc)
out
""")
    assert "when is Date" in result["raw/date"]
    assert result["raw/undefined"] == {"id": "s"}  # an undefined property means absent, as in the app
    assert "tags[1] is undefined" in result["raw/in-array"]
    assert result["raw/fine"] == {"id": "s", "n": [1, "x", None]}


# Elements of a stored `sessions` text, each with a number JSON.parse reads near a double's
# edge, or digits that only look like one (in a string): [JSON text, True when it reads as
# ±Infinity]. A reader that looked only for some number tokens (1e400, 309 digits) would miss e-3.
EDGE_ELEMENTS = [
    ('{"id":"e-1","n":1e400}', True),
    ('{"id":"e-2","n":-1E+999}', True),
    ('{"id":"e-3","n":1' + "0" * 250 + 'e99}', True),  # 2-digit exponent, long mantissa
    ('{"id":"e-4","n":' + "9" * 309 + '}', True),
    ('{"id":"e-5","n":1' + "0" * 120 + 'e99}', False),  # 1e219: long, but finite
    ('{"id":"e-6","n":1e308,"m":5e-324,"k":1e-400}', False),
    ('{"id":"e-7","s":"' + "7" * 150 + 'e999"}', False),  # only looks like one: a string
    ('{"id":"e-8","n":1.0,"f":[0.1,2.50,-0]}', False),
]


def test_array_elements_beyond_a_double_are_refused_and_the_rest_read_as_json_stringify_writes(booted):
    db = fresh_db()
    text = "[" + ",".join(t for t, _ in EDGE_ELEMENTS) + "]"
    booted.page.evaluate("async ([db, text]) => appStore.save(db, 'sessions', text, 'gzip')", [db, text])
    result = booted.python(f"""
from taskerino_storage.errors import RecordDecodeError
from taskerino_storage.browser.service import open_backend
array = await (await open_backend({db!r})).open_array("sessions")
out = []
for i in range(len(array.ids)):
    try:
        out.append(["ok", (await array.read_item(i)).text])
    except RecordDecodeError as exc:
        out.append(["refused", str(exc)])
out
""")
    expected = booted.page.evaluate("(texts) => texts.map((t) => JSON.stringify(JSON.parse(t)))",
                                    [t for t, _ in EDGE_ELEMENTS])
    for (element, infinite), (status, value), stringified in zip(EDGE_ELEMENTS, result, expected):
        if infinite:
            assert status == "refused" and ("n is Infinity" in value or "n is -Infinity" in value), (element[:40], value)
        else:
            assert (status, value) == ("ok", stringified), element[:40]


def test_global_exists_before_the_boot_finishes(browser, web_url):
    context = browser.new_context()
    held = []
    context.route("**/pyodide.asm.wasm", lambda route: held.append(route))  # hold the runtime until we have looked
    page = context.new_page()
    page.goto(f"{web_url}/page/index.html?db=early-db")
    page.wait_for_function("() => window.chunkedMigration !== undefined")
    early = page.evaluate("""() => ({ready: chunkedMigration.ready instanceof Promise,
                                       booted: chunkedMigration.isReady,
                                       db: chunkedMigration.dbName})""")
    assert early == {"ready": True, "booted": False, "db": "early-db"}
    for _ in range(200):  # the runtime request comes once pyodide.mjs has loaded
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    assert page.evaluate("() => !chunkedMigration.isReady")  # still not booted while held
    held[0].continue_()
    assert page.evaluate("() => chunkedMigration.ready.then(() => chunkedMigration.isReady)") is True
    context.close()


def test_page_defaults_to_taskerino_db(browser, web_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{web_url}/page/index.html")
    assert page.evaluate("() => chunkedMigration.dbName") == "taskerino-db"
    context.close()


def test_appending_to_the_array_never_drops_an_app_write_made_meanwhile(booted):
    """The app keeps rewriting `sessions` (each write holding all its earlier ones, a few ms
    apart) from the page while Python, in the migration worker, appends a rolled-back session,
    20 times over: the app's last array is always wholly in the result (a stale read-then-write
    would drop its newest elements). No append gives up: one that keeps meeting the app's writes
    makes its last attempt holding the store for synchronous work only (the app's write waits
    the few ms it takes). Whether it is still there at the end is the app's affair: this writer
    rewrites its own array blindly, as the real app does."""
    result = booted.page.evaluate("""async () => {
        const misses = [];
        const appended = [];
        let landed = 0;
        for (let round = 0; round < 20; round++) {
            const db = 'append-race-' + round + '-' + Math.random().toString(36).slice(2);
            const app = [];
            await appStore.save(db, 'sessions', JSON.stringify(app), 'gzip');
            const opened = chunkedMigration.runPython(`from taskerino_storage.browser.service import open_backend
backend = await open_backend(${JSON.stringify(db)})`);
            await opened;
            let stop = false;
            const writer = (async () => {
                for (let i = 0; !stop && i < 200; i++) {
                    app.push({ id: `app-${i}` });
                    await appStore.save(db, 'sessions', JSON.stringify(app), 'gzip');
                    await new Promise((r) => setTimeout(r, 3));
                }
            })();
            for (let k = 0; k < round % 5; k++) await new Promise((r) => setTimeout(r, 1));
            appended.push(await chunkedMigration.runPython("await backend.extend_array('sessions', [{'id': 'rolled-back'}])"));
            stop = true;
            await writer;
            const final = JSON.parse(await appStore.load(db, 'sessions'));
            const ids = new Set(final.map((e) => e.id));
            const lost = app.filter((e) => !ids.has(e.id)).length;
            landed += ids.has('rolled-back');
            if (lost) misses.push({ round, lost, written: app.length });
        }
        const held = await chunkedMigration.runPython("import taskerino_bridge\\ntaskerino_bridge.swapCounts.held");
        return { misses, landed, appended, held };
    }""")
    assert result["misses"] == []
    assert result["appended"] == [1] * 20, result
    print(f"appends that needed the held last attempt: {result['held']} of 20")


def test_an_app_that_writes_before_every_attempt_is_met_by_the_held_last_attempt(booted):
    """The app saves `sessions` each time the bridge prepares an append (from inside Python's
    rule, so its write lands before the attempt's): every prepared attempt meets a newer array,
    so the last one holds the store and redoes the append synchronously (Python's zlib) on the
    array as it is then. It never gives up, and the app's newest array is wholly in what it
    writes, with the appended element."""
    result = booted.python(f"""
import json
import taskerino_bridge
from pyodide.code import run_js
race = run_js('''(async (bridgeModule, db) => {{
    const bridge = await bridgeModule.openBridge(db);  // creates the app's stores
    const conn = await new Promise((r) => {{ const q = indexedDB.open(db, 1); q.onsuccess = () => r(q.result); }});
    const app = [];
    const save = () => {{  // the app's save: a readwrite transaction begun now, before the attempt's
        app.push({{ id: `app-${{app.length}}` }});
        conn.transaction('collections', 'readwrite').objectStore('collections')
            .put({{ name: 'sessions', data: JSON.stringify(app), timestamp: Date.now() }});
    }};
    let calls = 0;
    // Asked once by each prepared attempt (4 optimistic, then the held attempt), then inside the
    // held transaction (the 6th): the app saves before each attempt but not inside the last.
    const appendIt = () => {{ if (++calls < 6) save(); return ['ok', [0]]; }};
    const heldBefore = bridgeModule.swapCounts.held;
    const appended = await bridge.appendToArray('sessions', [JSON.stringify({{ id: 'rolled-back' }})], appendIt);
    const [text] = await bridge.getMany(['sessions']);
    conn.close();
    bridge.close();
    return JSON.stringify({{ appended, calls, held: bridgeModule.swapCounts.held - heldBefore,
                             stored: JSON.parse(text).map((e) => e.id), app: app.map((e) => e.id) }});
}})''')
json.loads(await race(taskerino_bridge, {fresh_db()!r}))
""")
    assert (result["appended"], result["calls"], result["held"]) == (1, 6, 1), result
    assert result["stored"] == result["app"] + ["rolled-back"]  # the app's newest array, whole
