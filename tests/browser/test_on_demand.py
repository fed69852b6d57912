"""loadSession answers a legacy session from JS (web/lib/legacy-read.mjs) without waiting for
Python, and then migrates it: in real Chromium, on the representative corpus in every stored
form, the value JS returns is the very value Python's single.load_session returns (compared in
the page, as the app gets both: key order aside, Object.is on every leaf); where Python has
something to decide (a chunked session, a duplicate id, records under `sessions/{id}/`, a value
JSON can't hold, an unknown id) JS leaves it to Python, which answers as before."""
from __future__ import annotations

import json

import pytest
from browser.harness import fresh_db
from representative_sessions import representative_sessions
from taskerino_storage.session import layout
from taskerino_storage.demo.samples import generate_sessions

SESSIONS = representative_sessions()
EXTRA = generate_sessions(6, seed=722, size="small")  # raw, duplicated, chunked, foreign, Date

# Writes the corpus through Python's backend: the first half in the `sessions` array (GZIP_V1),
# the rest as `sessions/{id}` records, alternately JSON text and GZIP_V1; then the odd cases.
FILL = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.migration import commands, open_runtime
sessions, extra = json.loads(SESSIONS), json.loads(EXTRA)
gz, js = await open_backend(DB), await open_backend(DB, encoding="json")
half = len(sessions) // 2
dup, chunked, foreign = extra[1], extra[2], extra[3]
await gz.write_batch({"sessions": sessions[:half] + [dup, chunked, foreign]})
for i, s in enumerate(sessions[half:]):
    await (js if i % 2 == 0 else gz).write_batch({"sessions/" + s["id"]: s})
await js.write_batch({"sessions/" + dup["id"]: dup, "sessions/" + foreign["id"] + "/summary": {"app": "own"}})
(await commands.migrate_session_to_chunked(open_runtime(gz), chunked["id"])).success
"""

# JS's answer for each id (null: left to Python), read before anything is migrated.
JS_READS = """async ([db, ids]) => {
    const { readLegacySession } = await import('/lib/legacy-read.mjs');
    const out = {};
    for (const id of ids) out[id] = await readLegacySession(db, 'collections', id);
    window.__jsReads = out;
    return Object.fromEntries(Object.entries(out).map(([id, v]) => [id, v !== null]));
}"""

# Python's load_session for each id, parsed as the client parses its envelope, compared in the
# page with JS's answer (key order aside; Object.is on every leaf, so -0, 1 and "1" all count).
PYTHON_LOADS = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.migration import commands, open_runtime
from taskerino_storage.storage import codec
rt = open_runtime(await open_backend(DB))
out = {}
for sid in json.loads(IDS):
    try:
        out[sid] = {"ok": True, "value": await commands.load_session(rt, sid)}
    except Exception as exc:
        out[sid] = {"ok": False, "error": str(exc)}
codec.dumps(out)
"""
COMPARE = """(pythonText) => {
    const same = (a, b) => {
        if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
        if (Array.isArray(a) !== Array.isArray(b)) return false;
        const ka = Object.keys(a), kb = Object.keys(b);
        return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
    };
    const python = JSON.parse(pythonText);
    const out = {};
    for (const [id, js] of Object.entries(window.__jsReads)) {
        const p = python[id];
        out[id] = js === null ? (p.ok ? 'python' : 'python refused: ' + p.error) : (p.ok && same(js, p.value) ? 'same' : 'DIFFERENT');
    }
    return out;
}"""


def python(booted, db: str, code: str, **values):
    head = "import json\n" + f"DB = {db!r}\n" + "".join(f"{k} = {json.dumps(v)!r}\n" for k, v in values.items())
    return booted.python(head + code)


def test_the_keys_js_reads_are_layout_s(booted):
    ids = ["s-1", "émoji-🔑", "a.b", "x y", "a.backup-2026-01-01T00-00-00-000Z", "a.backup-", "a.backup-x",
           "backup-x", ".backup-x", "a.backup-x.backup-y", "a.Backup-x"]
    js = booted.page.evaluate("""async (ids) => {
        const k = await import('/lib/session-keys.mjs');
        return { array: k.LEGACY_SESSIONS_KEY,
                 ids: ids.map((id) => [k.legacySessionKey(id), k.sessionPrefix(id), k.isBackupKey(k.legacySessionKey(id))]) };
    }""", ids)
    assert js["array"] == layout.LEGACY_SESSIONS_KEY
    assert js["ids"] == [[layout.legacy_session_key(i), layout.session_prefix(i),
                          layout.parse_backup_key(layout.legacy_session_key(i)) is not None] for i in ids]


@pytest.mark.parametrize(("sid", "extra", "refusal"), [
    # `.backup-` in the id: the record's key is a backup's to Python (layout.parse_backup_key).
    ("kept.backup-2026-01-01T00-00-00-000Z", "", "No session"),
    # 1e400 in the stored text: JSON.parse reads Infinity, which Python's reader refuses.
    ("huge-number", ',"huge":1e400', "cannot be decoded"),
    # 400 digits: JSON.parse reads Infinity, Python keeps the integer digit for digit and loads it.
    ("huge-integer", ',"n":' + "9" * 400, None),
])
def test_a_record_python_refuses_or_reads_otherwise_is_left_to_python(booted, sid, extra, refusal):
    """A `sessions/{id}` record Python does not load as a session, or whose value JS would read
    otherwise: JS must not answer with it."""
    db = fresh_db()
    text = json.dumps({**EXTRA[5], "id": sid})[:-1] + extra + "}"
    booted.page.evaluate("async ([db, id, text]) => appStore.save(db, 'sessions/' + id, text, 'gzip')", [db, sid, text])
    assert booted.page.evaluate(JS_READS, [db, [sid]]) == {sid: False}
    verdicts = booted.page.evaluate(COMPARE, python(booted, db, PYTHON_LOADS, IDS=[sid]))
    if refusal is None:
        assert verdicts[sid] == "python", verdicts
    else:
        assert verdicts[sid].startswith("python refused: ") and refusal in verdicts[sid], verdicts


def test_js_answers_exactly_as_python_or_leaves_it_to_python(booted):
    db = fresh_db()
    assert python(booted, db, FILL, SESSIONS=SESSIONS, EXTRA=EXTRA) is True
    raw, dated = EXTRA[0], EXTRA[4]
    booted.page.evaluate("async ([db, raw, dated]) => { raw.endTime = undefined;"
                         " await appStore.saveValue(db, 'sessions/' + raw.id, raw);"
                         " dated.startTime = new Date(0); await appStore.saveValue(db, 'sessions/' + dated.id, dated); }",
                         [db, raw, dated])
    ids = [s["id"] for s in SESSIONS] + [s["id"] for s in EXTRA[:5]] + ["no-such-session"]
    answered = booted.page.evaluate(JS_READS, [db, ids])
    legacy = [s["id"] for s in SESSIONS] + [raw["id"]]
    assert answered == {i: i in legacy for i in ids}

    verdicts = booted.page.evaluate(COMPARE, python(booted, db, PYTHON_LOADS, IDS=ids))
    assert {i: verdicts[i] for i in legacy} == {i: "same" for i in legacy}
    assert verdicts[EXTRA[2]["id"]] == "python"  # chunked: Python's join
    for odd in (EXTRA[1]["id"], EXTRA[3]["id"], dated["id"], "no-such-session"):
        assert verdicts[odd].startswith("python refused"), (odd, verdicts[odd])


def test_load_session_answers_from_js_then_migrates(booted):
    db = fresh_db()
    sessions = generate_sessions(5, seed=723, size="small")
    python(booted, db, """
from taskerino_storage.browser.service import open_backend
await (await open_backend(DB)).write_batch({"sessions": json.loads(SESSIONS)})
""", SESSIONS=sessions)
    result = booted.page.evaluate("""async ([db, ids]) => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({ dbName: db, log: false });
        const { readLegacySession } = await import('/lib/legacy-read.mjs');
        const loaded = [];
        for (const id of ids.slice(0, 3)) loaded.push(await api.loadSession(id));
        const settled = await api.onDemandSettled();
        const after = await readLegacySession(db, 'collections', ids[0]); // chunked now: Python's
        const status = await api.getMigrationStatus();
        const again = await api.loadSession(ids[0]);
        return { loaded, settled: settled.map((r) => [r.sessionId, r.success]), after, chunked: status.chunked,
                 legacy: status.legacy, again };
    }""", [db, [s["id"] for s in sessions]])
    assert result["loaded"] == sessions[:3] and result["again"] == sessions[0]
    assert result["settled"] == [[s["id"], True] for s in sessions[:3]]
    assert result["after"] is None and (result["chunked"], result["legacy"]) == (3, 2)


def test_status_counts_again_what_changed_and_keeps_broken_elements_broken(booted):
    """The bridge keeps the ids of the array's DATA it scanned last (bridge.mjs openArray):
    the same text again gives the same count, broken elements included; any change is scanned."""
    db = fresh_db()
    sessions = generate_sessions(3, seed=724, size="small")
    counts = booted.page.evaluate("""async ([db, sessions]) => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({ dbName: db, log: false });
        const count = async () => { const s = await api.getMigrationStatus(); return [s.legacy, s.total]; };
        const text = JSON.stringify([...sessions, 42, { name: 'no id' }]);
        await appStore.save(db, 'sessions', text, 'gzip');
        const out = [await count(), await count()];
        await appStore.save(db, 'sessions', JSON.stringify([sessions[0], 7]), 'gzip');  // changed
        out.push(await count());
        await appStore.save(db, 'sessions', JSON.stringify([sessions[0], 7]), 'json');  // same array, another text
        out.push(await count());
        await appStore.saveRawText(db, 'sessions', JSON.stringify([sessions[0], 7]) + ' ');  // the same text, but one space
        out.push(await count());
        await appStore.saveRawText(db, 'sessions', '[' + JSON.stringify(sessions[0]) + ',');  // broken array
        out.push(await api.getMigrationStatus().then((s) => s.problems.length > 0 && s.legacy === 0, (e) => e.message));
        return out;
    }""", [db, sessions])
    assert counts == [[5, 5], [5, 5], [2, 2], [2, 2], [2, 2], True]


# In a page of the origin with no migration worker yet: the store is held by a readwrite
# transaction for `hold` ms, so the read loadSession starts (in the same task as the loader)
# waits that long. `api.worker` is sampled while it waits.
HELD_READ = """async ([db, id, hold, sampleAt]) => {
    const conn = await new Promise((ok, no) => { const r = indexedDB.open(db); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    const store = conn.transaction('collections', 'readwrite').objectStore('collections');
    const until = performance.now() + hold;
    const again = () => { if (performance.now() < until) store.get('held').onsuccess = again; };
    again();
    const api = loadChunkedMigration({ dbName: db, log: false });
    const start = performance.now();
    let read = null;
    const loaded = api.loadSession(id).then((s) => (read = performance.now() - start, s));
    await new Promise((r) => setTimeout(r, sampleAt));
    const sampled = { worker: api.worker !== null, readDone: read !== null };
    const session = await loaded;
    const settled = await api.onDemandSettled();
    conn.close();
    return { sampled, read, session, settled: settled.map((r) => r.success), workerAfter: api.worker !== null };
}"""


@pytest.mark.parametrize("hold, sample_at, started", [(700, 350, False), (2200, 1500, True)])
def test_the_worker_starts_once_the_first_read_is_done_or_a_second_later(booted, web_url, hold, sample_at, started):
    """The migration worker (and Python's boot after it) waits for a session read in JS that
    began with the loader, up to 1 s (on-demand.mjs bootAfterReads): measured, it slowed that
    read by a third. Past the limit it starts anyway, and the session is migrated either way."""
    db = fresh_db()
    sessions = generate_sessions(2, seed=724, size="small")
    python(booted, db, """
from taskerino_storage.browser.service import open_backend
await (await open_backend(DB)).write_batch({"sessions": json.loads(SESSIONS)})
""", SESSIONS=sessions)
    page = booted.context.new_page()  # same origin and storage, no worker: a bare module's text as the document
    page.set_default_timeout(120_000)
    page.goto(f"{web_url}/lib/errors.mjs")
    result = page.evaluate(HELD_READ, [db, sessions[0]["id"], hold, sample_at])
    page.close()
    assert result["sampled"] == {"worker": started, "readDone": False}, result
    assert result["read"] >= sample_at and result["session"] == sessions[0]
    assert result["settled"] == [True] and result["workerAfter"]


def test_the_worker_starts_without_a_timer_firing(booted, web_url):
    """A hidden tab delays timers (a second or more): the start waits for the next task by a
    message, not a timer. Here the page's timers never fire, and Python still boots."""
    page = booted.context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{web_url}/lib/errors.mjs")
    ready = page.evaluate("""async () => {
        window.setTimeout = () => 0;  // no timer of this page ever fires
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({ dbName: 'no-timers', log: false });
        await api.ready;
        return api.isReady && api.worker !== null;
    }""")
    page.close()
    assert ready is True
