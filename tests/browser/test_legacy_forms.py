"""Old app versions stored raw session objects (structured clone), not JSON text: in Chromium,
on real IndexedDB, every real form of them migrates.

- An object property holding `undefined` means absent (the app's own JSON save drops it): the
  session migrates, its result warns with the paths, and the backup, the verification and
  loadSession all use the session without them.
- A value the app cannot mean as absent (a Date, `undefined` inside an array, NaN...) is refused
  for that session alone, by path, and its record stays exactly as it was.
- A raw `sessions` array is never blocked by one such element: the others migrate, leave the
  array, and the odd one stays in it, still a structured-clone value, untouched.
"""
from __future__ import annotations

import json

import pytest
from browser.harness import fresh_db
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions

SESSIONS = generate_sessions(6, seed=611, size="small")

# Writes raw records like an old app version: `sessions` as given, with JS-only values made in
# the page (JSON can't carry them there). `odd`: {index: "date" | "undefined" | "array-undefined"}.
SAVE_RAW = """async ([db, key, value, odd]) => {
    const make = (s, how) => {
        if (how === "date") s.startTime = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
        if (how === "undefined") { s.endTime = undefined; s.description = undefined; s.video = { ...(s.video ?? {}), path: undefined }; }
        if (how === "array-undefined") s.tags = ["a", undefined];
        if (how === "nan") s.totalDuration = NaN;
        return s;
    };
    if (Array.isArray(value)) value = value.map((s, i) => make(s, odd[i]));
    else value = make(value, odd[0]);
    await appStore.saveValue(db, key, value);
}"""

# The record as the app holds it, described so that Python can compare it exactly: JS-only
# values are tagged, `undefined` properties kept as such.
DESCRIBE = """async ([db, key]) => {
    const d = (v) => v === undefined ? {"$": "undefined"} : v instanceof Date ? {"$": "Date", t: v.getTime()}
        : (typeof v === "number" && !Number.isFinite(v)) ? {"$": String(v)}
        : Array.isArray(v) ? v.map(d) : (v && typeof v === "object") ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, d(x)])) : v;
    const record = await appStore.record(db, key);
    return record === undefined ? null : { form: typeof record.data, data: d(record.data) };
}"""


def without(session: dict, *paths: str) -> dict:
    out = json.loads(json.dumps(session))
    for path in paths:
        *parents, last = path.split(".")
        target = out
        for p in parents:
            target = target[p]
        target.pop(last, None)
    return out


def api(booted, db: str, call: str):
    return booted.page.evaluate(f"""async () => {{
        const {{ loadChunkedMigration }} = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({{ dbName: {json.dumps(db)}, log: false }});
        try {{ return await {call}; }} catch (e) {{ return {{ thrown: e.message, kind: e.kind }}; }}
    }}""")


def chunked_and_backup(booted, db: str, sid: str) -> dict:
    return booted.python(f"""
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
backend = await open_backend({db!r})
backups = [k for k in await backend.keys("sessions/{sid}.backup-")]
{{"chunked": await ChunkedSessionStorage(backend).load_full_session({sid!r}),
  "backups": [(await backend.get(k))["session"] for k in backups]}}
""")


UNDEFINED_PATHS = ("endTime", "description", "video.path")


@pytest.mark.parametrize("how", ["batch", "single", "loadSession"])
def test_a_raw_record_with_undefined_fields_migrates_without_them(booted, how):
    db, session = fresh_db(), SESSIONS[0]
    key = f"sessions/{session['id']}"
    booted.page.evaluate(SAVE_RAW, [db, key, session, ["undefined"]])
    expected = without({**session, "endTime": None, "description": None,
                        "video": {**session.get("video", {}), "path": None}}, *UNDEFINED_PATHS)

    if how == "batch":
        result = api(booted, db, "api.runChunkedMigration()")
        assert (result["success"], result["migrated"], result["errorCount"]) == (True, 1, 0), result
        warnings = result["results"][0]["warnings"]
    elif how == "single":
        result = api(booted, db, f"api.migrateSingleSession({json.dumps(session['id'])})")
        assert result["success"] is True, result
        warnings = result["warnings"]
    else:
        # Answered from JS; the migration follows (checked below once it has finished).
        loaded = api(booted, db, f"api.loadSession({json.dumps(session['id'])}).then(async (s) => (await api.onDemandSettled(), s))")
        assert "thrown" not in loaded, loaded
        assert json_equal(loaded, expected)
        warnings = None
    if warnings is not None:
        for path in UNDEFINED_PATHS:
            assert f"{path} was undefined; stored as absent" in warnings

    stored = chunked_and_backup(booted, db, session["id"])
    assert json_equal(stored["chunked"], expected)
    assert len(stored["backups"]) == 1 and json_equal(stored["backups"][0], expected)
    assert booted.page.evaluate(DESCRIBE, [db, key]) is None  # the legacy copy is gone


@pytest.mark.parametrize("odd", ["date", "array-undefined", "nan"])
def test_a_raw_record_holding_what_json_cannot_is_refused_by_path_and_left_as_it_is(booted, odd):
    db, session = fresh_db(), SESSIONS[1]
    key = f"sessions/{session['id']}"
    booted.page.evaluate(SAVE_RAW, [db, key, session, [odd]])
    before = booted.page.evaluate(DESCRIBE, [db, key])
    result = api(booted, db, "api.runChunkedMigration()")
    path = {"date": "startTime is Date", "array-undefined": "tags[1] is undefined", "nan": "totalDuration is NaN"}[odd]
    assert result["migrated"] == 0 and result["errorCount"] == 1, result
    assert path in result["errors"][0]["message"] and key in result["errors"][0]["message"]
    loaded = api(booted, db, f"api.loadSession({json.dumps(session['id'])})")
    assert path in loaded["thrown"]
    assert booted.page.evaluate(DESCRIBE, [db, key]) == before
    assert booted.python(f"""
from taskerino_storage.browser.service import open_backend
await (await open_backend({db!r})).keys("sessions/{session['id']}/")""") == []


def test_a_raw_sessions_array_with_one_date_element_migrates_every_other_session(booted):
    db = fresh_db()
    booted.page.evaluate(SAVE_RAW, [db, "sessions", SESSIONS[:4], {"2": "date"}])
    odd_before = booted.page.evaluate(DESCRIBE, [db, "sessions"])["data"][2]
    result = api(booted, db, "api.runChunkedMigration()")
    assert (result["migrated"], result["errorCount"]) == (3, 1), result
    assert "sessions[2]" in result["errors"][0]["message"] and "startTime is Date" in result["errors"][0]["message"]
    after = booted.page.evaluate(DESCRIBE, [db, "sessions"])
    assert after["form"] == "object" and after["data"] == [odd_before]  # still raw, still a Date
    for i in (0, 1, 3):
        assert json_equal(chunked_and_backup(booted, db, SESSIONS[i]["id"])["chunked"], SESSIONS[i])

    # Rollback appends to the raw array and keeps it raw: the odd element is untouched.
    back = api(booted, db, f"api.rollbackSession({json.dumps(SESSIONS[0]['id'])}, undefined, true)")
    assert back is True
    rolled = booted.page.evaluate(DESCRIBE, [db, "sessions"])
    assert rolled["form"] == "object" and rolled["data"][0] == odd_before
    assert json_equal(rolled["data"][1], SESSIONS[0])


def test_a_raw_sessions_array_with_undefined_fields_migrates_whole(booted):
    db = fresh_db()
    booted.page.evaluate(SAVE_RAW, [db, "sessions", SESSIONS[:4], {"1": "undefined", "3": "undefined"}])
    status = api(booted, db, "api.getMigrationStatus()")
    assert (status["legacy"], status["problems"]) == (4, [])
    dry = api(booted, db, "api.runChunkedMigration({ dryRun: true })")
    assert (dry["migrated"], dry["errorCount"]) == (4, 0), dry
    result = api(booted, db, "api.runChunkedMigration()")
    assert (result["success"], result["migrated"], result["errorCount"]) == (True, 4, 0), result
    by_id = {r["sessionId"]: r for r in result["results"]}
    for i, session in enumerate(SESSIONS[:4]):
        stored = chunked_and_backup(booted, db, session["id"])
        if i in (1, 3):
            expected = without({**session, "video": {**session.get("video", {}), "path": None}}, *UNDEFINED_PATHS)
            assert "endTime was undefined; stored as absent" in by_id[session["id"]]["warnings"]
        else:
            expected = session
        assert json_equal(stored["chunked"], expected) and json_equal(stored["backups"][0], expected)
    assert booted.page.evaluate(DESCRIBE, [db, "sessions"]) == {"form": "object", "data": []}
