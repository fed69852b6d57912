"""Two tabs, beyond tests/browser's "one batch at a time": while tab A runs a batch, tab B
loads sessions on demand (chunkedMigration.loadSession) and the app-style writer in tab B adds
a session to the `sessions` array. Every session ends migrated exactly once or left legacy;
nothing is lost; a rerun finishes everything, once."""
from __future__ import annotations

import json
import time

import pytest
from browser.harness import fresh_db, open_booted_page
from reliability.reliability_helpers import LONG, check, fill
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions

N = 120 if LONG else 40
SEED = 77
ADDED = {**generate_sessions(1, seed=4242, size="small")[0], "id": "added-by-the-app-meanwhile"}

ADDED_CHECK = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.session.compare import json_equal
import json
backend = await open_backend(DB)
added = json.loads(ADDED)
chunked = await ChunkedSessionStorage(backend).load_full_session(added["id"])
legacy = [s for s in (await backend.get("sessions", [])) if s.get("id") == added["id"]]
json.dumps({"chunked": chunked is not None and json_equal(chunked, added),
            "legacy": len(legacy), "legacy_equal": all(json_equal(s, added) for s in legacy)})
"""


def open_on(context, web_url, db):
    booted = open_booted_page(context, web_url)
    booted.page.goto(f"{web_url}/page/index.html?db={db}")
    booted.page.evaluate("() => chunkedMigration.validationReady.then(() => true)")
    booted.page.set_default_timeout(300_000)
    return booted


def test_on_demand_loads_and_app_writes_during_a_batch(browser, web_url):
    context = browser.new_context()
    db = fresh_db()
    a, b = open_on(context, web_url, db), open_on(context, web_url, db)
    assert fill(a, db, N, SEED) == N
    originals = {s["id"]: s for s in generate_sessions(N, seed=SEED, broken=N // 10, size="small")}
    late = list(originals)[-6:]  # migrated last by the batch: B loads them first, on demand

    a.page.evaluate("() => { window.__percent = -1; window.__batch = runChunkedMigration({ onProgress: (m, p) => { window.__percent = p; } }); }")
    a.page.wait_for_function("() => window.__percent >= 10")
    during = b.page.evaluate("""async ([db, late, added]) => {
        const loaded = {};
        const states = [];
        for (const id of late.slice(0, 3)) {
            states.push((await showMigrationStatus()).chunked);
            loaded[id] = JSON.stringify(await chunkedMigration.loadSession(id));
        }
        // The app saves its sessions array meanwhile: read, add one, write back (as the app does).
        const sessions = JSON.parse(await appStore.load(db, 'sessions'));
        sessions.push(added);
        await appStore.save(db, 'sessions', JSON.stringify(sessions), 'gzip');
        for (const id of late.slice(3)) loaded[id] = JSON.stringify(await chunkedMigration.loadSession(id));
        return { loaded, states, batchStillRunning: true };
    }""", [db, late, ADDED])
    still_running = a.page.evaluate("() => window.__percent < 100")
    result = a.page.evaluate("() => window.__batch")
    for sid, text in during["loaded"].items():
        assert json_equal(json.loads(text), originals[sid]), f"loadSession({sid}) returned something else"
    assert result["errorCount"] == 0, result["errors"]

    # Right after the batch: nothing lost; everything chunked or legacy (the added session may be either).
    report = check(a, db, N, SEED)
    assert report["lost_or_altered"] == [] and report["index_ids_unique"], report
    added = json.loads(a.python(f"DB = {db!r}; ADDED = {json.dumps(ADDED)!r}\n" + ADDED_CHECK))
    assert added["chunked"] or (added["legacy"] == 1 and added["legacy_equal"]), added

    # A rerun (from tab B) finishes: every session chunked once, one backup each, no legacy left.
    rerun = b.page.evaluate("() => runChunkedMigration()")
    assert rerun["success"] is True and rerun["errorCount"] == 0, rerun["errors"]
    final = check(b, db, N, SEED)
    assert (final["chunked"], final["legacy"], final["lost_or_altered"], final["legacy_twice"]) == (N, 0, [], [])
    assert final["index_ids_unique"] and len(final["index_ids"]) == N + 1 and ADDED["id"] in final["index_ids"]
    assert final["backups_per_session"] == [1] and final["backed_up"] == N + 1
    added = json.loads(b.python(f"DB = {db!r}; ADDED = {json.dumps(ADDED)!r}\n" + ADDED_CHECK))
    assert added == {"chunked": True, "legacy": 0, "legacy_equal": True}
    assert b.python(f"from taskerino_storage.browser.service import open_backend\n(await (await open_backend({db!r})).get('sessions'))") == []
    print(f"two tabs: batch still running during B's loads: {still_running}; batch migrated {result['migrated']}, "
          f"rerun {rerun['migrated']} migrated / {rerun['skipped']} skipped")
    context.close()


# --- the app saving its array while a batch ends: nothing left behind unnamed ---------------

FILL_MIXED = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
backend = await open_backend(DB)
originals = generate_sessions(60, seed=SEED, size="small")
await backend.write_batch({"sessions": originals[:57],
                           **{f"sessions/{s['id']}": s for s in originals[57:]}})
[s["id"] for s in originals]
"""

ARRAY_STATE = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions
import json

backend = await open_backend(DB)
array = await backend.get("sessions", [])
storage = ChunkedSessionStorage(backend)
lost = []
for original in generate_sessions(60, seed=SEED, size="small"):
    chunked = await storage.load_full_session(original["id"])
    copies = [s for s in array if s.get("id") == original["id"]]
    if not ((chunked is not None and json_equal(chunked, original)) or any(json_equal(c, original) for c in copies)):
        lost.append(original["id"])
json.dumps({"array_ids": [s.get("id") for s in array], "lost": lost})
"""

# In tab B, while tab A's batch runs: once A passes `at` percent, the app (read, change, write
# back, as its own save does) appends a session, B loads an array session on demand (which
# removes it from the array at once), the app edits the first session (read by the batch
# already) and appends one more. Then the app keeps saving its array as it read it ~30 ms
# before — a save begun before the batch's rewrite lands after it — either a few times
# ("burst") or until the batch has resolved ("continuous").
APP_DURING_BATCH = """async ([db, at, mode, loadId, editId]) => {
    while ((window.__percentSeen ?? -1) < at) await new Promise((r) => setTimeout(r, 20));
    const rmw = async (change) => {
        const sessions = JSON.parse(await appStore.load(db, 'sessions'));
        change(sessions);
        await appStore.save(db, 'sessions', JSON.stringify(sessions), 'gzip');
    };
    await rmw((s) => s.push({ ...s[s.length - 1], id: 'app-added-1', name: 'added by the app' }));
    await chunkedMigration.loadSession(loadId);
    await rmw((s) => { const e = s.find((x) => x.id === editId); if (e) e.name = 'edited by the app'; window.__edited = Boolean(e); });
    await rmw((s) => s.push({ ...s[s.length - 1], id: 'app-added-2', name: 'added by the app too' }));
    window.__appSaves = 0;
    window.__appSaving = (async () => {
        for (let i = 0; mode === 'continuous' ? !window.__batchDone : i < 3; i++) {
            const text = await appStore.load(db, 'sessions');
            await new Promise((r) => setTimeout(r, 30));
            await appStore.save(db, 'sessions', text, 'gzip');
            window.__appSaves++;
            await new Promise((r) => setTimeout(r, 5));
        }
    })();
    return true;
}"""


@pytest.mark.parametrize("at, mode", [(10, "continuous"), (50, "burst"), (90, "burst"), (90, "continuous")])
def test_a_batch_names_every_legacy_copy_the_app_s_saves_leave_behind(browser, web_url, at, mode):
    context = browser.new_context()
    db, seed = fresh_db(), 9000 + at
    a, b = open_on(context, web_url, db), open_on(context, web_url, db)
    ids = a.python(f"DB = {db!r}; SEED = {seed}\n" + FILL_MIXED)
    edit_id, load_id = ids[0], ids[50]

    a.page.evaluate("""() => { window.__batch = runChunkedMigration({ onProgress: (m, p) => {
        window.__percent = p; } }); }""")
    # B asks only once A's batch holds the lock (its first progress line): before that, which of
    # the two tabs' workers gets the lock first is a race, and A must be the one migrating here.
    a.page.wait_for_function("() => window.__percent !== undefined", timeout=120_000)
    refused = b.page.evaluate("""async () => {
        try { await runChunkedMigration(); return null; } catch (e) { return e.message; } }""")
    assert refused is not None and "Another tab is migrating" in refused
    # B learns A's progress through the page of A (the same origin, another tab): poll it.
    b.page.evaluate("() => { window.__percentSeen = -1; }")
    b.page.evaluate(f"() => {{ {APP_DURING_BATCH.replace('async (', 'window.__app = (async (', 1)})({json.dumps([db, at, mode, load_id, edit_id])}); }}")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # never forever: a batch that fails stops at its error below
        percent = a.page.evaluate("() => window.__percent ?? -1")
        b.page.evaluate(f"() => {{ window.__percentSeen = {percent}; }}")
        if a.page.evaluate("() => window.__percent === 100") or b.page.evaluate("() => window.__appSaves !== undefined"):
            break
        a.page.wait_for_timeout(50)
    result = a.page.evaluate("() => window.__batch")
    b.page.evaluate("async () => { await window.__app; window.__batchDone = true; await window.__appSaving; }")

    assert result["errorCount"] == 0, result["errors"]
    migrated = {r["sessionId"] for r in result["results"] if r["success"] and not r["skipped"]}
    for when in ("at once", "a second later"):
        state = json.loads(a.python(f"DB = {db!r}; SEED = {seed}\n" + ARRAY_STATE))
        assert state["lost"] == [], state
        unnamed = (migrated & set(state["array_ids"])) - set(result["legacyCopiesLeft"])
        assert unnamed == set(), f"{when}: legacy copies left but not named: {sorted(unnamed)}"
        a.page.wait_for_timeout(1000)
    # Changed by the app while still in the array: kept, and named. (On a loaded machine the
    # batch can rewrite the array before the app's edit reads it: then there is nothing to edit.)
    if b.page.evaluate("() => window.__edited"):
        assert edit_id in result["legacyCopiesLeft"]

    # A run once the app is quiet finishes every one of them.
    rerun = b.page.evaluate("() => runChunkedMigration()")
    assert (rerun["errorCount"], rerun["legacyCopiesLeft"]) == (0, []), rerun
    assert json.loads(a.python(f"DB = {db!r}; SEED = {seed}\n" + ARRAY_STATE))["array_ids"] == []
    context.close()
